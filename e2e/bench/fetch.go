package bench

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// FetchResult is one simulated hour of JWKS refreshes across VMs.
type FetchResult struct {
	VMs            int
	Duration       time.Duration
	Latency        time.Duration // how long each fetch stays in flight
	Fetches        int           // JWKS calls dispatched in [0, Duration), the start fetch included
	MaxInFlight    int
	FetchOffsets   []time.Duration // dispatch time of each fetch since start
	ServedAtTheEnd int             // VMs that forwarded a fresh valid token at the end
	Err            error
}

// FetchRun starts vms VMs with the base configuration (refresh_interval_s
// 300), then steps a virtual clock second by second for d, ticking every
// VM; each JWKS call is answered latency after it was dispatched, so other
// VMs tick while it is in flight. It counts fetches and the most ever in
// flight at once.
func (f *Fixture) FetchRun(vms int, d, latency time.Duration) *FetchResult {
	r := &FetchResult{VMs: vms, Duration: d, Latency: latency}
	p, err := f.newPluginProxy(vms, scenario.BaseConfig, false)
	if err != nil {
		r.Err = err
		return r
	}
	defer p.Close()
	start := p.H.Now()
	body := f.Issuer.JWKS(servedKids...)
	seen := map[*host.HTTPCall]bool{}
	note := func() {
		pending := p.H.PendingCalls()
		r.MaxInFlight = max(r.MaxInFlight, len(pending))
		for _, c := range pending {
			if !seen[c] {
				seen[c] = true
				r.Fetches++
				r.FetchOffsets = append(r.FetchOffsets, p.H.Now().Sub(start))
			}
		}
	}
	answer := func() {
		for _, c := range p.H.PendingCalls() {
			if !p.H.Now().Before(c.Deadline.Add(-c.TimeoutAfter).Add(latency)) {
				if err := c.Respond(200, [][2]string{{"content-type", "application/json"}}, body); err != nil && r.Err == nil {
					r.Err = err
				}
			}
		}
	}
	note()
	for p.H.Now().Sub(start) < d {
		p.H.Advance(time.Second)
		answer()
		if err := p.H.Tick(); err != nil && r.Err == nil {
			r.Err = err
		}
		note()
	}
	for _, c := range p.H.PendingCalls() {
		_ = c.Respond(200, nil, body)
	}
	tok := f.Issuer.Mint("rsa-1", f.Issuer.Standard(p.H.Now(), scenario.Resource, "mcp:tools:read"), nil)
	for _, vm := range p.VMs {
		if send(vm, scenario.BenchHeaders("POST", "/mcp", tok), outcome{forwarded: true}) == nil {
			r.ServedAtTheEnd++
		}
	}
	return r
}

// StormResult is a burst of tokens naming unknown keys.
type StormResult struct {
	VMs, Requests int
	Window        time.Duration
	Refetches     int // JWKS calls dispatched from the first storm request to the end
	Unauthorized  int // 401 replies
	Unavailable   int // 503 replies
	Other         int // anything else (forwarded, other statuses, still paused)
	Err           error
}

// UnknownKidStorm sends n requests spread over the VMs within one virtual
// second, each with a valid-looking EdDSA token whose kid is random, after
// the key set has been held for a minute (so the early-refresh rate limit
// is not what stops the first refetch). The refetch is answered 100 ms
// after it is dispatched with the same key set, then the VMs tick until
// every paused request is decided.
func (f *Fixture) UnknownKidStorm(vms, n int) *StormResult {
	r := &StormResult{VMs: vms, Requests: n, Window: time.Second}
	p, err := f.newPluginProxy(vms, scenario.BaseConfig, true)
	if err != nil {
		r.Err = err
		return r
	}
	defer p.Close()
	for i := 0; i < 60; i++ {
		p.H.Advance(time.Second)
		if err := p.H.Tick(); err != nil {
			r.Err = err
			return r
		}
	}
	claims := f.Issuer.Standard(p.H.Now(), scenario.Resource, "mcp:tools:read")
	tokens := make([]string, n)
	mintParallel(0, n, func(i int) {
		var kid [8]byte
		_, _ = rand.Read(kid[:])
		tokens[i] = f.Issuer.Mint("ed-1", claims, map[string]any{"kid": hex.EncodeToString(kid[:])})
	})
	before := len(p.H.Calls())
	body := f.Issuer.JWKS(servedKids...)
	step := r.Window / time.Duration(n)
	var streams []*host.Stream
	var dispatched time.Time
	for i, tok := range tokens {
		streams = append(streams, p.VMs[i%vms].Request(scenario.BenchHeaders("POST", "/mcp", tok), nil))
		p.H.Advance(step)
		for _, c := range p.H.PendingCalls() {
			if dispatched.IsZero() {
				dispatched = p.H.Now()
			}
			if p.H.Now().Sub(dispatched) >= 100*time.Millisecond {
				_ = c.Respond(200, nil, body)
			}
		}
	}
	for i := 0; i < 3; i++ { // decide what is still paused
		p.H.Advance(time.Second)
		for _, c := range p.H.PendingCalls() {
			_ = c.Respond(200, nil, body)
		}
		if err := p.H.Tick(); err != nil && r.Err == nil {
			r.Err = err
		}
	}
	r.Refetches = len(p.H.Calls()) - before
	for _, s := range streams {
		switch lr := s.LocalReply(); {
		case lr != nil && lr.Status == 401:
			r.Unauthorized++
		case lr != nil && lr.Status == 503:
			r.Unavailable++
		default:
			r.Other++
		}
		if err := s.Err(); err != nil && r.Err == nil {
			r.Err = fmt.Errorf("stream %d: %w", s.ID(), err)
		}
		_ = s.Done()
	}
	return r
}
