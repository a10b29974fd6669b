package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseRefuses has one row per way a configuration can be wrong, each
// asserting the exact one-line message an operator sees.
func TestParseRefuses(t *testing.T) {
	longName := strings.Repeat("a", 64)
	deep := strings.Repeat(`{"k":`, 40) + `1` + strings.Repeat(`}`, 40)
	tests := []struct {
		name string
		raw  string // the whole input; when empty, edit applies to the minimal configuration
		edit edit
		want string
	}{
		// The document as a whole.
		{name: "empty input", raw: "", want: `config: the configuration is empty; expected a JSON object`},
		{name: "only whitespace", raw: " \n\t", want: `config: the configuration is empty; expected a JSON object`},
		{name: "null", raw: "null", want: `config: the configuration must be a JSON object, got null`},
		{name: "array", raw: `[{"resource":"https://x"}]`, want: `config: the configuration must be a JSON object, got array`},
		{name: "trailing data", raw: "{}\n  {}", want: `config: unexpected data after the top-level value at line 2, column 3`},
		{name: "trailing comma", raw: `{"resource": "x",}`, want: `config: malformed JSON at line 1, column 18: invalid character '}' looking for beginning of object key string`},
		{name: "bad literal", raw: "{\n  \"forward_token\": ture\n}", want: `config: malformed JSON at line 2, column 20: invalid character 'u' in literal true (expecting 'r')`},
		{name: "raw newline in a string", raw: "{\"resource\": \"https://a\nb\"}", want: `config: malformed JSON at line 1, column 14: invalid character '\n' in string literal`},
		{name: "truncated", raw: `{"resource": "https://mcp.example.com/mcp"`, want: `config: malformed JSON: unexpected end of input`},
		{name: "byte order mark", raw: "\ufeff{}", want: `config: malformed JSON at line 1, column 1: invalid character 'ï' looking for beginning of value`},
		{name: "nested too deep", edit: setProvider("local_jwks", json.RawMessage(deep)), want: `config: providers[0].local_jwks.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k: nested deeper than 32 levels`},

		// Duplicate members, which encoding/json would silently resolve.
		{name: "duplicate top-level member", raw: `{"forward_token": false, "forward_token": true}`, want: `config: duplicate field "forward_token" at top level`},
		{name: "duplicate provider member", raw: `{"providers": [{"name": "a"}, {"name": "b", "name": "c"}]}`, want: `config: duplicate field "name" at providers[1]`},
		{name: "duplicate member inside local_jwks", raw: `{"providers": [{"local_jwks": {"keys": [{"kty": "EC", "kty": "RSA"}]}}]}`, want: `config: duplicate field "kty" at providers[0].local_jwks.keys[0]`},
		{name: "duplicate member under an odd name", raw: `{"providers": [{"local_jwks": {"a.b": {"x": 1, "x": 2}}}]}`, want: `config: duplicate field "x" at providers[0].local_jwks["a.b"]`},
		{name: "duplicate member after unescaping", raw: `{"resource": "a", "reso\u0075rce": "b"}`, want: `config: duplicate field "resource" at top level`},

		// Unknown members.
		{name: "unknown top-level member", edit: setTop("provders", []any{}), want: `config: unknown field "provders" at top level`},
		{name: "member names are case-sensitive", raw: `{"Resource": "https://mcp.example.com/mcp"}`, want: `config: unknown field "Resource" at top level`},
		{name: "unknown provider member", edit: setProvider("jwks_uri", "https://auth.example.com/jwks"), want: `config: unknown field "jwks_uri" at providers[0]`},
		{name: "unknown remote_jwks member", edit: setRemote("timeout", 5), want: `config: unknown field "timeout" at providers[0].remote_jwks`},
		{name: "unknown rule member", edit: setRules(map[string]any{"prefix": "/mcp"}), want: `config: unknown field "prefix" at rules[0]`},
		{name: "unknown claim_to_headers member", edit: setTop("claim_to_headers", []any{map[string]any{"claim": "sub", "name": "x-sub"}}), want: `config: unknown field "name" at claim_to_headers[0]`},
		{name: "unknown member name is quoted", raw: "{\"a\\nb\": 1}", want: `config: unknown field "a\nb" at top level`},

		// JSON types.
		{name: "resource a number", edit: setTop("resource", 1), want: `config: resource: must be a string, got number`},
		{name: "clock_skew_s a string", edit: setProvider("clock_skew_s", "60"), want: `config: providers[0].clock_skew_s: must be a number, got string`},
		{name: "algorithm a number", edit: setProvider("algorithms", []any{"RS256", "ES256", 256}), want: `config: providers[0].algorithms[2]: must be a string, got number`},
		{name: "providers an object", edit: setTop("providers", map[string]any{}), want: `config: providers: must be an array, got object`},
		{name: "provider a string", edit: setTop("providers", []any{"example"}), want: `config: providers[0]: must be an object, got string`},
		{name: "forward_token a string", edit: setTop("forward_token", "false"), want: `config: forward_token: must be a boolean, got string`},
		{name: "allow_anonymous null", raw: `{"rules": [{"path": "/", "allow_anonymous": null}]}`, want: `config: rules[0].allow_anonymous: must be a boolean, got null`},
		{name: "remote_jwks a string", edit: setProvider("remote_jwks", "https://auth.example.com/jwks"), want: `config: providers[0].remote_jwks: must be an object, got string`},
		{name: "local_jwks an array", edit: setProvider("local_jwks", []any{}), want: `config: providers[0].local_jwks: must be an object, got array`},
		{name: "local_jwks a string", edit: setProvider("local_jwks", `{"keys":[]}`), want: `config: providers[0].local_jwks: must be an object, got string`},
		{name: "local_jwks null", raw: `{"providers": [{"local_jwks": null}]}`, want: `config: providers[0].local_jwks: must be an object, got null`},
		{name: "scopes a string", edit: setTop("scopes_supported", "mcp:tools:read"), want: `config: scopes_supported: must be an array, got string`},
		{name: "header a boolean", raw: `{"claim_to_headers": [{"header": true}]}`, want: `config: claim_to_headers[0].header: must be a string, got boolean`},

		// resource.
		{name: "resource missing", edit: setTop("resource", nil), want: `config: resource: is required`},
		{name: "resource not a URL", edit: setTop("resource", "https://mcp example.com/mcp"), want: `config: resource: "https://mcp example.com/mcp" is not a valid URL: invalid character " " in host name`},
		{name: "resource relative", edit: setTop("resource", "/mcp"), want: `config: resource: "/mcp" must be an absolute URL with a scheme and a host`},
		{name: "resource without host", edit: setTop("resource", "https:///mcp"), want: `config: resource: "https:///mcp" must be an absolute URL with a scheme and a host`},
		{name: "resource opaque", edit: setTop("resource", "https:mcp.example.com"), want: `config: resource: "https:mcp.example.com" must be an absolute URL with a scheme and a host`},
		{name: "resource with only a port", edit: setTop("resource", "https://:443/mcp"), want: `config: resource: "https://:443/mcp" must be an absolute URL with a scheme and a host`},
		{name: "resource over http", edit: setTop("resource", "http://mcp.example.com/mcp"), want: `config: resource: "http://mcp.example.com/mcp" must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development`},
		{name: "resource over http on a private address", edit: setTop("resource", "http://10.0.0.1/mcp"), want: `config: resource: "http://10.0.0.1/mcp" must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development`},
		{name: "resource over http on a localhost lookalike", edit: setTop("resource", "http://localhost.example.com/mcp"), want: `config: resource: "http://localhost.example.com/mcp" must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development`},
		{name: "resource with another scheme", edit: setTop("resource", "wss://mcp.example.com/mcp"), want: `config: resource: "wss://mcp.example.com/mcp" must use https`},
		{name: "resource with userinfo", edit: setTop("resource", "https://user@mcp.example.com/mcp"), want: `config: resource: "https://user@mcp.example.com/mcp" must not contain userinfo`},
		{name: "resource with query", edit: setTop("resource", "https://mcp.example.com/mcp?tenant=a"), want: `config: resource: "https://mcp.example.com/mcp?tenant=a" must not contain a query`},
		{name: "resource with empty query", edit: setTop("resource", "https://mcp.example.com/mcp?"), want: `config: resource: "https://mcp.example.com/mcp?" must not contain a query`},
		{name: "resource with fragment", edit: setTop("resource", "https://mcp.example.com/mcp#x"), want: `config: resource: "https://mcp.example.com/mcp#x" must not contain a fragment`},
		{name: "resource with empty fragment", edit: setTop("resource", "https://mcp.example.com/mcp#"), want: `config: resource: "https://mcp.example.com/mcp#" must not contain a fragment`},
		{name: "resource with port 0", edit: setTop("resource", "https://mcp.example.com:0/mcp"), want: `config: resource: "https://mcp.example.com:0/mcp" has an invalid port; use 1 to 65535 or leave it out`},
		{name: "resource with port above 65535", edit: setTop("resource", "https://mcp.example.com:65536/mcp"), want: `config: resource: "https://mcp.example.com:65536/mcp" has an invalid port; use 1 to 65535 or leave it out`},
		{name: "resource with empty port", edit: setTop("resource", "https://mcp.example.com:/mcp"), want: `config: resource: "https://mcp.example.com:/mcp" has an invalid port; use 1 to 65535 or leave it out`},
		{name: "resource with percent-encoded host", edit: setTop("resource", "https://caf%C3%A9.example.com/mcp"), want: `config: resource: "https://caf%C3%A9.example.com/mcp" must not percent-encode its host`},
		{name: "resource with an ASCII percent escape in its host", edit: setTop("resource", "https://mcp%2Eexample.com/mcp"), want: `config: resource: "https://mcp%2Eexample.com/mcp" is not a valid URL: invalid URL escape "%2E"`},
		{name: "resource with uppercase host", edit: setTop("resource", "https://MCP.Example.com/mcp"), want: `config: resource: "https://MCP.Example.com/mcp" must have a lowercase scheme and host: audiences are compared as canonical URIs (RFC 8707), so write "https://mcp.example.com/mcp"`},
		{name: "resource with uppercase scheme", edit: setTop("resource", "HTTPS://mcp.example.com/Mcp"), want: `config: resource: "HTTPS://mcp.example.com/Mcp" must have a lowercase scheme and host: audiences are compared as canonical URIs (RFC 8707), so write "https://mcp.example.com/Mcp"`},
		{name: "long resource is shortened", edit: setTop("resource", "ftp://"+strings.Repeat("x", 100)), want: `config: resource: "ftp://xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"... must use https`},
		{name: "resource_name with a control character", edit: setTop("resource_name", "MCP\x1b[31m"), want: `config: resource_name: must not contain control characters`},

		// authorization_servers.
		{name: "authorization_servers missing", edit: setTop("authorization_servers", nil), want: `config: authorization_servers: must list at least one authorization server (RFC 9728 metadata requires one)`},
		{name: "authorization_servers empty", edit: setTop("authorization_servers", []any{}), want: `config: authorization_servers: must list at least one authorization server (RFC 9728 metadata requires one)`},
		{name: "authorization server over http", edit: setTop("authorization_servers", []any{"https://a.example.com", "http://auth.example.com"}), want: `config: authorization_servers[1]: "http://auth.example.com" must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development`},
		{name: "authorization server empty", edit: setTop("authorization_servers", []any{""}), want: `config: authorization_servers[0]: is required`},
		{name: "authorization server with query", edit: setTop("authorization_servers", []any{"https://auth.example.com?realm=a"}), want: `config: authorization_servers[0]: "https://auth.example.com?realm=a" must not contain a query`},
		{name: "authorization server twice", edit: setTop("authorization_servers", []any{"https://a.example.com", "https://b.example.com", "https://a.example.com"}), want: `config: authorization_servers[2]: "https://a.example.com" duplicates authorization_servers[0]`},

		// scopes_supported.
		{name: "scope with a space", edit: setTop("scopes_supported", []any{"mcp:tools:read", "mcp tools"}), want: `config: scopes_supported[1]: "mcp tools" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "scope with a quote", edit: setTop("scopes_supported", []any{`a"b`}), want: `config: scopes_supported[0]: "a\"b" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "scope with a backslash", edit: setTop("scopes_supported", []any{`a\b`}), want: `config: scopes_supported[0]: "a\\b" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "scope not ASCII", edit: setTop("scopes_supported", []any{"lire:outils:é"}), want: `config: scopes_supported[0]: "lire:outils:é" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "scope empty", edit: setTop("scopes_supported", []any{""}), want: `config: scopes_supported[0]: "" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "scope twice", edit: setTop("scopes_supported", []any{"a", "a"}), want: `config: scopes_supported[1]: "a" duplicates scopes_supported[0]`},

		// max_token_bytes.
		{name: "token_cache max_age_s zero", edit: setTop("token_cache", map[string]any{"max_age_s": 0}), want: `config: token_cache.max_age_s: must be between 1 and 86400, got 0`},
		{name: "token_cache max_entries negative", edit: setTop("token_cache", map[string]any{"max_entries": -1}), want: `config: token_cache.max_entries: must be between 0 and 1000000, got -1`},
		{name: "token_cache unknown field", edit: setTop("token_cache", map[string]any{"size": 1}), want: `config: unknown field "size" at token_cache`},
		{name: "token_cache wrong type", edit: setTop("token_cache", 5), want: `config: token_cache: must be an object, got number`},
		{name: "max_token_bytes too small", edit: setTop("max_token_bytes", 511), want: `config: max_token_bytes: must be between 512 and 65536, got 511`},
		{name: "max_token_bytes too large", edit: setTop("max_token_bytes", 65537), want: `config: max_token_bytes: must be between 512 and 65536, got 65537`},
		{name: "max_token_bytes negative", edit: setTop("max_token_bytes", -8192), want: `config: max_token_bytes: must be between 512 and 65536, got -8192`},
		{name: "max_token_bytes fraction", edit: setTop("max_token_bytes", 8192.5), want: `config: max_token_bytes: must be an integer, got 8192.5`},
		{name: "max_token_bytes exponent", raw: `{"resource": "https://mcp.example.com/mcp", "authorization_servers": ["https://a.example.com"], "max_token_bytes": 8e3}`, want: `config: max_token_bytes: must be an integer, got 8e3`},
		{name: "max_token_bytes beyond int64", edit: setTop("max_token_bytes", json.Number("123456789012345678901234567890")), want: `config: max_token_bytes: must be between 512 and 65536, got 123456789012345678901234...`},

		// providers.
		{name: "providers missing", edit: setTop("providers", nil), want: `config: providers: must list at least one token provider`},
		{name: "providers empty", edit: setTop("providers", []any{}), want: `config: providers: must list at least one token provider`},
		{name: "provider name missing", edit: setProvider("name", nil), want: `config: providers[0].name: is required`},
		{name: "provider name uppercase", edit: setProvider("name", "Example"), want: `config: providers[0].name: "Example" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and shared-data keys)`},
		{name: "provider name starts with a dash", edit: setProvider("name", "-example"), want: `config: providers[0].name: "-example" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and shared-data keys)`},
		{name: "provider name with a dot", edit: setProvider("name", "auth.example"), want: `config: providers[0].name: "auth.example" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and shared-data keys)`},
		{name: "provider name too long", edit: setProvider("name", longName), want: `config: providers[0].name: "` + longName + `" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and shared-data keys)`},
		{name: "provider issuer missing", edit: setProvider("issuer", nil), want: `config: providers[0].issuer: is required`},
		{name: "provider issuer over http", edit: setProvider("issuer", "http://auth.example.com"), want: `config: providers[0].issuer: "http://auth.example.com" must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development`},
		{name: "provider issuer with fragment", edit: setProvider("issuer", "https://auth.example.com/#"), want: `config: providers[0].issuer: "https://auth.example.com/#" must not contain a fragment`},
		{name: "audiences empty", edit: setProvider("audiences", []any{}), want: `config: providers[0].audiences: must list at least one audience; leave it out to accept the resource`},
		{name: "audience empty", edit: setProvider("audiences", []any{"https://mcp.example.com/mcp", ""}), want: `config: providers[0].audiences[1]: must not be empty`},
		{name: "audience twice", edit: setProvider("audiences", []any{"a", "b", "a"}), want: `config: providers[0].audiences[2]: "a" duplicates providers[0].audiences[0]`},
		{name: "algorithms empty", edit: setProvider("algorithms", []any{}), want: `config: providers[0].algorithms: must list at least one algorithm; leave it out to accept the defaults`},
		{name: "algorithm none", edit: setProvider("algorithms", []any{"RS256", "none"}), want: `config: providers[0].algorithms[1]: "none" means an unsigned token and is never allowed`},
		{name: "algorithm HS256", edit: addProvider(map[string]any{"name": "second", "issuer": "https://second.example.com", "algorithms": []any{"RS256", "ES256", "HS256"}}), want: `config: providers[1].algorithms[2]: "HS256" is a symmetric algorithm; only asymmetric JWS algorithms are allowed`},
		{name: "algorithm HS512", edit: setProvider("algorithms", []any{"HS512"}), want: `config: providers[0].algorithms[0]: "HS512" is a symmetric algorithm; only asymmetric JWS algorithms are allowed`},
		{name: "algorithm unknown", edit: setProvider("algorithms", []any{"RS257"}), want: `config: providers[0].algorithms[0]: "RS257" is not a supported algorithm; use any of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA`},
		{name: "algorithm in lowercase", edit: setProvider("algorithms", []any{"rs256"}), want: `config: providers[0].algorithms[0]: "rs256" is not a supported algorithm; use any of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA`},
		{name: "algorithm twice", edit: setProvider("algorithms", []any{"ES256", "ES256"}), want: `config: providers[0].algorithms[1]: "ES256" duplicates providers[0].algorithms[0]`},
		{name: "both key sources", edit: setProvider("local_jwks", map[string]any{"keys": []any{}}), want: `config: providers[0]: set only one of remote_jwks and local_jwks`},
		{name: "no key source", edit: setProvider("remote_jwks", nil), want: `config: providers[0]: set one of remote_jwks and local_jwks: the provider needs a source of signing keys`},
		{name: "cluster missing", edit: setRemote("cluster", nil), want: `config: providers[0].remote_jwks.cluster: is required (the Envoy cluster that serves the JWK Set)`},
		{name: "cluster with a space", edit: setRemote("cluster", "auth server"), want: `config: providers[0].remote_jwks.cluster: "auth server" must not contain whitespace or control characters`},
		{name: "authority missing", edit: setRemote("authority", ""), want: `config: providers[0].remote_jwks.authority: is required (host[:port] sent as :authority)`},
		{name: "authority with scheme", edit: setRemote("authority", "https://auth.example.com"), want: `config: providers[0].remote_jwks.authority: "https://auth.example.com" must be host[:port] without a scheme`},
		{name: "authority with path", edit: setRemote("authority", "auth.example.com/jwks"), want: `config: providers[0].remote_jwks.authority: "auth.example.com/jwks" must be host[:port] without a path`},
		{name: "authority with userinfo", edit: setRemote("authority", "user@auth.example.com"), want: `config: providers[0].remote_jwks.authority: "user@auth.example.com" must be host[:port] without userinfo`},
		{name: "authority with port 0", edit: setRemote("authority", "auth.example.com:0"), want: `config: providers[0].remote_jwks.authority: "auth.example.com:0" has an invalid port; use 1 to 65535`},
		{name: "authority with empty port", edit: setRemote("authority", "auth.example.com:"), want: `config: providers[0].remote_jwks.authority: "auth.example.com:" has an invalid port; use 1 to 65535`},
		{name: "authority with signed port", edit: setRemote("authority", "auth.example.com:+443"), want: `config: providers[0].remote_jwks.authority: "auth.example.com:+443" has an invalid port; use 1 to 65535`},
		{name: "authority with a space", edit: setRemote("authority", "auth example.com"), want: `config: providers[0].remote_jwks.authority: "auth example.com" must be host[:port] with a DNS name or IP address as host`},
		{name: "authority only a port", edit: setRemote("authority", ":443"), want: `config: providers[0].remote_jwks.authority: ":443" must be host[:port] with a DNS name or IP address as host`},
		{name: "authority bare IPv6", edit: setRemote("authority", "2001:db8::1"), want: `config: providers[0].remote_jwks.authority: "2001:db8::1" must be host[:port] with a DNS name or IP address as host`},
		{name: "authority bad IPv6 literal", edit: setRemote("authority", "[2001:db8::g]:443"), want: `config: providers[0].remote_jwks.authority: "[2001:db8::g]:443" has an invalid IPv6 address`},
		{name: "authority IPv6 with zone", edit: setRemote("authority", "[fe80::1%eth0]"), want: `config: providers[0].remote_jwks.authority: "[fe80::1%eth0]" has an invalid IPv6 address`},
		{name: "authority text after IPv6 literal", edit: setRemote("authority", "[::1]x"), want: `config: providers[0].remote_jwks.authority: "[::1]x" must be host[:port]`},
		{name: "jwks path without slash", edit: setRemote("path", ".well-known/jwks.json"), want: `config: providers[0].remote_jwks.path: must start with "/"`},
		{name: "jwks path missing", edit: setRemote("path", nil), want: `config: providers[0].remote_jwks.path: must start with "/"`},
		{name: "jwks path a full URL", edit: setRemote("path", "https://auth.example.com/jwks"), want: `config: providers[0].remote_jwks.path: must start with "/"`},
		{name: "jwks path with a space", edit: setRemote("path", "/jwks keys"), want: `config: providers[0].remote_jwks.path: "/jwks keys" must not contain whitespace or control characters`},
		{name: "jwks path with a fragment", edit: setRemote("path", "/jwks#keys"), want: `config: providers[0].remote_jwks.path: "/jwks#keys" must not contain a fragment`},
		{name: "timeout too short", edit: setRemote("timeout_ms", 99), want: `config: providers[0].remote_jwks.timeout_ms: must be between 100 and 60000, got 99`},
		{name: "timeout too long", edit: setRemote("timeout_ms", 60001), want: `config: providers[0].remote_jwks.timeout_ms: must be between 100 and 60000, got 60001`},
		{name: "refresh too often", edit: setRemote("refresh_interval_s", 9), want: `config: providers[0].remote_jwks.refresh_interval_s: must be between 10 and 86400, got 9`},
		{name: "refresh too rare", edit: setRemote("refresh_interval_s", 86401), want: `config: providers[0].remote_jwks.refresh_interval_s: must be between 10 and 86400, got 86401`},
		{name: "clock skew above 60", edit: setProvider("clock_skew_s", 61), want: `config: providers[0].clock_skew_s: must be between 0 and 60, got 61`},
		{name: "clock skew negative", edit: setProvider("clock_skew_s", -1), want: `config: providers[0].clock_skew_s: must be between 0 and 60, got -1`},
		{name: "clock skew fraction", edit: setProvider("clock_skew_s", 0.5), want: `config: providers[0].clock_skew_s: must be an integer, got 0.5`},
		{name: "max token lifetime above a day", edit: setProvider("max_token_lifetime_s", 86401), want: `config: providers[0].max_token_lifetime_s: must be between 0 and 86400, got 86401`},
		{name: "max token lifetime negative", edit: setProvider("max_token_lifetime_s", -1), want: `config: providers[0].max_token_lifetime_s: must be between 0 and 86400, got -1`},
		{name: "provider name twice", edit: addProvider(map[string]any{"issuer": "https://second.example.com"}), want: `config: providers[1].name: "example" duplicates providers[0].name`},
		{name: "provider issuer twice", edit: addProvider(map[string]any{"name": "second"}), want: `config: providers[1].issuer: "https://auth.example.com" duplicates providers[0].issuer`},

		// rules.
		{name: "rule without a path", edit: setRules(map[string]any{"path": "/a"}, map[string]any{"path": "/b"}, map[string]any{"path": "/c"}, map[string]any{"methods": []any{"GET"}}), want: `config: rules[3]: a rule must name one of path_prefix, path or exact_path`},
		{name: "rule with two paths", edit: setRules(map[string]any{"path_prefix": "/mcp", "exact_path": "/mcp"}), want: `config: rules[0]: a rule must name only one of path_prefix, path or exact_path`},
		{name: "path_prefix without slash", edit: setRules(map[string]any{"path_prefix": "mcp"}), want: `config: rules[0].path_prefix: must start with "/"`},
		{name: "path empty", edit: setRules(map[string]any{"path": ""}), want: `config: rules[0].path: must start with "/"`},
		{name: "exact_path without slash", edit: setRules(map[string]any{"exact_path": "*"}), want: `config: rules[0].exact_path: must start with "/"`},
		{name: "path_prefix with a query", edit: setRules(map[string]any{"path_prefix": "/mcp?x=1"}), want: `config: rules[0].path_prefix: "/mcp?x=1" must not contain a query; use exact_path to match one`},
		{name: "path with a query", edit: setRules(map[string]any{"path": "/mcp?"}), want: `config: rules[0].path: "/mcp?" must not contain a query; use exact_path to match one`},
		{name: "path with a tab", edit: setRules(map[string]any{"path": "/mcp\t"}), want: `config: rules[0].path: "/mcp\t" must not contain whitespace or control characters`},
		{name: "exact_path with a fragment", edit: setRules(map[string]any{"exact_path": "/mcp#top"}), want: `config: rules[0].exact_path: "/mcp#top" must not contain a fragment`},
		{name: "methods empty", edit: setRules(map[string]any{"path": "/", "methods": []any{}}), want: `config: rules[0].methods: must list at least one method; leave it out to match every method`},
		{name: "method lowercase", edit: setRules(map[string]any{"path": "/", "methods": []any{"POST", "get"}}), want: `config: rules[0].methods[1]: "get" must be uppercase: methods are case-sensitive and standard ones are uppercase`},
		{name: "method not a token", edit: setRules(map[string]any{"path": "/", "methods": []any{"GET POST"}}), want: `config: rules[0].methods[0]: "GET POST" is not a valid HTTP method (RFC 9110 token)`},
		{name: "method empty", edit: setRules(map[string]any{"path": "/", "methods": []any{""}}), want: `config: rules[0].methods[0]: "" is not a valid HTTP method (RFC 9110 token)`},
		{name: "method twice", edit: setRules(map[string]any{"path": "/", "methods": []any{"POST", "POST"}}), want: `config: rules[0].methods[1]: "POST" duplicates rules[0].methods[0]`},
		{name: "required scope invalid", edit: setRules(map[string]any{"path": "/", "required_scopes": []any{"a b"}}), want: `config: rules[0].required_scopes[0]: "a b" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "required scope twice", edit: setRules(map[string]any{"path": "/", "required_scopes": []any{"a", "a"}}), want: `config: rules[0].required_scopes[1]: "a" duplicates rules[0].required_scopes[0]`},
		{name: "anonymous with scopes", edit: setRules(map[string]any{"path": "/a"}, map[string]any{"path": "/b"}, map[string]any{"path_prefix": "/mcp", "allow_anonymous": true, "required_scopes": []any{"mcp:tools:read"}}), want: `config: rules[2]: allow_anonymous cannot be combined with required_scopes: a request without a token has no scopes`},

		// claim_to_headers.
		{name: "claim missing", raw: `{"resource": "https://mcp.example.com/mcp", "authorization_servers": ["https://a.example.com"], "providers": [{"name": "a", "issuer": "https://a.example.com", "local_jwks": {}}], "claim_to_headers": [{"header": "x-sub"}]}`, want: `config: claim_to_headers[0].claim: is required`},
		{name: "claim with a newline", edit: setClaimHeader("sub\n", "x-sub"), want: `config: claim_to_headers[0].claim: "sub\n" must not contain control characters`},
		{name: "header missing", edit: setClaimHeader("sub", ""), want: `config: claim_to_headers[0].header: is required`},
		{name: "header a pseudo-header", edit: setClaimHeader("sub", ":authority"), want: `config: claim_to_headers[0].header: ":authority" is a pseudo-header; claims can only be copied into regular header fields`},
		{name: "header not a token", edit: setClaimHeader("sub", "x mcp subject"), want: `config: claim_to_headers[0].header: "x mcp subject" is not a valid header field name (RFC 9110 token)`},
		{name: "header with a colon", edit: setClaimHeader("sub", "x-sub:"), want: `config: claim_to_headers[0].header: "x-sub:" is not a valid header field name (RFC 9110 token)`},
		{name: "header uppercase", edit: setClaimHeader("sub", "X-MCP-Subject"), want: `config: claim_to_headers[0].header: "X-MCP-Subject" must be lowercase (HTTP/2 and Envoy use lowercase field names)`},
		{name: "header authorization", edit: setClaimHeader("sub", "authorization"), want: `config: claim_to_headers[0].header: "authorization" is reserved: it carries credentials, framing or routing that must not come from a token claim`},
		{name: "header x-forwarded-for", edit: setClaimHeader("sub", "x-forwarded-for"), want: `config: claim_to_headers[0].header: "x-forwarded-for" is reserved: it carries credentials, framing or routing that must not come from a token claim`},
		{name: "header x-envoy prefix", edit: setClaimHeader("sub", "x-envoy-original-path"), want: `config: claim_to_headers[0].header: "x-envoy-original-path" is reserved: Envoy acts on x-envoy-* headers`},
		{name: "header twice", edit: setTop("claim_to_headers", []any{map[string]any{"claim": "sub", "header": "x-id"}, map[string]any{"claim": "client_id", "header": "x-id"}}), want: `config: claim_to_headers[1].header: "x-id" duplicates claim_to_headers[0].header`},

		// auth_mode and API keys. A sha256 value is never repeated in a
		// message: it might be the key itself, pasted by mistake.
		{name: "auth_mode unknown", edit: setTop("auth_mode", "apikey"), want: `config: auth_mode: "apikey" is not an authentication mode; use "oauth", "api_key" or "both"`},
		{name: "auth_mode empty", edit: setTop("auth_mode", ""), want: `config: auth_mode: "" is not an authentication mode; use "oauth", "api_key" or "both"`},
		{name: "auth_mode uppercase", edit: setTop("auth_mode", "OAuth"), want: `config: auth_mode: "OAuth" is not an authentication mode; use "oauth", "api_key" or "both"`},
		{name: "auth_mode a boolean", edit: setTop("auth_mode", true), want: `config: auth_mode: must be a string, got boolean`},
		{name: "api_keys in oauth mode", edit: setTop("api_keys", []any{apiKey("k", hashA)}), want: `config: api_keys: API keys are accepted only with auth_mode "api_key" or "both"; remove them, or set auth_mode`},
		{name: "api_keys empty in oauth mode", edit: setTop("api_keys", []any{}), want: `config: api_keys: API keys are accepted only with auth_mode "api_key" or "both"; remove them, or set auth_mode`},
		{name: "api_key mode without keys", edit: setTop("auth_mode", "api_key"), want: `config: api_keys: auth_mode "api_key" needs at least one API key`},
		{name: "both mode with no keys", edit: withKeys("both"), want: `config: api_keys: auth_mode "both" needs at least one API key`},
		{name: "too many api keys", edit: manyKeys(1001), want: `config: api_keys: at most 1000 API keys are allowed, got 1001`},
		{name: "api_keys an object", edit: editAll(setTop("auth_mode", "both"), setTop("api_keys", apiKey("k", hashA))), want: `config: api_keys: must be an array, got object`},
		{name: "api key unknown field", edit: withKeys("both", map[string]any{"name": "k", "key": "s3cret"}), want: `config: unknown field "key" at api_keys[0]`},
		{name: "api key name missing", edit: withKeys("both", map[string]any{"sha256": hashA}), want: `config: api_keys[0].name: is required`},
		{name: "api key name with a space", edit: withKeys("both", apiKey("ci bot", hashA)), want: `config: api_keys[0].name: "ci bot" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and of the subject sent upstream)`},
		{name: "api key name with a dot", edit: withKeys("both", apiKey("ci.bot", hashA)), want: `config: api_keys[0].name: "ci.bot" must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and of the subject sent upstream)`},
		{name: "api key name twice", edit: withKeys("both", apiKey("k", hashA), apiKey("k", hashB)), want: `config: api_keys[1].name: "k" duplicates api_keys[0].name`},
		{name: "api key sha256 missing", edit: withKeys("both", map[string]any{"name": "k"}), want: `config: api_keys[0].sha256: is required: the hexadecimal SHA-256 of the key (the key itself never goes into the configuration)`},
		{name: "api key sha256 is the key itself", edit: withKeys("both", apiKey("k", "sk_live_51HxYz")), want: `config: api_keys[0].sha256: must be 64 lowercase hexadecimal digits, the SHA-256 of the key (the value is not repeated here: it might be the key itself)`},
		{name: "api key sha256 uppercase", edit: withKeys("both", apiKey("k", strings.ToUpper(hashA))), want: `config: api_keys[0].sha256: must be 64 lowercase hexadecimal digits, the SHA-256 of the key (the value is not repeated here: it might be the key itself)`},
		{name: "api key sha256 too long", edit: withKeys("both", apiKey("k", hashA+"00")), want: `config: api_keys[0].sha256: must be 64 lowercase hexadecimal digits, the SHA-256 of the key (the value is not repeated here: it might be the key itself)`},
		{name: "api key sha256 not hex", edit: withKeys("both", apiKey("k", "g"+hashA[1:])), want: `config: api_keys[0].sha256: must be 64 lowercase hexadecimal digits, the SHA-256 of the key (the value is not repeated here: it might be the key itself)`},
		{name: "api key sha256 twice", edit: withKeys("both", apiKey("a", hashA), apiKey("b", hashB), apiKey("c", hashA)), want: `config: api_keys[2].sha256: duplicates api_keys[0].sha256: one key under two names`},
		{name: "api key scope invalid", edit: withKeys("both", map[string]any{"name": "k", "sha256": hashA, "scopes": []any{"a b"}}), want: `config: api_keys[0].scopes[0]: "a b" is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`},
		{name: "api_key_header authorization", edit: setTop("api_key_header", "authorization"), want: `config: api_key_header: "authorization" is reserved: it carries credentials, framing or routing of its own`},
		{name: "api_key_header cookie", edit: setTop("api_key_header", "cookie"), want: `config: api_key_header: "cookie" is reserved: it carries credentials, framing or routing of its own`},
		{name: "api_key_header empty", edit: setTop("api_key_header", ""), want: `config: api_key_header: is required`},
		{name: "api_key_header uppercase", edit: setTop("api_key_header", "X-Api-Key"), want: `config: api_key_header: "X-Api-Key" must be lowercase (HTTP/2 and Envoy use lowercase field names)`},
		{name: "api_key_header pseudo-header", edit: setTop("api_key_header", ":path"), want: `config: api_key_header: ":path" is a pseudo-header; API keys are read from a regular header field`},
		{name: "api_key_header x-envoy", edit: setTop("api_key_header", "x-envoy-key"), want: `config: api_key_header: "x-envoy-key" is reserved: Envoy acts on x-envoy-* headers`},
		{name: "api_key_header is a claim header", edit: editAll(setClaimHeader("sub", "x-user"), setTop("api_key_header", "x-user")), want: `config: api_key_header: "x-user" duplicates claim_to_headers[0].header`},
		{name: "api_key_header is the default subject header", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("api_key_header", "x-mcp-subject")), want: `config: api_key_header: "x-mcp-subject" is where the filter sends the API key's subject upstream`},
		{name: "subject header carries another claim", edit: editAll(withKeys("api_key", apiKey("k", hashA)), setClaimHeader("client_id", "x-mcp-subject")), want: `config: claim_to_headers[0].header: "x-mcp-subject" carries claim "client_id", but API-key requests send their subject in it; map "sub" to a header, or use another one`},

		// Deprecation headers, for auth_mode both only.
		{name: "deprecation_date in oauth mode", edit: setTop("deprecation_date", "2026-07-01T00:00:00Z"), want: `config: deprecation_date: is only used with auth_mode "both", where API keys are accepted as deprecated`},
		{name: "sunset_date in api_key mode", edit: editAll(withKeys("api_key", apiKey("k", hashA)), setTop("sunset_date", "2026-07-01T00:00:00Z")), want: `config: sunset_date: is only used with auth_mode "both", where API keys are accepted as deprecated`},
		{name: "deprecation_link in oauth mode", edit: setTop("deprecation_link", "https://docs.example.com/migrate"), want: `config: deprecation_link: is only used with auth_mode "both", where API keys are accepted as deprecated`},
		{name: "deprecation_date with an offset", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "2026-07-01T02:00:00+02:00")), want: `config: deprecation_date: must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got "2026-07-01T02:00:00+02:00"`},
		{name: "deprecation_date with fractions", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "2026-07-01T00:00:00.5Z")), want: `config: deprecation_date: must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got "2026-07-01T00:00:00.5Z"`},
		{name: "deprecation_date only a day", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "2026-07-01")), want: `config: deprecation_date: must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got "2026-07-01"`},
		{name: "deprecation_date a number", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", 1782864000)), want: `config: deprecation_date: must be a string, got number`},
		{name: "deprecation_date at the epoch", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "1970-01-01T00:00:00Z")), want: `config: deprecation_date: must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got "1970-01-01T00:00:00Z"`},
		{name: "sunset_date invalid day", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("sunset_date", "2026-02-30T00:00:00Z")), want: `config: sunset_date: must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got "2026-02-30T00:00:00Z"`},
		{name: "sunset before deprecation", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "2026-07-01T00:00:00Z"), setTop("sunset_date", "2026-06-30T23:59:59Z")), want: `config: sunset_date: "2026-06-30T23:59:59Z" is earlier than deprecation_date "2026-07-01T00:00:00Z"; RFC 9745 §4 forbids a Sunset before the Deprecation`},
		{name: "deprecation_link relative", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "/docs/migrate")), want: `config: deprecation_link: "/docs/migrate" must be an absolute URL with a scheme and a host`},
		{name: "deprecation_link over http", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "http://docs.example.com/migrate")), want: `config: deprecation_link: "http://docs.example.com/migrate" must use https (http only for a loopback host during local development)`},
		{name: "deprecation_link with a quote", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", `https://docs.example.com/"x`)), want: `config: deprecation_link: "https://docs.example.com/\"x" must be printable ASCII without spaces, '<', '>', '"' or '\' (percent-encode them): it is sent in a Link header`},
		{name: "deprecation_link closing the reference", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "https://docs.example.com/>; rel=next")), want: `config: deprecation_link: "https://docs.example.com/>; rel=next" must be printable ASCII without spaces, '<', '>', '"' or '\' (percent-encode them): it is sent in a Link header`},
		{name: "deprecation_link with userinfo", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "https://u:p@docs.example.com/")), want: `config: deprecation_link: "https://u:p@docs.example.com/" must not contain userinfo`},
		{name: "deprecation_link empty", edit: editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "")), want: `config: deprecation_link: is required`},

		// log_level.
		{name: "log_level unknown", edit: setTop("log_level", "trace"), want: `config: log_level: "trace" is not a log level; use "debug", "info", "warn" or "error"`},
		{name: "log_level warning", edit: setTop("log_level", "warning"), want: `config: log_level: "warning" is not a log level; use "debug", "info", "warn" or "error"`},
		{name: "log_level a number", edit: setTop("log_level", 2), want: `config: log_level: must be a string, got number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.edit != nil {
				data = build(t, tt.edit)
			}
			c, err := Parse(data)
			if err == nil {
				t.Fatalf("Parse accepted %s as %+v", data, c)
			}
			if c != nil {
				t.Errorf("Parse returned a Config together with an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse error\n got %s\nwant %s", got, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans more than one line: %q", err.Error())
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid")
			}
		})
	}
}

// Every reserved header is refused, not just the ones with their own row.
func TestParseRefusesEveryReservedHeader(t *testing.T) {
	for _, h := range []string{
		"authorization", "host", "content-length", "content-type", "transfer-encoding",
		"connection", "te", "upgrade", "cookie", "proxy-authorization",
		"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "x-api-key",
		"x-envoy-", "x-envoy-expected-rq-timeout-ms",
	} {
		_, err := Parse(build(t, setClaimHeader("sub", h)))
		if err == nil || !strings.HasPrefix(err.Error(), `config: claim_to_headers[0].header: "`+h+`" is reserved`) {
			t.Errorf("header %q: got %v, want it refused as reserved", h, err)
		}
	}
}

// manyKeys configures n distinct API keys.
func manyKeys(n int) edit {
	keys := make([]map[string]any, n)
	for i := range keys {
		keys[i] = apiKey(fmt.Sprintf("k%d", i), fmt.Sprintf("%064x", i))
	}
	return withKeys("both", keys...)
}
