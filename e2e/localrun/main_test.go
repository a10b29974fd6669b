package localrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// plugin is build/plugin.wasm compiled once for the test binary; wasmPath
// is its absolute path (Envoy loads it by name).
var (
	plugin   *host.Module
	wasmPath string
)

// TestMain compiles the plugin once. A missing plugin fails the run: these
// tests are the local half of `make test` and are never skipped.
func TestMain(m *testing.M) {
	var err error
	plugin, wasmPath, err = host.LoadPlugin(context.Background(), filepath.Join("..", "..", "build", "plugin.wasm"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "localrun: %v (or run `make test`)\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = plugin.Close(context.Background())
	os.Exit(code)
}
