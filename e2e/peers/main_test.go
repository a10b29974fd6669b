package peers

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

// TestMain compiles the plugin once; a missing plugin fails the run, as in
// the rest of the e2e module.
func TestMain(m *testing.M) {
	path := os.Getenv("PLUGIN_WASM")
	if path == "" {
		path = filepath.Join("..", "..", "build", "plugin.wasm")
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: cannot read the plugin (run `make build` or `make e2e-peers`): %v\n", err)
		os.Exit(1)
	}
	plugin, err = host.Compile(context.Background(), wasm)
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: cannot compile %s: %v\n", path, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = plugin.Close(context.Background())
	os.Exit(code)
}
