package e2e

import (
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestScenariosWasm runs the filter's whole scenario table against
// build/plugin.wasm; the filter package runs the same table natively.
func TestScenariosWasm(t *testing.T) {
	scenario.Run(t, scenario.All(), newWasmScenarioDriver, checkHostHealthy)
}

// newWasmScenarioDriver is the driver factory for scenario.Run.
func newWasmScenarioDriver(t *testing.T) scenario.Driver { return newWasmDriver(t) }

// checkHostHealthy fails a scenario after which the host recorded something
// Envoy would not survive, or the VM trapped.
func checkHostHealthy(t *testing.T, sd scenario.Driver) {
	d := sd.(*wasmDriver)
	if errs := d.h.Errors(); len(errs) > 0 {
		t.Fatalf("the host saw things Envoy would not survive: %v", errs)
	}
	if d.vm != nil {
		if err := d.vm.Err(); err != nil {
			t.Fatalf("VM failed: %v", err)
		}
	}
}
