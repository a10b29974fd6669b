package localrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

const (
	// maxCallResponseBytes: a larger answer is a failed call, as Envoy
	// fails an async request whose response exceeds its buffer.
	maxCallResponseBytes = 4 << 20
	// maxCallTime bounds a call the plugin gave no timeout.
	maxCallTime = 5 * time.Minute
)

// callResult is a finished real HTTP request for a dispatched call.
type callResult struct {
	status  int
	headers [][2]string
	body    []byte
	err     error
	timeout bool
}

// dispatch is host.Options.Dispatch: it runs on the loop goroutine inside
// proxy_http_call, so it only copies the call and starts a goroutine; the
// answer comes back through the loop with host.Post, the way Envoy
// delivers the response on the worker that dispatched it.
func (s *Server) dispatch(call *host.HTTPCall) {
	origin := s.origins[call.Cluster] // the host accepts only mapped names
	var method, path, authority string
	var headers [][2]string
	for _, kv := range call.Headers {
		switch kv[0] {
		case ":method":
			method = kv[1]
		case ":path":
			path = kv[1]
		case ":authority":
			authority = kv[1]
		default:
			if !strings.HasPrefix(kv[0], ":") && kv[0] != "content-length" {
				headers = append(headers, kv)
			}
		}
	}
	body := append([]byte(nil), call.Body...)
	timeout := call.TimeoutAfter
	if timeout <= 0 || timeout > maxCallTime {
		timeout = maxCallTime
	}
	cluster := call.Cluster
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		started := time.Now()
		res := s.perform(origin.String()+path, method, authority, headers, body, timeout)
		s.logCall(cluster, method, path, res, time.Since(started))
		if s.callCtx.Err() != nil {
			return // shutting down: nobody is waiting
		}
		s.loop.post(func() { answer(call, res) })
	}()
}

// perform makes the real request. Redirects are not followed.
func (s *Server) perform(target, method, authority string, headers [][2]string, body []byte, timeout time.Duration) callResult {
	ctx, cancel := context.WithTimeout(s.callCtx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return callResult{err: err}
	}
	req.Host = authority
	for _, kv := range headers {
		req.Header.Add(kv[0], kv[1])
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = []string{""}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return callResult{err: err, timeout: errors.Is(err, context.DeadlineExceeded)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxCallResponseBytes+1))
	if err != nil {
		return callResult{err: err, timeout: errors.Is(err, context.DeadlineExceeded)}
	}
	if len(b) > maxCallResponseBytes {
		return callResult{err: fmt.Errorf("response larger than %d bytes", maxCallResponseBytes)}
	}
	res := callResult{status: resp.StatusCode, body: b}
	for name, vs := range resp.Header {
		for _, v := range vs {
			res.headers = append(res.headers, [2]string{strings.ToLower(name), v})
		}
	}
	if resp.ContentLength < 0 {
		res.headers = append(res.headers, [2]string{"content-length", strconv.Itoa(len(b))})
	}
	return res
}

// answer delivers the result unless the host already timed the call out
// (its deadline follows the same real time).
func answer(call *host.HTTPCall, res callResult) {
	if !call.Pending() {
		return
	}
	switch {
	case res.timeout:
		_ = call.Timeout() // Envoy's synthesized 504
	case res.err != nil:
		_ = call.Fail() // connection failure: zero headers
	default:
		_ = call.Respond(res.status, res.headers, res.body)
	}
}

func (s *Server) logCall(cluster, method, path string, res callResult, took time.Duration) {
	ms := took.Round(time.Millisecond)
	switch {
	case res.timeout:
		s.log.logf(host.LogWarn, "dispatched %s %s to cluster %s: timed out after %v", method, path, cluster, ms)
	case res.err != nil:
		s.log.logf(host.LogWarn, "dispatched %s %s to cluster %s: failed after %v: %v", method, path, cluster, ms, res.err)
	default:
		s.log.logf(host.LogInfo, "dispatched %s %s to cluster %s: %d, %d bytes in %v", method, path, cluster, res.status, len(res.body), ms)
	}
}
