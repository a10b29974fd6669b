package host

import (
	"errors"
	"testing"
	"time"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func TestDispatchPausesThenResumesOnResponse(t *testing.T) {
	h, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/dispatch"), nil)
	if s.Action() != types.ActionPause || !s.Paused() || s.Upstream() != nil {
		t.Fatalf("after dispatch: %v", s)
	}
	calls := h.PendingCalls()
	if len(calls) != 1 {
		t.Fatalf("pending calls = %d, want 1", len(calls))
	}
	c := calls[0]
	if c.Cluster != "auth-cluster" || c.Token != 4 || c.Header(":authority") != "auth.example.com" ||
		c.Header(":path") != "/jwks" || c.TimeoutAfter != 5*time.Second || !c.Deadline.Equal(h.Now().Add(5*time.Second)) {
		t.Fatalf("call = %+v", c)
	}
	if err := c.Respond(200, [][2]string{{"content-type", "application/json"}}, []byte("keys")); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	if c.Pending() || c.Outcome != OutcomeResponse {
		t.Fatalf("call still pending after Respond: %+v", c)
	}
	if !s.Resumed() || s.Paused() || s.Upstream() == nil {
		t.Fatalf("stream not resumed: %v", s)
	}
	r := s.Resumes()[0]
	if r.Phase != "request_headers" || header(r.Headers, "x-call") != "200|2|keys" {
		t.Fatalf("resume = %+v", r)
	}
	if got := s.Upstream().Header("x-call"); got != "200|2|keys" {
		t.Fatalf("upstream x-call = %q", got)
	}
	if err := c.Respond(200, nil, nil); !errors.Is(err, ErrCallAnswered) {
		t.Fatalf("second Respond = %v, want ErrCallAnswered", err)
	}
}

func TestDispatchRejections(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/dispatch-unknown-cluster", types.ErrorStatusBadArgument.Error()},
		{"/dispatch-no-authority", types.ErrorStatusBadArgument.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			h, vm := newHost(t, Options{})
			s := vm.Request(reqHeaders(tt.path), nil)
			if s.Upstream() == nil {
				t.Fatalf("no upstream: %v", s)
			}
			if got := s.Upstream().Header("x-dispatch-error"); got != tt.want {
				t.Fatalf("x-dispatch-error = %q, want %q", got, tt.want)
			}
			if n := len(h.Calls()); n != 0 {
				t.Fatalf("calls recorded = %d, want 0", n)
			}
		})
	}
}

// A failed call reaches the plugin with zero headers and no response map;
// the test plugin then answers 503 locally, which re-enters its response
// callback.
func TestDispatchFailureIsDeliveredWithZeroHeaders(t *testing.T) {
	h, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/dispatch"), nil)
	if err := h.PendingCalls()[0].Fail(); err != nil {
		t.Fatal(err)
	}
	if got := header(s.RequestHeaders(), "x-call"); got != "failed|0|" {
		t.Fatalf("x-call = %q, want %q", got, "failed|0|")
	}
	lr := s.LocalReply()
	if lr == nil || lr.Status != 503 || string(lr.Body) != "fetch failed" || s.Upstream() != nil {
		t.Fatalf("local reply = %+v, upstream %v", lr, s.Upstream())
	}
	if got := lr.Header("x-plugin-response"); got != "503" {
		t.Fatalf("local reply did not re-enter the response callback: x-plugin-response = %q", got)
	}
}

// A timeout is a 504 "upstream request timeout" response from the async
// client's router, fired by the clock.
func TestDispatchTimeoutIsA504Response(t *testing.T) {
	h, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/dispatch"), nil)
	c := h.PendingCalls()[0]
	h.Advance(4999 * time.Millisecond)
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	if !c.Pending() {
		t.Fatal("call timed out before its deadline")
	}
	h.Advance(time.Millisecond)
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	if c.Outcome != OutcomeTimeout {
		t.Fatalf("outcome = %v, want timeout", c.Outcome)
	}
	if got := header(s.RequestHeaders(), "x-call"); got != "504|3|upstream request timeout" {
		t.Fatalf("x-call = %q", got)
	}
	if lr := s.LocalReply(); lr == nil || lr.Status != 503 || string(lr.Body) != "fetch 504" {
		t.Fatalf("local reply = %+v", lr)
	}
}

// Options.Dispatch may answer at once; the answer is delivered after
// proxy_http_call returns, as Envoy defers re-entrant callbacks.
func TestDispatchHookAnswersSynchronously(t *testing.T) {
	_, vm := newHost(t, Options{Dispatch: func(c *HTTPCall) {
		if err := c.Respond(200, nil, []byte("now")); err != nil {
			t.Errorf("Respond in hook: %v", err)
		}
	}})
	s := vm.Request(reqHeaders("/dispatch"), nil)
	if !s.Resumed() || s.Upstream() == nil || s.Upstream().Header("x-call") != "200|1|now" {
		t.Fatalf("stream = %v, upstream %+v", s, s.Upstream())
	}
}

// A response arriving after the stream is gone must not reach a deleted
// context (tetratelabs/proxy-wasm-go-sdk #261).
func TestDispatchResponseAfterStreamDone(t *testing.T) {
	h, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/dispatch"), nil)
	if err := s.Done(); err != nil {
		t.Fatal(err)
	}
	if err := h.PendingCalls()[0].Respond(200, nil, nil); err != nil {
		t.Fatalf("late Respond: %v", err)
	}
	if vm.Err() != nil || s.Upstream() != nil {
		t.Fatalf("vm err %v, upstream %v", vm.Err(), s.Upstream())
	}
}
