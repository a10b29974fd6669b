package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// LoadPlugin compiles the plugin the test suites run: the file named by the
// PLUGIN_WASM environment variable (set by `make test`), else fallback. It
// returns the module and the file's absolute path; an unreadable or
// uncompilable file is an error, never a reason to skip.
func LoadPlugin(ctx context.Context, fallback string) (*Module, string, error) {
	path := os.Getenv("PLUGIN_WASM")
	if path == "" {
		path = fallback
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", err
	}
	wasm, err := os.ReadFile(abs)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the plugin (run `make build`): %w", err)
	}
	m, err := Compile(ctx, wasm)
	if err != nil {
		return nil, "", fmt.Errorf("cannot compile %s: %w", abs, err)
	}
	return m, abs, nil
}
