package localrun_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

func startPeers(t *testing.T) *localrun.Peers {
	t.Helper()
	p, err := localrun.StartPeers(localrun.PeersOptions{Resource: "http://127.0.0.1:10000/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// verify checks an RS256 token against the issuer's published JWKS and
// returns its header and claims.
func verify(t *testing.T, p *localrun.Peers, token string) (map[string]any, map[string]any) {
	t.Helper()
	_, body := get(t, p.Issuer.URL()+"/.well-known/jwks.json")
	var set struct {
		Keys []struct{ Kty, Kid, Alg, Use, N, E string }
	}
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", body, err)
	}
	k := set.Keys[0]
	if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.Kid != p.Issuer.KeyID() {
		t.Fatalf("JWK %+v", k)
	}
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature does not verify with the published key: %v", err)
	}
	var header, claims map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		t.Fatalf("token parts are not JSON: %s %s", hb, cb)
	}
	return header, claims
}

func TestIssuerMintsTokensItsJWKSVerifies(t *testing.T) {
	p := startPeers(t)
	tok, err := p.Issuer.Mint(localrun.TokenRequest{Scope: "mcp:tools:read mcp:tools:write", Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	header, claims := verify(t, p, tok)
	if header["alg"] != "RS256" || header["typ"] != "at+jwt" || header["kid"] != p.Issuer.KeyID() {
		t.Errorf("header %v", header)
	}
	want := map[string]any{"iss": p.Issuer.URL(), "sub": "alice", "aud": "http://127.0.0.1:10000/mcp",
		"client_id": "demo-client", "scope": "mcp:tools:read mcp:tools:write"}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 || claims["nbf"] != claims["iat"] {
		t.Errorf("exp %v iat %v nbf %v: want one hour from iat = nbf", exp, iat, claims["nbf"])
	}
	if _, err := p.Issuer.Mint(localrun.TokenRequest{Scope: `a"b`}); !errors.Is(err, localrun.ErrScope) {
		t.Errorf("Mint with a quote in the scope: %v, want ErrScope", err)
	}
	if _, err := p.Issuer.Mint(localrun.TokenRequest{Audience: "mcp"}); !errors.Is(err, localrun.ErrResource) {
		t.Errorf("Mint for a relative resource: %v, want ErrResource", err)
	}
}

func TestIssuerTokenEndpoint(t *testing.T) {
	p := startPeers(t)
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantError  string
		wantClaims map[string]any
	}{
		{name: "scope and subject", form: url.Values{"scope": {"mcp:tools:read"}, "sub": {"bob"}}, wantStatus: 200,
			wantClaims: map[string]any{"scope": "mcp:tools:read", "sub": "bob", "aud": "http://127.0.0.1:10000/mcp"}},
		{name: "resource names the audience", form: url.Values{"resource": {"https://mcp.example.com/mcp"}, "grant_type": {"client_credentials"}},
			wantStatus: 200, wantClaims: map[string]any{"aud": "https://mcp.example.com/mcp", "sub": "demo-user"}},
		{name: "bad scope", form: url.Values{"scope": {`a\b`}}, wantStatus: 400, wantError: "invalid_scope"},
		{name: "bad resource", form: url.Values{"resource": {"mcp"}}, wantStatus: 400, wantError: "invalid_target"},
		{name: "other grant", form: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(p.Issuer.URL()+"/token", tt.form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error %v, want %s", body["error"], tt.wantError)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("token response %v (cache-control %q)", body, resp.Header.Get("Cache-Control"))
			}
			_, claims := verify(t, p, body["access_token"].(string))
			for k, v := range tt.wantClaims {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
		})
	}
	resp, _ := get(t, p.Issuer.URL()+"/token")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /token: %d, want 405", resp.StatusCode)
	}
}

func TestIssuerMetadata(t *testing.T) {
	p := startPeers(t)
	_, body := get(t, p.Issuer.URL()+"/.well-known/oauth-authorization-server")
	var md map[string]any
	if err := json.Unmarshal(body, &md); err != nil {
		t.Fatal(err)
	}
	base := p.Issuer.URL()
	for k, v := range map[string]string{"issuer": base, "jwks_uri": base + "/.well-known/jwks.json", "token_endpoint": base + "/token"} {
		if md[k] != v {
			t.Errorf("%s = %v, want %s", k, md[k], v)
		}
	}
}

func TestUpstreamJSONRPC(t *testing.T) {
	p := startPeers(t)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"initialize", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`, 200, `"protocolVersion":"2025-06-18"`},
		{"ping", `{"jsonrpc":"2.0","id":"p","method":"ping"}`, 200, `"id":"p","jsonrpc":"2.0","result":{}`},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, 202, ``},
		{"unknown method", `{"jsonrpc":"2.0","id":3,"method":"resources/list"}`, 200, `"code":-32601`},
		{"unknown tool", `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"rm"}}`, 200, `"code":-32602`},
		{"not JSON-RPC", `{"id":5}`, 400, `"code":-32700`},
		{"echo as JSON without SSE in Accept", `{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`, 200,
			`{"id":6,"jsonrpc":"2.0","result":{"content":[{"text":"hi (called by \"\" with scope \"\")","type":"text"}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(p.Upstream.URL()+"/mcp", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(b), tt.wantBody) {
				t.Errorf("%d %s, want %d containing %s", resp.StatusCode, b, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get(localrun.SeenAuthorizationHeader); got != "absent" {
				t.Errorf("%s = %q, want absent", localrun.SeenAuthorizationHeader, got)
			}
		})
	}
}
