package localrun

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The headers the demo upstream answers with, so callers (and tests) can
// see what reached it: the identity the plugin added, and whether an
// Authorization header got through (it must not: MCP forbids passthrough).
const (
	SeenSubjectHeader       = "X-Demo-Seen-Subject"
	SeenScopeHeader         = "X-Demo-Seen-Scope"
	SeenAuthorizationHeader = "X-Demo-Seen-Authorization" // "absent" or "present"
)

// The identity headers the demo configuration asks the plugin to set.
const (
	SubjectHeader = "x-mcp-subject"
	ScopeHeader   = "x-mcp-scope"
)

// upstreamStreamLimit bounds how long a GET /mcp event stream stays open.
const upstreamStreamLimit = 10 * time.Minute

// Upstream is a tiny MCP server (Streamable HTTP, JSON-RPC 2.0) with one
// tool, echo. It reports in every response what identity reached it.
type Upstream struct {
	url  string
	srv  *http.Server
	done chan struct{}
}

// StartUpstream serves, on ln:
//
//	POST /mcp     initialize, ping, tools/list, tools/call (echo); tools/call
//	              answers as server-sent events when the client accepts them
//	GET  /mcp     an event stream that sends one notification, then keeps alive
//	GET  /healthz "ok"
func StartUpstream(ln net.Listener) *Upstream {
	u := &Upstream{url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mcp", u.serveRPC)
	mux.HandleFunc("GET /mcp", u.serveStream)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reportSeen(w, r)
		_, _ = io.WriteString(w, "ok\n")
	})
	u.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(u.done)
		_ = u.srv.Serve(ln)
	}()
	return u
}

// URL is the upstream's origin, e.g. http://127.0.0.1:40123.
func (u *Upstream) URL() string { return u.url }

// Close stops the upstream and its open event streams.
func (u *Upstream) Close() error {
	err := u.srv.Close()
	<-u.done
	return err
}

func reportSeen(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set(SeenSubjectHeader, r.Header.Get(SubjectHeader))
	h.Set(SeenScopeHeader, r.Header.Get(ScopeHeader))
	if _, ok := r.Header["Authorization"]; ok {
		h.Set(SeenAuthorizationHeader, "present")
	} else {
		h.Set(SeenAuthorizationHeader, "absent")
	}
}

type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (u *Upstream) serveRPC(w http.ResponseWriter, r *http.Request) {
	reportSeen(w, r)
	var req rpcRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.JSONRPC != "2.0" || req.Method == "" {
		writeRPC(w, r, nil, nil, &rpcError{Code: -32700, Message: "expected one JSON-RPC 2.0 request"}, false)
		return
	}
	if len(req.ID) == 0 { // a notification: accepted, no answer
		w.WriteHeader(http.StatusAccepted)
		return
	}
	subject := r.Header.Get(SubjectHeader)
	switch req.Method {
	case "initialize":
		writeRPC(w, r, req.ID, map[string]any{
			"protocolVersion": "2025-06-18",
			"capabilities":    map[string]any{"tools": map[string]any{}},
			"serverInfo":      map[string]string{"name": "mcp-oauth-local demo server", "version": "1"},
		}, nil, false)
	case "ping":
		writeRPC(w, r, req.ID, map[string]any{}, nil, false)
	case "tools/list":
		writeRPC(w, r, req.ID, map[string]any{"tools": []any{map[string]any{
			"name":        "echo",
			"description": "Echoes its text and says who called it.",
			"inputSchema": map[string]any{
				"type":       "object",
				"properties": map[string]any{"text": map[string]string{"type": "string"}},
				"required":   []string{"text"},
			},
		}}}, nil, false)
	case "tools/call":
		var p struct {
			Name      string `json:"name"`
			Arguments struct {
				Text string `json:"text"`
			} `json:"arguments"`
		}
		if err := json.Unmarshal(req.Params, &p); err != nil || p.Name != "echo" {
			writeRPC(w, r, req.ID, nil, &rpcError{Code: -32602, Message: "unknown tool (this server has only echo)"}, false)
			return
		}
		text := fmt.Sprintf("%s (called by %q with scope %q)", p.Arguments.Text, subject, r.Header.Get(ScopeHeader))
		writeRPC(w, r, req.ID, map[string]any{
			"content": []any{map[string]string{"type": "text", "text": text}},
		}, nil, true)
	default:
		writeRPC(w, r, req.ID, nil, &rpcError{Code: -32601, Message: "method not found"}, false)
	}
}

// writeRPC answers as JSON, or as one server-sent event when sse is set
// and the client accepts text/event-stream (Streamable HTTP lets the
// server choose).
func writeRPC(w http.ResponseWriter, r *http.Request, id json.RawMessage, result any, e *rpcError, sse bool) {
	msg := map[string]any{"jsonrpc": "2.0", "id": id}
	if id == nil {
		msg["id"] = nil
	}
	if e != nil {
		msg["error"] = e
	} else {
		msg["result"] = result
	}
	b, _ := json.Marshal(msg)
	if sse && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = fmt.Fprintf(w, "event: message\ndata: %s\n\n", b)
		return
	}
	status := http.StatusOK
	if e != nil && e.Code == -32700 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// serveStream is the GET side of Streamable HTTP: a stream for
// server-initiated messages. It sends one notification at once (so a
// client sees that events arrive while the stream stays open), then
// keep-alive comments until the client leaves.
func (u *Upstream) serveStream(w http.ResponseWriter, r *http.Request) {
	reportSeen(w, r)
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	note, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "notifications/message",
		"params": map[string]any{"level": "info", "data": "stream open for " + r.Header.Get(SubjectHeader)}})
	_, _ = fmt.Fprintf(w, "event: message\ndata: %s\n\n", note)
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	limit := time.NewTimer(upstreamStreamLimit)
	defer limit.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-limit.C:
			return
		case <-keepAlive.C:
			_, _ = io.WriteString(w, ": keep-alive\n\n")
			flusher.Flush()
		}
	}
}
