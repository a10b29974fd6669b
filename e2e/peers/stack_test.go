package peers

import (
	"fmt"
	"net"
	"testing"
)

// stackOptions vary the setup per scenario.
type stackOptions struct {
	readerTTL int    // lifetime of the reader client's tokens, seconds (default 300, as all others)
	noSkew    bool   // plugin clock_skew_s 0 instead of 60, so expiry is exact
	refreshS  int    // plugin refresh_interval_s (default 300)
	timeoutMs int    // plugin timeout_ms (default 5000)
	envoy     string // run the plugin in this Envoy binary instead of the wazero host
}

// stack is one scenario's world: the AS, the upstream MCP server and the
// plugin in front of it, all on loopback.
type stack struct {
	t         *testing.T
	node      string
	as        *authServer
	relay     *jwksRelay // between the plugin and the AS: records JWKS fetches
	up        *upstreamMCP
	gw        gateway
	addr      string // the gateway's host:port
	resource  string // http://<addr>/mcp
	other     string // a resource the plugin does not accept
	keys      []privateJWK
	plugin    pluginSettings
	pluginCfg []byte

	asLog, upLog, gwLog, clientLog *peerLog
}

// newStack starts the AS (RS256 and ES256 keys, signing RS256), the
// upstream and the plugin (wazero host). Their logs are printed if the
// test fails.
func newStack(t *testing.T, o stackOptions) *stack {
	t.Helper()
	dir := nodeDir(t)
	skew := 60
	if o.noSkew {
		skew = 0
	}
	if o.refreshS == 0 {
		o.refreshS = 300
	}
	if o.timeoutMs == 0 {
		o.timeoutMs = 5000
	}
	s := &stack{t: t, node: dir,
		asLog: newPeerLog("authorization server (oidc-provider)"), upLog: newPeerLog("upstream (MCP Go SDK)"),
		gwLog: newPeerLog("plugin (wazero host)"), clientLog: newPeerLog("MCP TypeScript client")}
	dumpOnFailure(t, s.asLog, s.upLog, s.gwLog, s.clientLog)

	s.up = startUpstream(t, s.upLog)
	// The resource names the gateway's port, so listen before configuring.
	ln := listenLoopback(t, 0)
	s.addr = ln.Addr().String()
	s.resource = "http://" + s.addr + "/mcp"
	s.other = "http://" + s.addr + "/other-mcp"

	s.keys = []privateJWK{newRSAKey(t, "rs-1"), newECKey(t, "es-1")}
	settings := baseSettings(t, s.resource, s.other, s.keys, s.keys[0])
	if o.readerTTL != 0 {
		for i := range settings.Clients {
			if settings.Clients[i].ID == clientReader.ID {
				settings.Clients[i].TokenTTL = o.readerTTL
			}
		}
	}
	s.as = startAuthServer(t, dir, settings, s.asLog)
	s.relay = startJWKSRelay(t, func() string { return s.as.issuer })

	s.plugin = pluginSettings{
		Resource: s.resource, Issuer: s.as.issuer, AuthHost: fmt.Sprintf("127.0.0.1:%d", s.as.port),
		JWKSPath: s.as.jwksPath(), TimeoutMs: o.timeoutMs, RefreshS: o.refreshS, SkewS: skew,
	}
	s.pluginCfg = pluginConfig(t, s.plugin)
	if o.envoy != "" {
		s.gwLog.name = "plugin (Envoy)"
		s.gw = startEnvoyGateway(t, o.envoy, ln, s.pluginCfg, s.relay.URL(), s.up.URL(), s.gwLog)
	} else {
		s.gw = startWazeroGateway(t, ln, s.pluginCfg, s.relay.URL(), s.up.URL(), s.gwLog)
	}
	return s
}

// restartGateway stops the plugin and starts a fresh one (new VMs, empty
// shared data) on the same address, as a proxy restart would (wazero
// host only).
func (s *stack) restartGateway() {
	s.t.Helper()
	s.gw.stop()
	s.gwLog.add("[test: plugin restarted]")
	ln := listenLoopback(s.t, mustPort(s.t, s.addr))
	s.gw = startWazeroGateway(s.t, ln, s.pluginCfg, s.relay.URL(), s.up.URL(), s.gwLog)
}

// client starts the TypeScript client as OAuth client c asking for scope.
// The client belongs to t (a subtest's, possibly): its failures and its
// cleanup are t's.
func (s *stack) client(t *testing.T, c oauthClient, scope string) *tsClient {
	t.Helper()
	return startClient(t, s.node, c, scope, s.as.issuer, s.clientLog)
}

func mustPort(t *testing.T, addr string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var p int
	if _, err := fmt.Sscanf(port, "%d", &p); err != nil {
		t.Fatal(err)
	}
	return p
}
