package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// Names of the bare-verification cases; VerifyCase(kid) is the one for a
// token signed by kid.
const (
	CaseVerifyRS256 = "verify_rs256"
	CaseVerifyES256 = "verify_es256"
	CaseVerifyEdDSA = "verify_eddsa"
	CaseVerifyNone  = "verify_none"
	// CaseHeaderEdits is the verifier module making, and doing nothing
	// else, the request header edits the plugin makes for a valid token.
	CaseHeaderEdits = "header_edits"
)

// verifierTokens is how many tokens the verifier module takes in turn: the
// first ones the miss benchmark of the same algorithm sends.
const verifierTokens = 256

// VerifierCases returns the bare-verification benchmarks: each request
// through the verifier module runs jwt.VerifySignature once on a
// pre-split token, the next of verifierTokens (the tokens the miss
// benchmark of the same algorithm sends first), and nothing else.
// verify_none is the same module doing no work, the host's per-request
// overhead for a module that does nothing; header_edits makes the header
// edits of a cache hit instead, on the cache hit's request, so that minus
// verify_none it is what those host calls cost.
func (f *Fixture) VerifierCases() []*Case {
	cases := []struct {
		name, kid     string
		verify, edits bool
	}{
		{CaseVerifyRS256, "rsa-1", true, false}, {CaseVerifyES256, "ec-1", true, false}, {CaseVerifyEdDSA, "ed-1", true, false},
		{CaseVerifyNone, "rsa-1", false, false}, {CaseHeaderEdits, "rsa-1", false, true},
	}
	out := make([]*Case, 0, len(cases))
	for _, c := range cases {
		about := fmt.Sprintf("verifier module, jwt.VerifySignature per request: %t (%s token)", c.verify, c.kid)
		if c.edits {
			about = "verifier module, no verification; per request the header edits the plugin makes for a cache hit, on its request"
		}
		bc := &Case{Name: c.name, About: about}
		bc.Run = func(b *testing.B) {
			conf := map[string]any{
				"jwks": json.RawMessage(f.Issuer.JWKS(servedKids...)), "tokens": f.Tokens(c.kid, verifierTokens), "verify": c.verify,
			}
			headers := scenario.BenchHeaders("POST", "/mcp", "")
			var edits headerEdits
			if c.edits {
				hit := scenario.BenchHeaders("POST", "/mcp", f.hitToken())
				var err error
				if edits, err = f.pluginEdits(hit); err != nil {
					bc.fail(b, err)
				}
				conf["remove"], conf["set"], headers = edits.remove, edits.set, hit
			}
			cfg, err := json.Marshal(conf)
			if err != nil {
				bc.fail(b, err)
			}
			h := host.New(context.Background(), f.Verifier, host.Options{Start: epoch, LogOutput: io.Discard})
			defer h.Close()
			vm, err := h.NewVM(host.VMConfig{VMID: "verifier", RootID: "verifier", PluginName: "verifier", PluginConfiguration: cfg})
			if err != nil {
				bc.fail(b, err)
			}
			if c.edits {
				if err := edits.madeBy(vm, headers); err != nil {
					bc.fail(b, err)
				}
			}
			bc.MemoryBefore = vm.MemoryBytes()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := send(vm, headers, outcome{forwarded: true}); err != nil {
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
