package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// Stream errors.
var (
	// ErrSecondLocalReply: the plugin sent a second local reply on a
	// stream; Envoy misbehaves on that (envoy PR #36809), so the host
	// records it and drops the second reply.
	ErrSecondLocalReply = errors.New("second local reply on the same stream")
	// ErrNoUpstream: Response was called on a stream that never reached
	// the upstream (paused, answered locally, reset or done).
	ErrNoUpstream = errors.New("stream has no upstream request")
)

// RequestOptions describes a downstream request.
type RequestOptions struct {
	Headers [][2]string
	// Body, if not nil, is sent after the headers (end of stream).
	Body []byte
	// Trailers, if not nil, end the request after the body.
	Trailers [][2]string
	// Properties add to or override the VM's properties for this stream
	// (for example "request.id"); keys are dotted paths.
	Properties map[string]string
}

// LocalReply is a response the proxy generated instead of the upstream.
type LocalReply struct {
	Status     uint32
	Details    string
	GRPCStatus int32
	// Headers and Body are what the client receives, after the plugin's
	// response callbacks ran on the local reply (cpp-host #326).
	Headers [][2]string
	Body    []byte
	// WasmFailure marks Envoy's own 503 for a failed VM ("wasm_fail_stream").
	WasmFailure bool
}

// Header returns the first value of a header of the reply.
func (r *LocalReply) Header(name string) string { return header(r.Headers, name) }

// Upstream is the request as the upstream receives it.
type Upstream struct {
	Headers  [][2]string
	Body     []byte
	Trailers [][2]string
}

// Header returns the first value of a request header.
func (u *Upstream) Header(name string) string { return header(u.Headers, name) }

// Resume records one proxy_continue_stream that resumed a paused stream.
type Resume struct {
	// Phase is where the stream was paused: "request_headers",
	// "request_body", "response_headers" or "response_body".
	Phase string
	// Headers are the request (or response) headers when it resumed.
	Headers [][2]string
}

// DownstreamResponse is the response the client receives from upstream,
// after the plugin's response callbacks.
type DownstreamResponse struct {
	Headers [][2]string
	Body    []byte
}

// Header returns the first value of a response header.
func (r *DownstreamResponse) Header(name string) string { return header(r.Headers, name) }

// Stream is one HTTP stream through the plugin (an Envoy filter instance).
type Stream struct {
	vm  *VM
	id  uint32
	gen int

	req, resp                 [][2]string
	reqBody, respBody         []byte
	reqTrailers, respTrailers [][2]string
	reqLive, respLive         bool // Envoy's request_headers_/response_headers_ set
	reqBodyLive, respBodyLive bool
	logPhase                  bool
	props                     map[string]string

	pausedAt, respPausedAt string
	action, respAction     types.Action
	upstream               *Upstream
	localReply             *LocalReply
	localReplies           int
	failureSent            bool
	resumes                []Resume
	errs                   []error
	notes                  []string
	response               *DownstreamResponse
	ended                  bool
	reset                  bool
	done                   bool
	trap                   error
}

func header(hs [][2]string, name string) string {
	name = strings.ToLower(name)
	for _, h := range hs {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

func clonePairs(p [][2]string) [][2]string {
	if p == nil {
		return nil
	}
	return append([][2]string{}, p...)
}

func lowerPairs(p [][2]string) [][2]string {
	out := make([][2]string, len(p))
	for i, kv := range p {
		out[i] = [2]string{strings.ToLower(kv[0]), kv[1]}
	}
	return out
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Request runs a downstream request through the plugin: context creation,
// request headers and, if body is not nil, the request body.
func (vm *VM) Request(headers [][2]string, body []byte) *Stream {
	return vm.RequestWith(RequestOptions{Headers: headers, Body: body})
}

// RequestWith is Request with trailers and per-stream properties.
func (vm *VM) RequestWith(o RequestOptions) *Stream {
	if vm.failed != nil && vm.h.opts.FailurePolicy == FailReload {
		_ = vm.restart()
	}
	req := lowerPairs(o.Headers)
	s := &Stream{vm: vm, gen: vm.gen, req: req, reqTrailers: o.Trailers, props: requestProperties(req)}
	if o.Body != nil {
		s.reqBody = append([]byte{}, o.Body...)
	}
	for k, v := range o.Properties {
		s.props[k] = v
	}
	s.id = vm.allocContextID()
	vm.contexts[s.id] = &pctx{id: s.id, stream: s}
	vm.streams = append(vm.streams, s)
	// Envoy creates the in-VM context on decodeHeaders (context.cc Context::onCreate).
	if vm.failed == nil {
		_, _, err := vm.invoke(s.id, "proxy_on_context_create", uint64(s.id), uint64(vm.rootID))
		vm.takeStop()
		vm.flush()
		s.noteTrap(err)
	}
	s.requestHeaders()
	vm.h.Drain()
	return s
}

// requestProperties derives the request attributes Envoy exposes from the
// headers (envoy source/extensions/filters/common/expr/context.cc).
func requestProperties(h [][2]string) map[string]string {
	p := map[string]string{}
	set := func(k, hdr string) {
		if v := header(h, hdr); v != "" {
			p[k] = v
		}
	}
	set("request.path", ":path")
	set("request.host", ":authority")
	set("request.method", ":method")
	set("request.scheme", ":scheme")
	set("request.id", "x-request-id")
	set("request.useragent", "user-agent")
	set("request.referer", "referer")
	if path := header(h, ":path"); path != "" {
		p["request.url_path"], _, _ = strings.Cut(path, "?")
		if _, q, ok := strings.Cut(path, "?"); ok {
			p["request.query"] = q
		}
	}
	p["request.protocol"] = "HTTP/1.1"
	return p
}

func (s *Stream) noteTrap(err error) {
	var t *TrapError
	if errors.As(err, &t) && s.trap == nil && !errors.Is(err, ErrVMFailed) {
		s.trap = err
	}
}

// vmFailed applies the failure policy when a callback cannot run or
// trapped (cpp-host src/context.cc CHECK_FAIL; envoy Context::failStream).
// It reports whether the stream stops.
func (s *Stream) vmFailed() bool {
	if s.vm.h.opts.FailurePolicy == FailOpen {
		return false
	}
	if !s.failureSent {
		s.failureSent = true
		s.ended = true
		s.pausedAt, s.respPausedAt = "", ""
		s.localReply = &LocalReply{Status: 503, Details: "wasm_fail_stream", GRPCStatus: 14,
			Headers: [][2]string{{":status", "503"}}, WasmFailure: true}
	}
	return true
}

// callStream calls a stream callback and returns its result and whether
// Envoy treats it as a stop (non-zero result, or a local reply sent during
// the call: cpp-host convertVmCallResultTo*Status).
func (s *Stream) callStream(name string, args ...uint64) (uint64, bool, bool) {
	if s.vm.failed != nil {
		return 0, false, s.vmFailed()
	}
	res, _, err := s.vm.invoke(s.id, name, args...)
	stop := s.vm.takeStop()
	if err != nil {
		s.noteTrap(err)
		s.vm.flush()
		return 0, false, s.vmFailed()
	}
	return res, stop || res != 0, false
}

func (s *Stream) requestHeaders() {
	s.reqLive = true
	eos := s.reqBody == nil && s.reqTrailers == nil
	res, stop, failed := s.callStream("proxy_on_request_headers", uint64(s.id), uint64(len(s.req)), b2u(eos))
	if failed {
		return
	}
	s.action = types.Action(res)
	if stop {
		s.pausedAt = "request_headers"
	}
	s.vm.flush()
	if !stop && !s.ended {
		s.afterRequestHeaders()
	}
}

// afterRequestHeaders: Envoy forgets the header map once headers continue
// (context.cc Context::decodeHeaders sets request_headers_ = nullptr).
func (s *Stream) afterRequestHeaders() {
	s.reqLive = false
	if s.reqBody != nil {
		s.requestBody()
		return
	}
	s.afterRequestBody()
}

func (s *Stream) requestBody() {
	s.reqBodyLive = true
	eos := s.reqTrailers == nil
	_, stop, failed := s.callStream("proxy_on_request_body", uint64(s.id), uint64(len(s.reqBody)), b2u(eos))
	if failed {
		return
	}
	if stop {
		s.pausedAt = "request_body"
	}
	s.vm.flush()
	if !stop && !s.ended {
		s.afterRequestBody()
	}
}

func (s *Stream) afterRequestBody() {
	s.reqBodyLive = false
	if s.reqTrailers != nil {
		_, stop, failed := s.callStream("proxy_on_request_trailers", uint64(s.id), uint64(len(s.reqTrailers)))
		if failed {
			return
		}
		if stop {
			s.pausedAt = "request_trailers"
		}
		s.vm.flush()
		if stop || s.ended {
			return
		}
	}
	s.upstream = &Upstream{Headers: clonePairs(s.req), Body: append([]byte(nil), s.reqBody...), Trailers: clonePairs(s.reqTrailers)}
}

// continueRequest runs after the VM call that called proxy_continue_stream
// (envoy context.cc Context::continueStream defers continueDecoding).
func (s *Stream) continueRequest(snapshot [][2]string) {
	if s.ended || s.done || s.gen != s.vm.gen {
		s.notes = append(s.notes, "continue_stream(request) after the stream ended: ignored")
		return
	}
	switch s.pausedAt {
	case "request_headers":
		s.pausedAt = ""
		s.resumes = append(s.resumes, Resume{Phase: "request_headers", Headers: snapshot})
		s.afterRequestHeaders()
	case "request_body":
		s.pausedAt = ""
		s.resumes = append(s.resumes, Resume{Phase: "request_body", Headers: snapshot})
		s.afterRequestBody()
	case "request_trailers":
		s.pausedAt = ""
		s.resumes = append(s.resumes, Resume{Phase: "request_trailers", Headers: snapshot})
		s.upstream = &Upstream{Headers: clonePairs(s.req), Body: append([]byte(nil), s.reqBody...), Trailers: clonePairs(s.reqTrailers)}
	default:
		s.notes = append(s.notes, "continue_stream(request) on a stream that was not paused: ignored")
	}
}

// Response runs the upstream response through the plugin's response
// callbacks. The stream must have reached the upstream.
func (s *Stream) Response(headers [][2]string, body []byte) error {
	return s.ResponseWith(headers, body, nil)
}

// ResponseWith is Response with trailers.
func (s *Stream) ResponseWith(headers [][2]string, body []byte, trailers [][2]string) error {
	if s.upstream == nil || s.ended || s.done || s.response != nil || s.respPausedAt != "" {
		return ErrNoUpstream
	}
	s.resp = lowerPairs(headers)
	s.respBody = nil
	if body != nil {
		s.respBody = append([]byte{}, body...)
	}
	s.respTrailers = trailers
	trap := s.trap
	s.responseHeaders()
	s.vm.h.Drain()
	if s.trap != nil && trap == nil {
		return s.trap
	}
	return nil
}

func (s *Stream) responseHeaders() {
	if s.failureSent {
		return // envoy Context::encodeHeaders skips the VM after failStream
	}
	s.respLive = true
	eos := s.respBody == nil && s.respTrailers == nil
	res, stop, failed := s.callStream("proxy_on_response_headers", uint64(s.id), uint64(len(s.resp)), b2u(eos))
	if failed {
		return
	}
	s.respAction = types.Action(res)
	if stop {
		s.respPausedAt = "response_headers"
	}
	s.vm.flush()
	if !stop {
		s.afterResponseHeaders()
	}
}

func (s *Stream) afterResponseHeaders() {
	s.respLive = false
	if s.respBody != nil {
		s.respBodyLive = true
		eos := s.respTrailers == nil
		_, stop, failed := s.callStream("proxy_on_response_body", uint64(s.id), uint64(len(s.respBody)), b2u(eos))
		if failed {
			return
		}
		if stop {
			s.respPausedAt = "response_body"
		}
		s.vm.flush()
		if stop {
			return
		}
	}
	s.finishResponse()
}

func (s *Stream) finishResponse() {
	s.respBodyLive = false
	if s.respTrailers != nil {
		_, stop, failed := s.callStream("proxy_on_response_trailers", uint64(s.id), uint64(len(s.respTrailers)))
		if failed {
			return
		}
		s.vm.flush()
		if stop {
			s.respPausedAt = "response_trailers"
			return
		}
	}
	if s.response != nil {
		return
	}
	s.response = &DownstreamResponse{Headers: clonePairs(s.resp), Body: append([]byte(nil), s.respBody...)}
	if s.localReply != nil && !s.localReply.WasmFailure {
		s.localReply.Headers = clonePairs(s.resp)
		s.localReply.Body = append([]byte(nil), s.respBody...)
	}
}

func (s *Stream) continueResponse(snapshot [][2]string) {
	if s.done || s.gen != s.vm.gen {
		return
	}
	switch s.respPausedAt {
	case "response_headers":
		s.respPausedAt = ""
		s.resumes = append(s.resumes, Resume{Phase: "response_headers", Headers: snapshot})
		s.afterResponseHeaders()
	case "response_body", "response_trailers":
		phase := s.respPausedAt
		s.respPausedAt = ""
		s.resumes = append(s.resumes, Resume{Phase: phase, Headers: snapshot})
		s.respTrailers = nil
		s.finishResponse()
	default:
		s.notes = append(s.notes, "continue_stream(response) on a stream that was not paused: ignored")
	}
}

// sendLocalReply is the deferred half of proxy_send_local_response:
// Envoy's sendLocalReply ends the request (no upstream) and encodes the
// reply through the filter chain, so the plugin's response callbacks run on
// it (cpp-host #326; envoy source/common/http/utility.cc sendLocalReply
// builds :status, the extra headers, content-length and content-type).
func (s *Stream) sendLocalReply(lr *LocalReply, extra [][2]string) {
	if s.done || s.gen != s.vm.gen {
		return
	}
	s.ended = true
	s.pausedAt, s.respPausedAt = "", ""
	s.localReply = lr
	hs := [][2]string{{":status", strconv.Itoa(int(lr.Status))}}
	hs = append(hs, lowerPairs(extra)...)
	if len(lr.Body) > 0 {
		hs = append(hs, [2]string{"content-length", strconv.Itoa(len(lr.Body))})
		if header(hs, "content-type") == "" {
			hs = append(hs, [2]string{"content-type", "text/plain"})
		}
	}
	lr.Headers = clonePairs(hs)
	s.resp = hs
	s.respBody = nil
	if len(lr.Body) > 0 {
		s.respBody = append([]byte{}, lr.Body...)
	}
	s.respTrailers = nil
	s.response = nil
	s.responseHeaders()
}

// Done ends the stream: proxy_on_log, proxy_on_done and proxy_on_delete
// (Envoy runs the access-log phase, then onDestroy). It returns the first
// trap raised.
func (s *Stream) Done() error {
	if s.done {
		return nil
	}
	s.done = true
	vm := s.vm
	var err error
	if s.gen == vm.gen && !vm.closed {
		s.logPhase = true
		for _, cb := range []string{"proxy_on_log", "proxy_on_done", "proxy_on_delete"} {
			if vm.failed != nil {
				break
			}
			_, _, e := vm.invoke(s.id, cb, uint64(s.id))
			vm.takeStop()
			vm.flush()
			if err == nil && e != nil {
				err = e
				s.noteTrap(e)
			}
			if cb == "proxy_on_log" {
				s.logPhase = false
			}
		}
		delete(vm.contexts, s.id)
	}
	vm.h.Drain()
	return err
}

// ID is the stream's context id.
func (s *Stream) ID() uint32 { return s.id }

// Action is what proxy_on_request_headers returned (Continue or Pause).
func (s *Stream) Action() types.Action { return s.action }

// ResponseAction is what proxy_on_response_headers last returned.
func (s *Stream) ResponseAction() types.Action { return s.respAction }

// Paused reports whether the request is paused waiting for proxy_continue_stream.
func (s *Stream) Paused() bool { return s.pausedAt != "" }

// PausedAt names the phase the request is paused in, or "".
func (s *Stream) PausedAt() string { return s.pausedAt }

// Upstream returns the request as the upstream received it, or nil if it
// never got there (paused, answered locally, reset, failed).
func (s *Stream) Upstream() *Upstream { return s.upstream }

// LocalReply returns the local reply the client received, or nil.
func (s *Stream) LocalReply() *LocalReply { return s.localReply }

// Resumes returns each resume of a paused stream, in order.
func (s *Stream) Resumes() []Resume { return append([]Resume(nil), s.resumes...) }

// Resumed reports whether the request was resumed at least once.
func (s *Stream) Resumed() bool { return len(s.resumes) > 0 }

// DownstreamResponse returns the upstream response as the client received
// it after the plugin, or nil.
func (s *Stream) DownstreamResponse() *DownstreamResponse { return s.response }

// RequestHeaders returns the request headers as the plugin has left them.
func (s *Stream) RequestHeaders() [][2]string { return clonePairs(s.req) }

// Reset reports whether the plugin reset the stream (proxy_close_stream).
func (s *Stream) Reset() bool { return s.reset }

// Errors returns protocol misuse the host detected (such as a second local reply).
func (s *Stream) Errors() []error { return append([]error(nil), s.errs...) }

// Notes returns host remarks on ignored operations (such as a spurious continue).
func (s *Stream) Notes() []string { return append([]string(nil), s.notes...) }

// Err returns the trap raised by one of this stream's callbacks, or nil.
func (s *Stream) Err() error { return s.trap }

func (s *Stream) String() string {
	return fmt.Sprintf("stream %d (action=%d paused=%q upstream=%t local=%v)", s.id, s.action, s.pausedAt, s.upstream != nil, s.localReply)
}
