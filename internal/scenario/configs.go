package scenario

import "strings"

// BaseConfig is the example configuration: one remote provider,
// an anonymous health check and a scoped MCP route.
const BaseConfig = `{
  "resource": "https://mcp.example.com/mcp",
  "resource_name": "Example MCP server",
  "authorization_servers": ["https://auth.example.com"],
  "scopes_supported": ["mcp:tools:read", "mcp:tools:write"],
  "providers": [{
    "name": "example",
    "issuer": "https://auth.example.com",
    "audiences": ["https://mcp.example.com/mcp"],
    "algorithms": ["RS256", "ES256", "EdDSA"],
    "remote_jwks": {"cluster": "auth_server", "authority": "auth.example.com", "path": "/.well-known/jwks.json",
                    "timeout_ms": 5000, "refresh_interval_s": 300},
    "clock_skew_s": 60
  }],
  "rules": [
    {"path_prefix": "/healthz", "allow_anonymous": true},
    {"path_prefix": "/mcp", "methods": ["POST"], "required_scopes": ["mcp:tools:read"]},
    {"path_prefix": "/admin", "required_scopes": ["mcp:tools:read", "mcp:tools:write"]}
  ],
  "claim_to_headers": [{"claim": "sub", "header": "x-mcp-subject"}, {"claim": "client_id", "header": "x-mcp-client"}],
  "forward_token": false
}`

// withReplace returns BaseConfig with one textual substitution, failing
// loudly when old is absent so a table row cannot silently test the base.
func withReplace(old, new string) string {
	if !strings.Contains(BaseConfig, old) {
		panic("scenario: config substitution target missing: " + old)
	}
	return strings.Replace(BaseConfig, old, new, 1)
}

// localConfig uses an inline key set instead of remote_jwks.
func localConfig(jwks []byte) string {
	return withReplace(`"remote_jwks": {"cluster": "auth_server", "authority": "auth.example.com", "path": "/.well-known/jwks.json",
                    "timeout_ms": 5000, "refresh_interval_s": 300}`, `"local_jwks": `+string(jwks))
}

// twoProviderConfig adds a second, local provider for OtherIssuer.
func twoProviderConfig(otherJWKS []byte) string {
	return withReplace(`    "clock_skew_s": 60
  }],`, `    "clock_skew_s": 60
  }, {
    "name": "other",
    "issuer": "https://other.example.com",
    "local_jwks": `+string(otherJWKS)+`
  }],`)
}
