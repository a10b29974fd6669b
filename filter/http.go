package filter

import (
	"slices"
	"strings"
	"time"

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

	// For the decision's log line.
	requestID, method, path string
	// responseHeaders are added to the upstream's response (deprecation of
	// API keys), once.
	responseHeaders [][2]string
	// stripPresent marks the guard's StripHeaders the request carries (bit
	// i for StripHeaders()[i]), so that absent ones cost no host call;
	// entries past the 64th are always removed (mayCarry).
	stripPresent uint64
	// authorization backs the request's Authorization values and
	// headerSpace the identity headers the guard sets: storage of the
	// stream's own, as an allocation per request costs in wasm.
	authorization [1]string
	headerSpace   [4][2]string
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
	req, err := h.readRequest(p.guard.APIKeyHeader(), p.guard.StripHeaders())
	if err != nil {
		p.log.errorf("mcp-oauth-wasm: cannot read request headers: %v", err)
		return h.failClosed()
	}
	now := p.now()
	o := p.check(req, now)
	if o.Kind == guard.WaitForKeys && o.UnknownKey && p.remotes[o.Provider].syncKeys() {
		// Another VM may have stored a set with this kid since this VM's
		// last tick; judge the token on it before asking for a refresh.
		o = p.check(req, now)
	}
	if o.Kind == guard.WaitForKeys {
		if p.park(h, req, o, now) {
			return types.ActionPause
		}
		// Early refresh rate-limited: judge the token on the keys we have.
		req.KeysSettled = true
		waiting := o.Provider
		o = p.check(req, now)
		if o.Kind == guard.WaitForKeys {
			o = p.unavailable(waiting, 1)
		}
	}
	if h.apply(&o) {
		return types.ActionContinue
	}
	return types.ActionPause
}

// OnHttpStreamDone forgets a request that ended while it waited for keys.
func (h *httpContext) OnHttpStreamDone() {
	if len(h.plugin.parked) > 0 { // almost always empty: spare the map call
		delete(h.plugin.parked, h.contextID)
	}
}

// OnHttpResponseHeaders adds the deprecation headers of an API-key request
// to the response the client receives. A Deprecation or Sunset the
// upstream sent itself is kept (it knows its resource); the Link is added
// to the upstream's Link list, as one comma-separated field value
// (RFC 9110 §5.3, RFC 8288 §3). Local replies carry their headers already.
func (h *httpContext) OnHttpResponseHeaders(int, bool) types.Action {
	if len(h.responseHeaders) == 0 || h.replied {
		return types.ActionContinue
	}
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogCriticalf("mcp-oauth-wasm: panic adding response headers: %v", r)
		}
	}()
	add := h.responseHeaders
	h.responseHeaders = nil
	upstream, err := proxywasm.GetHttpResponseHeaders()
	if err != nil {
		h.plugin.log.warnf("mcp-oauth-wasm: cannot read response headers: %v", err)
		return types.ActionContinue
	}
	present := map[string]bool{}
	var links []string
	for _, kv := range upstream {
		name := strings.ToLower(kv[0])
		present[name] = true
		if name == "link" {
			links = append(links, kv[1])
		}
	}
	for _, kv := range add {
		switch {
		case kv[0] == "link" && len(links) > 0:
			err = proxywasm.ReplaceHttpResponseHeader("link", strings.Join(links, ", ")+", "+kv[1])
		case present[kv[0]]:
			continue
		default:
			err = proxywasm.AddHttpResponseHeader(kv[0], kv[1])
		}
		if err != nil {
			h.plugin.log.warnf("mcp-oauth-wasm: cannot add response header %s: %v", kv[0], err)
		}
	}
	return types.ActionContinue
}

// readRequest collects what the guard needs from the request headers, what
// the decision's log line names, and which of strip the request carries.
func (h *httpContext) readRequest(apiKeyHeader string, strip []string) (guard.Request, error) {
	headers, err := proxywasm.GetHttpRequestHeaders()
	if err != nil {
		return guard.Request{}, err
	}
	req := guard.Request{Authorization: h.authorization[:0], HeaderSpace: h.headerSpace[:0]}
	for _, kv := range headers {
		name := strings.ToLower(kv[0])
		if i := slices.Index(strip, name); i >= 0 && i < 64 {
			h.stripPresent |= 1 << i
		}
		switch name {
		case ":method":
			req.Method = kv[1]
		case ":path":
			req.Path = kv[1]
		case "authorization":
			req.Authorization = append(req.Authorization, kv[1])
		case "access-control-request-method":
			req.Preflight = true
		case "x-request-id":
			h.requestID = kv[1]
		default:
			if name == apiKeyHeader {
				req.APIKey = append(req.APIKey, kv[1])
			}
		}
	}
	h.method = req.Method
	h.path, _, _ = strings.Cut(req.Path, "?") // the query may carry an access_token
	return req, nil
}

// check asks the guard and records how long a credential took to decide.
// A token served from the cache is not timed: reading the clock again and
// recording a sample would be a good part of what such a request costs,
// and the cache's hit counter already tells how many there were.
func (p *pluginContext) check(req guard.Request, now time.Time) guard.Outcome {
	o := p.guard.Check(req, p, now)
	if o.Credential != guard.CredentialNone && o.Kind != guard.WaitForKeys && !o.FromCache {
		p.metrics.validated(p.since(now))
	}
	return o
}

// since is p.now().Sub(start). When start carries a monotonic clock
// reading, as time.Now's do, only that clock is read again (time.Since):
// in wasm each clock is a host call, and time.Now reads two.
func (p *pluginContext) since(start time.Time) time.Duration {
	if start != start.Round(0) { // Round(0) drops the monotonic reading
		return time.Since(start)
	}
	return p.now().Sub(start)
}

// apply carries out a decision on the current stream and reports whether the
// request may continue upstream.
func (h *httpContext) apply(o *guard.Outcome) bool {
	h.plugin.metrics.outcome(o)
	h.plugin.log.logDecision(h, o)
	switch o.Kind {
	case guard.Forward:
		h.responseHeaders = o.ResponseHeaders
		for _, name := range o.RemoveHeaders {
			if !h.mayCarry(name) {
				continue
			}
			if err := proxywasm.RemoveHttpRequestHeader(name); err != nil {
				h.plugin.log.errorf("mcp-oauth-wasm: cannot remove header %s: %v", name, err)
				h.failClosed()
				return false
			}
		}
		for _, kv := range o.SetHeaders {
			if err := proxywasm.ReplaceHttpRequestHeader(kv[0], kv[1]); err != nil {
				h.plugin.log.errorf("mcp-oauth-wasm: cannot set header %s: %v", kv[0], err)
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

// mayCarry reports whether the request may carry header name: false only
// for a StripHeaders entry that readRequest did not see. Removing a header
// that is not there is a host call for nothing, and the header map read
// at the start of OnHttpRequestHeaders is the whole map.
func (h *httpContext) mayCarry(name string) bool {
	i := slices.Index(h.plugin.guard.StripHeaders(), name)
	return i < 0 || i >= 64 || h.stripPresent&(1<<i) != 0
}

// send is the one place a local reply leaves the filter.
func (h *httpContext) send(r guard.Response) {
	if h.replied {
		return
	}
	h.replied = true
	if err := proxywasm.SendHttpResponse(uint32(r.Status), r.Headers, r.Body, -1); err != nil {
		h.plugin.log.errorf("mcp-oauth-wasm: cannot send local reply: %v", err)
	}
}

// failClosed answers 500 after an internal failure: the request never
// reaches the upstream unchecked.
func (h *httpContext) failClosed() types.Action {
	if g := h.plugin.guard; g != nil {
		o := g.InternalResponse()
		h.plugin.metrics.outcome(&o)
		h.plugin.log.logDecision(h, &o)
		h.send(o.Response)
	} else {
		h.send(guard.Response{Status: 500, Headers: [][2]string{{"content-type", "application/json"}, {"cache-control", "no-store"}},
			Body: []byte(`{"error":"server_error","error_description":"authorization filter not configured"}`)})
	}
	return types.ActionPause
}
