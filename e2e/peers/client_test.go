package peers

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// clientLine is one line the TypeScript client printed: a command's reply
// (ID set) or an event.
type clientLine struct {
	ID    int        `json:"id"`
	Op    string     `json:"op"`
	OK    bool       `json:"ok"`
	Error *clientErr `json:"error"`
	Event string     `json:"event"`
	Tools []string   `json:"tools"`
	Text  string     `json:"text"`
	IsErr bool       `json:"is_error"`
	SID   *string    `json:"session_id"`

	// http events
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	Status          int               `json:"status"`
	WWWAuthenticate string            `json:"www_authenticate"`
	RetryAfter      string            `json:"retry_after"`
	SentBearer      bool              `json:"sent_bearer"`
	SentBasic       bool              `json:"sent_basic"`
	TokenRequest    map[string]string `json:"token_request"`
	Token           *issuedToken      `json:"token"`
	TokenError      map[string]string `json:"token_error"`
	FetchError      string            `json:"fetch_error"`
}

type clientErr struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Code    any    `json:"code"`
}

type issuedToken struct {
	Header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	} `json:"header"`
	Claims struct {
		Iss      string `json:"iss"`
		Sub      string `json:"sub"`
		Aud      any    `json:"aud"`
		Scope    string `json:"scope"`
		ClientID string `json:"client_id"`
	} `json:"claims"`
	Scope string `json:"scope"`
}

// tsClient drives node/client.mjs: the official MCP TypeScript SDK with its
// ClientCredentialsProvider.
type tsClient struct {
	t     *testing.T
	proc  *process
	stdin io.WriteCloser

	mu      sync.Mutex
	lines   []clientLine
	replies map[int]chan clientLine
	nextID  int
	ready   chan struct{}
}

// clientCommandTimeout bounds one command; the SDK's own request timeout
// (20 s) is shorter, so a stuck request comes back as an error first.
const clientCommandTimeout = 45 * time.Second

// startClient starts the client as OAuth client c, asking for scope (""
// lets the SDK decide) and binding its secret to expectedIssuer.
func startClient(t *testing.T, dir string, c oauthClient, scope, expectedIssuer string, log *peerLog) *tsClient {
	t.Helper()
	pr, pw := io.Pipe()
	cl := &tsClient{t: t, stdin: pw, replies: map[int]chan clientLine{}, ready: make(chan struct{})}
	args := []string{"node", "client.mjs", "--client-id", c.ID, "--expected-issuer", expectedIssuer}
	if scope != "" {
		args = append(args, "--scope", scope)
	}
	cl.proc = startProcess(t, "MCP TypeScript client", log, dir, []string{"MCP_CLIENT_SECRET=" + c.Secret}, pr, cl.onLine, args...)
	t.Cleanup(func() { _ = pw.Close() })
	select {
	case <-cl.ready:
	case <-cl.proc.done:
		t.Fatalf("the MCP client exited at start: %v", cl.proc.err)
	case <-time.After(20 * time.Second):
		t.Fatal("the MCP client did not start within 20s")
	}
	return cl
}

func (c *tsClient) onLine(raw string) {
	var l clientLine
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return // not ours (an SDK warning on stdout): it is in the log anyway
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, l)
	if l.Event == "ready" {
		close(c.ready)
	}
	if l.ID != 0 && l.Event == "" {
		if ch, ok := c.replies[l.ID]; ok {
			ch <- l
		}
	}
}

// do sends one command and waits for its reply.
func (c *tsClient) do(cmd map[string]any) clientLine {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan clientLine, 1)
	c.replies[id] = ch
	c.mu.Unlock()
	cmd["id"] = id
	data, _ := json.Marshal(cmd)
	if _, err := fmt.Fprintf(c.stdin, "%s\n", data); err != nil {
		c.t.Fatalf("send %v to the MCP client: %v", cmd["op"], err)
	}
	select {
	case r := <-ch:
		return r
	case <-c.proc.done:
		c.t.Fatalf("the MCP client exited during %v: %v", cmd["op"], c.proc.err)
	case <-time.After(clientCommandTimeout):
		c.t.Fatalf("the MCP client did not answer %v within %v", cmd["op"], clientCommandTimeout)
	}
	return clientLine{}
}

// mustDo is do that fails the test when the command failed.
func (c *tsClient) mustDo(cmd map[string]any) clientLine {
	c.t.Helper()
	r := c.do(cmd)
	if !r.OK {
		c.t.Fatalf("MCP client %v failed: %+v", cmd["op"], r.Error)
	}
	return r
}

func (c *tsClient) connect(session, url string) clientLine {
	return c.do(map[string]any{"op": "connect", "session": session, "url": url})
}

func (c *tsClient) list(session string) clientLine {
	return c.do(map[string]any{"op": "list", "session": session})
}

func (c *tsClient) call(session, tool string, args map[string]any) clientLine {
	return c.do(map[string]any{"op": "call", "session": session, "tool": tool, "arguments": args})
}

// mark is a position in the client's output for httpSince.
func (c *tsClient) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// httpSince returns the HTTP exchanges the SDK made after mark.
func (c *tsClient) httpSince(mark int) []clientLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []clientLine
	for _, l := range c.lines[mark:] {
		if l.Event == "http" {
			out = append(out, l)
		}
	}
	return out
}
