package guard

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwt"
)

const (
	ciKey       = "ci-key-7Hq2"
	reporterKey = "reporter-key-9Wd4"
)

func digestHex(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// keyGuard compiles BaseConfig in auth_mode mode with the keys ci-bot
// (scope mcp:tools:read) and reporter (no scope), plus extra members.
func keyGuard(t testing.TB, mode, extra string, opts ...Option) (*Guard, *remoteKeys, *scenario.Issuer) {
	t.Helper()
	issuer := sharedIssuer(t)
	members := `"forward_token": false`
	if mode != "" {
		members += fmt.Sprintf(`, "auth_mode": %q`, mode)
	}
	if mode == "api_key" || mode == "both" {
		members += fmt.Sprintf(`, "api_keys": [{"name": "ci-bot", "sha256": %q, "scopes": ["mcp:tools:read"]}, {"name": "reporter", "sha256": %q}]`,
			digestHex(ciKey), digestHex(reporterKey))
	}
	c, err := config.Parse([]byte(strings.Replace(scenario.BaseConfig, `"forward_token": false`, members+extra, 1)))
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.Parse(issuer.JWKS("rsa-1"))
	if err != nil {
		t.Fatal(err)
	}
	return g, &remoteKeys{set: set}, issuer
}

func TestExtractAPIKey(t *testing.T) {
	tests := []struct {
		name     string
		values   []string
		wantKey  string
		wantDesc string
	}{
		{"no header", nil, "", ""},
		{"one key", []string{"k-1"}, "k-1", ""},
		{"key at the size limit", []string{strings.Repeat("k", 512)}, strings.Repeat("k", 512), ""},
		{"two headers", []string{"a", "a"}, "", "more than one API key header"},
		{"empty value", []string{""}, "", "empty API key"},
		{"too large", []string{strings.Repeat("k", 513)}, "", "API key too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := extractAPIKey(tt.values, 512, "s")
			if tt.wantDesc == "" {
				if err != nil || key != tt.wantKey {
					t.Fatalf("got %q, %+v; want %q", key, err, tt.wantKey)
				}
				return
			}
			if err == nil || err.Status != 400 || err.Code != "invalid_request" || err.Description != tt.wantDesc || err.Scope != "s" || key != "" {
				t.Fatalf("got %q, %+v; want 400 invalid_request %q", key, err, tt.wantDesc)
			}
		})
	}
}

func TestMatchAPIKey(t *testing.T) {
	g, _, _ := keyGuard(t, "both", "")
	tests := []struct {
		presented string
		want      string // key name, "" for no match
	}{
		{ciKey, "ci-bot"},
		{reporterKey, "reporter"},
		{"unknown", ""},
		{ciKey + " ", ""},
		{strings.ToUpper(ciKey), ""},
		{digestHex(ciKey), ""}, // the digest is not the key
		{ciKey[:len(ciKey)-1], ""},
	}
	for _, tt := range tests {
		k := g.matchAPIKey(tt.presented)
		got := ""
		if k != nil {
			got = k.name
		}
		if got != tt.want {
			t.Errorf("matchAPIKey(%q) = %q, want %q", tt.presented, got, tt.want)
		}
	}
}

// TestCheckByAuthMode is the decision matrix of the three modes.
func TestCheckByAuthMode(t *testing.T) {
	type want struct {
		kind     Kind
		status   int
		reason   string
		apiKey   string
		subject  string // value set in x-mcp-subject, "" when none is set
		cred     Credential
		deprecat bool
	}
	tests := []struct {
		mode   string
		name   string
		req    func(tok string) Request
		want   want
		desc   string // body error_description of a reply
		bodyEr string // body error of a reply
	}{
		{"oauth", "bearer token", func(tok string) Request { return bearerReq(tok) },
			want{kind: Forward, reason: ReasonAllowed, subject: "user-123", cred: CredentialBearer}, "", ""},
		{"oauth", "API key is not a credential", func(string) Request { return keyReq(ciKey) },
			want{kind: Reply, status: 401, reason: ReasonMissingToken}, "", "unauthorized"},
		{"oauth", "duplicate API key headers are ignored", func(tok string) Request {
			r := bearerReq(tok)
			r.APIKey = []string{"a", "b"}
			return r
		}, want{kind: Forward, reason: ReasonAllowed, subject: "user-123", cred: CredentialBearer}, "", ""},
		{"api_key", "valid key", func(string) Request { return keyReq(ciKey) },
			want{kind: Forward, reason: ReasonAllowed, apiKey: "ci-bot", subject: "apikey:ci-bot", cred: CredentialAPIKey}, "", ""},
		{"api_key", "bearer token counts as no credential", func(tok string) Request { return bearerReq(tok) },
			want{kind: Reply, status: 401, reason: ReasonMissingToken}, "send an API key in the x-api-key header", "unauthorized"},
		{"api_key", "key and token: the token is ignored", func(tok string) Request {
			r := keyReq(ciKey)
			r.Authorization = []string{"Bearer " + tok}
			return r
		}, want{kind: Forward, reason: ReasonAllowed, apiKey: "ci-bot", subject: "apikey:ci-bot", cred: CredentialAPIKey}, "", ""},
		{"api_key", "unknown key", func(string) Request { return keyReq("nope") },
			want{kind: Reply, status: 401, reason: ReasonInvalidAPIKey, cred: CredentialAPIKey}, "API key not recognised", "invalid_api_key"},
		{"both", "valid key is deprecated", func(string) Request { return keyReq(ciKey) },
			want{kind: Forward, reason: ReasonAllowed, apiKey: "ci-bot", subject: "apikey:ci-bot", cred: CredentialAPIKey, deprecat: true}, "", ""},
		{"both", "key without the scope", func(string) Request { return keyReq(reporterKey) },
			want{kind: Reply, status: 403, reason: ReasonInsufficientScope, apiKey: "reporter", cred: CredentialAPIKey, deprecat: true}, "API key lacks the scopes this request needs", "insufficient_scope"},
		{"both", "bearer token", func(tok string) Request { return bearerReq(tok) },
			want{kind: Forward, reason: ReasonAllowed, subject: "user-123", cred: CredentialBearer}, "", ""},
		{"both", "key and token", func(tok string) Request {
			r := keyReq(ciKey)
			r.Authorization = []string{"Bearer " + tok}
			return r
		}, want{kind: Reply, status: 400, reason: ReasonInvalidRequest}, "send either a bearer token or an API key, not both", "invalid_request"},
		{"both", "no credential", func(string) Request { return Request{Method: "POST", Path: "/mcp"} },
			want{kind: Reply, status: 401, reason: ReasonMissingToken}, "send a bearer token, or an API key in the x-api-key header", "unauthorized"},
		{"both", "two key headers", func(string) Request {
			r := keyReq(ciKey)
			r.APIKey = append(r.APIKey, ciKey)
			return r
		}, want{kind: Reply, status: 400, reason: ReasonInvalidRequest}, "more than one API key header", "invalid_request"},
		{"both", "anonymous route ignores an unknown key", func(string) Request {
			return Request{Method: "GET", Path: "/healthz", APIKey: []string{"nope"}}
		}, want{kind: Forward, reason: ReasonAnonymous}, "", ""},
	}
	now := time.Unix(1_900_000_000, 0)
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.name, func(t *testing.T) {
			g, keys, issuer := keyGuard(t, tt.mode, "")
			tok := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
			o := g.Check(tt.req(tok), keys, now)
			subject := ""
			for _, h := range o.SetHeaders {
				if h[0] == "x-mcp-subject" {
					subject = h[1]
				}
			}
			got := want{kind: o.Kind, status: o.Response.Status, reason: o.Reason, apiKey: o.APIKey, subject: subject, cred: o.Credential, deprecat: o.Deprecated}
			if got != tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			if o.Kind == Reply {
				if !strings.Contains(string(o.Response.Body), `"error":"`+tt.bodyEr+`"`) || o.Description != tt.desc {
					t.Fatalf("body %s, description %q; want error %q, %q", o.Response.Body, o.Description, tt.bodyEr, tt.desc)
				}
			}
			if o.Kind == Forward {
				for _, h := range []string{"authorization", "x-api-key", "x-mcp-subject", "x-mcp-client"} {
					if !contains(o.RemoveHeaders, h) {
						t.Fatalf("%s not removed before the upstream: %v", h, o.RemoveHeaders)
					}
				}
			}
			if hasDeprecation := len(o.ResponseHeaders) > 0 || headerIn(o.Response.Headers, "deprecation"); hasDeprecation != tt.want.deprecat {
				t.Fatalf("deprecation headers present = %t, want %t", hasDeprecation, tt.want.deprecat)
			}
		})
	}
}

func TestDeprecationHeaders(t *testing.T) {
	started := time.Date(2026, 8, 1, 12, 0, 0, 500, time.UTC)
	tests := []struct {
		name  string
		extra string
		want  [][2]string
	}{
		{"nothing configured: the start time", "", [][2]string{{"deprecation", "@1785585600"}}},
		{"every header", `, "deprecation_date": "2026-07-01T00:00:00Z", "sunset_date": "2026-12-31T23:59:59Z", "deprecation_link": "https://docs.example.com/migrate?x=1#keys"`,
			[][2]string{{"deprecation", "@1782864000"}, {"sunset", "Thu, 31 Dec 2026 23:59:59 GMT"}, {"link", `<https://docs.example.com/migrate?x=1#keys>; rel="deprecation"`}}},
		{"a sunset before the start moves the default deprecation back to it", `, "sunset_date": "2026-07-15T00:00:00Z"`,
			[][2]string{{"deprecation", "@1784073600"}, {"sunset", "Wed, 15 Jul 2026 00:00:00 GMT"}}},
		{"a sunset after the start keeps the start", `, "sunset_date": "2027-01-01T00:00:00Z"`,
			[][2]string{{"deprecation", "@1785585600"}, {"sunset", "Fri, 01 Jan 2027 00:00:00 GMT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _, _ := keyGuard(t, "both", tt.extra, WithStartTime(started))
			if !reflect.DeepEqual(g.deprecation, tt.want) {
				t.Fatalf("got %q\nwant %q", g.deprecation, tt.want)
			}
		})
	}
	for _, mode := range []string{"oauth", "api_key"} {
		if g, _, _ := keyGuard(t, mode, "", WithStartTime(started)); g.deprecation != nil {
			t.Errorf("%s mode has deprecation headers %q", mode, g.deprecation)
		}
	}
}

func TestSubjectHeaderFollowsSubClaim(t *testing.T) {
	g, _, _ := keyGuard(t, "api_key", "")
	// BaseConfig maps sub to x-mcp-subject; remap it.
	c, err := config.Parse([]byte(strings.Replace(strings.Replace(scenario.BaseConfig, `"header": "x-mcp-subject"`, `"header": "x-user"`, 1),
		`"forward_token": false`, fmt.Sprintf(`"forward_token": false, "auth_mode": "api_key", "api_keys": [{"name": "ci-bot", "sha256": %q}]`, digestHex(ciKey)), 1)))
	if err != nil {
		t.Fatal(err)
	}
	if g, err = New(c); err != nil {
		t.Fatal(err)
	}
	o := g.Check(Request{Method: "GET", Path: "/other", APIKey: []string{ciKey}}, &remoteKeys{}, time.Unix(0, 0))
	if !reflect.DeepEqual(o.SetHeaders, [][2]string{{"x-user", "apikey:ci-bot"}}) {
		t.Fatalf("SetHeaders = %q", o.SetHeaders)
	}
	if contains(o.RemoveHeaders, "x-mcp-subject") || !contains(o.RemoveHeaders, "x-user") {
		t.Fatalf("RemoveHeaders = %q", o.RemoveHeaders)
	}
}

func TestCauseOf(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{jwt.ErrMalformed, "malformed"},
		{fmt.Errorf("header: %w", jwt.ErrMalformed), "malformed"},
		{jwt.ErrAlgorithm, "algorithm"},
		{jwt.ErrCritical, "critical_header"},
		{jwt.ErrTokenType, "token_type"},
		{errUnknownIssuer, "issuer"},
		{jwt.ErrIssuer, "issuer"},
		{jwks.ErrKeyNotFound, "key_not_found"},
		{jwks.ErrKeyMismatch, "no_unique_key"},
		{jwks.ErrAmbiguousKey, "no_unique_key"},
		{jwt.ErrSignature, "signature"},
		{jwt.ErrExpired, "expired"},
		{jwt.ErrNotYetValid, "not_yet_valid"},
		{jwt.ErrIssuedInFuture, "issued_in_future"},
		{jwt.ErrAudience, "audience"},
		{jwt.ErrLifetime, "lifetime"},
		{jwt.ErrMissingClaim, "missing_claim"},
		{jwt.ErrInvalidClaim, "invalid_claim"},
		{errors.New("something else"), "other"},
	}
	for _, tt := range tests {
		if got := causeOf(tt.err); got != tt.want {
			t.Errorf("causeOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	want := []string{"malformed", "algorithm", "critical_header", "token_type", "issuer", "key_not_found", "no_unique_key",
		"signature", "expired", "not_yet_valid", "issued_in_future", "audience", "lifetime", "missing_claim", "invalid_claim", "other"}
	if got := InvalidTokenCauses(); !reflect.DeepEqual(got, want) {
		t.Fatalf("InvalidTokenCauses() = %q\nwant %q", got, want)
	}
}

// TestIdentityOnlyFromVerifiedTokens: sub, client_id and jti are reported
// after a signature check (fresh or from the cache), never for a token
// that failed one.
func TestIdentityOnlyFromVerifiedTokens(t *testing.T) {
	g, keys, issuer := keyGuard(t, "oauth", `, "token_cache": {"max_entries": 10}`)
	now := time.Unix(1_900_000_000, 0)
	tok := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	admin := Request{Method: "GET", Path: "/admin/x", Authorization: []string{"Bearer " + tok}}
	for i, label := range []string{"fresh", "cached"} {
		o := g.Check(admin, keys, now)
		if o.Reason != ReasonInsufficientScope || o.Subject != "user-123" || o.ClientID != "client-abc" || o.TokenID != "jti-1" {
			t.Fatalf("%s: %s sub=%q client_id=%q jti=%q", label, o.Reason, o.Subject, o.ClientID, o.TokenID)
		}
		if s := g.CacheStats(); s.Hits != uint64(i) {
			t.Fatalf("%s: cache hits %d", label, s.Hits)
		}
	}
	other, err := scenario.NewIssuer(scenario.IssuerURL)
	if err != nil {
		t.Fatal(err)
	}
	forged := other.Mint("rsa-1", other.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	o := g.Check(bearerReq(forged), keys, now)
	if o.Reason != ReasonInvalidToken || o.Cause != "signature" || o.Subject != "" || o.ClientID != "" || o.TokenID != "" || o.ProviderName != "example" {
		t.Fatalf("forged token: %+v", o)
	}
}

// FuzzCheckAPIKey feeds arbitrary API key and Authorization values to a
// guard in auth_mode both: it must not panic, must accept only the
// configured keys, and must never echo a presented value in a response.
func FuzzCheckAPIKey(f *testing.F) {
	f.Add(ciKey, "", 1)
	f.Add(reporterKey, "Bearer abc", 1)
	f.Add("", "", 2)
	f.Add("x\x00y", "Basic Zm9v", 1)
	f.Add(digestHex(ciKey), "", 1)
	g, keys, _ := keyGuard(f, "both", "")
	now := time.Unix(1_900_000_000, 0)
	f.Fuzz(func(t *testing.T, key, authorization string, copies int) {
		req := Request{Method: "POST", Path: "/mcp"}
		for i := 0; i < copies%3; i++ {
			req.APIKey = append(req.APIKey, key)
		}
		if authorization != "" {
			req.Authorization = []string{authorization}
		}
		o := g.Check(req, keys, now)
		if o.Kind == Forward && o.APIKey != "" && key != ciKey {
			t.Fatalf("key %q accepted as %s", key, o.APIKey)
		}
		if o.Kind == Forward && o.APIKey == "" && o.Reason != ReasonAllowed {
			t.Fatalf("forwarded without a credential: %+v", o)
		}
		if len(key) >= 8 && o.Kind == Reply {
			if strings.Contains(string(o.Response.Body), key) {
				t.Fatalf("response body echoes the key: %s", o.Response.Body)
			}
			for _, h := range o.Response.Headers {
				if strings.Contains(h[1], key) {
					t.Fatalf("response header %s echoes the key: %q", h[0], h[1])
				}
			}
		}
	})
}

// sharedIssuer generates the test issuer's RSA keys once for the package's
// tests rather than once per guard.
var sharedIssuer = func() func(testing.TB) *scenario.Issuer {
	var (
		once   sync.Once
		issuer *scenario.Issuer
		err    error
	)
	return func(t testing.TB) *scenario.Issuer {
		t.Helper()
		once.Do(func() { issuer, err = scenario.NewIssuer(scenario.IssuerURL) })
		if err != nil {
			t.Fatal(err)
		}
		return issuer
	}
}()

func bearerReq(tok string) Request {
	return Request{Method: "POST", Path: "/mcp", Authorization: []string{"Bearer " + tok}}
}

func keyReq(key string) Request {
	return Request{Method: "POST", Path: "/mcp", APIKey: []string{key}}
}

func headerIn(headers [][2]string, name string) bool {
	for _, h := range headers {
		if h[0] == name {
			return true
		}
	}
	return false
}
