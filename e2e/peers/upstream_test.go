package peers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Identity headers the plugin sets from the validated token
// (claim_to_headers in the test configuration).
const (
	headerSubject  = "X-Mcp-Subject"
	headerClientID = "X-Mcp-Client-Id"
	headerScope    = "X-Mcp-Scope"
)

// seenRequest is one HTTP request as the upstream received it.
type seenRequest struct {
	Method string
	Path   string
	Header http.Header
}

// upstreamMCP is the official MCP Go SDK serving two tools over Streamable
// HTTP on /mcp and /mcp/admin (one server: the paths differ only in the
// scopes the plugin requires), recording every request it receives.
type upstreamMCP struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

// whoamiArgs and echoArgs are the tools' inputs.
type (
	whoamiArgs struct{}
	echoArgs   struct {
		Text string `json:"text" jsonschema:"the text to echo"`
	}
)

func startUpstream(t *testing.T, log *peerLog) *upstreamMCP {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "e2e-peers-upstream", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "The caller identity the upstream received"},
		func(_ context.Context, req *mcp.CallToolRequest, _ whoamiArgs) (*mcp.CallToolResult, any, error) {
			h := http.Header{}
			if req.Extra != nil && req.Extra.Header != nil {
				h = req.Extra.Header
			}
			out, _ := json.Marshal(map[string]any{
				"subject":       h.Get(headerSubject),
				"client_id":     h.Get(headerClientID),
				"scope":         h.Get(headerScope),
				"authorization": h.Values("Authorization") != nil,
			})
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(out)}}}, nil, nil
		})
	mcp.AddTool(server, &mcp.Tool{Name: "echo", Description: "Echoes its text"},
		func(_ context.Context, _ *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
		})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Logger: slog.New(slog.NewTextHandler(log, nil))})

	u := &upstreamMCP{}
	mux := http.NewServeMux()
	mux.Handle("/mcp", handler)
	mux.Handle("/mcp/admin", handler)
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, seenRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		u.mu.Unlock()
		log.add(r.Method + " " + r.URL.RequestURI())
		if answerPreflight(w, r) {
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "Mcp-Session-Id")
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		u.srv.CloseClientConnections()
		u.srv.Close()
	})
	return u
}

// URL is the upstream's origin.
func (u *upstreamMCP) URL() string { return u.srv.URL }

// requests returns the requests received so far.
func (u *upstreamMCP) requests() []seenRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seenRequest(nil), u.seen...)
}

// answerPreflight answers a CORS preflight. The plugin passes preflights
// (they carry no credentials) to the upstream untouched, so answering them
// is the MCP server's job, or a CORS filter's in the proxy; the Go SDK's
// handler does not do it, so this upstream does, as a browser-facing
// deployment must.
func answerPreflight(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-Id")
	h.Set("Access-Control-Max-Age", "60")
	w.WriteHeader(http.StatusNoContent)
	return true
}
