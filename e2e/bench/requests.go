package bench

import (
	"fmt"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// Case is one per-request benchmark. Name matches the native benchmark
// BenchmarkRequest/<Name> in package filter, so the report can put the two
// side by side.
type Case struct {
	Name  string
	About string
	Run   func(b *testing.B)
	// MemoryBefore and MemoryAfter are the VM's linear memory before and
	// after the last round's timed loop (set by Run).
	MemoryBefore, MemoryAfter uint64
	// Err is the failure that stopped the last round, if any.
	Err error
}

func (c *Case) fail(b *testing.B, err error) {
	c.Err = err
	b.Fatal(err)
}

// Names of the per-request cases, in report order.
const (
	CaseAnonymous        = "anonymous"
	CaseAnonymousBearer  = "anonymous_bearer"
	CaseCacheHit         = "cache_hit"
	CaseMissRS256        = "miss_rs256"
	CaseMissES256        = "miss_es256"
	CaseMissEdDSA        = "miss_eddsa"
	CaseInvalidSignature = "invalid_signature"
	CaseMissingToken     = "missing_token"
	CaseMetadata         = "metadata"
)

// outcome is what a case requires of every request it sends.
type outcome struct {
	forwarded bool
	status    uint32 // local reply status when not forwarded
}

func (o outcome) check(s *host.Stream) error {
	if o.forwarded {
		if s.Upstream() == nil {
			return fmt.Errorf("request not forwarded: %v (vm: %v)", s, s.Err())
		}
		return nil
	}
	if lr := s.LocalReply(); lr == nil || lr.Status != o.status {
		return fmt.Errorf("want local reply %d, got %v (trap: %v)", o.status, s, s.Err())
	}
	return nil
}

// hitToken is the one token the cache-hit cases send.
func (f *Fixture) hitToken() string { return f.Tokens("rsa-1", 1)[0] }

// RequestCases returns the per-request benchmarks through the plugin.
func (f *Fixture) RequestCases() []*Case {
	token := func(kid string) func(n int) []string {
		return func(n int) []string { return f.Tokens(kid, n) }
	}
	same := func(tok func() string) func(n int) []string {
		return func(n int) []string {
			t := tok()
			out := make([]string, n)
			for i := range out {
				out[i] = t
			}
			return out
		}
	}
	invalid := func() string {
		// Signed by rsa-2 (not served) under rsa-1's kid: a full RS256
		// verification that fails, every time (failures are not cached).
		return f.Issuer.Mint("rsa-2", f.Issuer.Standard(epoch, scenario.Resource, "mcp:tools:read"), map[string]any{"kid": "rsa-1"})
	}
	allowed := outcome{forwarded: true}
	cases := []struct {
		name, about, method, path string
		tokens                    func(n int) []string
		warm                      bool
		want                      outcome
	}{
		{CaseAnonymous, "GET /healthz, an allow_anonymous rule", "GET", "/healthz", nil, false, allowed},
		{CaseAnonymousBearer, "GET /healthz carrying the cache-hit token (ignored, removed): no target, shows what reading a token costs", "GET", "/healthz",
			same(f.hitToken), false, allowed},
		{CaseCacheHit, "POST /mcp, RS256 token validated by an earlier request", "POST", "/mcp",
			same(f.hitToken), true, allowed},
		{CaseMissRS256, "POST /mcp, valid RS256 token not seen before (distinct pre-minted tokens)", "POST", "/mcp", token("rsa-1"), false, allowed},
		{CaseMissES256, "POST /mcp, valid ES256 token not seen before (distinct pre-minted tokens)", "POST", "/mcp", token("ec-1"), false, allowed},
		{CaseMissEdDSA, "POST /mcp, valid EdDSA token not seen before (distinct pre-minted tokens)", "POST", "/mcp", token("ed-1"), false, allowed},
		{CaseInvalidSignature, "POST /mcp, RS256 token whose signature does not verify: 401", "POST", "/mcp", same(invalid), false, outcome{status: 401}},
		{CaseMissingToken, "POST /mcp without Authorization: 401", "POST", "/mcp", nil, false, outcome{status: 401}},
		{CaseMetadata, "GET /.well-known/oauth-protected-resource/mcp: 200", "GET", "/.well-known/oauth-protected-resource/mcp", nil, false, outcome{status: 200}},
	}
	out := make([]*Case, 0, len(cases))
	for _, c := range cases {
		bc := &Case{Name: c.name, About: c.about}
		bc.Run = func(b *testing.B) {
			p, err := f.newPluginProxy(1, scenario.BaseConfig, true)
			if err != nil {
				bc.fail(b, err)
			}
			defer p.Close()
			vm := p.VMs[0]
			headers := requestHeaders(c.method, c.path, c.tokens, b.N)
			if c.warm {
				if err := send(vm, headers[0], c.want); err != nil {
					bc.fail(b, fmt.Errorf("warm-up: %w", err))
				}
			}
			bc.MemoryBefore = vm.MemoryBytes()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := send(vm, headers[i], c.want); err != nil {
					bc.fail(b, fmt.Errorf("request %d: %w", i, err))
				}
			}
			b.StopTimer()
			bc.MemoryAfter = vm.MemoryBytes()
		}
		out = append(out, bc)
	}
	return out
}

// requestHeaders returns the headers of n requests: one set shared by all
// when they carry the same token or none (the host copies what it is
// given), a set per request only when the tokens differ. Sets built per
// request for one token were tens of MB the host's collector scanned
// during the timed loop, charged to the token cases alone.
func requestHeaders(method, path string, tokens func(n int) []string, n int) [][][2]string {
	headers := make([][][2]string, 0, n)
	if tokens == nil {
		hs := scenario.BenchHeaders(method, path, "")
		for range n {
			headers = append(headers, hs)
		}
		return headers
	}
	var last string
	var hs [][2]string
	for _, t := range tokens(n) {
		if hs == nil || t != last {
			hs, last = scenario.BenchHeaders(method, path, t), t
		}
		headers = append(headers, hs)
	}
	return headers
}

// send runs one whole stream and checks its outcome.
func send(vm *host.VM, headers [][2]string, want outcome) error {
	s := vm.Request(headers, nil)
	err := want.check(s)
	if derr := s.Done(); err == nil && derr != nil {
		err = derr
	}
	if err == nil && s.Err() != nil {
		err = s.Err()
	}
	return err
}
