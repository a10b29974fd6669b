package host

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func TestRequestContinuesUpstreamAndResponseRunsCallbacks(t *testing.T) {
	_, vm := newHost(t, Options{})
	hs := append(reqHeaders("/hello"), [2]string{"X-Request-Id", "rid-1"})
	s := vm.Request(hs, nil)
	if s.Action() != types.ActionContinue || s.Paused() || s.LocalReply() != nil {
		t.Fatalf("stream = %v", s)
	}
	up := s.Upstream()
	if up == nil || up.Header("x-plugin") != "seen" || up.Header("x-seen-request-id") != "rid-1" {
		t.Fatalf("upstream = %+v", up)
	}
	if err := s.Response([][2]string{{":status", "200"}}, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	r := s.DownstreamResponse()
	if r == nil || r.Header("x-plugin-response") != "200" || string(r.Body) != "ok" {
		t.Fatalf("downstream response = %+v", r)
	}
	if err := s.Done(); err != nil {
		t.Fatal(err)
	}
	want := "stream " + itoa(s.ID()) + " done"
	if !slices.Contains(vm.LogMessages(LogInfo), want) {
		t.Fatalf("logs %q lack %q", vm.LogMessages(LogInfo), want)
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func TestLocalReplyEndsStreamAndReentersResponseCallbacks(t *testing.T) {
	_, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/local"), nil)
	if s.Action() != types.ActionPause || s.Upstream() != nil || s.Paused() {
		t.Fatalf("stream = %v", s)
	}
	lr := s.LocalReply()
	if lr == nil || lr.Status != 403 || string(lr.Body) != "forbidden" {
		t.Fatalf("local reply = %+v", lr)
	}
	want := [][2]string{{":status", "403"}, {"x-reason", "denied"}, {"content-length", "9"},
		{"content-type", "text/plain"}, {"x-plugin-response", "403"}}
	if !slices.Equal(lr.Headers, want) {
		t.Fatalf("local reply headers = %q, want %q", lr.Headers, want)
	}
	if err := s.Response([][2]string{{":status", "200"}}, nil); !errors.Is(err, ErrNoUpstream) {
		t.Fatalf("Response after local reply = %v, want ErrNoUpstream", err)
	}
}

func TestSecondLocalReplyIsRecorded(t *testing.T) {
	_, vm := newHost(t, Options{})
	s := vm.Request(reqHeaders("/local-twice"), nil)
	if lr := s.LocalReply(); lr == nil || lr.Status != 401 {
		t.Fatalf("local reply = %+v, want the first (401)", lr)
	}
	errs := s.Errors()
	if len(errs) != 1 || !errors.Is(errs[0], ErrSecondLocalReply) {
		t.Fatalf("errors = %v, want one ErrSecondLocalReply", errs)
	}
}

func TestTrapFailsVMAndLaterStreamsByPolicy(t *testing.T) {
	tests := []struct {
		policy       FailurePolicy
		wantUpstream bool   // for the request after the trap
		wantPlugin   string // x-plugin header upstream after the trap
		wantRestarts int
	}{
		{FailClosed, false, "", 0},
		{FailOpen, true, "", 0},
		{FailReload, true, "seen", 1},
	}
	for _, tt := range tests {
		_, vm := newHost(t, Options{FailurePolicy: tt.policy})
		s := vm.Request(reqHeaders("/panic"), nil)
		var trap *TrapError
		// Released Envoy's poll_oneoff stub makes Go's panic path throw
		// first (freezetheworld → usleep), so "panic: boom" is never printed.
		if !errors.As(s.Err(), &trap) || !strings.Contains(trap.Stderr, "fatal error: wasi_snapshot_preview1.poll_oneoff") ||
			strings.Contains(trap.Stderr, "boom") {
			t.Fatalf("policy %d: stream err = %v", tt.policy, s.Err())
		}
		if vm.Err() == nil {
			t.Fatalf("policy %d: VM not marked failed", tt.policy)
		}
		if tt.policy != FailOpen {
			if lr := s.LocalReply(); lr == nil || lr.Status != 503 || lr.Details != "wasm_fail_stream" || !lr.WasmFailure {
				t.Fatalf("policy %d: local reply = %+v", tt.policy, lr)
			}
		}
		next := vm.Request(reqHeaders("/hello"), nil)
		if (next.Upstream() != nil) != tt.wantUpstream {
			t.Fatalf("policy %d: next upstream = %+v", tt.policy, next.Upstream())
		}
		if next.Upstream() != nil && next.Upstream().Header("x-plugin") != tt.wantPlugin {
			t.Fatalf("policy %d: x-plugin = %q, want %q", tt.policy, next.Upstream().Header("x-plugin"), tt.wantPlugin)
		}
		if vm.Restarts() != tt.wantRestarts {
			t.Fatalf("policy %d: restarts = %d", tt.policy, vm.Restarts())
		}
	}
}

// With cpp-host PR #533 poll_oneoff succeeds, so Go reports the panic value.
func TestTrapReportsPanicValueWithPR533(t *testing.T) {
	_, vm := newHost(t, Options{WASI: WASICppHostPR533})
	s := vm.Request(reqHeaders("/panic"), nil)
	var trap *TrapError
	if !errors.As(s.Err(), &trap) || !strings.Contains(trap.Stderr, "panic: boom") || trap.Callback != "proxy_on_request_headers" {
		t.Fatalf("stream err = %v", s.Err())
	}
}
