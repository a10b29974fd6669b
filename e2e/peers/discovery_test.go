package peers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Scenario 1: the TypeScript client, told only the MCP URL, discovers the
// authorization server from the plugin's 401, gets a token for our
// resource, lists tools and calls them; the upstream sees the caller's
// identity and never the token.
func TestPeersDiscoveryAndToolCall(t *testing.T) {
	checkDiscoveryAndToolCall(t, newStack(t, stackOptions{}))
}

func checkDiscoveryAndToolCall(t *testing.T, s *stack) {
	c := s.client(t, clientReader, scopeRead)

	if r := c.connect("main", s.resource); !r.OK {
		t.Fatalf("connect: %+v\nexchanges:\n%s", r.Error, describeExchanges(c.httpSince(0)))
	}
	got := expectSteps(t, c.httpSince(0),
		step{"POST /mcp without a token → 401", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && !h.SentBearer && h.Status == 401
		}},
		step{"GET the resource_metadata URL → 200", func(h clientLine) bool {
			return h.Method == "GET" && h.URL == s.prmURL() && h.Status == 200
		}},
		step{"GET the AS metadata → 200", func(h clientLine) bool {
			return h.Method == "GET" && strings.HasPrefix(h.URL, s.as.issuer+"/.well-known/") && h.Status == 200
		}},
		step{"POST the AS token endpoint → 200", func(h clientLine) bool {
			return h.Method == "POST" && h.URL == s.as.issuer+"/token" && h.Status == 200
		}},
		step{"POST /mcp with the token → 200", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 200
		}},
	)

	// The 401 is the RFC 6750 §3.1 challenge for a request without a token:
	// no error code, the rule's scope, and where the metadata is.
	scheme, params := challenge(t, got[0].WWWAuthenticate)
	wantParams := map[string]string{"scope": scopeRead, "resource_metadata": s.prmURL()}
	if scheme != "Bearer" || !reflect.DeepEqual(params, wantParams) {
		t.Errorf("401 challenge = %s %v, want Bearer %v", scheme, params, wantParams)
	}
	// The token request names our resource (RFC 8707), read from the
	// metadata document, and authenticates the client with HTTP Basic.
	tr := got[3]
	wantForm := map[string]string{"grant_type": "client_credentials", "resource": s.resource, "scope": scopeRead}
	if !reflect.DeepEqual(tr.TokenRequest, wantForm) || !tr.SentBasic {
		t.Errorf("token request form = %v (basic auth %v), want %v with basic auth", tr.TokenRequest, tr.SentBasic, wantForm)
	}
	if tr.Token == nil {
		t.Fatal("the token response had no access token")
	}
	if tok := tr.Token; tok.Header.Typ != "at+jwt" || tok.Header.Alg != "RS256" || tok.Header.Kid != "rs-1" ||
		tok.Claims.Aud != s.resource || tok.Claims.Iss != s.as.issuer || tok.Claims.Scope != scopeRead || tok.Claims.Sub != clientReader.ID {
		t.Errorf("issued token = %+v, want an RS256 at+jwt from %s for aud %s, scope %q, sub %q", *tok, s.as.issuer, s.resource, scopeRead, clientReader.ID)
	}

	if r := c.list("main"); !r.OK || !reflect.DeepEqual(r.Tools, []string{"echo", "whoami"}) {
		t.Errorf("tools/list = %v (%+v), want [echo whoami]", r.Tools, r.Error)
	}
	if r := c.call("main", "echo", map[string]any{"text": "hello through the plugin"}); !r.OK || r.IsErr || r.Text != "hello through the plugin" {
		t.Errorf("tools/call echo = %q (ok %v, error %+v)", r.Text, r.OK, r.Error)
	}
	r := c.call("main", "whoami", nil)
	if !r.OK {
		t.Fatalf("tools/call whoami: %+v", r.Error)
	}
	var who map[string]any
	if err := json.Unmarshal([]byte(r.Text), &who); err != nil {
		t.Fatalf("whoami result %q: %v", r.Text, err)
	}
	wantWho := map[string]any{"subject": clientReader.ID, "client_id": clientReader.ID, "scope": scopeRead, "authorization": false}
	if !reflect.DeepEqual(who, wantWho) {
		t.Errorf("the upstream's tool saw %v, want %v", who, wantWho)
	}

	// Every request that reached the upstream carried the identity headers
	// and no Authorization header; the unauthenticated POST never got there.
	reqs := s.up.requests()
	if n := countUpstream(reqs, "POST", "/mcp"); n < 4 { // initialize, initialized, list, 2 calls
		t.Errorf("the upstream got %d POST /mcp, want at least 4", n)
	}
	for i, req := range reqs {
		if v, ok := req.Header["Authorization"]; ok {
			t.Errorf("upstream request %d (%s %s) carried Authorization (%d value(s))", i, req.Method, req.Path, len(v))
		}
		if req.Header.Get(headerSubject) != clientReader.ID || req.Header.Get(headerClientID) != clientReader.ID || req.Header.Get(headerScope) != scopeRead {
			t.Errorf("upstream request %d (%s %s) identity headers = %q %q %q, want %q %q %q", i, req.Method, req.Path,
				req.Header.Get(headerSubject), req.Header.Get(headerClientID), req.Header.Get(headerScope), clientReader.ID, clientReader.ID, scopeRead)
		}
	}
	gatewayPosts := 0
	for _, h := range c.httpSince(0) {
		if isGateway(s, h, "/mcp") && h.Method == "POST" && h.Status < 300 {
			gatewayPosts++
		}
	}
	if n := countUpstream(reqs, "POST", "/mcp"); n != gatewayPosts {
		t.Errorf("the upstream got %d POST /mcp, the client had %d accepted ones: a refused request reached the upstream", n, gatewayPosts)
	}
}
