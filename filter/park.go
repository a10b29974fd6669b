package filter

import (
	"math"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// parkedRequest is a request paused in its request-headers callback (the
// only place a pause holds, PITFALLS 9) until its provider's keys change.
type parkedRequest struct {
	stream     *httpContext
	req        guard.Request
	provider   int
	unknownKey bool      // the token named a kid the set lacked
	generation uint64    // fetch attempts completed when it parked
	deadline   time.Time // then 503
}

// park pauses a request that needs keys. For an unknown kid it asks for one
// early refresh; when that is rate-limited the token is judged on the keys
// we have.
func (p *pluginContext) park(h *httpContext, req guard.Request, o guard.Outcome, now time.Time) bool {
	r := p.remotes[o.Provider]
	if o.UnknownKey {
		dispatch, accepted := r.coord.RequestRefresh(now)
		if !accepted {
			return false
		}
		if dispatch {
			p.dispatch(r, now)
		}
	}
	p.parked[h.contextID] = &parkedRequest{
		stream:     h,
		req:        req,
		provider:   o.Provider,
		unknownKey: o.UnknownKey,
		generation: r.coord.Status(now).Generation,
		deadline:   now.Add(r.source.Timeout),
	}
	return true
}

// reviewParked resumes or answers the requests whose wait is over.
func (p *pluginContext) reviewParked(now time.Time) {
	if len(p.parked) == 0 {
		return
	}
	for id, w := range p.parked {
		r := p.remotes[w.provider]
		st := r.coord.Status(now)
		fetched := st.Generation != w.generation
		switch {
		case w.unknownKey && fetched && st.Failures > 0:
			// The refresh that could have brought the key failed: the token
			// could not be checked.
			delete(p.parked, id)
			w.stream.finish(p.unavailable(w.provider, retryAfter(st.NextAttempt, now)))
		case (w.unknownKey && fetched) || (!w.unknownKey && r.set != nil):
			delete(p.parked, id)
			w.req.KeysSettled = true
			o := p.check(w.req, now)
			if o.Kind == guard.WaitForKeys {
				o = p.unavailable(w.provider, retryAfter(st.NextAttempt, now))
			}
			w.stream.finish(o)
		case !now.Before(w.deadline):
			delete(p.parked, id)
			w.stream.finish(p.unavailable(w.provider, retryAfter(st.NextAttempt, now)))
		}
	}
}

// retryAfter tells clients when the next key fetch is due, in whole seconds.
func retryAfter(next, now time.Time) int {
	if next.IsZero() {
		return 1
	}
	s := math.Ceil(next.Sub(now).Seconds())
	if s < 1 {
		return 1
	}
	if s > 300 {
		return 300
	}
	return int(s)
}

// finish applies a decision to a request that was paused.
func (h *httpContext) finish(o guard.Outcome) {
	if err := proxywasm.SetEffectiveContext(h.contextID); err != nil {
		// The stream is gone (reset while waiting); nothing to answer.
		return
	}
	if h.apply(&o) {
		if err := proxywasm.ResumeHttpRequest(); err != nil {
			h.plugin.log.warnf("mcp-oauth-wasm: cannot resume request: %v", err)
		}
	}
}
