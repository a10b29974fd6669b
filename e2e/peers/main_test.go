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
	var err error
	plugin, _, err = host.LoadPlugin(context.Background(), filepath.Join("..", "..", "build", "plugin.wasm"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v (or run `make e2e-peers`)\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = plugin.Close(context.Background())
	os.Exit(code)
}
