package jwks

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

var (
	// ErrSharedStateCorrupt reports a fetch-state value in shared data that
	// does not decode; the next Tick replaces it.
	ErrSharedStateCorrupt = errors.New("jwks: shared fetch state is corrupt")
	// ErrSharedKeySetCorrupt reports a missing or undecodable key-set value
	// while the fetch state names a version; a refresh is requested.
	ErrSharedKeySetCorrupt = errors.New("jwks: shared key set is corrupt")
)

// sharedState is the small per-provider value every VM reads on every tick.
// Times are unix milliseconds; 0 means never.
type sharedState struct {
	Version          uint64 `json:"version,omitempty"`    // version of the published key set; 0 = none yet
	Generation       uint64 `json:"generation,omitempty"` // completed fetch attempts
	Failures         int    `json:"failures,omitempty"`   // consecutive failed attempts
	NextAttemptMs    int64  `json:"next_attempt_ms,omitempty"`
	LeaseID          uint64 `json:"lease_id,omitempty"` // last lease handed out; a success publishes it as the version
	LeaseOwner       string `json:"lease_owner,omitempty"`
	LeaseUntilMs     int64  `json:"lease_until_ms,omitempty"`
	LastEarlyMs      int64  `json:"last_early_ms,omitempty"`
	LastSuccessMs    int64  `json:"last_success_ms,omitempty"`
	LastError        string `json:"last_error,omitempty"`
	RefreshRequested bool   `json:"refresh_requested,omitempty"`
}

// maxLastErrorBytes keeps the state value small: it is copied on every tick.
const maxLastErrorBytes = 200

func encodeSharedState(s sharedState) []byte {
	if len(s.LastError) > maxLastErrorBytes {
		cut := maxLastErrorBytes
		for cut > 0 && !utf8.RuneStart(s.LastError[cut]) {
			cut--
		}
		s.LastError = s.LastError[:cut]
	}
	b, err := json.Marshal(s)
	if err != nil { // unreachable: only integers, strings and a bool
		return []byte("{}")
	}
	return b
}

// decodeSharedState accepts exactly what encodeSharedState writes, plus
// unknown members (a newer plugin may share the key during a rollout).
func decodeSharedState(raw []byte) (sharedState, error) {
	var s sharedState
	if len(raw) == 0 || raw[0] != '{' {
		return sharedState{}, fmt.Errorf("%w: not a JSON object", ErrSharedStateCorrupt)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return sharedState{}, fmt.Errorf("%w: %v", ErrSharedStateCorrupt, err)
	}
	if s.Failures < 0 || s.NextAttemptMs < 0 || s.LeaseUntilMs < 0 || s.LastEarlyMs < 0 || s.LastSuccessMs < 0 {
		return sharedState{}, fmt.Errorf("%w: negative counter or time", ErrSharedStateCorrupt)
	}
	// Lease ids become versions, so they must stay ahead of the published
	// one or a later success could republish an old version number.
	if s.LeaseID < s.Version {
		s.LeaseID = s.Version
	}
	return s, nil
}

// The key-set value is a tiny binary envelope, so readers learn which
// version they hold without trusting the (separately written) state value:
// sharedKeySetMagic, the version as 8 big-endian bytes, then the JWKS body.
const (
	sharedKeySetMagic     = "mowk"
	sharedKeySetHeaderLen = len(sharedKeySetMagic) + 8
)

func encodeSharedKeySet(version uint64, body []byte) []byte {
	b := make([]byte, sharedKeySetHeaderLen, sharedKeySetHeaderLen+len(body))
	copy(b, sharedKeySetMagic)
	binary.BigEndian.PutUint64(b[len(sharedKeySetMagic):], version)
	return append(b, body...)
}

// decodeSharedKeySet returns a sub-slice of raw, which Store.Get already copied.
func decodeSharedKeySet(raw []byte) (version uint64, body []byte, err error) {
	if len(raw) < sharedKeySetHeaderLen || string(raw[:len(sharedKeySetMagic)]) != sharedKeySetMagic {
		return 0, nil, fmt.Errorf("%w: bad envelope", ErrSharedKeySetCorrupt)
	}
	version = binary.BigEndian.Uint64(raw[len(sharedKeySetMagic):sharedKeySetHeaderLen])
	if version == 0 {
		return 0, nil, fmt.Errorf("%w: version 0", ErrSharedKeySetCorrupt)
	}
	return version, raw[sharedKeySetHeaderLen:], nil
}
