package peers

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// challenge parses a WWW-Authenticate value "Bearer k="v", k2="v2"" into
// its scheme and parameters (the plugin quotes every value).
func challenge(t *testing.T, v string) (scheme string, params map[string]string) {
	t.Helper()
	scheme, rest, _ := strings.Cut(v, " ")
	params = map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		name, after, ok := strings.Cut(rest, `="`)
		if !ok {
			t.Fatalf("WWW-Authenticate %q: cannot parse at %q", v, rest)
		}
		end := strings.IndexByte(after, '"')
		if end < 0 {
			t.Fatalf("WWW-Authenticate %q: unterminated value", v)
		}
		params[strings.TrimSpace(name)] = after[:end]
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(after[end+1:]), ","))
	}
	return scheme, params
}

// step describes one HTTP exchange expected in the client's log.
type step struct {
	what  string
	match func(clientLine) bool
}

// expectSteps finds the steps in order in got (other exchanges, such as
// the SDK's optional SSE GET, may come between) and returns the matched
// exchanges. It fails with the whole log when a step is missing.
func expectSteps(t *testing.T, got []clientLine, steps ...step) []clientLine {
	t.Helper()
	var out []clientLine
	i := 0
	for _, s := range steps {
		for i < len(got) && !s.match(got[i]) {
			i++
		}
		if i == len(got) {
			t.Fatalf("the client's exchanges lack %q after %d matched step(s); they were:\n%s", s.what, len(out), describeExchanges(got))
		}
		out = append(out, got[i])
		i++
	}
	return out
}

func describeExchanges(got []clientLine) string {
	var b strings.Builder
	for _, h := range got {
		b.WriteString("  " + h.Method + " " + h.URL)
		if h.SentBearer {
			b.WriteString(" [bearer]")
		}
		if h.TokenRequest != nil {
			data, _ := json.Marshal(h.TokenRequest)
			b.WriteString(" form=" + string(data))
		}
		if h.FetchError != "" {
			b.WriteString(" -> fetch error: " + h.FetchError + "\n")
			continue
		}
		b.WriteString(" -> " + strconv.Itoa(h.Status) + " " + http.StatusText(h.Status))
		if h.WWWAuthenticate != "" {
			b.WriteString(" WWW-Authenticate: " + h.WWWAuthenticate)
		}
		if h.RetryAfter != "" {
			b.WriteString(" Retry-After: " + h.RetryAfter)
		}
		if h.Token != nil {
			b.WriteString(" token kid=" + h.Token.Header.Kid + " scope=" + h.Token.Scope)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// rawResponse is what a plain HTTP client saw.
type rawResponse struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// initializeBody is an MCP initialize request, for raw requests.
const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// postMCP sends an MCP initialize request with a bearer token ("" for
// none) and decodes a JSON error body if there is one.
func postMCP(t *testing.T, url, token string) rawResponse {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader([]byte(initializeBody)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out := rawResponse{Status: resp.StatusCode, Header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(data, &out.Body)
	}
	return out
}

// isGateway reports whether an exchange went to the plugin's front door at
// path (query ignored).
func isGateway(s *stack, h clientLine, path string) bool {
	return strings.HasPrefix(h.URL, "http://"+s.addr+"/") && strings.SplitN(strings.TrimPrefix(h.URL, "http://"+s.addr), "?", 2)[0] == path
}

// prmURL is the protected resource metadata URL of the test resource.
func (s *stack) prmURL() string {
	return "http://" + s.addr + "/.well-known/oauth-protected-resource/mcp"
}

// countUpstream counts the upstream's requests by method and path.
func countUpstream(reqs []seenRequest, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}
