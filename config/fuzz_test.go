package config

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that an error is one line
// wrapping nothing but ErrInvalid's chain, and that whatever Parse accepts
// satisfies the documented invariants and survives a round trip through
// JSON unchanged.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `{"resource":1}`, `{"a":1,"a":2}`, `{} {}`,
		`{"resource":"https://x/","authorization_servers":["https://a"],"providers":[{"name":"a","issuer":"https://a","local_jwks":{}}],"rules":[{"path":"/"}]}`,
		`{"providers":[{"local_jwks":{"keys":[{"n":"1","n":"2"}]}}]}`,
		`{"rules":[{"path_prefix":"/a","exact_path":"/b"}]}`,
		`{"max_token_bytes":1e999}`,
		`{"auth_mode":"both","api_keys":[{"name":"a","sha256":"` + strings.Repeat("ab", 32) + `"}],"sunset_date":"2026-01-01T00:00:00Z"}`,
		`{"log_level":"debug","api_key_header":"x-api-key","deprecation_link":"https://x/#a"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned a Config with an error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "config: ") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error is not one line starting with %q: %q", "config: ", msg)
			}
			return
		}
		checkInvariants(t, c)
		again, err := Parse(encode(t, c))
		if err != nil {
			t.Fatalf("re-parsing an accepted configuration: %v", err)
		}
		if !reflect.DeepEqual(normalised(again), normalised(c)) {
			t.Fatalf("round trip changed the configuration:\n got %s\nwant %s", dump(again), dump(c))
		}
	})
}

// checkInvariants re-states what Parse promises about a Config it returns.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	if err := checkResourceURL("resource", c.Resource); err != nil {
		t.Fatalf("accepted resource: %v", err)
	}
	if !strings.HasPrefix(c.MetadataPath(), WellKnownMetadataPath) || !strings.HasSuffix(c.MetadataURL(), c.MetadataPath()) {
		t.Fatalf("metadata location %q / %q", c.MetadataPath(), c.MetadataURL())
	}
	if len(c.AuthorizationServers) == 0 || len(c.Providers) == 0 {
		t.Fatal("accepted a configuration without authorization servers or providers")
	}
	if c.MaxTokenBytes < 512 || c.MaxTokenBytes > 65536 {
		t.Fatalf("MaxTokenBytes %d", c.MaxTokenBytes)
	}
	for i, p := range c.Providers {
		if (p.RemoteJWKS == nil) == (p.LocalJWKS == nil) {
			t.Fatalf("providers[%d] has not exactly one key source", i)
		}
		if p.LocalJWKS != nil && (!json.Valid(p.LocalJWKS) || p.LocalJWKS[0] != '{') {
			t.Fatalf("providers[%d].LocalJWKS is not a JSON object: %q", i, p.LocalJWKS)
		}
		if r := p.RemoteJWKS; r != nil && (r.Cluster == "" || r.Authority == "" || !strings.HasPrefix(r.Path, "/") ||
			r.Timeout < 100*time.Millisecond || r.Timeout > time.Minute || r.RefreshInterval < 10*time.Second || r.RefreshInterval > 24*time.Hour) {
			t.Fatalf("providers[%d].RemoteJWKS %+v", i, *r)
		}
		if len(p.Audiences) == 0 || len(p.Algorithms) == 0 || !isProviderName(p.Name) || p.Issuer == "" {
			t.Fatalf("providers[%d] %+v", i, p)
		}
		for _, alg := range p.Algorithms {
			if !contains(DefaultAlgorithms(), alg) {
				t.Fatalf("providers[%d] accepts algorithm %q", i, alg)
			}
		}
		if p.ClockSkew < 0 || p.ClockSkew > time.Minute || p.MaxTokenLifetime < 0 || p.MaxTokenLifetime > 24*time.Hour {
			t.Fatalf("providers[%d] durations %v %v", i, p.ClockSkew, p.MaxTokenLifetime)
		}
	}
	for i, r := range c.Rules {
		named := 0
		for _, p := range []string{r.PathPrefix, r.Path, r.ExactPath} {
			if p != "" {
				named++
				if p[0] != '/' {
					t.Fatalf("rules[%d] path %q", i, p)
				}
			}
		}
		if named != 1 || r.AllowAnonymous && len(r.RequiredScopes) > 0 {
			t.Fatalf("rules[%d] %+v", i, r)
		}
	}
	for i, h := range c.ClaimToHeaders {
		if h.Claim == "" || headerProblem(h.Header) != "" {
			t.Fatalf("claim_to_headers[%d] %+v", i, h)
		}
	}
	checkAuthInvariants(t, c)
}

// checkAuthInvariants re-states what Parse promises about the
// authentication mode, API keys, deprecation headers and log level.
func checkAuthInvariants(t *testing.T, c *Config) {
	t.Helper()
	switch c.AuthMode {
	case AuthModeOAuth, AuthModeAPIKey, AuthModeBoth:
	default:
		t.Fatalf("AuthMode %q", c.AuthMode)
	}
	if c.AuthMode.AcceptsAPIKeys() != (len(c.APIKeys) > 0) || len(c.APIKeys) > MaxAPIKeys {
		t.Fatalf("auth mode %q with %d API keys", c.AuthMode, len(c.APIKeys))
	}
	names, digests := map[string]bool{}, map[[32]byte]bool{}
	for i, k := range c.APIKeys {
		if !isProviderName(k.Name) || names[k.Name] || digests[k.SHA256] {
			t.Fatalf("api_keys[%d] %q", i, k.Name)
		}
		names[k.Name], digests[k.SHA256] = true, true
	}
	if apiKeyHeaderProblem(c.APIKeyHeader) != "" {
		t.Fatalf("APIKeyHeader %q", c.APIKeyHeader)
	}
	if c.AuthMode.AcceptsAPIKeys() && c.APIKeyHeader == c.SubjectHeader() {
		t.Fatalf("API keys are read from the subject header %q", c.APIKeyHeader)
	}
	deprecation := !c.DeprecationDate.IsZero() || !c.SunsetDate.IsZero() || c.DeprecationLink != ""
	if deprecation && c.AuthMode != AuthModeBoth || !c.SunsetDate.IsZero() && c.SunsetDate.Before(c.DeprecationDate) {
		t.Fatalf("deprecation %v, sunset %v, link %q in mode %q", c.DeprecationDate, c.SunsetDate, c.DeprecationLink, c.AuthMode)
	}
	if c.LogLevel < LogDebug || c.LogLevel > LogError {
		t.Fatalf("LogLevel %d", c.LogLevel)
	}
}

// encode writes a Config back in the configuration format.
func encode(t *testing.T, c *Config) []byte {
	t.Helper()
	doc := map[string]any{
		"resource":              c.Resource,
		"authorization_servers": c.AuthorizationServers,
		"max_token_bytes":       c.MaxTokenBytes,
		"forward_token":         c.ForwardToken,
	}
	if c.ResourceName != "" {
		doc["resource_name"] = c.ResourceName
	}
	if c.ScopesSupported != nil {
		doc["scopes_supported"] = c.ScopesSupported
	}
	var providers []any
	for _, p := range c.Providers {
		m := map[string]any{
			"name":                      p.Name,
			"issuer":                    p.Issuer,
			"audiences":                 p.Audiences,
			"algorithms":                p.Algorithms,
			"clock_skew_s":              int64(p.ClockSkew / time.Second),
			"require_access_token_type": p.RequireAccessTokenType,
			"max_token_lifetime_s":      int64(p.MaxTokenLifetime / time.Second),
		}
		if p.LocalJWKS != nil {
			m["local_jwks"] = p.LocalJWKS
		}
		if r := p.RemoteJWKS; r != nil {
			m["remote_jwks"] = map[string]any{
				"cluster":            r.Cluster,
				"authority":          r.Authority,
				"path":               r.Path,
				"timeout_ms":         r.Timeout.Milliseconds(),
				"refresh_interval_s": int64(r.RefreshInterval / time.Second),
			}
		}
		providers = append(providers, m)
	}
	doc["providers"] = providers
	var rules []any
	for _, r := range c.Rules {
		m := map[string]any{"allow_anonymous": r.AllowAnonymous}
		for name, value := range map[string]string{"path_prefix": r.PathPrefix, "path": r.Path, "exact_path": r.ExactPath} {
			if value != "" {
				m[name] = value
			}
		}
		if r.Methods != nil {
			m["methods"] = r.Methods
		}
		if r.RequiredScopes != nil {
			m["required_scopes"] = r.RequiredScopes
		}
		rules = append(rules, m)
	}
	if rules != nil {
		doc["rules"] = rules
	}
	var headers []any
	for _, h := range c.ClaimToHeaders {
		headers = append(headers, map[string]any{"claim": h.Claim, "header": h.Header})
	}
	if headers != nil {
		doc["claim_to_headers"] = headers
	}
	doc["token_cache"] = map[string]any{
		"max_entries": c.TokenCache.MaxEntries,
		"max_bytes":   c.TokenCache.MaxBytes,
		"max_age_s":   int64(c.TokenCache.MaxAge / time.Second),
	}
	doc["auth_mode"] = string(c.AuthMode)
	doc["api_key_header"] = c.APIKeyHeader
	doc["log_level"] = c.LogLevel.String()
	if c.APIKeys != nil {
		var keys []any
		for _, k := range c.APIKeys {
			m := map[string]any{"name": k.Name, "sha256": hex.EncodeToString(k.SHA256[:])}
			if k.Scopes != nil {
				m["scopes"] = k.Scopes
			}
			keys = append(keys, m)
		}
		doc["api_keys"] = keys
	}
	for name, t := range map[string]time.Time{"deprecation_date": c.DeprecationDate, "sunset_date": c.SunsetDate} {
		if !t.IsZero() {
			doc[name] = t.Format(rfc3339UTC)
		}
	}
	if c.DeprecationLink != "" {
		doc["deprecation_link"] = c.DeprecationLink
	}
	// Without HTML escaping, so that inline key sets keep their strings'
	// escapes and the comparison below only needs to compact them.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// normalised compacts inline key sets, whose bytes Parse keeps as written
// but json.Marshal rewrites.
func normalised(c *Config) *Config {
	out := *c
	out.Providers = append([]Provider(nil), c.Providers...)
	for i, p := range out.Providers {
		if p.LocalJWKS != nil {
			var buf bytes.Buffer
			if err := json.Compact(&buf, p.LocalJWKS); err == nil {
				out.Providers[i].LocalJWKS = buf.Bytes()
			}
		}
	}
	return &out
}
