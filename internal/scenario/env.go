package scenario

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Fixed names used by the table's configurations.
const (
	Resource    = "https://mcp.example.com/mcp"
	IssuerURL   = "https://auth.example.com"
	OtherIssuer = "https://other.example.com"
	MetadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	Cluster     = "auth_server"
	JWKSPath    = "/.well-known/jwks.json"
	Authority   = "auth.example.com"
)

// Env is what a scenario's steps work with.
type Env struct {
	T      testing.TB
	D      Driver
	Issuer *Issuer
	Other  *Issuer
}

// Start configures the plugin and requires it to start.
func (e *Env) Start(cfg string) {
	e.T.Helper()
	if err := e.D.Start([]byte(cfg)); err != nil {
		e.T.Fatalf("plugin start failed: %v\nlogs:\n%s", err, strings.Join(e.D.Logs(), "\n"))
	}
}

// Send sends a request with the given method, path and extra headers.
func (e *Env) Send(method, path string, headers ...[2]string) Stream {
	h := [][2]string{{":method", method}, {":path", path}, {":authority", "mcp.example.com"}, {":scheme", "https"}}
	return e.D.Send(append(h, headers...))
}

// Bearer is an Authorization header carrying token.
func Bearer(token string) [2]string { return [2]string{"authorization", "Bearer " + token} }

// Token mints a valid token for the resource with scope, signed by kid.
func (e *Env) Token(kid, scope string) string {
	return e.Issuer.Mint(kid, e.Issuer.Standard(e.D.Now(), Resource, scope), nil)
}

// ServeJWKS answers the one pending JWKS call with the named keys, after
// checking the call is what Envoy needs (PITFALLS 6).
func (e *Env) ServeJWKS(kids ...string) {
	e.T.Helper()
	c := e.PendingCall()
	e.D.Respond(c, 200, e.Issuer.JWKS(kids...))
}

// PendingCall requires exactly one pending dispatched call, a well-formed
// JWKS request, and returns it.
func (e *Env) PendingCall() Call {
	e.T.Helper()
	calls := e.D.Calls()
	if len(calls) != 1 {
		e.T.Fatalf("want exactly 1 pending JWKS call, have %d", len(calls))
	}
	c := calls[0]
	if c.Cluster != Cluster {
		e.T.Fatalf("call to cluster %q, want %q", c.Cluster, Cluster)
	}
	for name, want := range map[string]string{":method": "GET", ":path": JWKSPath, ":authority": Authority} {
		if got, _ := Header(c.Headers, name); got != want {
			e.T.Fatalf("call header %s = %q, want %q", name, got, want)
		}
	}
	return c
}

// NoCalls requires that nothing was dispatched.
func (e *Env) NoCalls() {
	e.T.Helper()
	if n := len(e.D.Calls()); n != 0 {
		e.T.Fatalf("want no pending calls, have %d", n)
	}
}

// Forwarded requires s went upstream and returns its upstream headers.
func (e *Env) Forwarded(s Stream) [][2]string {
	e.T.Helper()
	r := s.Result()
	if !r.Forwarded || r.Reply != nil || r.Paused {
		e.T.Fatalf("want forwarded, got %s", describe(r))
	}
	return r.Upstream
}

// Paused requires s to be waiting.
func (e *Env) Paused(s Stream) {
	e.T.Helper()
	if r := s.Result(); !r.Paused || r.Reply != nil || r.Forwarded {
		e.T.Fatalf("want paused, got %s", describe(r))
	}
}

// Replied requires a local reply with status and returns it.
func (e *Env) Replied(s Stream, status int) *Reply {
	e.T.Helper()
	r := s.Result()
	if r.Reply == nil || r.Forwarded {
		e.T.Fatalf("want local reply %d, got %s", status, describe(r))
	}
	if r.Reply.Status != status {
		e.T.Fatalf("want status %d, got %d (headers %v, body %s)", status, r.Reply.Status, r.Reply.Headers, r.Reply.Body)
	}
	return r.Reply
}

// Challenge requires an OAuth error reply with exactly this WWW-Authenticate
// value (wantChallenge "" means the header must be absent) and error code in
// the JSON body, plus cache-control: no-store.
func (e *Env) Challenge(s Stream, status int, wantChallenge, wantError string) *Reply {
	e.T.Helper()
	rep := e.Replied(s, status)
	got, ok := Header(rep.Headers, "www-authenticate")
	if wantChallenge == "" && ok {
		e.T.Fatalf("unexpected www-authenticate %q", got)
	}
	if wantChallenge != "" && got != wantChallenge {
		e.T.Fatalf("www-authenticate:\n got %s\nwant %s", got, wantChallenge)
	}
	if body := e.errorBody(rep); body["error"] != wantError {
		e.T.Fatalf("body error = %v, want %q", body["error"], wantError)
	}
	return rep
}

// errorBody requires what every error reply carries (no-store, a JSON
// content type, a JSON object body) and returns the decoded body.
func (e *Env) errorBody(rep *Reply) map[string]any {
	e.T.Helper()
	if cc, _ := Header(rep.Headers, "cache-control"); cc != "no-store" {
		e.T.Fatalf("cache-control = %q, want no-store", cc)
	}
	if ct, _ := Header(rep.Headers, "content-type"); ct != "application/json" {
		e.T.Fatalf("content-type = %q, want application/json", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(rep.Body, &body); err != nil {
		e.T.Fatalf("error body is not JSON: %q", rep.Body)
	}
	return body
}

// NoLogContains requires that no log line contains secret.
func (e *Env) NoLogContains(secret string) {
	e.T.Helper()
	for _, l := range e.D.Logs() {
		if strings.Contains(l, secret) {
			e.T.Fatalf("a log line contains secret material: %q", l)
		}
	}
}

// LogContains requires some log line to contain s.
func (e *Env) LogContains(s string) {
	e.T.Helper()
	for _, l := range e.D.Logs() {
		if strings.Contains(l, s) {
			return
		}
	}
	e.T.Fatalf("no log line contains %q; logs:\n%s", s, strings.Join(e.D.Logs(), "\n"))
}

// AdvanceAndTick moves the clock by d in steps of one second, ticking each.
func (e *Env) AdvanceAndTick(d time.Duration) {
	for step := time.Duration(0); step < d; step += time.Second {
		e.D.Advance(time.Second)
		e.D.Tick()
	}
}

func describe(r Result) string {
	var b bytes.Buffer
	switch {
	case r.Reply != nil:
		b.WriteString("reply ")
		b.WriteString(itoa(r.Reply.Status))
		b.WriteString(" ")
		b.Write(r.Reply.Body)
	case r.Forwarded:
		b.WriteString("forwarded")
	case r.Paused:
		b.WriteString("paused")
	default:
		b.WriteString("no decision")
	}
	return b.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
