package config

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseTestdata(t *testing.T) {
	local := readTestdata(t, "local-development.json")
	inlineKeys := local[bytes.Index(local, []byte(`{"keys"`)) : bytes.LastIndex(local, []byte("]}"))+2]

	tests := []struct {
		file string
		want *Config
	}{
		{
			// The documented example: every member given, defaults only
			// where it leaves something out.
			file: "example.json",
			want: &Config{
				Resource:             "https://mcp.example.com/mcp",
				ResourceName:         "Example MCP server",
				AuthorizationServers: []string{"https://auth.example.com"},
				ScopesSupported:      []string{"mcp:tools:read", "mcp:tools:write"},
				Providers: []Provider{{
					Name:       "example",
					Issuer:     "https://auth.example.com",
					Audiences:  []string{"https://mcp.example.com/mcp"},
					Algorithms: []string{"RS256", "ES256"},
					RemoteJWKS: &RemoteJWKS{
						Cluster:         "auth_server",
						Authority:       "auth.example.com",
						Path:            "/.well-known/jwks.json",
						Timeout:         5 * time.Second,
						RefreshInterval: 300 * time.Second,
					},
					ClockSkew: 60 * time.Second,
				}},
				Rules: []Rule{
					{PathPrefix: "/healthz", AllowAnonymous: true},
					{PathPrefix: "/mcp", Methods: []string{"POST"}, RequiredScopes: []string{"mcp:tools:read"}},
				},
				ClaimToHeaders: []ClaimToHeader{{Claim: "sub", Header: "x-mcp-subject"}},
				MaxTokenBytes:  8192,
				TokenCache:     defaultCache,
				AuthMode:       AuthModeOAuth,
				APIKeyHeader:   DefaultAPIKeyHeader,
			},
		},
		{
			// Only required members: every default shows.
			file: "minimal.json",
			want: &Config{
				Resource:             "https://mcp.example.com/mcp",
				AuthorizationServers: []string{"https://auth.example.com"},
				Providers: []Provider{{
					Name:       "example",
					Issuer:     "https://auth.example.com",
					Audiences:  []string{"https://mcp.example.com/mcp"},
					Algorithms: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"},
					RemoteJWKS: &RemoteJWKS{
						Cluster:         "auth_server",
						Authority:       "auth.example.com",
						Path:            "/.well-known/jwks.json",
						Timeout:         5 * time.Second,
						RefreshInterval: 300 * time.Second,
					},
					ClockSkew: 60 * time.Second,
				}},
				MaxTokenBytes: 8192,
				TokenCache:    defaultCache,
				AuthMode:      AuthModeOAuth,
				APIKeyHeader:  DefaultAPIKeyHeader,
			},
		},
		{
			file: "istio-two-providers.json",
			want: &Config{
				Resource:             "https://tools.example.com/public/mcp",
				ResourceName:         "Team tools",
				AuthorizationServers: []string{"https://login.example.com/realms/tools", "https://accounts.partner.example"},
				ScopesSupported:      []string{"mcp:tools:read", "mcp:tools:write", "offline_access"},
				Providers: []Provider{
					{
						Name:       "keycloak",
						Issuer:     "https://login.example.com/realms/tools",
						Audiences:  []string{"https://tools.example.com/public/mcp", "tools-mcp"},
						Algorithms: []string{"RS256", "PS256"},
						RemoteJWKS: &RemoteJWKS{
							Cluster:         "outbound|443||login.example.com",
							Authority:       "login.example.com",
							Path:            "/realms/tools/protocol/openid-connect/certs",
							Timeout:         2 * time.Second,
							RefreshInterval: 10 * time.Minute,
						},
						ClockSkew:              30 * time.Second,
						RequireAccessTokenType: true,
						MaxTokenLifetime:       time.Hour,
					},
					{
						Name:       "partner",
						Issuer:     "https://accounts.partner.example",
						Audiences:  []string{"https://tools.example.com/public/mcp"},
						Algorithms: []string{"ES256"},
						RemoteJWKS: &RemoteJWKS{
							Cluster:         "outbound|443||accounts.partner.example",
							Authority:       "accounts.partner.example:443",
							Path:            "/oauth2/v1/keys?client=tools",
							Timeout:         5 * time.Second,
							RefreshInterval: 300 * time.Second,
						},
						ClockSkew: 60 * time.Second,
					},
				},
				Rules: []Rule{
					{ExactPath: "/healthz", Methods: []string{"GET"}, AllowAnonymous: true},
					{PathPrefix: "/public/mcp", Methods: []string{"OPTIONS"}, AllowAnonymous: true},
					{PathPrefix: "/public/mcp", Methods: []string{"POST", "GET", "DELETE"}, RequiredScopes: []string{"mcp:tools:read"}},
				},
				ClaimToHeaders: []ClaimToHeader{
					{Claim: "sub", Header: "x-mcp-subject"},
					{Claim: "client_id", Header: "x-mcp-client-id"},
				},
				MaxTokenBytes: 16384,
				TokenCache:    defaultCache,
				AuthMode:      AuthModeOAuth,
				APIKeyHeader:  DefaultAPIKeyHeader,
			},
		},
		{
			// Local development: http on loopback hosts, keys inline and
			// kept byte for byte as written.
			file: "local-development.json",
			want: &Config{
				Resource:             "http://localhost:8080/mcp",
				AuthorizationServers: []string{"http://127.0.0.1:9000"},
				Providers: []Provider{{
					Name:       "dev",
					Issuer:     "http://127.0.0.1:9000",
					Audiences:  []string{"http://localhost:8080/mcp"},
					Algorithms: []string{"ES256"},
					LocalJWKS:  json.RawMessage(inlineKeys),
					ClockSkew:  60 * time.Second,
				}},
				MaxTokenBytes: 8192,
				TokenCache:    defaultCache,
				AuthMode:      AuthModeOAuth,
				APIKeyHeader:  DefaultAPIKeyHeader,
			},
		},
		{
			// Migration mode: both credentials, deprecation headers, keys
			// as digests only, a custom key header and subject header.
			file: "api-keys.json",
			want: &Config{
				Resource:             "https://mcp.example.com/mcp",
				AuthorizationServers: []string{"https://auth.example.com"},
				Providers: []Provider{{
					Name:       "example",
					Issuer:     "https://auth.example.com",
					Audiences:  []string{"https://mcp.example.com/mcp"},
					Algorithms: DefaultAlgorithms(),
					RemoteJWKS: &RemoteJWKS{
						Cluster:         "auth_server",
						Authority:       "auth.example.com",
						Path:            "/.well-known/jwks.json",
						Timeout:         5 * time.Second,
						RefreshInterval: 300 * time.Second,
					},
					ClockSkew: 60 * time.Second,
				}},
				Rules:          []Rule{{PathPrefix: "/mcp", RequiredScopes: []string{"mcp:tools:read"}}},
				ClaimToHeaders: []ClaimToHeader{{Claim: "sub", Header: "x-user"}},
				MaxTokenBytes:  8192,
				TokenCache:     defaultCache,
				AuthMode:       AuthModeBoth,
				APIKeys: []APIKey{
					{Name: "ci-bot", SHA256: digest("8d3b6f6f6a1fd6f4c0e1a6d8ad8e1f3c7b9b2cbd0c5e3e6d1c3a2b4f5e6d7c8b"), Scopes: []string{"mcp:tools:read"}},
					{Name: "nightly-report", SHA256: [32]byte{31: 1}},
				},
				APIKeyHeader:    "x-mcp-key",
				DeprecationDate: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
				SunsetDate:      time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
				DeprecationLink: "https://docs.example.com/mcp/oauth-migration#api-keys",
				LogLevel:        LogWarn,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

// TestParseAccepts covers values at the edges of what is allowed, each
// checked through the field it lands in.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		edit  edit
		check func(*Config) any
		want  any
	}{
		{"http on localhost", setTop("resource", "http://localhost/mcp"), func(c *Config) any { return c.Resource }, "http://localhost/mcp"},
		{"http on 127.0.0.0/8", setTop("authorization_servers", []any{"http://127.9.8.7:9000"}), func(c *Config) any { return c.AuthorizationServers }, []string{"http://127.9.8.7:9000"}},
		{"http on [::1]", setProvider("issuer", "http://[::1]:9000/realms/x"), func(c *Config) any { return c.Providers[0].Issuer }, "http://[::1]:9000/realms/x"},
		{"resource with port and trailing slash", setTop("resource", "https://mcp.example.com:8443/mcp/"), func(c *Config) any { return c.Resource }, "https://mcp.example.com:8443/mcp/"},
		{"resource path keeps its case", setTop("resource", "https://mcp.example.com/MCP"), func(c *Config) any { return c.Resource }, "https://mcp.example.com/MCP"},
		{"issuer keeps its case", setProvider("issuer", "https://Auth.Example.com"), func(c *Config) any { return c.Providers[0].Issuer }, "https://Auth.Example.com"},
		{"empty resource_name is absent", setTop("resource_name", ""), func(c *Config) any { return c.ResourceName }, ""},
		{"empty scopes_supported", setTop("scopes_supported", []any{}), func(c *Config) any { return c.ScopesSupported }, []string{}},
		{"max_token_bytes lowest", setTop("max_token_bytes", 512), func(c *Config) any { return c.MaxTokenBytes }, 512},
		{"max_token_bytes highest", setTop("max_token_bytes", 65536), func(c *Config) any { return c.MaxTokenBytes }, 65536},
		{"token cache off", setTop("token_cache", map[string]any{"max_entries": 0}), func(c *Config) any { return c.TokenCache }, TokenCache{MaxEntries: 0, MaxBytes: DefaultCacheBytes, MaxAge: DefaultCacheMaxAge}},
		{"token cache limits", setTop("token_cache", map[string]any{"max_entries": 10, "max_bytes": 2048, "max_age_s": 60}), func(c *Config) any { return c.TokenCache }, TokenCache{MaxEntries: 10, MaxBytes: 2048, MaxAge: time.Minute}},
		{"forward_token", setTop("forward_token", true), func(c *Config) any { return c.ForwardToken }, true},
		{"clock skew zero", setProvider("clock_skew_s", 0), func(c *Config) any { return c.Providers[0].ClockSkew }, time.Duration(0)},
		{"max token lifetime highest", setProvider("max_token_lifetime_s", 86400), func(c *Config) any { return c.Providers[0].MaxTokenLifetime }, 24 * time.Hour},
		{"require_access_token_type", setProvider("require_access_token_type", true), func(c *Config) any { return c.Providers[0].RequireAccessTokenType }, true},
		{"every default algorithm", setProvider("algorithms", []any{"EdDSA", "ES512", "PS384"}), func(c *Config) any { return c.Providers[0].Algorithms }, []string{"EdDSA", "ES512", "PS384"}},
		{"timeout lowest", setRemote("timeout_ms", 100), func(c *Config) any { return c.Providers[0].RemoteJWKS.Timeout }, 100 * time.Millisecond},
		{"timeout highest", setRemote("timeout_ms", 60000), func(c *Config) any { return c.Providers[0].RemoteJWKS.Timeout }, time.Minute},
		{"refresh lowest", setRemote("refresh_interval_s", 10), func(c *Config) any { return c.Providers[0].RemoteJWKS.RefreshInterval }, 10 * time.Second},
		{"refresh highest", setRemote("refresh_interval_s", 86400), func(c *Config) any { return c.Providers[0].RemoteJWKS.RefreshInterval }, 24 * time.Hour},
		{"istio cluster name", setRemote("cluster", "outbound|443||auth.example.com"), func(c *Config) any { return c.Providers[0].RemoteJWKS.Cluster }, "outbound|443||auth.example.com"},
		{"authority with port", setRemote("authority", "auth.example.com:8443"), func(c *Config) any { return c.Providers[0].RemoteJWKS.Authority }, "auth.example.com:8443"},
		{"authority IPv6 with port", setRemote("authority", "[2001:db8::1]:8443"), func(c *Config) any { return c.Providers[0].RemoteJWKS.Authority }, "[2001:db8::1]:8443"},
		{"authority IPv4", setRemote("authority", "10.0.0.1"), func(c *Config) any { return c.Providers[0].RemoteJWKS.Authority }, "10.0.0.1"},
		{"jwks path with query", setRemote("path", "/keys?tenant=a&v=2"), func(c *Config) any { return c.Providers[0].RemoteJWKS.Path }, "/keys?tenant=a&v=2"},
		{"local_jwks instead of remote_jwks", editAll(setProvider("remote_jwks", nil), setProvider("local_jwks", json.RawMessage(`{"keys":[]}`))), func(c *Config) any { return c.Providers[0] }, Provider{
			Name: "example", Issuer: "https://auth.example.com", Audiences: []string{"https://mcp.example.com/mcp"}, Algorithms: DefaultAlgorithms(),
			LocalJWKS: json.RawMessage(`{"keys":[]}`), ClockSkew: time.Minute,
		}},
		{"exact_path with query", setTop("rules", []any{map[string]any{"exact_path": "/mcp?debug=1"}}), func(c *Config) any { return c.Rules }, []Rule{{ExactPath: "/mcp?debug=1"}}},
		{"path", setTop("rules", []any{map[string]any{"path": "/mcp", "methods": []any{"M-SEARCH"}}}), func(c *Config) any { return c.Rules }, []Rule{{Path: "/mcp", Methods: []string{"M-SEARCH"}}}},
		{"empty required_scopes with allow_anonymous", setTop("rules", []any{map[string]any{"path": "/", "allow_anonymous": true, "required_scopes": []any{}}}), func(c *Config) any { return c.Rules }, []Rule{{Path: "/", AllowAnonymous: true, RequiredScopes: []string{}}}},
		{"empty rules", setTop("rules", []any{}), func(c *Config) any { return c.Rules }, []Rule(nil)},
		{"claim into a custom header", setTop("claim_to_headers", []any{map[string]any{"claim": "org.id", "header": "x-org_id.v1"}}), func(c *Config) any { return c.ClaimToHeaders }, []ClaimToHeader{{Claim: "org.id", Header: "x-org_id.v1"}}},
		{"provider name longest", setProvider("name", "a1234567890123456789012345678901234567890123456789012345678901b"), func(c *Config) any { return c.Providers[0].Name }, "a1234567890123456789012345678901234567890123456789012345678901b"},
		{"provider name with digits, dash and underscore", setProvider("name", "0idp_eu-1"), func(c *Config) any { return c.Providers[0].Name }, "0idp_eu-1"},

		// Authentication modes, API keys, deprecation headers, log level.
		{"auth_mode oauth explicitly", setTop("auth_mode", "oauth"), func(c *Config) any { return c.AuthMode }, AuthModeOAuth},
		{"auth_mode api_key", withKeys("api_key", apiKey("ci-bot", hashA)), func(c *Config) any { return c.APIKeys }, []APIKey{{Name: "ci-bot", SHA256: digest(hashA)}}},
		{"auth_mode both", withKeys("both", apiKey("ci-bot", hashA)), func(c *Config) any { return c.AuthMode }, AuthModeBoth},
		{"api key scopes", withKeys("both", map[string]any{"name": "k", "sha256": hashA, "scopes": []any{"mcp:tools:read"}}), func(c *Config) any { return c.APIKeys[0].Scopes }, []string{"mcp:tools:read"}},
		{"api key header in oauth mode names the header removed", setTop("api_key_header", "x-legacy-key"), func(c *Config) any { return c.APIKeyHeader }, "x-legacy-key"},
		{"api key header x-api-key explicitly", setTop("api_key_header", "x-api-key"), func(c *Config) any { return c.APIKeyHeader }, "x-api-key"},
		{"subject header defaults to x-mcp-subject", withKeys("both", apiKey("k", hashA)), func(c *Config) any { return c.SubjectHeader() }, "x-mcp-subject"},
		{"subject header follows the sub claim", editAll(withKeys("both", apiKey("k", hashA)), setClaimHeader("sub", "x-user")), func(c *Config) any { return c.SubjectHeader() }, "x-user"},
		{"x-mcp-subject may carry another claim without API keys", setClaimHeader("client_id", "x-mcp-subject"), func(c *Config) any { return c.ClaimToHeaders }, []ClaimToHeader{{Claim: "client_id", Header: "x-mcp-subject"}}},
		{"sunset equal to deprecation", editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_date", "2026-07-01T00:00:00Z"), setTop("sunset_date", "2026-07-01T00:00:00Z")), func(c *Config) any { return c.SunsetDate }, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"sunset without deprecation date", editAll(withKeys("both", apiKey("k", hashA)), setTop("sunset_date", "2027-01-01T00:00:00Z")), func(c *Config) any { return []time.Time{c.DeprecationDate, c.SunsetDate} }, []time.Time{{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"deprecation link on loopback over http", editAll(withKeys("both", apiKey("k", hashA)), setTop("deprecation_link", "http://localhost:8000/migrate?lang=en")), func(c *Config) any { return c.DeprecationLink }, "http://localhost:8000/migrate?lang=en"},
		{"log level debug", setTop("log_level", "debug"), func(c *Config) any { return c.LogLevel }, LogDebug},
		{"log level error", setTop("log_level", "error"), func(c *Config) any { return c.LogLevel }, LogError},
		{"log level default", setTop("log_level", nil), func(c *Config) any { return c.LogLevel.String() }, "info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(build(t, tt.edit))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tt.check(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseMatchesMemberNamesAfterUnescaping(t *testing.T) {
	data := bytes.Replace(readTestdata(t, "minimal.json"), []byte(`"resource"`), []byte(`"reso\u0075rce"`), 1)
	c, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Resource != "https://mcp.example.com/mcp" {
		t.Errorf("Resource = %q", c.Resource)
	}
}

func TestParseErrorsWrapErrInvalid(t *testing.T) {
	for _, in := range []string{``, `{`, `{"x":1}`, `{"resource":1}`, `{}`} {
		_, err := Parse([]byte(in))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want an error wrapping ErrInvalid", in, err)
		}
	}
}

func TestDefaultAlgorithmsReturnsAFreshSlice(t *testing.T) {
	DefaultAlgorithms()[0] = "HS256"
	if got := DefaultAlgorithms()[0]; got != "RS256" {
		t.Fatalf("DefaultAlgorithms()[0] = %q after a caller changed its copy", got)
	}
	c, err := Parse(readTestdata(t, "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	c.Providers[0].Algorithms[0] = "changed"
	if got := DefaultAlgorithms()[0]; got != "RS256" {
		t.Fatalf("DefaultAlgorithms()[0] = %q after a Config was changed", got)
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

var defaultCache = TokenCache{MaxEntries: DefaultCacheEntries, MaxBytes: DefaultCacheBytes, MaxAge: DefaultCacheMaxAge}

func digest(s string) [32]byte {
	var d [32]byte
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		panic(err)
	}
	return d
}
