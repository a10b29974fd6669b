package config

import "testing"

func TestMetadataLocation(t *testing.T) {
	tests := []struct {
		resource string
		path     string
		url      string
	}{
		{"https://mcp.example.com/mcp", "/.well-known/oauth-protected-resource/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"},
		{"https://example.com/public/mcp", "/.well-known/oauth-protected-resource/public/mcp", "https://example.com/.well-known/oauth-protected-resource/public/mcp"},
		{"https://mcp.example.com/", "/.well-known/oauth-protected-resource", "https://mcp.example.com/.well-known/oauth-protected-resource"},
		{"https://mcp.example.com", "/.well-known/oauth-protected-resource", "https://mcp.example.com/.well-known/oauth-protected-resource"},
		{"https://mcp.example.com:8443/mcp", "/.well-known/oauth-protected-resource/mcp", "https://mcp.example.com:8443/.well-known/oauth-protected-resource/mcp"},
		{"https://mcp.example.com:8443", "/.well-known/oauth-protected-resource", "https://mcp.example.com:8443/.well-known/oauth-protected-resource"},
		// Only the slash right after the host is dropped (RFC 9728 §3.1).
		{"https://mcp.example.com/mcp/", "/.well-known/oauth-protected-resource/mcp/", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp/"},
		{"https://[2001:db8::1]:8443/a%20b", "/.well-known/oauth-protected-resource/a%20b", "https://[2001:db8::1]:8443/.well-known/oauth-protected-resource/a%20b"},
		{"http://localhost:8080/mcp", "/.well-known/oauth-protected-resource/mcp", "http://localhost:8080/.well-known/oauth-protected-resource/mcp"},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			c, err := Parse(build(t, setTop("resource", tt.resource)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.MetadataPath(); got != tt.path {
				t.Errorf("MetadataPath() = %q, want %q", got, tt.path)
			}
			if got := c.MetadataURL(); got != tt.url {
				t.Errorf("MetadataURL() = %q, want %q", got, tt.url)
			}
		})
	}
}
