package peers

import (
	"testing"
)

// Scenario 2: a token the AS issued for another resource (RFC 8707
// audience) is refused with 401 invalid_token and never reaches the
// upstream, whether a plain HTTP client or the TypeScript client presents
// it. The TS client then recovers by itself: it rediscovers and gets a token
// for our resource.
func TestPeersWrongAudienceRefused(t *testing.T) {
	checkWrongAudience(t, newStack(t, stackOptions{}))
}

func checkWrongAudience(t *testing.T, s *stack) {
	other := s.as.token(clientReader, s.other, scopeRead)

	resp := postMCP(t, s.resource, other)
	if resp.Status != 401 {
		t.Fatalf("POST /mcp with a token for %s: status %d, want 401", s.other, resp.Status)
	}
	scheme, params := challenge(t, resp.Header.Get("WWW-Authenticate"))
	if scheme != "Bearer" || params["error"] != "invalid_token" || params["resource_metadata"] != s.prmURL() || params["scope"] != scopeRead {
		t.Errorf("challenge = %s %v, want Bearer error=invalid_token, scope=%q, resource_metadata=%s", scheme, params, scopeRead, s.prmURL())
	}
	if resp.Body["error"] != "invalid_token" {
		t.Errorf("body error = %v, want invalid_token", resp.Body["error"])
	}
	if n := len(s.up.requests()); n != 0 {
		t.Fatalf("the upstream got %d request(s) for a token of another audience", n)
	}

	// The TS client holding that token (as if obtained earlier for the
	// other resource) is refused the same way, then discovers and obtains
	// a token for our resource on its own.
	c := s.client(t, clientReader, scopeRead)
	c.mustDo(map[string]any{"op": "seed_token", "access_token": other})
	r := c.connect("main", s.resource)
	got := expectSteps(t, c.httpSince(0),
		step{"POST /mcp with the other resource's token → 401", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 401
		}},
		step{"a token request for our resource", func(h clientLine) bool {
			return h.URL == s.as.issuer+"/token" && h.TokenRequest["resource"] == s.resource && h.Status == 200
		}},
		step{"POST /mcp with the new token → 200", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 200
		}},
	)
	if !r.OK {
		t.Fatalf("the client did not recover from the refused token: %+v", r.Error)
	}
	if _, params := challenge(t, got[0].WWWAuthenticate); params["error"] != "invalid_token" {
		t.Errorf("the client's 401 challenge = %v, want error=invalid_token", params)
	}
	if got[1].Token == nil || got[1].Token.Claims.Aud != s.resource {
		t.Errorf("the client's new token = %+v, want aud %s", got[1].Token, s.resource)
	}
	// The refused initialize did not reach the upstream: it got exactly one
	// initialize POST per accepted one (the retry), never the refused one.
	accepted := 0
	for _, h := range c.httpSince(0) {
		if isGateway(s, h, "/mcp") && h.Method == "POST" && h.Status < 300 {
			accepted++
		}
	}
	if n := countUpstream(s.up.requests(), "POST", "/mcp"); n != accepted {
		t.Errorf("the upstream got %d POST /mcp; the client had %d accepted", n, accepted)
	}
}
