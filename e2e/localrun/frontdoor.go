package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// hopByHop are the connection-level fields a proxy never passes on (RFC
// 9110 §7.6.1); Envoy's codec drops them before filters see the request.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true, "te": true,
	"trailer": true, "transfer-encoding": true, "upgrade": true,
	"proxy-authenticate": true, "proxy-authorization": true,
}

// ServeHTTP runs one request through the plugin as Envoy's filter chain
// would, then answers it locally or proxies it to the upstream cluster.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	o := host.RequestOptions{
		Headers:    requestPairs(r, len(body)),
		Properties: map[string]string{"source.address": r.RemoteAddr},
	}
	if len(body) > 0 {
		o.Body = body
	}

	decided := make(chan decision, 1)
	var p *pending // touched only on the loop goroutine
	var stream *host.Stream
	if !s.loop.post(func() {
		stream = s.loop.start(o)
		p = s.loop.await(stream, decided)
	}) {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	timer := time.NewTimer(maxDecisionWait)
	defer timer.Stop()
	var d decision
	select {
	case d = <-decided:
	case <-r.Context().Done():
		// The client left while the request waited for keys: the stream
		// ends (on_done), as when Envoy's downstream resets.
		s.loop.post(func() { p.cancelled = true; _ = stream.Done() })
		return
	case <-timer.C:
		s.loop.post(func() { p.cancelled = true; _ = stream.Done() })
		d = decision{kind: decisionStalled}
	case <-s.loop.done:
		d = decision{kind: decisionStopped}
	}

	switch d.kind {
	case decisionLocal:
		s.log.logf(host.LogInfo, "%s %s: answered by the plugin: %d", r.Method, r.URL.Path, d.status)
		writeLocalReply(w, d)
		s.loop.post(func() { _ = stream.Done() })
	case decisionForward:
		s.forward(w, r, stream, d.upstream)
		s.loop.post(func() { _ = stream.Done() })
	case decisionReset:
		s.loop.post(func() { _ = stream.Done() })
		panic(http.ErrAbortHandler) // close the connection without a response
	case decisionStalled:
		s.log.logf(host.LogError, "%s %s: the plugin neither answered nor continued the request", r.Method, r.URL.Path)
		s.loop.post(func() { _ = stream.Done() })
		http.Error(w, "the plugin did not decide the request", http.StatusInternalServerError)
	case decisionStopped:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	}
}

// requestPairs builds the header map Envoy gives filters: pseudo-headers
// first, names lowercase, hop-by-hop fields removed, content-length for a
// buffered body, and the x-request-id and x-forwarded-proto Envoy adds.
func requestPairs(r *http.Request, bodyLen int) [][2]string {
	path := r.RequestURI
	if !strings.HasPrefix(path, "/") && path != "*" {
		path = r.URL.RequestURI() // absolute-form request target
	}
	pairs := [][2]string{
		{":authority", r.Host},
		{":path", path},
		{":method", r.Method},
		{":scheme", "http"},
	}
	drop := map[string]bool{}
	for _, f := range r.Header.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			drop[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		lower := strings.ToLower(name)
		if hopByHop[lower] || drop[lower] || lower == "content-length" || lower == "host" {
			continue
		}
		for _, v := range r.Header[name] {
			pairs = append(pairs, [2]string{lower, v})
		}
	}
	if bodyLen > 0 || r.ContentLength == 0 && methodHasBody(r.Method) {
		pairs = append(pairs, [2]string{"content-length", strconv.Itoa(bodyLen)})
	}
	if r.Header.Get("X-Request-Id") == "" {
		pairs = append(pairs, [2]string{"x-request-id", newRequestID()})
	}
	if r.Header.Get("X-Forwarded-Proto") == "" {
		pairs = append(pairs, [2]string{"x-forwarded-proto", "http"})
	}
	return pairs
}

func methodHasBody(m string) bool { return m == "POST" || m == "PUT" || m == "PATCH" }

// newRequestID is a random id in UUID form, as Envoy generates.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// writeLocalReply writes the plugin's reply as the client gets it from
// Envoy: its status, headers and body (content-length is recomputed).
func writeLocalReply(w http.ResponseWriter, d decision) {
	hs := w.Header()
	for _, kv := range d.headers {
		if strings.HasPrefix(kv[0], ":") || kv[0] == "content-length" {
			continue
		}
		name := http.CanonicalHeaderKey(kv[0])
		if kv[0] == "www-authenticate" {
			name = "WWW-Authenticate" // as RFC 9110 spells it; Go would write Www-Authenticate
		}
		hs[name] = append(hs[name], kv[1])
	}
	w.WriteHeader(d.status)
	_, _ = w.Write(d.body)
}
