package jwks

import (
	"errors"
	"math"
)

// Store is the proxy's shared data with Envoy's real semantics
// (proxy-wasm-cpp-host src/shared_data.cc, PITFALLS 11-12): one map per
// vm_id shared by every VM of the process; Get returns a copy; there is no
// delete; Set on an existing key with cas != 0 fails unless cas matches the
// stored one; cas 0 always overwrites; Set on a missing key ignores cas; cas
// values come from one process-wide counter that starts at 1 and skips 0.
type Store interface {
	// Get returns a copy of the value and its cas; errors.Is(err,
	// ErrStoreNotFound) when the key is absent.
	Get(key string) (value []byte, cas uint32, err error)
	// Set stores value; errors.Is(err, ErrStoreCasMismatch) when cas is
	// non-zero and no longer the stored one.
	Set(key string, value []byte, cas uint32) error
}

var (
	// ErrStoreNotFound reports a key absent from shared data.
	ErrStoreNotFound = errors.New("jwks: shared data key not found")
	// ErrStoreCasMismatch reports a Set that lost a compare-and-swap race.
	ErrStoreCasMismatch = errors.New("jwks: shared data cas mismatch")
)

// casCreate is the cas passed to "create if absent" writes.
//
// Envoy ignores cas when the key is missing, so the write creates the key;
// when another VM created the key between our Get and this Set, a non-zero cas
// must match and the write fails with a mismatch: whoever created the key
// first won. cas 0 would silently overwrite the winner's lease instead. The
// host's counter (cpp-host src/shared_data.h, nextCas) starts at 1 and hands
// out MaxUint32 only to the (2^32-1)-th write of the process before wrapping
// to 1, so the winner's key carries it only if its creation was exactly that
// write: the one case this sentinel cannot tell apart.
//
// The SDK's proxytest emulator stores given+1 on create (MaxUint32+1 wraps to
// 0) and demands equality on update; MaxUint32 never equals a key's current
// cas there either, and the 0 it stores is simply read back and passed on by
// the next compare-and-swap, so the protocol is the same on both hosts.
const casCreate uint32 = math.MaxUint32

// maxCASAttempts bounds how often one call re-reads after losing a
// compare-and-swap: each loss means another VM wrote, so the picture changed;
// giving up leaves the work to the next tick instead of spinning.
const maxCASAttempts = 4
