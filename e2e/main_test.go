// Package e2e runs the compiled plugin (build/plugin.wasm) in the project's
// wazero proxy-wasm host, which models Envoy: the same scenario table the
// filter package runs natively, multi-VM JWKS coordination, and the WASI
// import check.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// plugin is build/plugin.wasm compiled once for the whole test binary.
var plugin *host.Module

// TestMain compiles the plugin once. A missing or broken plugin fails the
// run: the wasm half of the suite is never skipped.
func TestMain(m *testing.M) {
	var err error
	plugin, _, err = host.LoadPlugin(context.Background(), filepath.Join("..", "build", "plugin.wasm"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v (or run `make test`)\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
