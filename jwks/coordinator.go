package jwks

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrLeaseLost reports a fetch result from a VM that no longer holds the
	// fetch lease (it expired and another VM took it, or none was taken);
	// the result is dropped and the holder's fetch counts instead.
	ErrLeaseLost = errors.New("jwks: fetch lease lost")
	// ErrSharedDataContended reports an update that lost maxCASAttempts
	// compare-and-swap races in a row; the lease expires on its own.
	ErrSharedDataContended = errors.New("jwks: shared data contended")
)

// Coordinator schedules one provider's JWKS fetches across all VMs of a
// proxy. Each VM (worker threads and the main thread alike, PITFALLS 13)
// owns one per provider; they agree through two shared-data values:
//
//	mcp-oauth-wasm/<provider>/state  small JSON (sharedState), read every tick
//	mcp-oauth-wasm/<provider>/jwks   the validated body in a versioned envelope
//
// The VM that wins a compare-and-swap on the state takes the fetch lease and
// dispatches; the others wait. A holder that never reports back blocks the
// others only until the lease expires (Timeout + LeaseMargin).
//
// The one case with two fetches in flight: a holder whose callback is late
// by more than LeaseMargin beyond its call timeout (a stalled VM), so another
// VM took the expired lease. The late result is refused (ErrLeaseLost). If
// the takeover and the new holder's publish both fall between the late
// holder's ownership check and its key-set write (two host calls apart), its
// body still lands under its own, older version while the state names the
// new one. That body was validated too, and readers take each value's own
// envelope version and do not copy it again for the same state, so nothing
// breaks until the next refresh replaces it. Shared data offers no
// multi-key transaction that could close this window.
type Coordinator struct {
	vmID      string
	store     Store
	policy    FetchPolicy
	stateKey  string
	keySetKey string

	// The last state value decoded, reused while the bytes read are the
	// same: a steady-state tick costs one small Get and a compare.
	cachedRaw   []byte
	cachedState sharedState

	leaseID uint64            // lease this VM took and has not reported on; 0 when none
	checked sharedKeySetCheck // last key-set read, so one that lags or is damaged is not copied again
}

// sharedKeySetCheck remembers what the key-set value held when the state was at
// (stateVersion, generation).
type sharedKeySetCheck struct {
	stateVersion, generation uint64
	version                  uint64 // envelope version found
	err                      error  // why the value was unusable
}

// Status is a cheap snapshot of a provider's shared fetch state.
type Status struct {
	Version     uint64 // published key-set version; 0 = no key set yet
	Generation  uint64 // completed fetch attempts
	Failures    int    // consecutive failed attempts
	InFlight    bool   // an unexpired lease exists
	LastSuccess time.Time
	NextAttempt time.Time
	LastError   string
}

// NewCoordinator returns the coordinator of provider for the VM vmID.
// vmID must differ between the VMs of a proxy; it is recorded as the lease
// owner (each VM also checks the lease id it was handed).
func NewCoordinator(provider, vmID string, store Store, p FetchPolicy) *Coordinator {
	prefix := "mcp-oauth-wasm/" + provider + "/"
	return &Coordinator{
		vmID:      vmID,
		store:     store,
		policy:    p.withDefaults(),
		stateKey:  prefix + "state",
		keySetKey: prefix + "jwks",
	}
}

// Tick runs on every VM on every proxy tick and at plugin start. It returns
// true when this VM has just taken the lease and must dispatch the fetch now.
func (c *Coordinator) Tick(now time.Time) (dispatch bool) {
	dispatch, _ = c.tick(now)
	return dispatch
}

// tick is Tick with the reason it did not dispatch: nil when no fetch is due
// or another VM holds the lease, else the store's error.
func (c *Coordinator) tick(now time.Time) (bool, error) {
	nowMs := now.UnixMilli()
	for range maxCASAttempts {
		s, cas, err := c.readState()
		switch {
		case errors.Is(err, ErrStoreNotFound):
			s, cas = sharedState{}, casCreate // first fetch of this provider in the proxy
		case errors.Is(err, ErrSharedStateCorrupt):
			s = c.recoveredState() // replace the damage by CAS on its own cas
		case err != nil:
			return false, err
		case !c.policy.due(s, nowMs):
			return false, nil
		}
		err = c.takeLease(s, cas, nowMs, false)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, ErrStoreCasMismatch) {
			return false, err
		}
		// Another VM wrote first: look again.
	}
	return false, ErrSharedDataContended
}

// RequestRefresh asks for an early refresh because a token named an unknown
// kid. accepted=false when an early refresh started less than
// UnknownKeyInterval ago (across all VMs): no fetch happens for this request.
// dispatch=true when this VM took the lease and must dispatch now.
// accepted=true, dispatch=false when a fetch is in flight or a retry after a
// failure is scheduled: the caller waits for that completion.
func (c *Coordinator) RequestRefresh(now time.Time) (dispatch, accepted bool) {
	nowMs := now.UnixMilli()
	for range maxCASAttempts {
		s, cas, err := c.readState()
		switch {
		case errors.Is(err, ErrStoreNotFound), errors.Is(err, ErrSharedStateCorrupt):
			// The first fetch (or a reset) is due anyway; it is not an early one.
			dispatch, err := c.tick(now)
			return dispatch, err == nil
		case err != nil:
			return false, false
		case c.policy.leaseHeld(s, nowMs):
			return false, true
		case s.Failures > 0 && !c.policy.due(s, nowMs):
			return false, true
		case c.policy.earlyRateLimited(s, nowMs):
			return false, false
		}
		err = c.takeLease(s, cas, nowMs, true)
		if err == nil {
			return true, true
		}
		if !errors.Is(err, ErrStoreCasMismatch) {
			return false, false
		}
	}
	return false, false
}

// FetchSucceeded stores the validated JWKS body for all VMs and releases the
// lease: the key-set value first, then the state, so a reader that sees the
// new version finds its body. It returns the new version.
func (c *Coordinator) FetchSucceeded(now time.Time, body []byte) (version uint64, err error) {
	lease := c.leaseID
	if err := c.checkLease(); err != nil {
		return 0, err
	}
	if err := c.writeKeySet(lease, body); err != nil {
		if !errors.Is(err, ErrLeaseLost) {
			// Release the lease so the retry follows the backoff.
			_ = c.updateHeld(func(s sharedState) sharedState {
				return s.failed(now.UnixMilli(), "storing key set: "+err.Error(), c.policy)
			})
		}
		return 0, fmt.Errorf("jwks: publishing key set: %w", err)
	}
	err = c.updateHeld(func(s sharedState) sharedState { return s.succeeded(lease, now.UnixMilli(), c.policy) })
	if err != nil {
		return 0, fmt.Errorf("jwks: publishing key set: %w", err)
	}
	return lease, nil
}

// FetchFailed records a failed attempt (no response, non-200, timeout,
// invalid body) and releases the lease; the published key set stays and the
// next attempt follows the backoff.
func (c *Coordinator) FetchFailed(now time.Time, reason string) error {
	if err := c.checkLease(); err != nil {
		return err
	}
	return c.updateHeld(func(s sharedState) sharedState { return s.failed(now.UnixMilli(), reason, c.policy) })
}

// Current returns the shared key set when its version differs from known
// (changed=true). When nothing changed it reads only the small state value
// (PITFALLS 14). When changed is false, version is known and body is nil.
func (c *Coordinator) Current(known uint64) (version uint64, body []byte, changed bool, err error) {
	s, cas, err := c.readState()
	switch {
	case errors.Is(err, ErrStoreNotFound):
		return known, nil, false, nil
	case err != nil:
		return known, nil, false, err
	case s.Version == 0 || s.Version == known:
		return known, nil, false, nil
	}
	if ck := c.checked; ck.stateVersion == s.Version && ck.generation == s.Generation {
		if ck.err != nil {
			return known, nil, false, ck.err
		}
		if ck.version == known { // the key-set value lags the state; wait for the next change
			return known, nil, false, nil
		}
	}
	raw, _, err := c.store.Get(c.keySetKey)
	switch {
	case errors.Is(err, ErrStoreNotFound):
		err = fmt.Errorf("%w: state names version %d but there is none", ErrSharedKeySetCorrupt, s.Version)
	case err == nil:
		version, body, err = decodeSharedKeySet(raw)
	}
	c.checked = sharedKeySetCheck{stateVersion: s.Version, generation: s.Generation, version: version, err: err}
	if err != nil {
		if errors.Is(err, ErrSharedKeySetCorrupt) {
			c.requestRepair(s, cas)
		}
		return known, nil, false, err
	}
	if version == known {
		return known, nil, false, nil
	}
	return version, body, true, nil
}

// Status returns a snapshot of the shared fetch state (one small Get).
func (c *Coordinator) Status(now time.Time) Status {
	s, _, err := c.readState()
	switch {
	case errors.Is(err, ErrStoreNotFound):
		return Status{}
	case err != nil:
		return Status{LastError: err.Error()}
	}
	return Status{
		Version:     s.Version,
		Generation:  s.Generation,
		Failures:    s.Failures,
		InFlight:    c.policy.leaseHeld(s, now.UnixMilli()),
		LastSuccess: unixMsTime(s.LastSuccessMs),
		NextAttempt: unixMsTime(s.NextAttemptMs),
		LastError:   s.LastError,
	}
}

// readState reads the state value; it decodes only when the bytes changed.
func (c *Coordinator) readState() (sharedState, uint32, error) {
	raw, cas, err := c.store.Get(c.stateKey)
	if err != nil {
		return sharedState{}, 0, err
	}
	if c.cachedRaw != nil && bytes.Equal(raw, c.cachedRaw) {
		return c.cachedState, cas, nil
	}
	s, err := decodeSharedState(raw)
	if err != nil {
		return sharedState{}, cas, err
	}
	c.cachedRaw, c.cachedState = raw, s
	return s, cas, nil
}

// takeLease writes s with a new lease for this VM, conditional on cas.
func (c *Coordinator) takeLease(s sharedState, cas uint32, nowMs int64, early bool) error {
	next := s.leased(c.vmID, nowMs+c.policy.leaseDuration().Milliseconds())
	if early {
		next.LastEarlyMs = nowMs
	}
	if err := c.store.Set(c.stateKey, encodeSharedState(next), cas); err != nil {
		return err
	}
	c.leaseID = next.LeaseID
	return nil
}

// checkLease confirms this VM still holds the lease it took.
func (c *Coordinator) checkLease() error {
	if c.leaseID == 0 {
		return ErrLeaseLost
	}
	s, _, err := c.readState()
	if err != nil {
		return err
	}
	if !s.heldBy(c.vmID, c.leaseID) {
		c.leaseID = 0
		return ErrLeaseLost
	}
	return nil
}

// updateHeld applies change to the state by compare-and-swap as long as this
// VM still holds its lease, and forgets the lease once written (change
// releases it).
func (c *Coordinator) updateHeld(change func(sharedState) sharedState) error {
	for range maxCASAttempts {
		s, cas, err := c.readState()
		if err != nil {
			return err
		}
		if !s.heldBy(c.vmID, c.leaseID) {
			c.leaseID = 0
			return ErrLeaseLost
		}
		err = c.store.Set(c.stateKey, encodeSharedState(change(s)), cas)
		if err == nil {
			c.leaseID = 0
			return nil
		}
		if !errors.Is(err, ErrStoreCasMismatch) {
			return err
		}
	}
	return ErrSharedDataContended
}

// writeKeySet stores body as version. The write is a compare-and-swap on the
// value's own cas because hosts disagree about cas 0 on an existing key
// (PITFALLS 12); reading that cas copies the old key set once per fetch.
func (c *Coordinator) writeKeySet(version uint64, body []byte) error {
	value := encodeSharedKeySet(version, body)
	for range maxCASAttempts {
		_, cas, err := c.store.Get(c.keySetKey)
		switch {
		case errors.Is(err, ErrStoreNotFound):
			cas = casCreate
		case err != nil:
			return err
		}
		err = c.store.Set(c.keySetKey, value, cas)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrStoreCasMismatch) {
			return err
		}
		// Someone else wrote the key set: only a holder whose lease lapsed
		// does. Go on only while the lease is still ours.
		if err := c.checkLease(); err != nil {
			return err
		}
	}
	return ErrSharedDataContended
}

// recoveredState replaces a damaged state value. It keeps the version of the
// key set still stored, so VMs holding it need not re-read it, and leaves the
// next fetch due now.
func (c *Coordinator) recoveredState() sharedState {
	var s sharedState
	if raw, _, err := c.store.Get(c.keySetKey); err == nil {
		if v, _, err := decodeSharedKeySet(raw); err == nil {
			s.Version, s.LeaseID = v, v
		}
	}
	return s
}

// requestRepair asks for a refresh when the key-set value is damaged. Not
// while failing: the retry is scheduled already and this would skip its
// backoff. One attempt; a lost race means someone else changed the state.
func (c *Coordinator) requestRepair(s sharedState, cas uint32) {
	if s.Failures > 0 || s.RefreshRequested {
		return
	}
	s.RefreshRequested = true
	_ = c.store.Set(c.stateKey, encodeSharedState(s), cas)
}

func unixMsTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
