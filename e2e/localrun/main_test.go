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
	path := os.Getenv("PLUGIN_WASM")
	if path == "" {
		path = filepath.Join("..", "..", "build", "plugin.wasm")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localrun: %v\n", err)
		os.Exit(1)
	}
	wasm, err := os.ReadFile(abs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localrun: cannot read the plugin (run `make build` or `make test`): %v\n", err)
		os.Exit(1)
	}
	plugin, err = host.Compile(context.Background(), wasm)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localrun: cannot compile %s: %v\n", abs, err)
		os.Exit(1)
	}
	wasmPath = abs
	code := m.Run()
	_ = plugin.Close(context.Background())
	os.Exit(code)
}
