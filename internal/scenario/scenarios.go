package scenario

import (
	"encoding/json"
	"strings"
	"time"
)

// Scenario is one behaviour of the filter, run against any Driver.
type Scenario struct {
	Name string
	Run  func(e *Env)
}

const mcpScope = "mcp:tools:read"

func missingChallenge(scope string) string {
	if scope == "" {
		return `Bearer resource_metadata="` + MetadataURL + `"`
	}
	return `Bearer scope="` + scope + `", resource_metadata="` + MetadataURL + `"`
}

// InvalidToken requires a 401 invalid_token reply whose challenge carries a
// description (and the description wantDesc when not empty), scope and
// resource_metadata.
func (e *Env) InvalidToken(s Stream, scope, wantDesc string) {
	e.T.Helper()
	rep := e.Replied(s, 401)
	got, _ := Header(rep.Headers, "www-authenticate")
	prefix := `Bearer error="invalid_token", error_description="`
	suffix := `resource_metadata="` + MetadataURL + `"`
	if scope != "" {
		suffix = `scope="` + scope + `", ` + suffix
	}
	if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, `", `+suffix) {
		e.T.Fatalf("www-authenticate %q: want %s…%s", got, prefix, suffix)
	}
	desc := strings.TrimSuffix(strings.TrimPrefix(got, prefix), `", `+suffix)
	if wantDesc != "" && desc != wantDesc {
		e.T.Fatalf("error_description %q, want %q", desc, wantDesc)
	}
	e.Challenge(s, 401, got, "invalid_token")
}

// started runs the base configuration and serves the JWKS with rsa-1, ec-1, ed-1.
func started(e *Env, cfg string) {
	e.Start(cfg)
	e.ServeJWKS("rsa-1", "ec-1", "ed-1")
}

// All is the filter's scenario table.
func All() []Scenario {
	return []Scenario{
		{"metadata document at the path-inserted location", func(e *Env) {
			started(e, BaseConfig)
			rep := e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource/mcp"), 200)
			checkMetadata(e, rep)
		}},
		{"metadata document at the root location", func(e *Env) {
			started(e, BaseConfig)
			checkMetadata(e, e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource"), 200))
		}},
		{"metadata CORS preflight", func(e *Env) {
			started(e, BaseConfig)
			rep := e.Replied(e.Send("OPTIONS", "/.well-known/oauth-protected-resource/mcp",
				[2]string{"origin", "http://localhost:6274"}, [2]string{"access-control-request-method", "GET"}), 204)
			if v, _ := Header(rep.Headers, "access-control-allow-origin"); v != "*" {
				e.T.Fatalf("access-control-allow-origin = %q", v)
			}
		}},
		{"metadata needs no token even before keys exist", func(e *Env) {
			e.Start(BaseConfig)
			checkMetadata(e, e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource/mcp"), 200))
		}},
		{"missing token: 401 with resource_metadata and the rule's scope, no error", func(e *Env) {
			started(e, BaseConfig)
			rep := e.Challenge(e.Send("POST", "/mcp"), 401, missingChallenge(mcpScope), "unauthorized")
			if v, _ := Header(rep.Headers, "access-control-expose-headers"); !strings.Contains(v, "WWW-Authenticate") {
				e.T.Fatalf("access-control-expose-headers = %q", v)
			}
		}},
		{"missing token on an unmatched path: 401 without scope (secure default)", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("GET", "/other"), 401, missingChallenge(""), "unauthorized")
		}},
		{"rule methods: GET /mcp falls to the default rule", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("GET", "/mcp"), 401, missingChallenge(""), "unauthorized")
		}},
		{"another scheme counts as no token", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("POST", "/mcp", [2]string{"authorization", "Basic dXNlcjpwYXNz"}), 401, missingChallenge(mcpScope), "unauthorized")
		}},
		{"valid token: forwarded without Authorization, identity headers set, spoofed copies removed", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", "mcp:tools:read mcp:tools:write")
			// Twice: validated, then from the cache; each time with two
			// spoofed copies, which the set identity header must replace.
			for range 2 {
				up := e.Forwarded(e.Send("POST", "/mcp", Bearer(tok), [2]string{"x-mcp-subject", "admin"},
					[2]string{"x-mcp-client", "evil"}, [2]string{"x-mcp-subject", "root"}))
				if _, ok := Header(up, "authorization"); ok {
					e.T.Fatal("authorization header forwarded upstream")
				}
				if v, _ := Header(up, "x-mcp-subject"); v != "user-123" {
					e.T.Fatalf("x-mcp-subject = %q, want user-123", v)
				}
				if v, _ := Header(up, "x-mcp-client"); v != "client-abc" {
					e.T.Fatalf("x-mcp-client = %q, want client-abc", v)
				}
				if n, m := countHeader(up, "x-mcp-subject"), countHeader(up, "x-mcp-client"); n != 1 || m != 1 {
					e.T.Fatalf("x-mcp-subject appears %d times, x-mcp-client %d", n, m)
				}
			}
			e.NoLogContains(tok)
			e.NoLogContains(tok[len(tok)-20:])
		}},
		{"ES256 and EdDSA tokens are accepted", func(e *Env) {
			started(e, BaseConfig)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("ec-1", mcpScope))))
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("ed-1", mcpScope))))
		}},
		{"scheme name is case-insensitive", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", [2]string{"authorization", "bearer " + tok}))
			e.Forwarded(e.Send("POST", "/mcp", [2]string{"authorization", "BEARER " + tok}))
		}},
		{"scopes from scp array are recognised", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), Resource, "")
			delete(c, "scope")
			c["scp"] = []string{"mcp:tools:read"}
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))))
		}},
		{"insufficient scope: 403 with the rule's scopes", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", "mcp:tools:read")
			want := `Bearer error="insufficient_scope", error_description="token lacks the scopes this request needs", scope="mcp:tools:read mcp:tools:write", resource_metadata="` + MetadataURL + `"`
			e.Challenge(e.Send("GET", "/admin/x", Bearer(tok)), 403, want, "insufficient_scope")
		}},
		{"expired token: 401 invalid_token", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now().Add(-3*time.Hour), Resource, mcpScope)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "")
		}},
		{"expired within clock skew is accepted, beyond is refused", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), Resource, mcpScope)
			c["exp"] = e.D.Now().Add(-30 * time.Second).Unix()
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))))
			c["exp"] = e.D.Now().Add(-90 * time.Second).Unix()
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "")
		}},
		{"token expires while time passes", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope) // exp = now+1h
			e.Forwarded(e.Send("POST", "/mcp", Bearer(tok)))
			e.D.Advance(time.Hour + 2*time.Minute)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(tok)), mcpScope, "")
		}},
		{"nbf in the future: 401", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), Resource, mcpScope)
			c["nbf"] = e.D.Now().Add(10 * time.Minute).Unix()
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "")
		}},
		{"audience of another resource: 401 (RFC 8707)", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), "https://other.example.com/mcp", mcpScope)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "")
		}},
		{"unknown issuer: 401", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), Resource, mcpScope)
			c["iss"] = "https://evil.example.com"
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "issuer not accepted")
		}},
		{"bad signature: 401", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			forged := e.Other.Mint("rsa-1", e.Issuer.Standard(e.D.Now(), Resource, mcpScope), nil)
			parts := strings.Split(tok, ".")
			fparts := strings.Split(forged, ".")
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(parts[0]+"."+parts[1]+"."+fparts[2])), mcpScope, "")
		}},
		{"malformed token: 401", func(e *Env) {
			started(e, BaseConfig)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer("not.a.jwt")), mcpScope, "")
		}},
		{"alg not allowed for the provider: 401 without any fetch", func(e *Env) {
			started(e, withReplace(`"algorithms": ["RS256", "ES256", "EdDSA"]`, `"algorithms": ["ES256"]`))
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))), mcpScope, "")
			e.NoCalls()
		}},
		{"two Authorization headers: 400 invalid_request", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			e.Challenge(e.Send("POST", "/mcp", Bearer(tok), Bearer(tok)), 400,
				`Bearer error="invalid_request", error_description="more than one Authorization header", scope="mcp:tools:read", resource_metadata="`+MetadataURL+`"`, "invalid_request")
		}},
		{"token in the query string: 400 invalid_request", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			want := `Bearer error="invalid_request", error_description="access tokens are accepted only in the Authorization header", scope="mcp:tools:read", resource_metadata="` + MetadataURL + `"`
			e.Challenge(e.Send("POST", "/mcp?access_token="+tok), 400, want, "invalid_request")
			e.Challenge(e.Send("POST", "/mcp?access_token="+tok, Bearer(tok)), 400, want, "invalid_request")
			e.Challenge(e.Send("POST", "/mcp?a=1&access%5Ftoken="+tok), 400, want, "invalid_request")
			e.NoLogContains(tok)
		}},
		{"empty bearer value: 400 invalid_request", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("POST", "/mcp", [2]string{"authorization", "Bearer "}), 400,
				`Bearer error="invalid_request", error_description="empty bearer token", scope="mcp:tools:read", resource_metadata="`+MetadataURL+`"`, "invalid_request")
		}},
		{"bearer value outside b64token: 400 invalid_request", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("POST", "/mcp", [2]string{"authorization", `Bearer abc"def`}), 400,
				`Bearer error="invalid_request", error_description="bearer token has invalid characters", scope="mcp:tools:read", resource_metadata="`+MetadataURL+`"`, "invalid_request")
		}},
		{"anonymous rule: forwarded without token, identity headers stripped", func(e *Env) {
			started(e, BaseConfig)
			up := e.Forwarded(e.Send("GET", "/healthz", [2]string{"x-mcp-subject", "admin"}, [2]string{"x-mcp-client", "x"}))
			if _, ok := Header(up, "x-mcp-subject"); ok {
				e.T.Fatal("spoofed x-mcp-subject reached the upstream")
			}
			if _, ok := Header(up, "x-mcp-client"); ok {
				e.T.Fatal("spoofed x-mcp-client reached the upstream")
			}
		}},
		{"dot segments cannot reach a protected route through an anonymous rule", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("POST", "/healthz/../mcp"), 400,
				`Bearer error="invalid_request", error_description="request path is not in normal form", resource_metadata="`+MetadataURL+`"`, "invalid_request")
			e.Challenge(e.Send("POST", "/healthz/%2e%2e/mcp"), 400,
				`Bearer error="invalid_request", error_description="request path is not in normal form", resource_metadata="`+MetadataURL+`"`, "invalid_request")
		}},
		{"CORS preflight passes without a token", func(e *Env) {
			started(e, BaseConfig)
			e.Forwarded(e.Send("OPTIONS", "/mcp", [2]string{"origin", "http://localhost:6274"}, [2]string{"access-control-request-method", "POST"}))
		}},
		{"forward_token keeps the Authorization header", func(e *Env) {
			started(e, withReplace(`"forward_token": false`, `"forward_token": true`))
			tok := e.Token("rsa-1", mcpScope)
			up := e.Forwarded(e.Send("POST", "/mcp", Bearer(tok)))
			if v, _ := Header(up, "authorization"); v != "Bearer "+tok {
				e.T.Fatal("authorization header not forwarded with forward_token")
			}
		}},
		{"local_jwks: no fetch, tokens validated", func(e *Env) {
			e.Start(localConfig(e.Issuer.JWKS("rsa-1")))
			e.NoCalls()
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))))
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Token("ec-1", mcpScope))), mcpScope, "signing key not found")
		}},
		{"several providers: the token's issuer picks the provider and its keys only", func(e *Env) {
			started(e, twoProviderConfig(e.Other.JWKS("ec-1")))
			c := e.Other.Standard(e.D.Now(), Resource, mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Other.Mint("ec-1", c, nil))))
			// Signed by the first issuer's key but claiming the second issuer.
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "signing key not found")
		}},
		{"invalid configuration fails start with one line naming the problem", func(e *Env) {
			err := e.D.Start([]byte(withReplace(`"algorithms": ["RS256", "ES256", "EdDSA"]`, `"algorithms": ["HS256"]`)))
			if err == nil {
				e.T.Fatal("plugin started with HS256 configured")
			}
			e.LogContains("providers[0].algorithms[0]")
		}},
		{"invalid configuration: unknown field", func(e *Env) {
			if err := e.D.Start([]byte(withReplace(`"forward_token": false`, `"forward_tokens": false`))); err == nil {
				e.T.Fatal("plugin started with an unknown field")
			}
			e.LogContains("forward_tokens")
		}},
		{"JWKS fetched at start through the cluster", func(e *Env) {
			e.Start(BaseConfig)
			e.PendingCall()
		}},
		{"request before keys exist waits, then is forwarded when keys arrive", func(e *Env) {
			e.Start(BaseConfig)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), [2]string{"x-mcp-subject", "spoof"})
			e.Paused(s)
			e.ServeJWKS("rsa-1")
			up := e.Forwarded(s)
			if v, _ := Header(up, "x-mcp-subject"); v != "user-123" {
				e.T.Fatalf("x-mcp-subject = %q after resume", v)
			}
			if _, ok := Header(up, "authorization"); ok {
				e.T.Fatal("authorization forwarded after resume")
			}
		}},
		{"request before keys exist: an invalid token is refused once keys arrive", func(e *Env) {
			e.Start(BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), "https://other.example.com/mcp", mcpScope)
			s := e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil)))
			e.Paused(s)
			e.ServeJWKS("rsa-1")
			e.InvalidToken(s, mcpScope, "")
		}},
		{"keys cannot be had: waiting request gets 503 with Retry-After after timeout_ms, never 401", func(e *Env) {
			e.Start(BaseConfig)
			e.D.Respond(e.PendingCall(), 500, []byte("boom"))
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)))
			e.Paused(s)
			e.AdvanceAndTick(4 * time.Second)
			if r := s.Result(); r.Reply != nil || r.Forwarded {
				e.T.Fatalf("decided before timeout: %s", describe(r))
			}
			for _, c := range e.D.Calls() { // retries fail too
				e.D.Respond(c, 0, nil)
			}
			e.AdvanceAndTick(2 * time.Second)
			for _, c := range e.D.Calls() {
				e.D.Respond(c, 0, nil)
			}
			rep := e.Challenge(s, 503, "", "temporarily_unavailable")
			if v, ok := Header(rep.Headers, "retry-after"); !ok || v == "" || v == "0" {
				e.T.Fatalf("retry-after = %q", v)
			}
		}},
		{"failed fetch is retried with backoff and recovers", func(e *Env) {
			e.Start(BaseConfig)
			e.D.Respond(e.PendingCall(), 0, nil) // connection failure: zero headers
			e.NoCalls()
			e.AdvanceAndTick(3 * time.Second)
			e.ServeJWKS("rsa-1")
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))))
		}},
		{"garbage or keyless JWKS bodies count as failed fetches", func(e *Env) {
			e.Start(BaseConfig)
			e.D.Respond(e.PendingCall(), 200, []byte("<html>not json</html>"))
			e.AdvanceAndTick(3 * time.Second)
			e.D.Respond(e.PendingCall(), 200, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)))
			e.Paused(s)
			e.AdvanceAndTick(10 * time.Second)
			if c := e.D.Calls(); len(c) > 0 {
				e.D.Respond(c[0], 0, nil)
			}
			e.Challenge(s, 503, "", "temporarily_unavailable")
			e.LogContains("JWKS fetch failed")
		}},
		{"periodic refresh rotates keys: new key accepted, removed key refused", func(e *Env) {
			started(e, BaseConfig)
			old := e.Token("rsa-1", mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(old)))
			e.AdvanceAndTick(299 * time.Second)
			e.NoCalls()
			e.AdvanceAndTick(2 * time.Second)
			e.ServeJWKS("rsa-2")
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope))))
			s := e.Send("POST", "/mcp", Bearer(old))
			// rsa-1 is unknown now: one early refresh may be asked; it brings no rsa-1.
			if len(e.D.Calls()) == 1 {
				e.ServeJWKS("rsa-2")
			}
			e.InvalidToken(s, mcpScope, "signing key not found")
		}},
		{"failed refresh keeps the last good keys", func(e *Env) {
			started(e, BaseConfig)
			e.AdvanceAndTick(301 * time.Second)
			e.D.Respond(e.PendingCall(), 503, []byte("down"))
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))))
		}},
		{"unknown kid triggers one early refresh; the request waits and passes with the new key", func(e *Env) {
			started(e, BaseConfig)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope)))
			e.Paused(s)
			e.ServeJWKS("rsa-1", "rsa-2")
			e.Forwarded(s)
		}},
		{"unknown kid: early refresh rate-limited to one per 30 s", func(e *Env) {
			started(e, BaseConfig)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope)))
			e.ServeJWKS("rsa-1")
			e.InvalidToken(s, mcpScope, "signing key not found")
			e.AdvanceAndTick(5 * time.Second)
			s2 := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope)))
			e.InvalidToken(s2, mcpScope, "signing key not found")
			e.NoCalls()
			e.AdvanceAndTick(30 * time.Second)
			s3 := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope)))
			e.Paused(s3)
			e.ServeJWKS("rsa-1", "rsa-2")
			e.Forwarded(s3)
		}},
		{"unknown kid whose refresh fails: 503, not 401", func(e *Env) {
			started(e, BaseConfig)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope)))
			e.D.Respond(e.PendingCall(), 0, nil)
			e.Challenge(s, 503, "", "temporarily_unavailable")
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))))
		}},
		{"a stream that ends while waiting is forgotten", func(e *Env) {
			e.Start(BaseConfig)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)))
			s.Done()
			e.ServeJWKS("rsa-1")
			if r := s.Result(); r.Reply != nil {
				e.T.Fatalf("ended stream got a reply: %s", describe(r))
			}
		}},
	}
}

func checkMetadata(e *Env, rep *Reply) {
	e.T.Helper()
	if ct, _ := Header(rep.Headers, "content-type"); ct != "application/json" {
		e.T.Fatalf("content-type = %q", ct)
	}
	if v, _ := Header(rep.Headers, "access-control-allow-origin"); v != "*" {
		e.T.Fatalf("access-control-allow-origin = %q", v)
	}
	var doc map[string]any
	if err := json.Unmarshal(rep.Body, &doc); err != nil {
		e.T.Fatalf("metadata is not JSON: %s", rep.Body)
	}
	want := map[string]any{
		"resource":                 Resource,
		"authorization_servers":    []any{IssuerURL},
		"scopes_supported":         []any{"mcp:tools:read", "mcp:tools:write"},
		"bearer_methods_supported": []any{"header"},
		"resource_name":            "Example MCP server",
	}
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(doc)
	if string(wb) != string(gb) {
		e.T.Fatalf("metadata:\n got %s\nwant %s", gb, wb)
	}
}

func countHeader(h [][2]string, name string) int {
	n := 0
	for _, kv := range h {
		if kv[0] == name {
			n++
		}
	}
	return n
}
