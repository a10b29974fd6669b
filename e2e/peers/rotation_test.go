package peers

import (
	"fmt"
	"testing"
	"time"
)

// Scenario 4: the AS rotates its signing keys while the TypeScript client
// stays connected, and every call keeps working:
//  1. the AS publishes new RSA and EC keys beside the old ones and signs
//     with the new EC key (RS256 → ES256);
//  2. the client's old token expires (its tokens live 4 s, the plugin has
//     no clock skew); the SDK gets 401 invalid_token, fetches a token signed
//     by the new key, and the plugin, seeing an unknown kid, refreshes its
//     keys early and accepts it;
//  3. the AS retires the old keys; the plugin's periodic refresh drops
//     them: a still-unexpired token signed by the old key is now refused,
//     and the client's calls go on.
func TestPeersKeyRotationWhileConnected(t *testing.T) {
	s := newStack(t, stackOptions{readerTTL: 4, noSkew: true, refreshS: 10})
	c := s.client(t, clientReader, scopeRead)
	c.mustDo(map[string]any{"op": "connect", "session": "main", "url": s.resource})
	calls := 0
	call := func() {
		t.Helper()
		calls++
		text := fmt.Sprintf("call %d", calls)
		if r := c.call("main", "echo", map[string]any{"text": text}); !r.OK || r.Text != text {
			t.Fatalf("call %d failed: %q %+v\nexchanges:\n%s", calls, r.Text, r.Error, describeExchanges(c.httpSince(0)))
		}
	}
	call()
	// A token signed by the old key that outlives the rotation (writer's
	// tokens live 300 s).
	oldToken := s.as.token(clientWriter, s.resource, scopeRead)

	rs2, es2 := newRSAKey(t, "rs-2"), newECKey(t, "es-2")
	fetchMark := s.relay.mark()
	s.as.restart(func(a *asSettings) {
		a.Keys = []privateJWK{rs2, es2, s.keys[0], s.keys[1]}
		a.SigningKID, a.SigningAlg = "es-2", "ES256"
	})
	mark := c.mark()
	if resp := postMCP(t, s.resource, oldToken); resp.Status != 200 {
		t.Fatalf("the rs-1 token before the old keys are retired: status %d, want 200", resp.Status)
	}

	// Call until the client has used a token signed by the new key.
	deadline := time.Now().Add(20 * time.Second)
	for !usedKey(s, c.httpSince(mark), "es-2") {
		if time.Now().After(deadline) {
			t.Fatalf("the client never used a token signed by es-2 within 20s; exchanges:\n%s", describeExchanges(c.httpSince(mark)))
		}
		time.Sleep(500 * time.Millisecond)
		call()
	}
	got := expectSteps(t, c.httpSince(mark),
		step{"the expired rs-1 token → 401", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 401
		}},
		step{"a token signed by es-2", func(h clientLine) bool {
			return h.URL == s.as.issuer+"/token" && h.Token != nil && h.Token.Header.Kid == "es-2"
		}},
		step{"POST /mcp with it → 200", func(h clientLine) bool {
			return isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 200
		}},
	)
	if _, params := challenge(t, got[0].WWWAuthenticate); params["error"] != "invalid_token" {
		t.Errorf("the expired token's challenge = %v, want error=invalid_token", params)
	}
	if alg := got[1].Token.Header.Alg; alg != "ES256" {
		t.Errorf("the new token's alg = %s, want ES256", alg)
	}
	if _, ok := s.relay.waitFetch(fetchMark, 0, fetchedKids("rs-1", "es-1", "rs-2", "es-2")); !ok {
		t.Errorf("the plugin never fetched the rotated key set (rs-1 es-1 rs-2 es-2)")
	}

	// Retire the old keys; calls go on while the plugin's periodic refresh
	// (10 s) picks the 2-key set up.
	fetchMark = s.relay.mark()
	s.as.restart(func(a *asSettings) { a.Keys = []privateJWK{rs2, es2} })
	for {
		if _, ok := s.relay.waitFetch(fetchMark, time.Second, fetchedKids("rs-2", "es-2")); ok {
			break
		}
		call()
		if time.Now().After(deadline.Add(25 * time.Second)) {
			t.Fatal("the plugin did not fetch the key set without the old keys within its refresh interval")
		}
	}
	// Every VM takes the new set on its next tick; the old key's token is
	// refused from then on.
	var resp rawResponse
	for range 20 {
		if resp = postMCP(t, s.resource, oldToken); resp.Status == 401 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if resp.Status != 401 {
		t.Fatalf("the rs-1 token after the AS retired rs-1: status %d, want 401", resp.Status)
	}
	if _, params := challenge(t, resp.Header.Get("WWW-Authenticate")); params["error"] != "invalid_token" {
		t.Errorf("the retired key's challenge = %v, want error=invalid_token", params)
	}
	for range 3 {
		call()
	}
	t.Logf("%d calls, all answered, across the rotation", calls)
}

// usedKey reports whether a token signed by kid was issued and then
// accepted by the plugin.
func usedKey(s *stack, got []clientLine, kid string) bool {
	issued := false
	for _, h := range got {
		if h.Token != nil {
			issued = h.Token.Header.Kid == kid
		}
		if issued && isGateway(s, h, "/mcp") && h.Method == "POST" && h.SentBearer && h.Status == 200 {
			return true
		}
	}
	return false
}
