package host

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// proxySendLocalResponse: cpp-host src/exports.cc send_local_response
// always raises "stop next iteration"; Envoy defers the reply until the VM
// call returns and only streams have decoder callbacks (envoy context.cc
// Context::sendLocalResponse). A second reply on one stream is recorded as
// an error and dropped (envoy PR #36809).
func proxySendLocalResponse(vm *VM, s []uint64) {
	code := uint32(s[0])
	details, ok1 := vm.readString(uint32(s[1]), uint32(s[2]))
	body, ok2 := vm.read(uint32(s[3]), uint32(s[4]))
	hb, ok3 := vm.read(uint32(s[5]), uint32(s[6]))
	grpc := int32(uint32(s[7]))
	if !ok1 || !ok2 || !ok3 {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	vm.stopIter = true
	c := vm.ctx()
	st := c.stream
	if st == nil {
		ret(s, StatusOK)
		return
	}
	st.localReplies++
	if st.localReplies > 1 || st.failureSent {
		st.errs = append(st.errs, fmt.Errorf("%w: %d after %d", ErrSecondLocalReply, code, st.localReply.statusOr(0)))
		ret(s, StatusOK)
		return
	}
	lr := &LocalReply{Status: code, GRPCStatus: grpc, Body: body,
		Details: strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return '_'
			}
			return r
		}, details)}
	st.localReply = lr // visible at once so a second call is detected
	extra := decodePairs(hb)
	vm.defer_(func() { st.sendLocalReply(lr, extra) })
	ret(s, StatusOK)
}

func (r *LocalReply) statusOr(d uint32) uint32 {
	if r == nil {
		return d
	}
	return r.Status
}

// proxyContinueStream: envoy context.cc Context::continueStream defers
// continueDecoding/continueEncoding, and immediately forgets the request
// maps (for Request and Response alike); Upstream is Unimplemented.
func proxyContinueStream(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > streamMax {
		ret(s, StatusBadArgument)
		return
	}
	c := vm.ctx()
	st := c.stream
	switch t {
	case streamRequest:
		if st != nil {
			snap := clonePairs(st.req)
			vm.defer_(func() { st.continueRequest(snap) })
		}
	case streamResponse:
		if st != nil {
			snap := clonePairs(st.resp)
			vm.defer_(func() { st.continueResponse(snap) })
		}
	case streamDownstream:
		ret(s, StatusOK)
		return
	case streamUpstream:
		ret(s, StatusUnimplemented)
		return
	}
	if st != nil {
		st.reqLive, st.reqBodyLive = false, false
	}
	ret(s, StatusOK)
}

// proxyCloseStream resets the stream after the VM call (envoy
// Context::closeStream).
func proxyCloseStream(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > streamMax {
		ret(s, StatusBadArgument)
		return
	}
	if st := vm.ctx().stream; st != nil && (t == streamRequest || t == streamResponse) {
		vm.defer_(func() {
			st.reset, st.ended = true, true
			st.pausedAt, st.respPausedAt = "", ""
		})
	}
	ret(s, StatusOK)
}

// proxySetEffectiveContext: BadArgument for an unknown (or deleted)
// context (cpp-host src/exports.cc set_effective_context).
func proxySetEffectiveContext(vm *VM, s []uint64) {
	id := uint32(s[0])
	if vm.contexts[id] == nil {
		ret(s, StatusBadArgument)
		return
	}
	vm.effective = id
	ret(s, StatusOK)
}

// proxyDone: NotFound unless the root context is waiting for it after
// proxy_on_done returned false (cpp-host src/wasm.cc WasmBase::done).
func proxyDone(vm *VM, s []uint64) {
	if vm.pendingDel && vm.ctx().root {
		vm.pendingDel = false
		ret(s, StatusOK)
		return
	}
	ret(s, StatusNotFound)
}

// proxySetTickPeriod sets the root context's timer (cpp-host
// ContextBase::setTimerPeriod).
func proxySetTickPeriod(vm *VM, s []uint64) {
	vm.setTick(time.Duration(uint32(s[0])) * time.Millisecond)
	ret(s, StatusOK)
}

// proxyGetCurrentTime reads the virtual wall clock.
func proxyGetCurrentTime(vm *VM, s []uint64) {
	if !vm.writeU64(uint32(s[0]), uint64(vm.h.clock.now.UnixNano())) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxyCallForeignFunction: no foreign functions are registered here, so
// every name is NotFound (cpp-host src/exports.cc call_foreign_function).
func proxyCallForeignFunction(vm *VM, s []uint64) {
	if _, ok := vm.read(uint32(s[0]), uint32(s[1])); !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	if _, ok := vm.read(uint32(s[2]), uint32(s[3])); !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusNotFound)
}
