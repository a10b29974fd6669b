package localrun

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token minting errors.
var (
	// ErrScope: a requested scope is not an RFC 6749 §3.3 scope token.
	ErrScope = errors.New("invalid scope")
	// ErrResource: the resource (audience) is not an absolute URL.
	ErrResource = errors.New("invalid resource")
)

// DefaultTokenLifetime is how long minted tokens stay valid.
const DefaultTokenLifetime = time.Hour

// IssuerOptions configures the development issuer.
type IssuerOptions struct {
	// Audience is the aud of tokens whose request names no resource.
	Audience string
	// ScopesSupported are published in the authorization-server metadata.
	ScopesSupported []string
	// HoldJWKS, if not nil, makes the JWKS endpoint answer only once it is
	// closed: keys that arrive late.
	HoldJWKS <-chan struct{}
}

// Issuer is a DEVELOPMENT authorization server: it signs an access token
// for anyone who asks, with no client authentication. It exists so the demo
// and the tests have real RS256 tokens and a real JWKS endpoint; never
// expose it beyond loopback.
type Issuer struct {
	opts IssuerOptions
	url  string
	key  *rsa.PrivateKey
	kid  string
	srv  *http.Server
	done chan struct{}
}

// TokenRequest describes a token to mint.
type TokenRequest struct {
	Subject  string        // sub; default "demo-user"
	ClientID string        // client_id; default "demo-client"
	Scope    string        // space-separated scopes; "" for none
	Audience string        // aud; default IssuerOptions.Audience
	Lifetime time.Duration // default DefaultTokenLifetime
}

// StartIssuer generates a fresh RSA key and serves, on ln:
//
//	GET  /.well-known/jwks.json                   the public key (RFC 7517)
//	GET  /.well-known/oauth-authorization-server  metadata (RFC 8414)
//	POST /token                                   form: scope, resource, sub
func StartIssuer(ln net.Listener, opts IssuerOptions) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	is := &Issuer{opts: opts, url: "http://" + ln.Addr().String(), key: key,
		kid: "dev-" + hex.EncodeToString(id[:]), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", is.serveJWKS)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", is.serveMetadata)
	mux.HandleFunc("POST /token", is.serveToken)
	is.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(is.done)
		_ = is.srv.Serve(ln)
	}()
	return is, nil
}

// URL is the issuer identifier (the iss of its tokens), e.g. http://127.0.0.1:38211.
func (is *Issuer) URL() string { return is.url }

// KeyID is the kid of the signing key.
func (is *Issuer) KeyID() string { return is.kid }

// Close stops the issuer, cutting held JWKS requests.
func (is *Issuer) Close() error {
	err := is.srv.Close()
	<-is.done
	return err
}

// JWKS is the public JWK Set.
func (is *Issuer) JWKS() []byte {
	b64 := base64.RawURLEncoding.EncodeToString
	set := map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": is.kid,
		"n": b64(is.key.N.Bytes()), "e": b64(big.NewInt(int64(is.key.E)).Bytes()),
	}}}
	b, _ := json.Marshal(set)
	return b
}

// Mint signs an RS256 access token (RFC 9068 shape: typ at+jwt, iss, sub,
// aud, client_id, scope, iat, nbf, exp, jti).
func (is *Issuer) Mint(r TokenRequest) (string, error) {
	if r.Subject == "" {
		r.Subject = "demo-user"
	}
	if r.ClientID == "" {
		r.ClientID = "demo-client"
	}
	if r.Audience == "" {
		r.Audience = is.opts.Audience
	}
	if r.Lifetime <= 0 {
		r.Lifetime = DefaultTokenLifetime
	}
	if err := checkScope(r.Scope); err != nil {
		return "", err
	}
	if u, err := url.Parse(r.Audience); err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%w: %q must be an absolute URL", ErrResource, r.Audience)
	}
	var jti [12]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	now := time.Now().Unix()
	claims := map[string]any{
		"iss": is.url, "sub": r.Subject, "aud": r.Audience, "client_id": r.ClientID,
		"iat": now, "nbf": now, "exp": now + int64(r.Lifetime/time.Second),
		"jti": hex.EncodeToString(jti[:]),
	}
	if r.Scope != "" {
		claims["scope"] = r.Scope
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "at+jwt", "kid": is.kid})
	payload, _ := json.Marshal(claims)
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

// checkScope accepts space-separated RFC 6749 §3.3 scope tokens.
func checkScope(scope string) error {
	if scope == "" {
		return nil
	}
	for _, tok := range strings.Split(scope, " ") {
		if tok == "" {
			return fmt.Errorf("%w: empty scope token in %q", ErrScope, scope)
		}
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
				return fmt.Errorf("%w: %q", ErrScope, tok)
			}
		}
	}
	return nil
}

func (is *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if is.opts.HoldJWKS != nil {
		select {
		case <-is.opts.HoldJWKS:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(is.JWKS())
}

func (is *Issuer) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                is.url,
		"jwks_uri":                              is.url + "/.well-known/jwks.json",
		"token_endpoint":                        is.url + "/token",
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"response_types_supported":              []string{},
		"scopes_supported":                      is.opts.ScopesSupported,
		"service_documentation":                 "DEVELOPMENT ISSUER: mints a token for anyone who asks. Never expose it.",
	})
}

// serveToken mints a token from form fields scope, resource (RFC 8707) and
// sub, with no client authentication: this is a development issuer.
func (is *Issuer) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "cannot parse the form"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	scope := r.PostForm.Get("scope")
	token, err := is.Mint(TokenRequest{Subject: r.PostForm.Get("sub"), Scope: scope, Audience: r.PostForm.Get("resource")})
	switch {
	case errors.Is(err, ErrScope):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope", "error_description": "scope tokens are printable ASCII without quote or backslash"})
		return
	case errors.Is(err, ErrResource):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_target", "error_description": "resource must be an absolute URL"})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token, "token_type": "Bearer",
		"expires_in": int(DefaultTokenLifetime / time.Second), "scope": scope,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
