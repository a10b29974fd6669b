package host

// buffer is what envoy context.cc Context::getBuffer returns: data, whether
// it exists (nil → NotFound) and whether it is a mutable body.
func (vm *VM) buffer(c *pctx, t uint32) (data *[]byte, found, mutable bool) {
	empty := []byte{}
	switch t {
	case bufCallData, bufDownstreamData, bufUpstreamData, bufGrpcReceive:
		return &empty, true, false
	case bufVMConfiguration:
		b := vm.cfg.VMConfiguration
		return &b, true, false
	case bufPluginConfig:
		if vm.inConfig {
			b := vm.cfg.PluginConfiguration
			return &b, true, false
		}
		return nil, false, false
	case bufCallResponseBody:
		if vm.callResp != nil {
			return &vm.callResp.body, true, false
		}
		return nil, false, false
	case bufRequestBody:
		if s := c.stream; s != nil {
			return &s.reqBody, true, s.reqBodyLive && !s.logPhase
		}
		return &empty, true, false
	case bufResponseBody:
		if s := c.stream; s != nil {
			return &s.respBody, true, s.respBodyLive && !s.logPhase
		}
		return &empty, true, false
	}
	return nil, false, false
}

// proxyGetBufferBytes clamps the range and copies it out (cpp-host
// src/exports.cc get_buffer_bytes).
func proxyGetBufferBytes(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > bufMax {
		ret(s, StatusBadArgument)
		return
	}
	b, found, _ := vm.buffer(vm.ctx(), t)
	if !found {
		ret(s, StatusNotFound)
		return
	}
	start, length := uint64(uint32(s[1])), uint64(uint32(s[2]))
	size := uint64(len(*b))
	if start > size {
		length = 0
	} else if start+length > size {
		length = size - start
	}
	if length == 0 {
		if !vm.writeU32(uint32(s[3]), 0) || !vm.writeU32(uint32(s[4]), 0) {
			ret(s, StatusInvalidMemoryAccess)
			return
		}
		ret(s, StatusOK)
		return
	}
	ret(s, copyOut(vm, (*b)[start:start+length], uint32(s[3]), uint32(s[4])))
}

// proxyGetBufferStatus: length and zero flags (cpp-host get_buffer_status).
func proxyGetBufferStatus(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > bufMax {
		ret(s, StatusBadArgument)
		return
	}
	b, found, _ := vm.buffer(vm.ctx(), t)
	if !found {
		ret(s, StatusNotFound)
		return
	}
	if !vm.writeU32(uint32(s[1]), uint32(len(*b))) || !vm.writeU32(uint32(s[2]), 0) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxySetBufferBytes edits a body the way envoy Buffer::copyFrom does:
// start 0 drains length bytes then prepends, start ≥ size appends, other
// starts are BadArgument; immutable buffers are BadArgument.
func proxySetBufferBytes(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > bufMax {
		ret(s, StatusBadArgument)
		return
	}
	b, found, mutable := vm.buffer(vm.ctx(), t)
	if !found {
		ret(s, StatusNotFound)
		return
	}
	data, ok := vm.read(uint32(s[3]), uint32(s[4]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	if !mutable {
		ret(s, StatusBadArgument)
		return
	}
	start, length := uint64(uint32(s[1])), uint64(uint32(s[2]))
	cur := *b
	switch {
	case start == 0:
		if length > uint64(len(cur)) {
			length = uint64(len(cur))
		}
		*b = append(append([]byte{}, data...), cur[length:]...)
	case start >= uint64(len(cur)):
		*b = append(append([]byte{}, cur...), data...)
	default:
		ret(s, StatusBadArgument)
		return
	}
	ret(s, StatusOK)
}
