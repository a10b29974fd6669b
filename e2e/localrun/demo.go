package localrun

import (
	"encoding/json"
	"errors"
	"net"
	"strings"
)

// DefaultJWKSCluster is the demo configuration's remote_jwks cluster.
const DefaultJWKSCluster = "dev_issuer"

// Demo scopes: the /mcp rule needs ReadScope.
const (
	ReadScope  = "mcp:tools:read"
	WriteScope = "mcp:tools:write"
)

// DemoConfig is the demo's plugin configuration: config.json's rules and
// identity header, with the resource on loopback and the development
// issuer as the only provider.
type DemoConfig struct {
	// Resource is the MCP endpoint's public URL, e.g. http://127.0.0.1:10000/mcp.
	Resource string
	// Issuer is the development issuer's URL.
	Issuer string
	// JWKSCluster names the issuer's cluster (default DefaultJWKSCluster).
	JWKSCluster string
	// TimeoutMS is remote_jwks.timeout_ms (default 5000).
	TimeoutMS int
}

// JSON renders the configuration.
func (d DemoConfig) JSON() []byte {
	if d.JWKSCluster == "" {
		d.JWKSCluster = DefaultJWKSCluster
	}
	if d.TimeoutMS <= 0 {
		d.TimeoutMS = 5000
	}
	authority := strings.TrimPrefix(strings.TrimPrefix(d.Issuer, "http://"), "https://")
	cfg := map[string]any{
		"resource":              d.Resource,
		"resource_name":         "mcp-oauth-local demo MCP server",
		"authorization_servers": []string{d.Issuer},
		"scopes_supported":      []string{ReadScope, WriteScope},
		"providers": []any{map[string]any{
			"name":       "dev",
			"issuer":     d.Issuer,
			"audiences":  []string{d.Resource},
			"algorithms": []string{"RS256"},
			"remote_jwks": map[string]any{
				"cluster": d.JWKSCluster, "authority": authority, "path": "/.well-known/jwks.json",
				"timeout_ms": d.TimeoutMS, "refresh_interval_s": 300,
			},
			"clock_skew_s": 60,
		}},
		"rules": []any{
			map[string]any{"path_prefix": "/healthz", "allow_anonymous": true},
			map[string]any{"path_prefix": "/mcp", "methods": []string{"POST"}, "required_scopes": []string{ReadScope}},
		},
		"claim_to_headers": []any{
			map[string]string{"claim": "sub", "header": SubjectHeader},
			map[string]string{"claim": "scope", "header": ScopeHeader},
		},
		"forward_token": false,
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	return b
}

// PeersOptions configures the demo's issuer and upstream.
type PeersOptions struct {
	// Resource is the audience of tokens minted without a resource.
	Resource string
	// HoldJWKS delays the issuer's JWKS answers until closed (tests).
	HoldJWKS <-chan struct{}
}

// Peers are the demo's development issuer and MCP upstream, each on an
// ephemeral loopback port.
type Peers struct {
	Issuer   *Issuer
	Upstream *Upstream
}

// StartPeers starts the issuer and the upstream on 127.0.0.1.
func StartPeers(opts PeersOptions) (*Peers, error) {
	iln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	is, err := StartIssuer(iln, IssuerOptions{Audience: opts.Resource,
		ScopesSupported: []string{ReadScope, WriteScope}, HoldJWKS: opts.HoldJWKS})
	if err != nil {
		_ = iln.Close()
		return nil, err
	}
	uln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, is.Close())
	}
	return &Peers{Issuer: is, Upstream: StartUpstream(uln)}, nil
}

// Clusters maps the demo's cluster names to the peers.
func (p *Peers) Clusters() Clusters {
	return Clusters{DefaultJWKSCluster: p.Issuer.URL(), DefaultUpstreamCluster: p.Upstream.URL()}
}

// Config is the demo plugin configuration for a resource served by these peers.
func (p *Peers) Config(resource string) DemoConfig {
	return DemoConfig{Resource: resource, Issuer: p.Issuer.URL()}
}

// Close stops both peers.
func (p *Peers) Close() error {
	return errors.Join(p.Upstream.Close(), p.Issuer.Close())
}
