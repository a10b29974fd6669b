package localrun_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// The HTTP cases run twice: against the local wazero host in every
// `make test`, and against real Envoy when envoy is on PATH. A frontDoor
// is what differs: it picks the front port, asks build for the plugin
// configuration and clusters that go with that origin, starts serving, and
// registers its own cleanup.
type frontDoor func(t *testing.T, build func(front string) ([]byte, localrun.Clusters)) string

// stackKind is the demo stack a case needs.
type stackKind string

const (
	// stackDemo: the demo as `make run` starts it.
	stackDemo stackKind = "demo"
	// stackLateJWKS: the issuer holds its JWKS answer until released.
	stackLateJWKS stackKind = "late_jwks"
	// stackJWKSRefused: the JWKS cluster's address refuses connections;
	// timeout_ms is 300.
	stackJWKSRefused stackKind = "jwks_refused"
	// stackJWKSSilent: the JWKS cluster accepts connections and never
	// answers, so the call times out; timeout_ms is 300.
	stackJWKSSilent stackKind = "jwks_silent"
)

var stackOrder = []stackKind{stackDemo, stackLateJWKS, stackJWKSRefused, stackJWKSSilent}

// tokenKind names a token the case sends as "Authorization: Bearer …".
type tokenKind string

const (
	noToken      tokenKind = ""
	readToken    tokenKind = "read"    // scope mcp:tools:read, for the resource
	otherToken   tokenKind = "other"   // scope "profile", for the resource
	foreignToken tokenKind = "foreign" // scope mcp:tools:read, for another resource
)

// heldFor is how long a gated request must stay unanswered: longer than
// the plugin's one-second tick, after which a worker would have picked up
// keys that had arrived.
const heldFor = 1500 * time.Millisecond

// absent as a wanted header value means the header must not be there.
const absent = "\x00absent"

// httpCase is one request and what the client must see. Strings in
// wanted values may use {front}, {resource}, {metadata} and {issuer}.
type httpCase struct {
	name   string
	stack  stackKind
	method string
	path   string
	token  tokenKind
	header [][2]string
	body   string

	// gated: the request is sent while the JWKS is held; it must get no
	// answer before the JWKS is released, then the answer below.
	gated bool
	// firstEvent: the response is an open event stream whose first event
	// must contain this, read before the stream ends.
	firstEvent string

	wantStatus      int
	wantHeaders     map[string]string
	wantHeaderMatch map[string]string // regular expressions
	// wantChallenge: the WWW-Authenticate Bearer parameters, exactly,
	// except error_description, which must be present when error is.
	wantChallenge map[string]string
	wantJSON      string         // the whole body, compared as JSON
	wantMembers   map[string]any // top-level members of a JSON body
	wantBody      []string       // substrings of the body
	minDelay      time.Duration  // answered no sooner than this
}

const toolsList = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
const echoCall = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`

var jsonRPC = [][2]string{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}}

func withHeaders(extra ...[2]string) [][2]string {
	return append(append([][2]string{}, jsonRPC...), extra...)
}

var errorHeaders = map[string]string{
	"Content-Type":                  "application/json",
	"Cache-Control":                 "no-store",
	"Access-Control-Allow-Origin":   "*",
	"Access-Control-Expose-Headers": "WWW-Authenticate, Retry-After",
}

func merge(a map[string]string, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

var httpCases = []httpCase{
	{
		name: "no token: 401 with resource_metadata and the rule's scope", stack: stackDemo,
		method: "POST", path: "/mcp", header: jsonRPC, body: toolsList,
		wantStatus:    401,
		wantHeaders:   merge(errorHeaders, map[string]string{"Retry-After": absent}),
		wantChallenge: map[string]string{"scope": "mcp:tools:read", "resource_metadata": "{metadata}"},
		wantMembers:   map[string]any{"error": "unauthorized"},
	},
	{
		name: "protected resource metadata at the path-inserted location", stack: stackDemo,
		method: "GET", path: "/.well-known/oauth-protected-resource/mcp",
		wantStatus:  200,
		wantHeaders: map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
		wantJSON: `{"resource":"{resource}","authorization_servers":["{issuer}"],
			"scopes_supported":["mcp:tools:read","mcp:tools:write"],"bearer_methods_supported":["header"],
			"resource_name":"mcp-oauth-local demo MCP server"}`,
	},
	{
		name: "protected resource metadata at the root location", stack: stackDemo,
		method: "GET", path: "/.well-known/oauth-protected-resource",
		wantStatus:  200,
		wantMembers: map[string]any{"resource": "{resource}", "authorization_servers": []any{"{issuer}"}},
	},
	{
		name: "valid token without the rule's scope: 403 insufficient_scope with scope", stack: stackDemo,
		method: "POST", path: "/mcp", token: otherToken, header: jsonRPC, body: toolsList,
		wantStatus:    403,
		wantHeaders:   errorHeaders,
		wantChallenge: map[string]string{"error": "insufficient_scope", "scope": "mcp:tools:read", "resource_metadata": "{metadata}"},
		wantMembers:   map[string]any{"error": "insufficient_scope"},
	},
	{
		name: "token for another resource: 401 invalid_token", stack: stackDemo,
		method: "POST", path: "/mcp", token: foreignToken, header: jsonRPC, body: toolsList,
		wantStatus:    401,
		wantHeaders:   errorHeaders,
		wantChallenge: map[string]string{"error": "invalid_token", "scope": "mcp:tools:read", "resource_metadata": "{metadata}"},
		wantMembers:   map[string]any{"error": "invalid_token"},
	},
	{
		name: "two Authorization headers: 400 invalid_request", stack: stackDemo,
		method: "POST", path: "/mcp", token: readToken, header: withHeaders([2]string{"Authorization", "Bearer abc"}), body: toolsList,
		wantStatus:    400,
		wantHeaders:   errorHeaders,
		wantChallenge: map[string]string{"error": "invalid_request", "scope": "mcp:tools:read", "resource_metadata": "{metadata}"},
		wantMembers:   map[string]any{"error": "invalid_request"},
	},
	{
		name: "token with the scope: 200 from upstream, which sees the subject and no Authorization", stack: stackDemo,
		method: "POST", path: "/mcp", token: readToken, header: jsonRPC, body: toolsList,
		wantStatus: 200,
		wantHeaders: map[string]string{
			"Content-Type":              "application/json",
			"X-Demo-Seen-Subject":       "demo-user",
			"X-Demo-Seen-Scope":         "mcp:tools:read",
			"X-Demo-Seen-Authorization": "absent",
		},
		wantBody: []string{`"name":"echo"`},
	},
	{
		name: "client-sent identity header is replaced by the token's subject", stack: stackDemo,
		method: "POST", path: "/mcp", token: readToken, header: withHeaders([2]string{"X-Mcp-Subject", "mallory"}), body: toolsList,
		wantStatus:  200,
		wantHeaders: map[string]string{"X-Demo-Seen-Subject": "demo-user", "X-Demo-Seen-Authorization": "absent"},
	},
	{
		name: "anonymous route: Authorization and client-sent identity removed", stack: stackDemo,
		method: "GET", path: "/healthz",
		header:      [][2]string{{"Authorization", "Bearer not-checked"}, {"X-Mcp-Subject", "mallory"}},
		wantStatus:  200,
		wantHeaders: map[string]string{"X-Demo-Seen-Subject": "", "X-Demo-Seen-Authorization": "absent"},
		wantBody:    []string{"ok"},
	},
	{
		name: "tools/call answered as server-sent events through the proxy", stack: stackDemo,
		method: "POST", path: "/mcp", token: readToken, header: jsonRPC, body: echoCall,
		wantStatus:  200,
		wantHeaders: map[string]string{"Content-Type": "text/event-stream", "X-Demo-Seen-Subject": "demo-user"},
		wantBody:    []string{"event: message\ndata: ", `hello (called by \"demo-user\" with scope \"mcp:tools:read\")`},
	},
	{
		name: "GET event stream: the first event arrives while the stream stays open", stack: stackDemo,
		method: "GET", path: "/mcp", token: readToken, header: [][2]string{{"Accept", "text/event-stream"}},
		wantStatus:  200,
		wantHeaders: map[string]string{"Content-Type": "text/event-stream"},
		firstEvent:  `"data":"stream open for demo-user"`,
	},
	{
		name: "request before the JWKS arrives is held, then forwarded", stack: stackLateJWKS,
		method: "POST", path: "/mcp", token: readToken, header: jsonRPC, body: toolsList,
		gated:       true,
		wantStatus:  200,
		wantHeaders: map[string]string{"X-Demo-Seen-Subject": "demo-user", "X-Demo-Seen-Authorization": "absent"},
	},
	{
		name: "JWKS cluster refuses connections: 503 with Retry-After after timeout_ms", stack: stackJWKSRefused,
		method: "POST", path: "/mcp", token: readToken, header: jsonRPC, body: toolsList,
		wantStatus:      503,
		wantHeaders:     merge(errorHeaders, map[string]string{"WWW-Authenticate": absent}),
		wantHeaderMatch: map[string]string{"Retry-After": `^[1-9][0-9]*$`},
		wantMembers:     map[string]any{"error": "temporarily_unavailable"},
		minDelay:        300 * time.Millisecond,
	},
	{
		name: "JWKS cluster never answers: 503 with Retry-After after timeout_ms", stack: stackJWKSSilent,
		method: "POST", path: "/mcp", token: readToken, header: jsonRPC, body: toolsList,
		wantStatus:      503,
		wantHeaders:     merge(errorHeaders, map[string]string{"WWW-Authenticate": absent}),
		wantHeaderMatch: map[string]string{"Retry-After": `^[1-9][0-9]*$`},
		wantMembers:     map[string]any{"error": "temporarily_unavailable"},
		minDelay:        300 * time.Millisecond,
	},
}

// stack is a running demo stack behind a front door.
type stack struct {
	front, resource, metadata string
	peers                     *localrun.Peers
	release                   func() // opens the JWKS gate (stackLateJWKS)
}

func startStack(t *testing.T, kind stackKind, door frontDoor) *stack {
	t.Helper()
	gate := make(chan struct{})
	var once sync.Once
	st := &stack{release: func() { once.Do(func() { close(gate) }) }}
	opts := localrun.PeersOptions{}
	if kind == stackLateJWKS {
		opts.HoldJWKS = gate
	}
	peers, err := localrun.StartPeers(opts)
	if err != nil {
		t.Fatalf("StartPeers: %v", err)
	}
	st.peers = peers
	t.Cleanup(func() {
		st.release()
		if err := peers.Close(); err != nil {
			t.Errorf("closing peers: %v", err)
		}
	})
	st.front = door(t, func(front string) ([]byte, localrun.Clusters) {
		st.resource = front + "/mcp"
		st.metadata = front + "/.well-known/oauth-protected-resource/mcp"
		cfg := peers.Config(st.resource)
		clusters := peers.Clusters()
		switch kind {
		case stackLateJWKS:
			// Generous, so that in Envoy (whose first fetch starts before
			// it is ready) the held fetch cannot time out first.
			cfg.TimeoutMS = 10000
		case stackJWKSRefused:
			cfg.TimeoutMS = 300
			clusters[localrun.DefaultJWKSCluster] = refusingOrigin(t)
		case stackJWKSSilent:
			cfg.TimeoutMS = 300
			clusters[localrun.DefaultJWKSCluster] = silentOrigin(t)
		}
		return cfg.JSON(), clusters
	})
	return st
}

// refusingOrigin is a loopback port nothing listens on.
func refusingOrigin(t *testing.T) string {
	port, err := localrun.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// silentOrigin accepts connections and never answers.
func silentOrigin(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// runHTTPCases starts each stack once behind door and runs its cases.
func runHTTPCases(t *testing.T, door frontDoor) {
	for _, kind := range stackOrder {
		t.Run(string(kind), func(t *testing.T) {
			st := startStack(t, kind, door)
			for _, c := range httpCases {
				if c.stack != kind {
					continue
				}
				t.Run(c.name, func(t *testing.T) { runCase(t, st, c) })
			}
		})
	}
}

func (st *stack) expand(s string) string {
	return strings.NewReplacer("{front}", st.front, "{resource}", st.resource,
		"{metadata}", st.metadata, "{issuer}", st.peers.Issuer.URL()).Replace(s)
}

func (st *stack) token(t *testing.T, kind tokenKind) string {
	t.Helper()
	req := localrun.TokenRequest{Scope: localrun.ReadScope, Audience: st.resource}
	switch kind {
	case otherToken:
		req.Scope = "profile"
	case foreignToken:
		req.Audience = "https://other.example.com/mcp"
	}
	tok, err := st.peers.Issuer.Mint(req)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

type result struct {
	resp    *http.Response
	body    []byte
	elapsed time.Duration
	err     error
}

func runCase(t *testing.T, st *stack, c httpCase) {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, st.front+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.token != noToken {
		req.Header.Add("Authorization", "Bearer "+st.token(t, c.token))
	}
	for _, kv := range c.header {
		req.Header.Add(kv[0], kv[1])
	}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 20 * time.Second}

	if c.firstEvent != "" {
		checkFirstEvent(t, client, req, c)
		return
	}
	results := make(chan result, 1)
	go func() {
		started := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			results <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		results <- result{resp: resp, body: b, elapsed: time.Since(started), err: err}
	}()
	if c.gated {
		select {
		case r := <-results:
			t.Fatalf("answered before the JWKS arrived: %v %d %s", r.err, statusOf(r.resp), r.body)
		case <-time.After(heldFor):
		}
		st.release()
	}
	var r result
	select {
	case r = <-results:
	case <-time.After(25 * time.Second):
		t.Fatal("no answer within 25s")
	}
	if r.err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, r.err)
	}
	checkResponse(t, st, c, r.resp, r.body)
	if r.elapsed < c.minDelay {
		t.Errorf("answered after %v, want no sooner than %v", r.elapsed, c.minDelay)
	}
}

// checkFirstEvent reads the first event of an open stream, then hangs up.
func checkFirstEvent(t *testing.T, client *http.Client, req *http.Request, c httpCase) {
	client.Timeout = 0
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET stream: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != c.wantStatus {
		t.Fatalf("status %d, want %d", resp.StatusCode, c.wantStatus)
	}
	if got := resp.Header.Get("Content-Type"); got != c.wantHeaders["Content-Type"] {
		t.Errorf("Content-Type %q, want %q", got, c.wantHeaders["Content-Type"])
	}
	// The upstream keeps the stream open; an event that waited in a buffer
	// until the end would never arrive, so bound the wait.
	stop := time.AfterFunc(5*time.Second, func() { _ = resp.Body.Close() })
	defer stop.Stop()
	rd := bufio.NewReader(resp.Body)
	var event strings.Builder
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the first event: %v (got %q)", err, event.String())
		}
		if line == "\n" {
			break
		}
		event.WriteString(line)
	}
	if !strings.Contains(event.String(), c.firstEvent) {
		t.Errorf("first event %q does not contain %q", event.String(), c.firstEvent)
	}
}

func checkResponse(t *testing.T, st *stack, c httpCase, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != c.wantStatus {
		t.Fatalf("status %d, want %d; headers %v; body %s", resp.StatusCode, c.wantStatus, resp.Header, body)
	}
	for name, want := range c.wantHeaders {
		got, ok := resp.Header[http.CanonicalHeaderKey(name)]
		switch {
		case want == absent && ok:
			t.Errorf("header %s = %q, want it absent", name, got)
		case want == absent:
		case !ok:
			t.Errorf("header %s missing, want %q", name, st.expand(want))
		case len(got) != 1 || got[0] != st.expand(want):
			t.Errorf("header %s = %q, want [%q]", name, got, st.expand(want))
		}
	}
	for name, pattern := range c.wantHeaderMatch {
		if got := resp.Header.Get(name); !regexp.MustCompile(pattern).MatchString(got) {
			t.Errorf("header %s = %q, want a match of %s", name, got, pattern)
		}
	}
	if c.wantChallenge != nil {
		checkChallenge(t, st, resp.Header.Values("WWW-Authenticate"), c.wantChallenge)
	}
	if c.wantJSON != "" {
		var got, want any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, body)
		}
		if err := json.Unmarshal([]byte(st.expand(c.wantJSON)), &want); err != nil {
			t.Fatalf("wantJSON: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body %s\nwant %s", body, st.expand(c.wantJSON))
		}
	}
	if c.wantMembers != nil {
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("body is not a JSON object: %v: %s", err, body)
		}
		for name, want := range c.wantMembers {
			want = expandAny(st, want)
			if !reflect.DeepEqual(got[name], want) {
				t.Errorf("body member %s = %#v, want %#v (body %s)", name, got[name], want, body)
			}
		}
	}
	for _, sub := range c.wantBody {
		if !strings.Contains(string(body), sub) {
			t.Errorf("body %q does not contain %q", body, sub)
		}
	}
}

func expandAny(st *stack, v any) any {
	switch x := v.(type) {
	case string:
		return st.expand(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expandAny(st, e)
		}
		return out
	}
	return v
}

// checkChallenge compares the Bearer challenge's parameters.
func checkChallenge(t *testing.T, st *stack, values []string, want map[string]string) {
	t.Helper()
	if len(values) != 1 {
		t.Fatalf("WWW-Authenticate = %q, want one Bearer challenge", values)
	}
	params, ok := parseBearer(values[0])
	if !ok {
		t.Fatalf("WWW-Authenticate %q is not a Bearer challenge with quoted parameters", values[0])
	}
	if _, hasErr := want["error"]; hasErr && params["error_description"] == "" {
		t.Errorf("challenge %q has error but no error_description", values[0])
	}
	delete(params, "error_description")
	expanded := map[string]string{}
	for k, v := range want {
		expanded[k] = st.expand(v)
	}
	if !reflect.DeepEqual(params, expanded) {
		t.Errorf("challenge parameters %v, want %v (header %q)", params, expanded, values[0])
	}
}

// parseBearer splits `Bearer a="x", b="y"` (values without quotes or
// backslashes, as RFC 6750 allows for these parameters).
func parseBearer(v string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(v, "Bearer ")
	if !ok {
		return nil, false
	}
	params := map[string]string{}
	for rest != "" {
		name, after, ok := strings.Cut(rest, `="`)
		if !ok {
			return nil, false
		}
		value, after, ok := strings.Cut(after, `"`)
		if !ok {
			return nil, false
		}
		params[name] = value
		rest = strings.TrimPrefix(after, ", ")
		if rest == after && rest != "" {
			return nil, false
		}
	}
	return params, true
}

func statusOf(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}
