package peers

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// runHint is the one command that installs the peers and runs these tests.
const runHint = "run `make e2e-peers` from the repository root"

// unavailable skips the test with one line naming the command to run, or
// fails it when CI is set: CI must never pass by skipping a peer.
func unavailable(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set, so this fails instead of skipping; %s)", what, runHint)
	}
	t.Skipf("%s: %s", what, runHint)
}

// nodeDir returns the absolute path of the Node peers' project, after
// checking node and its installed modules are there.
func nodeDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		unavailable(t, "node is not on PATH")
	}
	for _, pkg := range []string{"oidc-provider", "@modelcontextprotocol/sdk"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			unavailable(t, "e2e/peers/node/node_modules/"+pkg+" is not installed")
		}
	}
	return dir
}

// installedVersion reads the version of an installed Node package, for the
// test log (the README lists the versions the lockfile pins).
func installedVersion(t *testing.T, dir, pkg string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatalf("%s/package.json: %v", pkg, err)
	}
	return meta.Version
}

// chromiumPath finds Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	unavailable(t, "chromium is not installed (Debian package `chromium`)")
	return ""
}
