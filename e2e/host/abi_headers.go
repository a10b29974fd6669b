package host

import "strings"

// constMap is envoy context.cc Context::getConstMap: the map a read sees,
// nil when Envoy's pointer is null (not in that phase, or forgotten after
// the stream continued).
func (vm *VM) constMap(c *pctx, t uint32) *[][2]string {
	switch t {
	case mapCallResponseHeaders:
		if vm.callResp != nil {
			return &vm.callResp.headers
		}
		return nil
	case mapCallResponseTrailers:
		if vm.callResp != nil {
			return &vm.callResp.trailers
		}
		return nil
	}
	s := c.stream
	if s == nil {
		return nil
	}
	switch t {
	case mapRequestHeaders:
		if s.logPhase || s.reqLive {
			return &s.req
		}
	case mapRequestTrailers:
		if !s.logPhase && s.reqTrailers != nil && s.pausedAt == "request_trailers" {
			return &s.reqTrailers
		}
	case mapResponseHeaders:
		if (s.logPhase && (s.response != nil || s.localReply != nil)) || s.respLive {
			return &s.resp
		}
	case mapResponseTrailers:
		if s.respTrailers != nil && (s.logPhase || s.respPausedAt == "response_trailers") {
			return &s.respTrailers
		}
	}
	return nil
}

// mutMap is envoy context.cc Context::getMap: only the stream's own
// request/response maps, and only while Envoy still holds them.
func (vm *VM) mutMap(c *pctx, t uint32) *[][2]string {
	s := c.stream
	if s == nil || s.logPhase {
		return nil
	}
	switch t {
	case mapRequestHeaders:
		if s.reqLive {
			return &s.req
		}
	case mapRequestTrailers:
		if s.reqTrailers != nil && s.pausedAt == "request_trailers" {
			return &s.reqTrailers
		}
	case mapResponseHeaders:
		if s.respLive {
			return &s.resp
		}
	case mapResponseTrailers:
		if s.respTrailers != nil && s.respPausedAt == "response_trailers" {
			return &s.respTrailers
		}
	}
	return nil
}

// proxyGetHeaderMapValue: BadArgument for an unknown type or a map not
// available now (NotFound in the access-log phase), NotFound for a missing
// key, else the first value (envoy Context::getHeaderMapValue).
func proxyGetHeaderMapValue(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	key, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	c := vm.ctx()
	m := vm.constMap(c, t)
	if m == nil {
		if c.stream != nil && c.stream.logPhase {
			ret(s, StatusNotFound)
			return
		}
		ret(s, StatusBadArgument)
		return
	}
	key = strings.ToLower(key)
	for _, kv := range *m {
		if kv[0] == key {
			ret(s, copyOut(vm, kv[1], uint32(s[3]), uint32(s[4])))
			return
		}
	}
	ret(s, StatusNotFound)
}

func (vm *VM) readKV(kp, ks, vp, vs uint32) (string, string, bool) {
	k, ok1 := vm.readString(kp, ks)
	v, ok2 := vm.readString(vp, vs)
	return strings.ToLower(k), v, ok1 && ok2
}

// proxyAddHeaderMapValue appends (envoy Context::addHeaderMapValue).
func proxyAddHeaderMapValue(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	k, v, ok := vm.readKV(uint32(s[1]), uint32(s[2]), uint32(s[3]), uint32(s[4]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	m := vm.mutMap(vm.ctx(), t)
	if m == nil {
		ret(s, StatusBadArgument)
		return
	}
	*m = append(*m, [2]string{k, v})
	ret(s, StatusOK)
}

// proxyReplaceHeaderMapValue sets the value, keeping one entry (envoy
// Context::replaceHeaderMapValue → HeaderMap::setCopy).
func proxyReplaceHeaderMapValue(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	k, v, ok := vm.readKV(uint32(s[1]), uint32(s[2]), uint32(s[3]), uint32(s[4]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	m := vm.mutMap(vm.ctx(), t)
	if m == nil {
		ret(s, StatusBadArgument)
		return
	}
	// In place, as Envoy edits its header map: the stream's map is its own
	// (whatever the host hands out is a clone), and a new slice per call
	// was garbage the host's collector charged to every header edit.
	out := (*m)[:0]
	replaced := false
	for _, kv := range *m {
		if kv[0] == k {
			if !replaced {
				out = append(out, [2]string{k, v})
				replaced = true
			}
			continue
		}
		out = append(out, kv)
	}
	if !replaced {
		out = append(out, [2]string{k, v})
	} else {
		clear((*m)[len(out):])
	}
	*m = out
	ret(s, StatusOK)
}

// proxyRemoveHeaderMapValue removes every entry of the key.
func proxyRemoveHeaderMapValue(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	k, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	m := vm.mutMap(vm.ctx(), t)
	if m == nil {
		ret(s, StatusBadArgument)
		return
	}
	k = strings.ToLower(k)
	out := (*m)[:0] // in place, as in proxyReplaceHeaderMapValue
	for _, kv := range *m {
		if kv[0] != k {
			out = append(out, kv)
		}
	}
	clear((*m)[len(out):])
	*m = out
	ret(s, StatusOK)
}

// proxyGetHeaderMapPairs: an unavailable map reads as empty, Ok (envoy
// Context::getHeaderMapPairs; cpp-host exports.cc get_header_map_pairs).
func proxyGetHeaderMapPairs(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	var pairs [][2]string
	if m := vm.constMap(vm.ctx(), t); m != nil {
		pairs = *m
	}
	if len(pairs) == 0 {
		ret(s, copyOut(vm, []byte(nil), uint32(s[1]), uint32(s[2])))
		return
	}
	ret(s, vm.fillOut(pairsSize(pairs), func(b []byte) { encodePairsInto(b, pairs) }, uint32(s[1]), uint32(s[2])))
}

// proxySetHeaderMapPairs replaces the whole map (envoy Context::setHeaderMapPairs).
func proxySetHeaderMapPairs(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	b, ok := vm.read(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	m := vm.mutMap(vm.ctx(), t)
	if m == nil {
		ret(s, StatusBadArgument)
		return
	}
	*m = lowerPairs(decodePairs(b))
	ret(s, StatusOK)
}

// proxyGetHeaderMapSize: the map's byte size (envoy Context::getHeaderMapSize).
func proxyGetHeaderMapSize(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > mapMax {
		ret(s, StatusBadArgument)
		return
	}
	m := vm.mutMap(vm.ctx(), t)
	if m == nil {
		ret(s, StatusBadArgument)
		return
	}
	n := 0
	for _, kv := range *m {
		n += len(kv[0]) + len(kv[1])
	}
	if !vm.writeU32(uint32(s[1]), uint32(n)) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}
