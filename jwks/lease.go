package jwks

// The fetch lease: at most one VM of a proxy fetches a provider's JWKS at a
// time. Taking, keeping and releasing it are compare-and-swap updates of the
// shared state value; these helpers say what such an update writes and when
// it is allowed. All times are unix milliseconds.

// leaseHeld reports an unexpired lease. A lease ending further ahead than
// this policy would ever grant is damage (or a peer configured with a longer
// timeout): honouring it could block every fetch for as long as it claims.
func (p FetchPolicy) leaseHeld(s sharedState, nowMs int64) bool {
	return s.LeaseUntilMs > nowMs && s.LeaseUntilMs-nowMs <= p.leaseDuration().Milliseconds()
}

// due reports whether a fetch should start now: the lease is free and the
// first fetch, the refresh, the retry or a requested refresh is due. A
// schedule further ahead than this policy would ever set counts as due, for
// the same reason as in leaseHeld.
func (p FetchPolicy) due(s sharedState, nowMs int64) bool {
	switch {
	case p.leaseHeld(s, nowMs):
		return false
	case s.RefreshRequested, nowMs >= s.NextAttemptMs:
		return true
	default:
		return s.NextAttemptMs-nowMs > max(p.RefreshInterval, p.MaxBackoff).Milliseconds()
	}
}

// earlyRateLimited reports an early (unknown kid) refresh started less than
// UnknownKeyInterval ago; a start time in the future is damage and ignored.
func (p FetchPolicy) earlyRateLimited(s sharedState, nowMs int64) bool {
	since := nowMs - s.LastEarlyMs
	return since >= 0 && since < p.UnknownKeyInterval.Milliseconds()
}

// leased hands out the next lease id to owner until untilMs.
func (s sharedState) leased(owner string, untilMs int64) sharedState {
	s.LeaseID++
	s.LeaseOwner = owner
	s.LeaseUntilMs = untilMs
	return s
}

// heldBy reports whether the lease in s is the one this VM took. Expiry is
// not checked: a late holder nobody replaced may still finish its fetch.
func (s sharedState) heldBy(owner string, leaseID uint64) bool {
	return leaseID != 0 && s.LeaseID == leaseID && s.LeaseOwner == owner
}

func (s sharedState) released() sharedState {
	s.LeaseOwner = ""
	s.LeaseUntilMs = 0
	s.RefreshRequested = false
	return s
}

// succeeded publishes version (the lease id the fetch ran under, so versions
// are unique and increasing) and schedules the next refresh.
func (s sharedState) succeeded(version uint64, nowMs int64, p FetchPolicy) sharedState {
	s = s.released()
	s.Version = version
	s.Generation++
	s.Failures = 0
	s.NextAttemptMs = nowMs + p.RefreshInterval.Milliseconds()
	s.LastSuccessMs = nowMs
	s.LastError = ""
	return s
}

// maxRecordedFailures keeps the counter from overflowing; the backoff is
// long capped by then.
const maxRecordedFailures = 1 << 20

// failed schedules a retry after the backoff; the published key set stays.
func (s sharedState) failed(nowMs int64, reason string, p FetchPolicy) sharedState {
	s = s.released()
	s.Generation++
	if s.Failures < maxRecordedFailures {
		s.Failures++
	}
	s.NextAttemptMs = nowMs + p.backoff(s.Failures).Milliseconds()
	s.LastError = reason
	return s
}
