package filter

import (
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestCatalogue runs the adversarial catalogue natively through proxytest:
// every row must be refused exactly as it says, its controls accepted, and
// no log line of any row may carry token material. The e2e module runs the
// same catalogue against build/plugin.wasm.
func TestCatalogue(t *testing.T) {
	scenario.RunCatalogue(t, newNativeScenarioDriver, nil)
}
