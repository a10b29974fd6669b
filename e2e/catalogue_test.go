package e2e

import (
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestCatalogueWasm runs the adversarial catalogue against
// build/plugin.wasm; the filter package runs the same catalogue natively.
func TestCatalogueWasm(t *testing.T) {
	scenario.RunCatalogue(t, newWasmScenarioDriver, checkHostHealthy)
}
