package filter

import (
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// httpContext is one request stream.
type httpContext struct {
	types.DefaultHttpContext
	contextID uint32
	plugin    *pluginContext
	replied   bool // a local reply was sent: never send a second (PITFALLS 10)
}

// OnHttpRequestHeaders is where every request is decided: the only callback
// in which a pause really stops the upstream (PITFALLS 9).
func (h *httpContext) OnHttpRequestHeaders(int, bool) (action types.Action) {
	p := h.plugin
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogCriticalf("mcp-oauth-wasm: panic deciding a request: %v", r)
			action = h.failClosed()
		}
	}()
	req, err := readRequest()
	if err != nil {
		proxywasm.LogErrorf("mcp-oauth-wasm: cannot read request headers: %v", err)
		return h.failClosed()
	}
	now := p.now()
	o := p.guard.Check(req, p, now)
	if o.Kind == guard.WaitForKeys {
		if p.park(h, req, o, now) {
			return types.ActionPause
		}
		// Early refresh rate-limited: judge the token on the keys we have.
		req.KeysSettled = true
		o = p.guard.Check(req, p, now)
		if o.Kind == guard.WaitForKeys {
			o = p.guard.UnavailableResponse(1)
		}
	}
	if h.apply(o) {
		return types.ActionContinue
	}
	return types.ActionPause
}

// OnHttpStreamDone forgets a request that ended while it waited for keys.
func (h *httpContext) OnHttpStreamDone() {
	delete(h.plugin.parked, h.contextID)
}

// readRequest collects what the guard needs from the request headers.
func readRequest() (guard.Request, error) {
	headers, err := proxywasm.GetHttpRequestHeaders()
	if err != nil {
		return guard.Request{}, err
	}
	var req guard.Request
	for _, kv := range headers {
		switch strings.ToLower(kv[0]) {
		case ":method":
			req.Method = kv[1]
		case ":path":
			req.Path = kv[1]
		case "authorization":
			req.Authorization = append(req.Authorization, kv[1])
		case "access-control-request-method":
			req.Preflight = true
		}
	}
	return req, nil
}

// apply carries out a decision on the current stream and reports whether the
// request may continue upstream.
func (h *httpContext) apply(o guard.Outcome) bool {
	logOutcome(o)
	switch o.Kind {
	case guard.Forward:
		for _, name := range o.RemoveHeaders {
			if err := proxywasm.RemoveHttpRequestHeader(name); err != nil {
				proxywasm.LogErrorf("mcp-oauth-wasm: cannot remove header %s: %v", name, err)
				h.failClosed()
				return false
			}
		}
		for _, kv := range o.SetHeaders {
			if err := proxywasm.ReplaceHttpRequestHeader(kv[0], kv[1]); err != nil {
				proxywasm.LogErrorf("mcp-oauth-wasm: cannot set header %s: %v", kv[0], err)
				h.failClosed()
				return false
			}
		}
		return true
	default:
		h.send(o.Response)
		return false
	}
}

// send is the one place a local reply leaves the filter.
func (h *httpContext) send(r guard.Response) {
	if h.replied {
		return
	}
	h.replied = true
	if err := proxywasm.SendHttpResponse(uint32(r.Status), r.Headers, r.Body, -1); err != nil {
		proxywasm.LogErrorf("mcp-oauth-wasm: cannot send local reply: %v", err)
	}
}

// failClosed answers 500 after an internal failure: the request never
// reaches the upstream unchecked.
func (h *httpContext) failClosed() types.Action {
	if g := h.plugin.guard; g != nil {
		h.send(g.InternalResponse().Response)
	} else {
		h.send(guard.Response{Status: 500, Headers: [][2]string{{"content-type", "application/json"}, {"cache-control", "no-store"}},
			Body: []byte(`{"error":"server_error","error_description":"authorization filter not configured"}`)})
	}
	return types.ActionPause
}

// logOutcome writes one debug line per decision. It never includes the
// token; descriptions are fixed strings.
func logOutcome(o guard.Outcome) {
	if o.Kind == guard.Forward {
		proxywasm.LogDebugf("mcp-oauth-wasm: %s provider=%s", o.Reason, o.ProviderName)
		return
	}
	proxywasm.LogDebugf("mcp-oauth-wasm: denied status=%d reason=%s provider=%s", o.Response.Status, o.Reason, o.ProviderName)
}
