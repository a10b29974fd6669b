package filter

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// The native half of the per-request benchmarks; e2e/bench runs the same
// cases against build/plugin.wasm and `make bench` puts both in
// BENCHMARKS.md. Case names must match e2e/bench's.

// benchNow is the clock of every benchmark VM; pooled tokens are minted for it.
var benchNow = time.Unix(1_900_000_000, 0)

// benchIssuer and benchPools are shared by every round of every benchmark:
// minting is slow (RSA) and each round starts a fresh VM, so a token is new
// to the VM that receives it.
var (
	benchIssuerOnce = sync.OnceValues(func() (*scenario.Issuer, error) { return scenario.NewIssuer(scenario.IssuerURL) })
	benchPools      = map[string][]string{}
)

func benchIssuer(b *testing.B) *scenario.Issuer {
	b.Helper()
	is, err := benchIssuerOnce()
	if err != nil {
		b.Fatal(err)
	}
	return is
}

// benchTokens returns n distinct valid tokens signed by kid, minting the
// missing ones on every CPU.
func benchTokens(b *testing.B, kid string, n int) []string {
	is := benchIssuer(b)
	have := benchPools[kid]
	if len(have) < n {
		more := make([]string, n)
		copy(more, have)
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := len(have) + w; i < n; i += workers {
					c := is.Standard(benchNow, scenario.Resource, "mcp:tools:read")
					c["jti"], c["sub"] = fmt.Sprintf("bench-%s-%d", kid, i), fmt.Sprintf("user-%d", i)
					more[i] = is.Mint(kid, c, nil)
				}
			}(w)
		}
		wg.Wait()
		benchPools[kid] = more
	}
	return benchPools[kid][:n]
}

type benchCase struct {
	name         string
	method, path string
	tokens       func(b *testing.B, n int) []string // nil: no Authorization
	warm         bool                               // send the first request once before timing
	status       int                                // 0: must be forwarded; else the local reply status
}

func benchCases() []benchCase {
	distinct := func(kid string) func(*testing.B, int) []string {
		return func(b *testing.B, n int) []string { return benchTokens(b, kid, n) }
	}
	repeat := func(tok func(b *testing.B) string) func(*testing.B, int) []string {
		return func(b *testing.B, n int) []string {
			t := tok(b)
			out := make([]string, n)
			for i := range out {
				out[i] = t
			}
			return out
		}
	}
	hitToken := func(b *testing.B) string { return benchTokens(b, "rsa-1", 1)[0] }
	// Signed by rsa-2 (not served) under rsa-1's kid: a full RS256
	// verification that fails on every request.
	badToken := func(b *testing.B) string {
		is := benchIssuer(b)
		return is.Mint("rsa-2", is.Standard(benchNow, scenario.Resource, "mcp:tools:read"), map[string]any{"kid": "rsa-1"})
	}
	return []benchCase{
		{name: "anonymous", method: "GET", path: "/healthz"},
		{name: "anonymous_bearer", method: "GET", path: "/healthz", tokens: repeat(hitToken)},
		{name: "cache_hit", method: "POST", path: "/mcp", tokens: repeat(hitToken), warm: true},
		{name: "miss_rs256", method: "POST", path: "/mcp", tokens: distinct("rsa-1")},
		{name: "miss_es256", method: "POST", path: "/mcp", tokens: distinct("ec-1")},
		{name: "miss_eddsa", method: "POST", path: "/mcp", tokens: distinct("ed-1")},
		{name: "invalid_signature", method: "POST", path: "/mcp", tokens: repeat(badToken), status: 401},
		{name: "missing_token", method: "POST", path: "/mcp", status: 401},
		{name: "metadata", method: "GET", path: "/.well-known/oauth-protected-resource/mcp", status: 200},
	}
}

// headersFor builds one header list per iteration.
func (c benchCase) headersFor(b *testing.B, n int) [][][2]string {
	out := make([][][2]string, n)
	if c.tokens == nil {
		h := scenario.BenchHeaders(c.method, c.path, "")
		for i := range out {
			out[i] = h
		}
		return out
	}
	for i, t := range c.tokens(b, n) {
		out[i] = scenario.BenchHeaders(c.method, c.path, t)
	}
	return out
}

// startBenchPlugin starts the base configuration in proxytest and serves
// the JWKS, returning the host, the plugin context and the reset function.
func startBenchPlugin(b *testing.B) (proxytest.HostEmulator, *pluginContext, func()) {
	b.Helper()
	return startCapturing(b, benchNow, benchIssuer(b).JWKS("rsa-1", "ec-1", "ed-1"))
}

// BenchmarkRequest runs each case as a whole stream through proxytest:
// context, request headers, log and delete. Allocations include the
// emulator's own (it copies headers and keeps every stream).
func BenchmarkRequest(b *testing.B) {
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			host, _, reset := startBenchPlugin(b)
			defer reset()
			headers := c.headersFor(b, b.N)
			send := func(h [][2]string) error {
				id := host.InitializeHttpContext()
				action := host.CallOnRequestHeaders(id, h, true)
				err := checkBenchOutcome(host, id, action, c.status)
				host.CompleteHttpContext(id)
				return err
			}
			if c.warm {
				if err := send(headers[0]); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := send(headers[i]); err != nil {
					b.Fatalf("request %d: %v", i, err)
				}
			}
		})
	}
}

func checkBenchOutcome(host proxytest.HostEmulator, id uint32, action types.Action, status int) error {
	lr := host.GetSentLocalResponse(id)
	switch {
	case status == 0 && (action != types.ActionContinue || lr != nil):
		return fmt.Errorf("not forwarded: action %v, reply %+v", action, lr)
	case status != 0 && (lr == nil || int(lr.StatusCode) != status):
		return fmt.Errorf("want local reply %d, got action %v, reply %+v", status, action, lr)
	}
	return nil
}

// BenchmarkDecision is the plugin's own work for each case without any
// host: guard.Check on a parsed request, as OnHttpRequestHeaders calls it.
// Its allocs/op are the plugin's decision allocations alone.
func BenchmarkDecision(b *testing.B) {
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			_, p, reset := startBenchPlugin(b)
			defer reset()
			reqs := make([]guard.Request, b.N)
			for i, h := range c.headersFor(b, b.N) {
				for _, kv := range h {
					switch kv[0] {
					case ":method":
						reqs[i].Method = kv[1]
					case ":path":
						reqs[i].Path = kv[1]
					case "authorization":
						reqs[i].Authorization = []string{kv[1]}
					}
				}
			}
			check := func(r guard.Request) error {
				o := p.guard.Check(r, p, benchNow)
				switch {
				case c.status == 0 && o.Kind != guard.Forward:
					return fmt.Errorf("not forwarded: %s", o.Reason)
				case c.status != 0 && (o.Kind != guard.Reply || o.Response.Status != c.status):
					return fmt.Errorf("want reply %d, got %s", c.status, o.Reason)
				}
				return nil
			}
			if c.warm {
				if err := check(reqs[0]); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := check(reqs[i]); err != nil {
					b.Fatalf("request %d: %v", i, err)
				}
			}
		})
	}
}
