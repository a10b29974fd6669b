package host

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrCallAnswered: the call was already answered (or dropped).
var ErrCallAnswered = errors.New("http call already answered")

// Outcome is how a dispatched call was answered.
type Outcome int

// Outcomes of a dispatched call.
const (
	OutcomePending Outcome = iota
	OutcomeResponse
	OutcomeFailure
	OutcomeTimeout
	OutcomeDropped // the VM was reloaded or closed first
)

// HTTPCall is one proxy_http_call waiting in the host for an answer.
type HTTPCall struct {
	vm       *VM
	gen      int
	rootID   uint32
	answered bool

	// Token is the id returned to the plugin (Envoy: multiples of 4,
	// envoy source/extensions/common/wasm/wasm.h nextHttpCallId).
	Token uint32
	// Cluster is the first argument of proxy_http_call.
	Cluster string
	// Headers, Body and Trailers as the upstream would receive them
	// (Envoy adds content-length for a non-empty body).
	Headers  [][2]string
	Body     []byte
	Trailers [][2]string
	// TimeoutAfter is the plugin's timeout (0: none); Deadline is when
	// Host.Tick times the call out (zero if none).
	TimeoutAfter time.Duration
	Deadline     time.Time
	// Outcome records how the call was answered.
	Outcome Outcome
}

// VM returns the VM that dispatched the call.
func (c *HTTPCall) VM() *VM { return c.vm }

// Pending reports whether the call still waits for an answer.
func (c *HTTPCall) Pending() bool { return !c.answered }

// Header returns the first value of a request header of the call.
func (c *HTTPCall) Header(name string) string {
	name = strings.ToLower(name)
	for _, h := range c.Headers {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

// callResponse is what proxy_get_header_map_* and proxy_get_buffer_bytes
// see during proxy_on_http_call_response (envoy context.cc
// Context::onHttpCallSuccess sets http_call_response_).
type callResponse struct {
	headers  [][2]string
	body     []byte
	trailers [][2]string
}

// Respond delivers an upstream response. ":status" is added first unless
// headers carry one. It returns the trap the callback raised, if any.
func (c *HTTPCall) Respond(status int, headers [][2]string, body []byte) error {
	hs := make([][2]string, 0, len(headers)+1)
	has := false
	for _, h := range headers {
		if strings.ToLower(h[0]) == ":status" {
			has = true
		}
		hs = append(hs, [2]string{strings.ToLower(h[0]), h[1]})
	}
	if !has {
		hs = append([][2]string{{":status", strconv.Itoa(status)}}, hs...)
	}
	return c.deliver(OutcomeResponse, &callResponse{headers: hs, body: append([]byte{}, body...)})
}

// Fail delivers a failure (connection reset or response too large): Envoy
// calls proxy_on_http_call_response with zero headers, body and trailers
// and no response map (envoy context.cc Context::onHttpCallFailure).
func (c *HTTPCall) Fail() error { return c.deliver(OutcomeFailure, nil) }

// timeoutBody is the router's local-reply body on an upstream timeout
// (envoy source/common/router/router.cc Filter::onUpstreamTimeoutAbort).
const timeoutBody = "upstream request timeout"

// Timeout delivers what the plugin sees when the call's timeout fires: the
// async client's router sends a local reply 504 "upstream request timeout"
// (router.cc onUpstreamTimeoutAbort → AsyncStreamImpl::sendLocalReply →
// encodeHeaders/encodeData, source/common/http/async_client_impl.cc), which
// completes the request successfully, so Envoy calls onHttpCallSuccess
// with a 504 response, not onHttpCallFailure.
func (c *HTTPCall) Timeout() error {
	return c.deliver(OutcomeTimeout, &callResponse{
		headers: [][2]string{{":status", "504"}, {"content-length", strconv.Itoa(len(timeoutBody))}, {"content-type", "text/plain"}},
		body:    []byte(timeoutBody),
	})
}

func (c *HTTPCall) deliver(o Outcome, resp *callResponse) error {
	if c.answered {
		return ErrCallAnswered
	}
	c.answered = true
	c.Outcome = o
	vm := c.vm
	run := func() error {
		if vm.closed || vm.gen != c.gen || vm.failed != nil || vm.contexts[c.rootID] == nil {
			return nil // handler gone or VM failed (cpp-host ContextBase::onHttpCallResponse)
		}
		vm.callResp = resp
		if resp == nil {
			vm.status, vm.statusMsg = uint32(StatusBrokenConnection), "reset"
		}
		nh, nt := 0, 0
		bodyLen := 0
		if resp != nil {
			nh, nt, bodyLen = len(resp.headers), len(resp.trailers), len(resp.body)
		}
		_, _, err := vm.invoke(c.rootID, "proxy_on_http_call_response",
			uint64(c.rootID), uint64(c.Token), uint64(nh), uint64(bodyLen), uint64(nt))
		// Envoy clears the response in the first after-call action.
		vm.callResp = nil
		vm.status, vm.statusMsg = 0, ""
		vm.takeStop()
		vm.flush()
		return err
	}
	if vm.depth > 0 {
		// Re-entrant (answered from inside a VM call): Envoy defers it
		// until the VM call returns (context.cc onHttpCallSuccess).
		vm.defer_(func() { _ = run() })
		return nil
	}
	err := run()
	vm.h.Drain()
	return err
}
