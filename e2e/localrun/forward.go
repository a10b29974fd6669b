package localrun

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// errNoDownstreamResponse: the plugin's response callbacks did not let the
// upstream response through (they paused or replied instead).
var errNoDownstreamResponse = errors.New("the plugin held the upstream response")

// forward sends the request as the plugin left it to the upstream cluster
// and streams the response back, flushing as it goes: MCP Streamable HTTP
// answers with server-sent events that must not wait in a buffer. The
// response headers pass through the plugin's response callbacks first; the
// body goes straight to the client (the plugin registers no body callback).
func (s *Server) forward(w http.ResponseWriter, r *http.Request, stream *host.Stream, up host.Upstream) {
	rp := &httputil.ReverseProxy{
		Transport:     s.proxy,
		FlushInterval: -1,
		Rewrite: func(pr *httputil.ProxyRequest) {
			rewriteUpstream(pr.Out, s.upstream, up)
		},
		ModifyResponse: func(resp *http.Response) error {
			s.log.logf(host.LogInfo, "%s %s: forwarded to cluster %s: %d", r.Method, r.URL.Path, s.opts.UpstreamCluster, resp.StatusCode)
			return s.responseHeaders(stream, resp)
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, errNoDownstreamResponse) || errors.Is(err, ErrStopped) {
				s.log.logf(host.LogError, "%s %s: %v", r.Method, r.URL.Path, err)
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			s.log.logf(host.LogWarn, "%s %s: upstream cluster %s: %v", r.Method, r.URL.Path, s.opts.UpstreamCluster, err)
			// Envoy's router answers 503 when the upstream cannot be reached.
			http.Error(w, "upstream connect error or disconnect/reset before headers", http.StatusServiceUnavailable)
		},
	}
	rp.ServeHTTP(w, r)
}

// rewriteUpstream turns the plugin's view of the request (pseudo-headers
// and all) into the outgoing request to the cluster's origin.
func rewriteUpstream(out *http.Request, origin *url.URL, up host.Upstream) {
	hs := http.Header{}
	for _, kv := range up.Headers {
		switch kv[0] {
		case ":method":
			out.Method = kv[1]
		case ":authority":
			out.Host = kv[1]
		case ":path":
			target := *origin
			if ref, err := url.ParseRequestURI(kv[1]); err == nil {
				target.Path, target.RawPath, target.RawQuery = ref.Path, ref.RawPath, ref.RawQuery
			}
			out.URL = &target
		case ":scheme", "content-length":
		default:
			if !strings.HasPrefix(kv[0], ":") && !hopByHop[kv[0]] {
				hs.Add(kv[0], kv[1])
			}
		}
	}
	if _, ok := hs["User-Agent"]; !ok {
		hs["User-Agent"] = []string{""} // keep Go from adding its own
	}
	out.Header = hs
	out.ContentLength = int64(len(up.Body))
	out.Body = http.NoBody
	if len(up.Body) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(up.Body))
	}
	out.GetBody = nil
	out.TransferEncoding = nil
}

// responseHeaders runs the upstream response headers through the plugin's
// response callbacks on the loop and applies what it left.
func (s *Server) responseHeaders(stream *host.Stream, resp *http.Response) error {
	pairs := [][2]string{{":status", strconv.Itoa(resp.StatusCode)}}
	for name, vs := range resp.Header {
		lower := strings.ToLower(name)
		if hopByHop[lower] {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, [2]string{lower, v})
		}
	}
	got := make(chan [][2]string, 1)
	if !s.loop.post(func() {
		_ = stream.Response(pairs, nil)
		if dr := stream.DownstreamResponse(); dr != nil {
			got <- dr.Headers
			return
		}
		got <- nil
	}) {
		return ErrStopped
	}
	var hs [][2]string
	select {
	case hs = <-got:
	case <-s.loop.done:
		return ErrStopped
	}
	if hs == nil {
		return errNoDownstreamResponse
	}
	out := http.Header{}
	for _, kv := range hs {
		if kv[0] == ":status" {
			if code, err := strconv.Atoi(kv[1]); err == nil {
				resp.StatusCode, resp.Status = code, ""
			}
			continue
		}
		out.Add(kv[0], kv[1])
	}
	resp.Header = out
	return nil
}
