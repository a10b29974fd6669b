package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// Cluster names in the plugin configuration and the gateway.
const (
	clusterAuth     = "auth_server"
	clusterUpstream = localrun.DefaultUpstreamCluster
)

// pluginSettings are what the test varies in the plugin configuration.
type pluginSettings struct {
	Resource  string // http://127.0.0.1:<gateway port>/mcp
	Issuer    string // the AS issuer
	AuthHost  string // the AS's host:port, the remote_jwks authority
	JWKSPath  string // from the AS metadata's jwks_uri
	TimeoutMs int
	RefreshS  int
	SkewS     int
}

// pluginConfig is the plugin configuration of these tests: tools/list and
// tools/call on /mcp need the read scope; /mcp/admin, the same MCP server
// behind a second endpoint, needs read and write. (Paths cannot tell MCP
// methods apart, so a write-only tool gets its own endpoint.)
func pluginConfig(t *testing.T, p pluginSettings) []byte {
	t.Helper()
	cfg := map[string]any{
		"resource":              p.Resource,
		"resource_name":         "e2e peers MCP server",
		"authorization_servers": []string{p.Issuer},
		"scopes_supported":      []string{scopeRead, scopeWrite},
		"providers": []any{map[string]any{
			"name":       "oidc-provider",
			"issuer":     p.Issuer,
			"algorithms": []string{"RS256", "ES256"},
			"remote_jwks": map[string]any{
				"cluster": clusterAuth, "authority": p.AuthHost, "path": p.JWKSPath,
				"timeout_ms": p.TimeoutMs, "refresh_interval_s": p.RefreshS,
			},
			"clock_skew_s":              p.SkewS,
			"require_access_token_type": true, // oidc-provider issues RFC 9068 at+jwt
		}},
		"rules": []any{
			map[string]any{"path_prefix": "/mcp/admin", "required_scopes": []string{scopeRead, scopeWrite}},
			map[string]any{"path_prefix": "/mcp", "required_scopes": []string{scopeRead}},
		},
		"claim_to_headers": []any{
			map[string]any{"claim": "sub", "header": "x-mcp-subject"},
			map[string]any{"claim": "client_id", "header": "x-mcp-client-id"},
			map[string]any{"claim": "scope", "header": "x-mcp-scope"},
		},
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// gateway is the compiled plugin behind a real HTTP front door on
// loopback: package localrun (the wazero host) or, in the Envoy variant,
// Envoy itself.
type gateway interface {
	URL() string
	stop()
}

// wazeroGateway is localrun.Server with the test's lifecycle.
type wazeroGateway struct {
	srv     *localrun.Server
	stopped bool
}

// startWazeroGateway serves the plugin on ln with the AS and the upstream
// mapped to their clusters.
func startWazeroGateway(t *testing.T, ln net.Listener, cfg []byte, authOrigin, upstreamOrigin string, log *peerLog) *wazeroGateway {
	t.Helper()
	srv, err := localrun.Start(ln, localrun.Options{
		Module:       plugin,
		PluginConfig: cfg,
		Clusters:     localrun.Clusters{clusterAuth: authOrigin, clusterUpstream: upstreamOrigin},
		Log:          log,
		LogLevel:     host.LogInfo,
	})
	if err != nil {
		_ = ln.Close()
		t.Fatalf("start the plugin: %v", err)
	}
	g := &wazeroGateway{srv: srv}
	t.Cleanup(g.stop)
	return g
}

func (g *wazeroGateway) URL() string { return g.srv.URL() }

// stop shuts the gateway down, cutting open SSE streams after a moment.
func (g *wazeroGateway) stop() {
	if g.stopped {
		return
	}
	g.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
}

// listenLoopback listens on 127.0.0.1 (port 0: any free port).
func listenLoopback(t *testing.T, port int) net.Listener {
	t.Helper()
	var ln net.Listener
	var err error
	// A port just released may be briefly unavailable; try for a moment.
	for range 20 {
		ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			return ln
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("listen on 127.0.0.1:%d: %v", port, err)
	return nil
}
