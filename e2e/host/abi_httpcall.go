package host

import (
	"strconv"
	"time"
)

// proxyHTTPCall dispatches a call on the root context of the effective
// context (cpp-host src/exports.cc http_call; envoy context.cc
// Context::httpCall): the token pointer is checked first; a negative
// timeout, an unknown cluster, or a missing :path, :method or :authority is
// BadArgument; a non-empty body gets content-length; tokens step by 4.
func proxyHTTPCall(vm *VM, s []uint64) {
	cluster, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	hb, ok2 := vm.read(uint32(s[2]), uint32(s[3]))
	body, ok3 := vm.read(uint32(s[4]), uint32(s[5]))
	tb, ok4 := vm.read(uint32(s[6]), uint32(s[7]))
	timeoutMS := uint32(s[8])
	tokenPtr := uint32(s[9])
	if !ok1 || !ok2 || !ok3 || !ok4 || !vm.writeU32(tokenPtr, 0) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	if int32(timeoutMS) < 0 {
		ret(s, StatusBadArgument)
		return
	}
	if !vm.h.clusters[cluster] {
		ret(s, StatusBadArgument)
		return
	}
	headers := lowerPairs(decodePairs(hb))
	if !has(headers, ":path") ||
		!has(headers, ":method") || !has(headers, ":authority") {
		ret(s, StatusBadArgument)
		return
	}
	if len(body) > 0 {
		headers = append(headers, [2]string{"content-length", strconv.Itoa(len(body))})
	}
	vm.nextCallID += 4
	call := &HTTPCall{
		vm: vm, gen: vm.gen, rootID: vm.rootID, Token: vm.nextCallID, Cluster: cluster,
		Headers: headers, Body: body, Trailers: decodePairs(tb),
		TimeoutAfter: time.Duration(timeoutMS) * time.Millisecond,
	}
	if timeoutMS > 0 {
		call.Deadline = vm.h.clock.now.Add(call.TimeoutAfter)
	}
	vm.h.calls = append(vm.h.calls, call)
	vm.writeU32(tokenPtr, call.Token)
	if d := vm.h.opts.Dispatch; d != nil {
		d(call)
	}
	ret(s, StatusOK)
}

func has(hs [][2]string, k string) bool {
	for _, h := range hs {
		if h[0] == k {
			return true
		}
	}
	return false
}

// proxyGrpcCall / proxyGrpcStream: the host has no gRPC clusters; Envoy
// answers ParseFailure for a service that is neither a GrpcService proto
// nor a known cluster (envoy context.cc Context::grpcCall).
func proxyGrpcCall(_ *VM, s []uint64)   { ret(s, StatusParseFailure) }
func proxyGrpcStream(_ *VM, s []uint64) { ret(s, StatusParseFailure) }

// proxyGrpcToken: no gRPC call or stream exists, so a gRPC-typed token is
// NotFound and any other token BadArgument (envoy Context::grpcClose).
func proxyGrpcToken(_ *VM, s []uint64) {
	if t := uint32(s[0]) & 0x3; t == 1 || t == 2 {
		ret(s, StatusNotFound)
		return
	}
	ret(s, StatusBadArgument)
}
