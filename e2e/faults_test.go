package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// Faults of the authorization server, run against build/plugin.wasm in
// the wazero host with several VMs (Envoy's main thread and workers)
// sharing one shared-data store. A scripted JWKS endpoint fails in each
// way Envoy can report a failure, while clients send valid and invalid
// tokens to every VM each second. Every test counts valid tokens wrongly
// refused and invalid tokens wrongly accepted, prints the counts, and
// requires both to be 0 wherever last-known-good keys exist.

// faultVMs is the number of VMs of each simulated proxy.
const faultVMs = 4

// fastRefreshConfig refreshes every 60 s, so that an outage starting at a
// refresh, the backoff up to its 60 s cap and the recovery fit in a few
// simulated minutes.
func fastRefreshConfig(t *testing.T) string {
	const from, to = `"refresh_interval_s": 300`, `"refresh_interval_s": 60`
	if !strings.Contains(scenario.BaseConfig, from) {
		t.Fatalf("scenario.BaseConfig no longer contains %s", from)
	}
	return strings.Replace(scenario.BaseConfig, from, to, 1)
}

// fault is one way the JWKS endpoint fails.
type fault struct {
	name string
	// answer answers a call; nil never answers, so the host times the call
	// out at its deadline with Envoy's synthesized 504.
	answer func(c *host.HTTPCall, keys []byte) error
}

func respondWith(status int, body func(keys []byte) []byte) func(*host.HTTPCall, []byte) error {
	return func(c *host.HTTPCall, keys []byte) error {
		return c.Respond(status, [][2]string{{"content-type", "application/json"}}, body(keys))
	}
}

func text(s string) func([]byte) []byte { return func([]byte) []byte { return []byte(s) } }

func faults() []fault {
	return []fault{
		{"connection failure", func(c *host.HTTPCall, _ []byte) error { return c.Fail() }},
		{"status 500", respondWith(500, text(`{"error":"internal"}`))},
		{"status 503", respondWith(503, text("upstream connect error"))},
		{"valid set with status 404", respondWith(404, func(keys []byte) []byte { return keys })},
		{"timeout (504 synthesized at the deadline)", nil},
		{"garbage body", respondWith(200, text("<html><body>gateway error</body></html>"))},
		{"truncated body", respondWith(200, func(keys []byte) []byte { return keys[:len(keys)/2] })},
		{"empty key set", respondWith(200, text(`{"keys":[]}`))},
		{"body over 256 KiB", respondWith(200, func([]byte) []byte {
			return []byte(`{"keys":[],"padding":"` + strings.Repeat("x", 300<<10) + `"}`)
		})},
	}
}

// authServer is the scripted JWKS endpoint.
type authServer struct {
	keys  []byte        // the set it publishes
	fault *fault        // nil: healthy
	delay time.Duration // a healthy answer comes this long after dispatch
}

// fetch is one dispatched JWKS call as the endpoint saw it.
type fetch struct {
	call       *host.HTTPCall
	dispatched time.Time
	ended      time.Time // zero while pending
	ok         bool      // answered with the key set
	fault      *fault    // how the endpoint behaved when the call arrived
	delay      time.Duration
}

// verdict is what a request's token is, as far as the test knows.
type verdict int

const (
	valid   verdict = iota // signed by a key the proxy has or can fetch
	invalid                // must never pass
	either                 // a key in transition: not counted
)

// tally counts how requests were decided.
type tally struct {
	name                                         string
	validForwarded, validUnavailable, validOther int
	invalidRefused, invalidAccepted, uncounted   int
	missingRetryAfter                            int
	quickest503                                  time.Duration // shortest wait before a 503
	noKeys                                       bool          // counted while no key set existed
}

// wronglyRefused counts valid tokens not forwarded.
func (c *tally) wronglyRefused() int { return c.validUnavailable + c.validOther }

func (c *tally) String() string {
	refused := fmt.Sprintf("wrongly refused %d (503: %d, other: %d)", c.wronglyRefused(), c.validUnavailable, c.validOther)
	if c.noKeys { // 503 is the right answer while no key set exists
		refused = fmt.Sprintf("answered 503 as no keys existed %d, refused otherwise %d", c.validUnavailable, c.validOther)
	}
	return fmt.Sprintf("%s: valid tokens forwarded %d, %s; invalid tokens refused %d, wrongly accepted %d; in transition (not counted) %d",
		c.name, c.validForwarded, refused, c.invalidRefused, c.invalidAccepted, c.uncounted)
}

// open is a request not yet decided.
type open struct {
	s    *host.Stream
	v    verdict
	sent time.Time
	into *tally
}

// rig is one proxy of faultVMs VMs in front of the scripted endpoint.
type rig struct {
	*proxy
	issuer      *scenario.Issuer
	other       *scenario.Issuer
	as          authServer
	fetches     []*fetch
	byCall      map[*host.HTTPCall]*fetch
	open        []open
	tally       *tally
	next        int // round-robin over the VMs
	maxInFlight int
	start       time.Time
}

// newRig starts a proxy in front of the endpoint as describes; requests
// count into a tally named first.
func newRig(t *testing.T, cfg string, as func(issuer *scenario.Issuer) authServer, first string) *rig {
	t.Helper()
	issuer, other := scenario.NewIssuers(t)
	r := &rig{issuer: issuer, other: other, as: as(issuer), byCall: map[*host.HTTPCall]*fetch{}, tally: &tally{name: first}}
	r.proxy = newQuietProxy(t, faultVMs, cfg)
	r.start = r.now()
	r.settle()
	return r
}

// newQuietProxy is newProxy without the log sink: these tests send
// thousands of requests, so on failure only each VM's last warnings and
// errors are printed.
func newQuietProxy(t *testing.T, n int, cfg string) *proxy {
	t.Helper()
	h := host.New(context.Background(), plugin, host.Options{
		Clusters: []string{scenario.Cluster},
		Start:    time.Unix(1_900_000_000, 0),
	})
	p := &proxy{t: t, h: h}
	t.Cleanup(func() {
		if t.Failed() {
			for i, vm := range p.vms {
				var lines []string
				for _, l := range vm.LogMessages(host.LogWarn) {
					if strings.HasPrefix(l, "mcp-oauth-wasm:") { // not the runtime's stack dumps
						lines = append(lines, l)
					}
				}
				t.Logf("VM %d: last warnings and errors of the plugin:\n%s", i, strings.Join(lines[max(0, len(lines)-20):], "\n"))
			}
		}
		h.Close()
	})
	for i := 0; i < n; i++ {
		vm, err := h.NewVM(vmConfig([]byte(cfg)))
		if err != nil {
			t.Fatalf("VM %d: %v", i, err)
		}
		p.vms = append(p.vms, vm)
	}
	return p
}

// requireAlive stops the test when a VM trapped: every later request on it
// would get Envoy's 503 for a failed VM.
func (r *rig) requireAlive() {
	r.t.Helper()
	for i, vm := range r.vms {
		if err := vm.Err(); err != nil {
			msg := err.Error()
			first, _, _ := strings.Cut(msg, "\n")
			if _, stderr, ok := strings.Cut(msg, "plugin stderr: "); ok {
				first += "; plugin stderr: " + strings.Join(strings.Fields(stderr[:min(len(stderr), 300)]), " ")
			}
			r.t.Fatalf("VM %d trapped %v after start: %s", i, r.now().Sub(r.start), first)
		}
	}
}

// healthy publishes the issuer's keys kids and answers at once.
func healthy(kids ...string) func(*scenario.Issuer) authServer {
	return func(is *scenario.Issuer) authServer { return authServer{keys: is.JWKS(kids...)} }
}

// settle records new calls, lets the endpoint answer the due ones, and
// collects the requests that were decided.
func (r *rig) settle() {
	r.observe()
	for _, f := range r.fetches {
		if !f.call.Pending() {
			continue
		}
		switch {
		case f.fault != nil && f.fault.answer == nil:
			// never answered: the host times it out
		case f.fault != nil:
			if err := f.fault.answer(f.call, r.as.keys); err != nil {
				r.t.Fatalf("answering a fetch: %v", err)
			}
		case r.now().Sub(f.dispatched) >= f.delay:
			if err := f.call.Respond(200, [][2]string{{"content-type", "application/json"}}, r.as.keys); err != nil {
				r.t.Fatalf("answering a fetch: %v", err)
			}
			f.ok = true
		}
	}
	r.observe()
	r.collect()
	r.requireAlive()
}

// observe records calls dispatched or ended since the last look.
func (r *rig) observe() {
	inFlight := 0
	for _, c := range r.h.Calls() {
		f := r.byCall[c]
		if f == nil {
			f = &fetch{call: c, dispatched: r.now(), fault: r.as.fault, delay: r.as.delay}
			r.byCall[c] = f
			r.fetches = append(r.fetches, f)
			if c.Cluster != scenario.Cluster || c.Header(":path") != scenario.JWKSPath {
				r.t.Fatalf("dispatched call to %s %s, want only the JWKS fetch", c.Cluster, c.Header(":path"))
			}
		}
		if c.Pending() {
			inFlight++
		} else if f.ended.IsZero() {
			f.ended = r.now()
		}
	}
	r.maxInFlight = max(r.maxInFlight, inFlight)
}

func (r *rig) now() time.Time { return r.h.Now() }

// second advances the clock by one second and runs Envoy's timers.
func (r *rig) second() {
	r.step()
	r.settle()
}

// send sends a token to the next VM; an early refresh it causes is answered
// at once (if the endpoint answers at once).
func (r *rig) send(token string, v verdict) {
	s := r.request(r.next%len(r.vms), token)
	r.next++
	r.open = append(r.open, open{s: s, v: v, sent: r.now(), into: r.tally})
	r.settle()
}

// collect moves decided requests into their tally and ends their streams.
func (r *rig) collect() {
	still := r.open[:0]
	for _, o := range r.open {
		up, lr := o.s.Upstream(), o.s.LocalReply()
		if up == nil && lr == nil {
			still = append(still, o)
			continue
		}
		c := o.into
		if lr != nil && lr.Status == 503 {
			if n, err := strconv.Atoi(lr.Header("retry-after")); err != nil || n < 1 {
				c.missingRetryAfter++
			}
			if w := r.now().Sub(o.sent); c.quickest503 == 0 || w < c.quickest503 {
				c.quickest503 = w
			}
		}
		switch {
		case o.v == either:
			c.uncounted++
		case o.v == valid && up != nil:
			c.validForwarded++
		case o.v == valid && lr.Status == 503:
			c.validUnavailable++
		case o.v == valid:
			c.validOther++
			r.t.Logf("%s: valid token refused with %d %s", c.name, lr.Status, lr.Body)
		case up != nil:
			c.invalidAccepted++
		default:
			c.invalidRefused++
		}
		if err := o.s.Done(); err != nil {
			r.t.Fatalf("ending a stream: %v", err)
		}
	}
	r.open = still
}

// phase starts counting into a new tally.
func (r *rig) phase(name string) *tally {
	r.tally = &tally{name: name}
	return r.tally
}

// token mints a valid token of the issuer's key kid at the current time.
func (r *rig) token(kid string) string {
	return r.issuer.Mint(kid, r.issuer.Standard(r.now(), scenario.Resource, "mcp:tools:read"), nil)
}

// forged is signed by another issuer's key under the trusted kid.
func (r *rig) forged() string {
	return r.other.Mint("rsa-1", r.issuer.Standard(r.now(), scenario.Resource, "mcp:tools:read"), nil)
}

// traffic sends, to the VMs in turn, one valid and one invalid token per
// second for d. Requests still waiting are decided by later steps (drain).
func (r *rig) traffic(d time.Duration, validKid string) {
	end := r.now().Add(d)
	var good, bad string
	for i := 0; r.now().Before(end); i++ {
		if i%10 == 0 { // clients reuse a token for a while, then get a new one
			good, bad = r.token(validKid), r.forged()
		}
		r.send(good, valid)
		r.send(bad, invalid)
		r.second()
	}
}

// drain waits until every request is decided.
func (r *rig) drain() {
	for i := 0; len(r.open) > 0; i++ {
		if i > 30 {
			r.t.Fatalf("%d requests still undecided after 30 s", len(r.open))
		}
		r.second()
	}
}

// fetchesSince returns the fetches dispatched at or after t.
func (r *rig) fetchesSince(t time.Time) []*fetch {
	var out []*fetch
	for _, f := range r.fetches {
		if !f.dispatched.Before(t) {
			out = append(out, f)
		}
	}
	return out
}

// requireClean requires the counts the issue demands where last-known-good
// keys exist, and one fetch in flight at most.
func (r *rig) requireClean(c *tally) {
	r.t.Helper()
	if c.wronglyRefused() != 0 || c.invalidAccepted != 0 {
		r.t.Errorf("%v", c)
	}
	if c.validForwarded == 0 || c.invalidRefused == 0 {
		r.t.Errorf("%s: no traffic counted: %v", c.name, c)
	}
	r.requireOneInFlight()
}

func (r *rig) requireOneInFlight() {
	r.t.Helper()
	if r.maxInFlight > 1 {
		r.t.Errorf("%d JWKS fetches were in flight at once across %d VMs, want at most 1", r.maxInFlight, faultVMs)
	}
}

// backoffAfter is the retry delay after n consecutive failures: 1 s
// doubling, capped at min(refresh interval, 60 s) (README, "How JWKS
// fetching works").
func backoffAfter(n int, refresh time.Duration) time.Duration {
	limit := min(refresh, time.Minute)
	d := time.Second
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// TestJWKSDownAtStart: the endpoint fails from the start. Requests wait
// (paused), then get 503 with Retry-After after timeout_ms; none is
// forwarded and no valid token gets 401. Once the endpoint returns, the
// next retry succeeds and from then on valid tokens pass and invalid ones
// are refused.
func TestJWKSDownAtStart(t *testing.T) {
	for _, f := range faults() {
		t.Run(f.name, func(t *testing.T) {
			r := newRig(t, scenario.BaseConfig, func(is *scenario.Issuer) authServer {
				return authServer{keys: is.JWKS("rsa-1", "ec-1", "ed-1"), fault: &f}
			}, "endpoint down, no keys yet")
			down := r.tally
			down.noKeys = true
			r.traffic(40*time.Second, "rsa-1")
			back := r.now()
			r.as.fault = nil
			for r.now().Sub(back) < 61*time.Second && len(r.fetchesSince(back)) == 0 {
				r.traffic(time.Second, "rsa-1")
			}
			after := r.fetchesSince(back)
			if len(after) != 1 || !after[0].ok {
				t.Fatalf("%d fetches once the endpoint returned; want the next retry to succeed", len(after))
			}
			r.second() // every VM reads the new key set on its next tick
			r.drain()
			up := r.phase("after recovery")
			r.traffic(30*time.Second, "rsa-1")
			r.drain()

			t.Logf("%v; shortest wait before a 503: %v", down, down.quickest503)
			t.Logf("%v; recovered %v after the endpoint returned", up, after[0].ended.Sub(back))
			if down.validOther != 0 || down.invalidAccepted != 0 || down.validUnavailable == 0 {
				t.Errorf("while no keys existed, valid tokens must wait and get 503, never 401: %v", down)
			}
			if down.missingRetryAfter != 0 {
				t.Errorf("%d 503 replies without a Retry-After of whole seconds", down.missingRetryAfter)
			}
			if down.quickest503 < 5*time.Second {
				t.Errorf("a 503 came after %v, before timeout_ms (5 s) of waiting", down.quickest503)
			}
			r.requireClean(up)
		})
	}
}

// TestJWKSDownAfterSuccessfulFetch: the endpoint fails from a refresh on,
// for 200 s. The last good keys keep serving every VM; retries follow the
// backoff (1 s doubling, capped at 60 s); when the endpoint returns, the
// next retry succeeds.
func TestJWKSDownAfterSuccessfulFetch(t *testing.T) {
	const refresh = time.Minute
	for _, f := range faults() {
		t.Run(f.name, func(t *testing.T) {
			r := newRig(t, fastRefreshConfig(t), healthy("rsa-1", "ec-1", "ed-1"), "endpoint down, last good keys")
			lkg := r.tally
			if len(r.fetches) != 1 || !r.fetches[0].ok {
				t.Fatal("the first fetch did not succeed")
			}
			r.traffic(55*time.Second, "ec-1")
			r.as.fault = &f
			outage := r.now()
			r.traffic(200*time.Second, "ed-1")
			back := r.now()
			r.as.fault = nil
			r.traffic(70*time.Second, "rsa-1")
			r.drain()

			var gaps []string
			failures := 0
			var recovered *fetch
			attempts := r.fetchesSince(outage)
			for i, fe := range attempts {
				if !fe.dispatched.Before(back) {
					recovered = fe
					break
				}
				if fe.ok {
					t.Fatalf("a fetch during the outage succeeded")
				}
				failures++
				if i+1 < len(attempts) {
					gap := attempts[i+1].dispatched.Sub(fe.ended)
					gaps = append(gaps, gap.String())
					if want := backoffAfter(failures, refresh); gap != want && attempts[i+1].dispatched.Before(back) {
						t.Errorf("retry %d came %v after failure %d, want %v", failures+1, gap, failures, want)
					}
				}
			}
			if recovered == nil || !recovered.ok {
				t.Fatalf("no successful fetch once the endpoint returned")
			}
			t.Logf("%v", lkg)
			t.Logf("%d failed attempts, retry delays %v; recovered %v after the endpoint returned",
				failures, gaps, recovered.ended.Sub(back))
			if failures < 7 {
				t.Errorf("only %d failed attempts in 200 s of outage", failures)
			}
			if lkg.missingRetryAfter != 0 {
				t.Errorf("%d 503 replies without Retry-After", lkg.missingRetryAfter)
			}
			r.requireClean(lkg)
		})
	}
}

// TestSlowJWKSResponses: every answer takes 3 s (within timeout_ms). At
// start, requests wait for it and pass; at each refresh the last good keys
// serve while the answer is on its way; one fetch is in flight at a time.
func TestSlowJWKSResponses(t *testing.T) {
	r := newRig(t, fastRefreshConfig(t), func(is *scenario.Issuer) authServer {
		return authServer{keys: is.JWKS("rsa-1", "ec-1", "ed-1"), delay: 3 * time.Second}
	}, "slow endpoint, before the first answer")
	start := r.tally
	r.traffic(3*time.Second, "rsa-1")
	r.drain()
	steady := r.phase("slow endpoint, refreshes in flight")
	r.traffic(200*time.Second, "rsa-1")
	r.drain()
	t.Logf("%v", start)
	t.Logf("%v; %d fetches", steady, len(r.fetches))
	if start.wronglyRefused() != 0 || start.invalidAccepted != 0 || start.validForwarded == 0 {
		t.Errorf("requests waiting for a slow first answer: %v", start)
	}
	for i, f := range r.fetches {
		if !f.ok || f.ended.Sub(f.dispatched) != 3*time.Second {
			t.Errorf("fetch %d: ok=%v after %v, want answered after 3 s", i, f.ok, f.ended.Sub(f.dispatched))
		}
		if i > 0 && f.dispatched.Sub(r.fetches[i-1].ended) != time.Minute {
			t.Errorf("fetch %d came %v after the previous answer, want the 60 s refresh interval", i, f.dispatched.Sub(r.fetches[i-1].ended))
		}
	}
	if len(r.fetches) < 3 {
		t.Errorf("%d fetches in 200 s at refresh_interval_s 60", len(r.fetches))
	}
	r.requireClean(steady)
}

// TestKeyRotation: the authorization server adds a key and clients use it
// at once, on every VM: the unknown kid brings it in one early refresh.
// Later the old key is withdrawn: its tokens, including tokens the VMs
// have cached, are refused once the proxy has fetched the new set.
func TestKeyRotation(t *testing.T) {
	r := newRig(t, scenario.BaseConfig, healthy("rsa-1"), "before rotation")
	before := r.tally
	r.traffic(100*time.Second, "rsa-1")

	added := r.phase("key added, used at once on every VM")
	r.as.keys = r.issuer.JWKS("rsa-1", "rsa-2")
	mark := r.now()
	old := r.token("rsa-1")
	for i := 0; i < 60; i++ {
		tok := r.token("rsa-2")
		for range faultVMs {
			r.send(tok, valid)
		}
		r.send(old, valid)
		r.send(r.forged(), invalid)
		r.second()
	}
	r.drain()
	early := r.fetchesSince(mark)

	// The old key is withdrawn. Its tokens are in transition until the
	// proxy fetches again (here the periodic refresh, as no client names a
	// new kid) and every VM has read the result (one tick).
	removed := r.phase("old key withdrawn")
	r.as.keys = r.issuer.JWKS("rsa-2", "ec-1")
	withdrawn := r.now()
	var learned time.Time
	for i := 0; i < 400; i++ {
		for _, f := range r.fetchesSince(withdrawn) {
			if f.ok && learned.IsZero() {
				learned = f.ended
			}
		}
		v := either
		if !learned.IsZero() && r.now().Sub(learned) >= time.Second {
			v = invalid
		}
		r.send(old, v) // a token of the removed key that every VM has cached
		r.send(r.token("rsa-2"), valid)
		if i%20 == 0 {
			r.send(r.token("rsa-1"), v) // a fresh token of the removed key
		}
		r.second()
	}
	r.drain()

	t.Logf("%v", before)
	t.Logf("%v; %d fetch(es) in the minute after the key was added", added, len(early))
	t.Logf("%v; the removal took effect %v after the key was withdrawn", removed, learned.Sub(withdrawn))
	r.requireClean(before)
	r.requireClean(added)
	if len(early) != 1 || !early[0].dispatched.Equal(mark) {
		t.Errorf("want one early refresh as soon as the new kid appeared, got %d", len(early))
	}
	if learned.IsZero() || learned.Sub(withdrawn) > 300*time.Second {
		t.Errorf("the withdrawn key was not dropped within one refresh interval")
	}
	if removed.invalidAccepted != 0 || removed.invalidRefused == 0 || removed.wronglyRefused() != 0 {
		t.Errorf("%v", removed)
	}
}

// TestRandomKidFlood: a client floods every VM with tokens naming random
// kids. The proxy refetches at most once per 30 s rate-limit window, valid
// tokens keep passing, and the VMs' memory stays bounded.
func TestRandomKidFlood(t *testing.T) {
	r := newRig(t, scenario.BaseConfig, healthy("rsa-1", "ec-1", "ed-1"), "random kid flood")
	flood := r.tally
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + scenario.IssuerURL + `","aud":"` + scenario.Resource +
		`","exp":` + strconv.FormatInt(r.now().Add(time.Hour).Unix(), 10) + `,"scope":"mcp:tools:read"}`))
	sig := base64.RawURLEncoding.EncodeToString(make([]byte, 64))
	randomKid := func() string {
		kid := make([]byte, 12)
		if _, err := rand.Read(kid); err != nil {
			t.Fatal(err)
		}
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"` + hex.EncodeToString(kid) + `"}`))
		return header + "." + payload + "." + sig
	}
	start := r.now()
	var warm []uint64
	good := r.token("ec-1")
	const perVMPerSecond, warmUp = 10, 90 * time.Second
	for r.now().Sub(start) < 290*time.Second { // the periodic refresh is due at 300 s
		for i := 0; i < perVMPerSecond*faultVMs; i++ {
			r.send(randomKid(), invalid)
		}
		r.send(good, valid)
		r.second()
		if r.now().Sub(start) == warmUp {
			for _, vm := range r.vms {
				warm = append(warm, vm.MemoryBytes())
			}
		}
	}
	r.drain()
	refetches := r.fetches[1:] // all but the fetch at start
	var spacing []string
	for i := 1; i < len(refetches); i++ {
		gap := refetches[i].dispatched.Sub(refetches[i-1].dispatched)
		spacing = append(spacing, gap.String())
		if gap < 30*time.Second {
			t.Errorf("refetches %v apart, want at least 30 s", gap)
		}
	}
	// Linear memory only grows (PITFALLS 4): once the heap has reached its
	// working size, a flood must not grow it further.
	var sizes []string
	for i, vm := range r.vms {
		g := int64(vm.MemoryBytes()) - int64(warm[i])
		sizes = append(sizes, fmt.Sprintf("%d KiB (+%d KiB)", vm.MemoryBytes()>>10, g>>10))
		if g > 1<<20 {
			t.Errorf("VM %d grew by %d KiB after the first %v of the flood", i, g>>10, warmUp)
		}
	}
	t.Logf("%v", flood)
	t.Logf("%d tokens with random kids over %v: %d refetches, spaced %v; linear memory per VM at the end (growth after %v): %v",
		flood.invalidRefused+flood.invalidAccepted, r.now().Sub(start), len(refetches), spacing, warmUp, sizes)
	if len(refetches) > 10 {
		t.Errorf("%d refetches in 290 s, want at most one per 30 s window", len(refetches))
	}
	r.requireClean(flood)
}
