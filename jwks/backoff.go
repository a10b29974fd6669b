package jwks

import "time"

// FetchPolicy says when the JWKS is fetched. Zero fields take the defaults
// documented on each.
type FetchPolicy struct {
	RefreshInterval    time.Duration // steady-state refresh period (config refresh_interval_s); default 5m
	Timeout            time.Duration // dispatched call timeout (config timeout_ms); default 5s
	LeaseMargin        time.Duration // a lease lasts Timeout + LeaseMargin; default 2s
	MinBackoff         time.Duration // first retry delay after a failure; default 1s
	MaxBackoff         time.Duration // retry delay cap; default min(RefreshInterval, 60s)
	UnknownKeyInterval time.Duration // at most one early refresh per this period; default 30s
}

const (
	defaultRefreshInterval    = 5 * time.Minute
	defaultFetchTimeout       = 5 * time.Second
	defaultLeaseMargin        = 2 * time.Second
	defaultMinBackoff         = time.Second
	maxDefaultBackoff         = time.Minute
	defaultUnknownKeyInterval = 30 * time.Second
)

// withDefaults fills zero (or negative) fields and keeps MinBackoff within
// MaxBackoff, so no policy can make a VM fetch on every tick.
func (p FetchPolicy) withDefaults() FetchPolicy {
	if p.RefreshInterval <= 0 {
		p.RefreshInterval = defaultRefreshInterval
	}
	if p.Timeout <= 0 {
		p.Timeout = defaultFetchTimeout
	}
	if p.LeaseMargin <= 0 {
		p.LeaseMargin = defaultLeaseMargin
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = defaultMinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = min(p.RefreshInterval, maxDefaultBackoff)
	}
	if p.MinBackoff > p.MaxBackoff {
		p.MinBackoff = p.MaxBackoff
	}
	if p.UnknownKeyInterval <= 0 {
		p.UnknownKeyInterval = defaultUnknownKeyInterval
	}
	return p
}

// leaseDuration is how long a fetch may stay in flight before another VM
// may assume its holder died: the call's own timeout plus slack for the
// callback to be scheduled.
func (p FetchPolicy) leaseDuration() time.Duration { return p.Timeout + p.LeaseMargin }

// backoff is the delay before the next attempt after the given number of
// consecutive failures (>= 1): MinBackoff doubled per extra failure, capped
// at MaxBackoff. No jitter: VMs of one proxy share one schedule through the
// lease, and proxies spread by their own start times.
func (p FetchPolicy) backoff(failures int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < failures; i++ {
		if d >= p.MaxBackoff/2 { // doubling again would reach the cap (or overflow)
			return p.MaxBackoff
		}
		d *= 2
	}
	return min(d, p.MaxBackoff)
}
