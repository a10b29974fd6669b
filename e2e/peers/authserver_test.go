package peers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Scopes of the protected MCP server.
const (
	scopeRead  = "mcp:tools:read"
	scopeWrite = "mcp:tools:write"
)

// OAuth clients registered at the authorization server: reader may only
// obtain the read scope, writer both.
var (
	clientReader = oauthClient{ID: "reader", Secret: "reader-secret-e2e", Scope: scopeRead}
	clientWriter = oauthClient{ID: "writer", Secret: "writer-secret-e2e", Scope: scopeRead + " " + scopeWrite}
)

type oauthClient struct {
	ID       string `json:"client_id"`
	Secret   string `json:"client_secret"`
	Scope    string `json:"scope"`
	TokenTTL int    `json:"token_ttl_s,omitempty"` // overrides access_token_ttl_s
}

// asSettings is node/as.mjs's settings file.
type asSettings struct {
	Port           int               `json:"port"`
	Keys           []privateJWK      `json:"keys"`
	SigningKID     string            `json:"signing_kid"`
	SigningAlg     string            `json:"signing_alg"`
	AccessTokenTTL int               `json:"access_token_ttl_s"`
	Resources      map[string]string `json:"resources"`
	Clients        []oauthClient     `json:"clients"`
}

// authServer is oidc-provider running node/as.mjs.
type authServer struct {
	t        *testing.T
	dir      string // node project
	path     string // settings file
	settings asSettings
	log      *peerLog
	proc     *process
	issuer   string
	port     int
}

const asStartTimeout = 20 * time.Second

// startAuthServer starts the authorization server with s (Port 0 picks a
// free port, kept across restarts).
func startAuthServer(t *testing.T, dir string, s asSettings, log *peerLog) *authServer {
	t.Helper()
	a := &authServer{t: t, dir: dir, path: filepath.Join(t.TempDir(), "as-settings.json"), settings: s, log: log}
	a.start()
	return a
}

func (a *authServer) start() {
	a.t.Helper()
	data, err := json.Marshal(a.settings)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(a.path, data, 0o600); err != nil {
		a.t.Fatal(err)
	}
	listening := make(chan struct {
		Issuer string `json:"issuer"`
		Port   int    `json:"port"`
	}, 1)
	a.log.add(fmt.Sprintf("[test: starting as.mjs on port %d, signing kid %s]", a.settings.Port, a.settings.SigningKID))
	a.proc = startProcess(a.t, "authorization server", a.log, a.dir, nil, nil, func(line string) {
		var ev struct {
			Event  string `json:"event"`
			Issuer string `json:"issuer"`
			Port   int    `json:"port"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Event == "listening" {
			select {
			case listening <- struct {
				Issuer string `json:"issuer"`
				Port   int    `json:"port"`
			}{ev.Issuer, ev.Port}:
			default:
			}
		}
	}, "node", "as.mjs", a.path)
	select {
	case l := <-listening:
		a.issuer, a.port = l.Issuer, l.Port
		a.settings.Port = l.Port
	case <-a.proc.done:
		a.t.Fatalf("the authorization server exited before listening: %v", a.proc.err)
	case <-time.After(asStartTimeout):
		a.t.Fatalf("the authorization server did not listen within %v", asStartTimeout)
	}
}

// stop ends the process: from now on the AS is unreachable.
func (a *authServer) stop() {
	a.log.add("[test: stopping the authorization server]")
	a.proc.stop()
}

// restart starts it again on the same port, with the settings changed by
// change (nil: unchanged).
func (a *authServer) restart(change func(*asSettings)) {
	a.t.Helper()
	a.stop()
	if change != nil {
		change(&a.settings)
	}
	a.start()
}

// metadata fetches the AS's discovery document.
func (a *authServer) metadata() map[string]any {
	a.t.Helper()
	resp, err := http.Get(a.issuer + "/.well-known/openid-configuration")
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
		a.t.Fatalf("AS metadata: status %d: %v", resp.StatusCode, err)
	}
	return m
}

// jwksPath is the path of the AS's jwks_uri, read from its metadata.
func (a *authServer) jwksPath() string {
	a.t.Helper()
	raw, _ := a.metadata()["jwks_uri"].(string)
	u, err := url.Parse(raw)
	if err != nil || u.Host != fmt.Sprintf("127.0.0.1:%d", a.port) {
		a.t.Fatalf("AS jwks_uri %q is not on the AS's address", raw)
	}
	return u.Path
}

// token makes a raw client-credentials token request (client_secret_basic)
// for resource and scope, as a client that knows what it wants would.
func (a *authServer) token(c oauthClient, resource, scope string) string {
	a.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {resource}, "scope": {scope}}
	req, err := http.NewRequest("POST", a.issuer+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &tr) != nil || tr.AccessToken == "" {
		a.t.Fatalf("token request for %s: status %d: %s", resource, resp.StatusCode, body)
	}
	return tr.AccessToken
}

// baseSettings is the AS for one plugin resource and one other resource,
// with an RS256 and an ES256 key, signing with the given key.
func baseSettings(t *testing.T, resource, other string, keys []privateJWK, signWith privateJWK) asSettings {
	t.Helper()
	both := scopeRead + " " + scopeWrite
	return asSettings{
		Keys:           keys,
		SigningKID:     signWith["kid"],
		SigningAlg:     signWith["alg"],
		AccessTokenTTL: 300,
		Resources:      map[string]string{resource: both, other: both},
		Clients:        []oauthClient{clientReader, clientWriter},
	}
}
