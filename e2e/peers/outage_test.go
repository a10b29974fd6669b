package peers

import (
	"strconv"
	"testing"
	"time"
)

// Scenario 5: the AS becomes unreachable.
//   - After warm-up, the plugin's refreshes fail and calls keep working on
//     the last good keys.
//   - A plugin started while the AS is down (a proxy restart) has no keys:
//     a request with a valid token waits timeout_ms and gets 503 with
//     Retry-After (never 401); the TS client sees that 503.
//   - When the AS is back, the plugin's retry loads the keys and the same
//     client session works again.
func TestPeersAuthorizationServerOutage(t *testing.T) {
	s := newStack(t, stackOptions{refreshS: 10, timeoutMs: 1000})
	c := s.client(t, clientReader, scopeRead)
	c.mustDo(map[string]any{"op": "connect", "session": "main", "url": s.resource})
	if r := c.call("main", "echo", map[string]any{"text": "warm"}); !r.OK {
		t.Fatalf("warm-up call: %+v", r.Error)
	}
	// A valid token obtained before the outage, for raw requests.
	token := s.as.token(clientReader, s.resource, scopeRead)

	fetchMark := s.relay.mark()
	s.as.stop()
	if _, ok := s.relay.waitFetch(fetchMark, 25*time.Second, failedFetch); !ok {
		t.Fatal("the plugin did not try (and fail) to refresh the keys within 25s of the AS stopping")
	}
	for i := range 3 {
		if r := c.call("main", "echo", map[string]any{"text": "on last good keys"}); !r.OK || r.Text != "on last good keys" {
			t.Fatalf("call %d while the AS is down: %q %+v", i, r.Text, r.Error)
		}
	}

	// Restart the proxy while the AS is still down.
	s.restartGateway()
	start := time.Now()
	resp := postMCP(t, s.resource, token)
	waited := time.Since(start)
	if resp.Status != 503 {
		t.Fatalf("a fresh plugin with the AS down answered %d, want 503", resp.Status)
	}
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 60 {
		t.Errorf("Retry-After = %q, want whole seconds in 1..60", resp.Header.Get("Retry-After"))
	}
	if v := resp.Header.Get("WWW-Authenticate"); v != "" {
		t.Errorf("503 carries WWW-Authenticate %q; a token that could not be checked is no auth failure", v)
	}
	if resp.Body["error"] != "temporarily_unavailable" {
		t.Errorf("503 body error = %v, want temporarily_unavailable", resp.Body["error"])
	}
	if waited < 900*time.Millisecond {
		t.Errorf("the 503 came after %v; the plugin should wait timeout_ms (1s) for keys", waited)
	}

	mark := c.mark()
	r := c.call("main", "echo", map[string]any{"text": "during outage"})
	if r.OK {
		t.Fatal("the client's call succeeded through a plugin that has no keys")
	}
	got := expectSteps(t, c.httpSince(mark), step{"POST /mcp → 503 with Retry-After", func(h clientLine) bool {
		return isGateway(s, h, "/mcp") && h.Method == "POST" && h.Status == 503 && h.RetryAfter != ""
	}})
	if got[0].WWWAuthenticate != "" {
		t.Errorf("the client's 503 had WWW-Authenticate %q", got[0].WWWAuthenticate)
	}
	if code, _ := r.Error.Code.(float64); code != 503 {
		t.Errorf("the client's error = %+v, want code 503", r.Error)
	}

	// The AS comes back (same address, same keys); the plugin recovers on
	// its retry schedule and the same MCP session works again.
	fetchMark = s.relay.mark()
	s.as.restart(nil)
	if _, ok := s.relay.waitFetch(fetchMark, 70*time.Second, fetchedKids("rs-1", "es-1")); !ok {
		t.Fatal("the plugin did not fetch the keys within 70s of the AS coming back")
	}
	// Every VM takes the keys on its next tick.
	for range 20 {
		if resp = postMCP(t, s.resource, token); resp.Status == 200 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if resp.Status != 200 {
		t.Fatalf("raw request after recovery: status %d, want 200", resp.Status)
	}
	if r := c.call("main", "echo", map[string]any{"text": "recovered"}); !r.OK || r.Text != "recovered" {
		t.Fatalf("call after recovery: %q %+v", r.Text, r.Error)
	}
}
