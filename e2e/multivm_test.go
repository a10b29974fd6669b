package e2e

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// proxy is one simulated Envoy: n VMs (main thread plus workers) of the
// plugin sharing one shared-data store.
type proxy struct {
	t   *testing.T
	h   *host.Host
	vms []*host.VM
}

func newProxy(t *testing.T, n int, cfg string) *proxy {
	t.Helper()
	var logs bytes.Buffer
	h := host.New(context.Background(), plugin, host.Options{
		Clusters:  []string{scenario.Cluster},
		Start:     time.Unix(1_900_000_000, 0),
		LogOutput: &logs,
	})
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("plugin logs:\n%s", logs.String())
		}
	})
	p := &proxy{t: t, h: h}
	for i := 0; i < n; i++ {
		vm, err := h.NewVM(vmConfig([]byte(cfg)))
		if err != nil {
			t.Fatalf("VM %d: %v", i, err)
		}
		p.vms = append(p.vms, vm)
	}
	return p
}

// step advances the clock by one second and ticks, like Envoy's loop.
func (p *proxy) step() {
	p.h.Advance(time.Second)
	if err := p.h.Tick(); err != nil {
		p.t.Fatalf("tick: %v", err)
	}
}

// serve answers every pending JWKS call with body and returns how many.
func (p *proxy) serve(body []byte) int {
	calls := p.h.PendingCalls()
	for _, c := range calls {
		if err := c.Respond(200, [][2]string{{"content-type", "application/json"}}, body); err != nil {
			p.t.Fatalf("respond: %v", err)
		}
	}
	return len(calls)
}

// request sends a POST /mcp with token to vm i and reports what happened.
func (p *proxy) request(i int, token string) *host.Stream {
	return p.vms[i].Request([][2]string{{":method", "POST"}, {":path", "/mcp"}, {":authority", "mcp.example.com"},
		{"authorization", "Bearer " + token}}, nil)
}

func (p *proxy) requireForwarded(i int, token string) {
	p.t.Helper()
	s := p.request(i, token)
	if s.Upstream() == nil {
		lr := s.LocalReply()
		if lr != nil {
			p.t.Fatalf("VM %d refused a valid token: %d %s", i, lr.Status, lr.Body)
		}
		p.t.Fatalf("VM %d did not forward a valid token (paused=%v)", i, s.Paused())
	}
}

// TestOneFetchPerRefreshAcrossVMs: with 1, 4 and 8 VMs ticking every second
// for a simulated hour at refresh_interval_s 300, the proxy fetches the JWKS
// exactly once per refresh, never two at a time, and every VM serves.
func TestOneFetchPerRefreshAcrossVMs(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	body := issuer.JWKS("rsa-1")
	for _, n := range []int{1, 4, 8} {
		t.Run(fmt.Sprintf("%d VMs", n), func(t *testing.T) {
			p := newProxy(t, n, scenario.BaseConfig)
			start := p.h.Now()
			if got := p.serve(body); got != 1 {
				t.Fatalf("%d fetches at start, want 1", got)
			}
			var fetchTimes []time.Duration
			for p.h.Now().Sub(start) < time.Hour {
				p.step()
				pending := p.h.PendingCalls()
				if len(pending) > 1 {
					t.Fatalf("%d JWKS fetches in flight at %v", len(pending), p.h.Now().Sub(start))
				}
				if len(pending) == 1 {
					fetchTimes = append(fetchTimes, p.h.Now().Sub(start))
					p.serve(body)
				}
			}
			if len(fetchTimes) != 12 {
				t.Fatalf("%d refresh fetches in one hour, want 12: %v", len(fetchTimes), fetchTimes)
			}
			for i, at := range fetchTimes {
				if want := time.Duration(i+1) * 300 * time.Second; at != want {
					t.Fatalf("refresh %d at %v, want %v", i+1, at, want)
				}
			}
			token := issuer.Mint("rsa-1", issuer.Standard(p.h.Now(), scenario.Resource, "mcp:tools:read"), nil)
			for i := range p.vms {
				p.requireForwarded(i, token)
			}
			if len(p.h.PendingCalls()) != 0 {
				t.Fatal("serving requests caused a fetch")
			}
		})
	}
}

// TestDeadLeaseHolderBlocksOthersOnlyUntilLeaseExpiry: the VM that took the
// refresh lease dies without answering; another VM fetches right after the
// lease (timeout_ms 5000 + 2 s margin) expires, not before.
func TestDeadLeaseHolderBlocksOthersOnlyUntilLeaseExpiry(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	p := newProxy(t, 4, scenario.BaseConfig)
	p.serve(issuer.JWKS("rsa-1"))
	for i := 0; i < 300; i++ {
		p.step()
	}
	pending := p.h.PendingCalls()
	if len(pending) != 1 {
		t.Fatalf("%d fetches at the refresh, want 1", len(pending))
	}
	holder := pending[0].VM()
	leaseTaken := p.h.Now()
	if err := holder.Close(); err != nil { // the VM dies; its call is never answered
		t.Fatal(err)
	}
	var next *host.HTTPCall
	for p.h.Now().Sub(leaseTaken) < 20*time.Second && next == nil {
		p.step()
		for _, c := range p.h.PendingCalls() {
			if c.VM() != holder {
				next = c
			}
		}
	}
	if next == nil {
		t.Fatal("no VM took over within 20 s of the dead holder's lease")
	}
	if waited := p.h.Now().Sub(leaseTaken); waited < 7*time.Second || waited > 8*time.Second {
		t.Fatalf("another VM fetched %v after the lease was taken, want right after its 7 s expiry", waited)
	}
	if err := next.Respond(200, nil, issuer.JWKS("rsa-1", "rsa-2")); err != nil {
		t.Fatal(err)
	}
	p.step()
	token := issuer.Mint("rsa-2", issuer.Standard(p.h.Now(), scenario.Resource, "mcp:tools:read"), nil)
	for i, vm := range p.vms {
		if vm != holder {
			p.requireForwarded(i, token)
		}
	}
}

// TestAllVMsConvergeOnRotatedKeysWithinOneTick: once the fetching VM stores
// a rotated set, every other VM uses it after its next tick, without asking
// for an unknown-kid refresh of its own.
func TestAllVMsConvergeOnRotatedKeysWithinOneTick(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	p := newProxy(t, 8, scenario.BaseConfig)
	p.serve(issuer.JWKS("rsa-1"))
	for i := 0; i < 300; i++ {
		p.step()
	}
	if got := p.serve(issuer.JWKS("rsa-2")); got != 1 {
		t.Fatalf("%d fetches at the refresh, want 1", got)
	}
	p.step() // one tick: every VM reads the new version
	token := issuer.Mint("rsa-2", issuer.Standard(p.h.Now(), scenario.Resource, "mcp:tools:read"), nil)
	for i := range p.vms {
		p.requireForwarded(i, token)
	}
	if n := len(p.h.PendingCalls()); n != 0 {
		t.Fatalf("%d fetches after convergence, want 0 (a VM did not have the rotated set)", n)
	}
	old := issuer.Mint("rsa-1", issuer.Standard(p.h.Now(), scenario.Resource, "mcp:tools:read"), nil)
	s := p.request(3, old)
	// rsa-1 is gone: one early refresh (which still lacks it), then 401.
	p.serve(issuer.JWKS("rsa-2"))
	if lr := s.LocalReply(); lr == nil || lr.Status != 401 {
		t.Fatalf("removed key still accepted or undecided: %+v", lr)
	}
}
