package e2e

import (
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestScenariosWasm runs the filter's whole scenario table against
// build/plugin.wasm; the filter package runs the same table natively.
func TestScenariosWasm(t *testing.T) {
	issuer, other := newIssuers(t)
	for _, sc := range scenario.All() {
		t.Run(sc.Name, func(t *testing.T) {
			d := newWasmDriver(t)
			sc.Run(&scenario.Env{T: t, D: d, Issuer: issuer, Other: other})
			if errs := d.h.Errors(); len(errs) > 0 {
				t.Fatalf("the host saw things Envoy would not survive: %v", errs)
			}
			if d.vm != nil {
				if err := d.vm.Err(); err != nil {
					t.Fatalf("VM failed: %v", err)
				}
			}
		})
	}
}

func newIssuers(t *testing.T) (*scenario.Issuer, *scenario.Issuer) {
	t.Helper()
	issuer, err := scenario.NewIssuer(scenario.IssuerURL)
	if err != nil {
		t.Fatal(err)
	}
	other, err := scenario.NewIssuer(scenario.OtherIssuer)
	if err != nil {
		t.Fatal(err)
	}
	return issuer, other
}
