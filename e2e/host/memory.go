package host

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errAlloc is raised (as a trap) when proxy_on_memory_allocate fails.
var errAlloc = errors.New("proxy_on_memory_allocate failed")

// read copies size bytes at ptr out of guest memory.
func (vm *VM) read(ptr, size uint32) ([]byte, bool) {
	if size == 0 {
		return []byte{}, true
	}
	b, ok := vm.mod.Memory().Read(ptr, size)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

// readString copies size bytes at ptr out of guest memory as a string: one
// allocation, not a copy and then a string of it.
func (vm *VM) readString(ptr, size uint32) (string, bool) {
	b, ok := vm.view(ptr, size)
	return string(b), ok
}

// view is guest memory at ptr in place, valid until the guest next runs
// (it may grow and move its memory).
func (vm *VM) view(ptr, size uint32) ([]byte, bool) {
	if size == 0 {
		return nil, true
	}
	return vm.mod.Memory().Read(ptr, size)
}

func (vm *VM) writeU32(ptr, v uint32) bool { return vm.mod.Memory().WriteUint32Le(ptr, v) }

func (vm *VM) writeU64(ptr uint32, v uint64) bool { return vm.mod.Memory().WriteUint64Le(ptr, v) }

func (vm *VM) write(ptr uint32, b []byte) bool { return vm.mod.Memory().Write(ptr, b) }

// copyOut allocates len(data) bytes in the guest and stores the pointer and
// size, as cpp-host WasmBase::copyToPointerSize (include/proxy-wasm/wasm.h)
// does: nothing is allocated for empty data, the pointer is then 0. data
// may be a string or bytes, so no caller converts one into the other.
func copyOut[T string | []byte](vm *VM, data T, ptrPtr, sizePtr uint32) Status {
	return vm.fillOut(len(data), func(b []byte) { copy(b, data) }, ptrPtr, sizePtr)
}

// fillOut is copyOut with the bytes written by fill straight into the
// guest's allocation, as Envoy serializes into it: the host allocates
// nothing per call, where a buffer per call was garbage its collector
// charged to every request.
func (vm *VM) fillOut(size int, fill func([]byte), ptrPtr, sizePtr uint32) Status {
	var p uint32
	if size > 0 {
		p = vm.alloc(uint32(size))
		b, ok := vm.view(p, uint32(size))
		if !ok {
			return StatusInvalidMemoryAccess
		}
		fill(b)
	}
	if !vm.writeU32(ptrPtr, p) || !vm.writeU32(sizePtr, uint32(size)) {
		return StatusInvalidMemoryAccess
	}
	return StatusOK
}

// alloc calls proxy_on_memory_allocate with cpp-host's restricted host-call
// list (include/proxy-wasm/wasm.h WasmBase::allocMemory). A failure panics
// with a trap so the calling guest function unwinds, as a host-call trap
// does in V8.
func (vm *VM) alloc(size uint32) uint32 {
	fn, done := vm.exported("proxy_on_memory_allocate")
	defer done()
	if fn == nil {
		panic(fmt.Errorf("%w: module does not export it", errAlloc))
	}
	saved := vm.allowed
	vm.allowed = vm.h.wasi.allocAllowed
	res, err := fn.Call(vm.baseCtx, uint64(size))
	vm.allowed = saved
	if err != nil {
		panic(fmt.Errorf("%w: %w", errAlloc, err))
	}
	if len(res) == 0 || res[0] == 0 {
		panic(fmt.Errorf("%w: returned 0", errAlloc))
	}
	return uint32(res[0])
}

// pairsSize is the length of pairs serialized.
func pairsSize(pairs [][2]string) int {
	size := 4
	for _, p := range pairs {
		size += 8 + len(p[0]) + len(p[1]) + 2
	}
	return size
}

// encodePairsInto serializes a header map into out, pairsSize(pairs)
// bytes, like cpp-host PairsUtil::marshalPairs (and the SDK's
// internal/serde.go SerializeMap): count, sizes, then each key and value
// followed by a NUL.
func encodePairsInto(out []byte, pairs [][2]string) {
	binary.LittleEndian.PutUint32(out, uint32(len(pairs)))
	off := 4
	for _, p := range pairs {
		binary.LittleEndian.PutUint32(out[off:], uint32(len(p[0])))
		binary.LittleEndian.PutUint32(out[off+4:], uint32(len(p[1])))
		off += 8
	}
	for _, p := range pairs {
		off += copy(out[off:], p[0])
		out[off] = 0
		off += copy(out[off+1:], p[1]) + 1
		out[off] = 0
		off++
	}
}

// decodePairs parses a serialized header map like cpp-host
// PairsUtil::toPairs (src/pairs_util.cc): malformed or oversized input
// yields no pairs.
func decodePairs(b []byte) [][2]string {
	if len(b) < 4 || len(b) > pairsMaxBytes {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n == 0 || n > pairsMaxCount || 4+8*n > len(b) {
		return nil
	}
	sizes := b[4 : 4+8*n]
	data := b[4+8*n:]
	out := make([][2]string, 0, n)
	for i := 0; i < n; i++ {
		ks := int(binary.LittleEndian.Uint32(sizes[8*i:]))
		vs := int(binary.LittleEndian.Uint32(sizes[8*i+4:]))
		if ks+1 > len(data) || data[ks] != 0 {
			return nil
		}
		k := string(data[:ks])
		data = data[ks+1:]
		if vs+1 > len(data) || data[vs] != 0 {
			return nil
		}
		v := string(data[:vs])
		data = data[vs+1:]
		out = append(out, [2]string{k, v})
	}
	return out
}
