package peers

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// envoyGateway is real Envoy running the plugin, configured from the
// repository's envoy.yaml by localrun.EnvoyConfig.
type envoyGateway struct {
	url string
	e   *localrun.Envoy
}

// envoyPath finds Envoy; the Envoy variant is skipped without it.
func envoyPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("envoy")
	if err != nil {
		t.Skip("envoy is not on PATH: the Envoy variant of the peers tests is skipped (the wazero variant runs)")
	}
	return p
}

// startEnvoyGateway runs Envoy listening on ln's port (ln is closed: the
// resource URL already names the port) with the plugin configuration cfg
// and the AS and upstream mapped to their clusters.
func startEnvoyGateway(t *testing.T, envoy string, ln net.Listener, cfg []byte, authOrigin, upstreamOrigin string, log *peerLog) *envoyGateway {
	t.Helper()
	listenPort := mustPort(t, ln.Addr().String())
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	adminPort, err := localrun.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	wasm := os.Getenv("PLUGIN_WASM")
	if wasm == "" {
		wasm = filepath.Join("..", "..", "build", "plugin.wasm")
	}
	if wasm, err = filepath.Abs(wasm); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join("..", "..", "envoy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := localrun.EnvoyConfig(localrun.EnvoyConfigOptions{
		Base: base, ListenPort: listenPort, AdminPort: adminPort, WasmPath: wasm, PluginConfig: cfg,
		Clusters: localrun.Clusters{clusterAuth: authOrigin, clusterUpstream: upstreamOrigin},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "envoy.yaml")
	if err := os.WriteFile(path, bootstrap, 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := localrun.StartEnvoy(context.Background(), localrun.EnvoyOptions{
		Binary: envoy, ConfigPath: path, AdminPort: adminPort, ListenPort: listenPort, Output: log,
	})
	if err != nil {
		t.Fatalf("start envoy: %v", err)
	}
	g := &envoyGateway{url: "http://" + ln.Addr().String(), e: e}
	t.Cleanup(g.stop)
	return g
}

func (g *envoyGateway) URL() string { return g.url }
func (g *envoyGateway) stop()       { _ = g.e.Stop() }

// TestPeersEnvoy runs scenarios 1 and 2 with the plugin in real Envoy
// instead of the wazero host, when Envoy is installed.
func TestPeersEnvoy(t *testing.T) {
	envoy := envoyPath(t)
	t.Run("discovery and tool call", func(t *testing.T) {
		checkDiscoveryAndToolCall(t, newStack(t, stackOptions{envoy: envoy}))
	})
	t.Run("wrong audience refused", func(t *testing.T) {
		checkWrongAudience(t, newStack(t, stackOptions{envoy: envoy}))
	})
}
