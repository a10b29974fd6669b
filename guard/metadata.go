package guard

import (
	"encoding/json"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
)

// The root location clients try after the path-inserted one (RFC 9728 §3.1,
// MCP 2025-11-25).
const metadataRootPath = "/.well-known/oauth-protected-resource"

// protectedResourceMetadata is the RFC 9728 §2 document.
type protectedResourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
}

// renderMetadata builds the document once at configure time.
func renderMetadata(c *config.Config) ([]byte, error) {
	return json.Marshal(protectedResourceMetadata{
		Resource:               c.Resource,
		AuthorizationServers:   c.AuthorizationServers,
		ScopesSupported:        c.ScopesSupported,
		BearerMethodsSupported: []string{"header"}, // MCP: tokens only in the Authorization header
		ResourceName:           c.ResourceName,
	})
}

// isMetadataPath reports whether path (without query) is one of the places
// the document is served.
func (g *Guard) isMetadataPath(path string) bool {
	return path == g.metadataPath || path == metadataRootPath
}

// metadataResponse answers GET/HEAD with the document and OPTIONS with a CORS
// preflight reply, so browser clients (MCP Inspector) can fetch it.
func (g *Guard) metadataResponse(method string) Response {
	cors := [][2]string{
		{"access-control-allow-origin", "*"},
		{"access-control-allow-methods", "GET, HEAD, OPTIONS"},
		{"access-control-allow-headers", "*"},
		{"access-control-max-age", "86400"},
	}
	if method == "OPTIONS" {
		return Response{Status: 204, Headers: cors}
	}
	headers := append([][2]string{
		{"content-type", "application/json"},
		{"cache-control", "max-age=300"},
	}, cors...)
	body := g.metadata
	if method == "HEAD" {
		body = nil
	}
	return Response{Status: 200, Headers: headers, Body: body}
}
