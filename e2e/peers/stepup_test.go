package peers

import (
	"encoding/json"
	"reflect"
	"testing"
)

// adminURL is the endpoint of the same MCP server that needs the write scope.
func (s *stack) adminURL() string { return "http://" + s.addr + "/mcp/admin" }

// Scenario 3: step-up. A token without the write scope gets 403
// insufficient_scope naming the scopes needed. What the TypeScript SDK
// (1.32.x) does with it, recorded here: its transport re-runs auth() with
// the challenge's scope, but ClientCredentialsProvider builds the token
// request from its own configured scope (fetchToken passes
// clientMetadata.scope), so the AS issues the same scopes again; the retry
// gets the same 403 and the SDK gives up with "Server returned 403 after
// trying upscoping". A client configured with the write scope succeeds.
func TestPeersStepUp(t *testing.T) {
	s := newStack(t, stackOptions{})
	wantChallenge := map[string]string{
		"error":             "insufficient_scope",
		"error_description": "token lacks the scopes this request needs",
		"scope":             scopeRead + " " + scopeWrite,
		"resource_metadata": s.prmURL(),
	}

	t.Run("read token on the write endpoint: re-authorizes with its configured scope, then fails", func(t *testing.T) {
		// writer may obtain mcp:tools:write, so a token request with the
		// challenge's scope would have succeeded.
		c := s.client(t, clientWriter, scopeRead)
		c.mustDo(map[string]any{"op": "connect", "session": "read", "url": s.resource})
		mark := c.mark()
		r := c.connect("admin", s.adminURL())
		got := expectSteps(t, c.httpSince(mark),
			step{"POST /mcp/admin with the read token → 403", func(h clientLine) bool {
				return isGateway(s, h, "/mcp/admin") && h.Method == "POST" && h.SentBearer && h.Status == 403
			}},
			step{"GET the resource_metadata URL again", func(h clientLine) bool {
				return h.Method == "GET" && h.URL == s.prmURL() && h.Status == 200
			}},
			step{"a new token request", func(h clientLine) bool {
				return h.URL == s.as.issuer+"/token" && h.Status == 200
			}},
			step{"POST /mcp/admin with the new token → 403 again", func(h clientLine) bool {
				return isGateway(s, h, "/mcp/admin") && h.Method == "POST" && h.SentBearer && h.Status == 403
			}},
		)
		for _, i := range []int{0, 3} {
			if scheme, params := challenge(t, got[i].WWWAuthenticate); scheme != "Bearer" || !reflect.DeepEqual(params, wantChallenge) {
				t.Errorf("403 challenge = %s %v, want Bearer %v", scheme, params, wantChallenge)
			}
		}
		wantForm := map[string]string{"grant_type": "client_credentials", "resource": s.resource, "scope": scopeRead}
		if !reflect.DeepEqual(got[2].TokenRequest, wantForm) {
			t.Errorf("the step-up token request = %v, want %v (the configured scope, not the challenge's)", got[2].TokenRequest, wantForm)
		}
		if got[2].Token == nil || got[2].Token.Scope != scopeRead {
			t.Errorf("the step-up token = %+v, want scope %q", got[2].Token, scopeRead)
		}
		wantErr := clientErr{Name: "StreamableHTTPError", Message: "Streamable HTTP error: Server returned 403 after trying upscoping", Code: float64(403)}
		if r.OK || r.Error == nil || !reflect.DeepEqual(*r.Error, wantErr) {
			t.Errorf("connect to /mcp/admin = ok %v, error %+v; want the SDK's error %+v", r.OK, r.Error, wantErr)
		}
		if n := countUpstream(s.up.requests(), "POST", "/mcp/admin"); n != 0 {
			t.Errorf("the upstream got %d POST /mcp/admin without the write scope", n)
		}
		// The read endpoint still works with the same client.
		if r := c.call("read", "echo", map[string]any{"text": "still here"}); !r.OK || r.Text != "still here" {
			t.Errorf("call on /mcp after the refused step-up: %q %+v", r.Text, r.Error)
		}
	})

	t.Run("no configured scope: the challenge's scope is not requested either", func(t *testing.T) {
		c := s.client(t, clientReader, "")
		r := c.connect("main", s.resource)
		got := expectSteps(t, c.httpSince(0),
			step{"POST /mcp without a token → 401", func(h clientLine) bool {
				return isGateway(s, h, "/mcp") && h.Method == "POST" && !h.SentBearer && h.Status == 401
			}},
			step{"a token request", func(h clientLine) bool { return h.URL == s.as.issuer+"/token" && h.Status == 200 }},
			step{"POST /mcp with a token → 403", func(h clientLine) bool {
				return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 403
			}},
			step{"another token request", func(h clientLine) bool { return h.URL == s.as.issuer+"/token" && h.Status == 200 }},
			step{"POST /mcp with a token → 403 again", func(h clientLine) bool {
				return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 403
			}},
		)
		wantForm := map[string]string{"grant_type": "client_credentials", "resource": s.resource}
		for _, i := range []int{1, 3} {
			if !reflect.DeepEqual(got[i].TokenRequest, wantForm) {
				t.Errorf("token request %d = %v, want %v (no scope, although the 401 said scope=%q)", i, got[i].TokenRequest, wantForm, scopeRead)
			}
		}
		if r.OK || r.Error == nil || r.Error.Message != "Streamable HTTP error: Server returned 403 after trying upscoping" {
			t.Errorf("connect = ok %v, error %+v; want the SDK's 403-after-upscoping error", r.OK, r.Error)
		}
	})

	t.Run("write scope configured: the write endpoint works", func(t *testing.T) {
		before := countUpstream(s.up.requests(), "POST", "/mcp/admin")
		c := s.client(t, clientWriter, scopeRead+" "+scopeWrite)
		if r := c.connect("admin", s.adminURL()); !r.OK {
			t.Fatalf("connect to /mcp/admin: %+v", r.Error)
		}
		r := c.call("admin", "whoami", nil)
		var who map[string]any
		if !r.OK || json.Unmarshal([]byte(r.Text), &who) != nil {
			t.Fatalf("whoami on /mcp/admin: %q %+v", r.Text, r.Error)
		}
		want := map[string]any{"subject": clientWriter.ID, "client_id": clientWriter.ID, "scope": scopeRead + " " + scopeWrite, "authorization": false}
		if !reflect.DeepEqual(who, want) {
			t.Errorf("the upstream's tool saw %v, want %v", who, want)
		}
		if n := countUpstream(s.up.requests(), "POST", "/mcp/admin") - before; n < 3 {
			t.Errorf("the upstream got %d POST /mcp/admin, want at least 3", n)
		}
	})
}
