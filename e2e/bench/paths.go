package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// PluginToolchain is the Go the plugin is built with (Makefile
// PLUGIN_GO_VERSION); the verifier module must be built with the same one.
const PluginToolchain = "go1.24.13"

// Paths returns the plugin and verifier modules to measure: PLUGIN_WASM and
// VERIFIER_WASM when set, else build/plugin.wasm and build/bench-verifier.wasm
// of the repository this package lives in, building the verifier when it is
// missing.
func Paths(ctx context.Context) (plugin, verifier string, err error) {
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	plugin = os.Getenv("PLUGIN_WASM")
	if plugin == "" {
		plugin = filepath.Join(root, "build", "plugin.wasm")
	}
	verifier = os.Getenv("VERIFIER_WASM")
	if verifier == "" {
		verifier = filepath.Join(root, "build", "bench-verifier.wasm")
		if _, statErr := os.Stat(verifier); statErr != nil {
			if err := BuildVerifier(ctx, root, verifier); err != nil {
				return "", "", err
			}
		}
	}
	return plugin, verifier, nil
}

// BuildVerifier builds ./verifier exactly as the Makefile builds the plugin.
func BuildVerifier(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = filepath.Join(root, "e2e", "bench", "verifier")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+PluginToolchain, "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the verifier module: %w\n%s", err, b)
	}
	return nil
}

// repoRoot finds the repository root: the directory above the working
// directory that holds e2e/bench/verifier/go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "e2e", "bench", "verifier", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("bench: run inside the mcp-oauth-wasm repository")
		}
		dir = parent
	}
}

var goVersionRE = regexp.MustCompile(`go1\.[0-9]+(\.[0-9]+)?`)

// ToolchainOf returns the first Go version string embedded in a module
// (the runtime's buildVersion), or "" when none is found. Go's
// debug/buildinfo does not read wasm files.
func ToolchainOf(wasm []byte) string { return string(goVersionRE.Find(wasm)) }

// DisplayPath names a file relative to the repository root when it lies
// inside it ("build/plugin.wasm"), else as given.
func DisplayPath(path string) string {
	root, err := repoRoot()
	if err != nil {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
