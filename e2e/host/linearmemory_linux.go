package host

import (
	"context"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// withReservedMemory makes a VM's linear memory grow the way Envoy's
// runtimes grow it: V8 and Wasmtime reserve the whole 32-bit address range
// up front and make pages accessible as memory.grow asks for them, so a
// grow never moves or copies the memory. wazero's default grows a Go slice
// with append, copying every byte the guest has each time; the plugin's
// heap grows while its token cache fills, and that copying made a cache
// miss look about 16 µs dearer in wasm than it is in Envoy (measured with
// e2e/bench/cmd/wasmprof, runtime.growMemory).
func withReservedMemory(ctx context.Context) context.Context {
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(reserve))
}

// reserve maps max bytes of address space with no access; Reallocate opens
// pages up to the size asked for. When the kernel refuses the reservation
// the memory falls back to a slice that grows by copying, as wazero's own.
func reserve(capacity, max uint64) experimental.LinearMemory {
	if max > 0 && uint64(int(max)) == max {
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
		if err == nil {
			return &reservedMemory{region: b}
		}
	}
	return &copyingMemory{buf: make([]byte, 0, capacity)}
}

// reservedMemory is a reserved region whose first opened bytes are the
// linear memory. Fresh anonymous pages read as zero, as wasm requires.
type reservedMemory struct {
	region []byte
	opened int // bytes made readable and writable, a multiple of the page size
}

func (m *reservedMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.region)) {
		return nil
	}
	if n := int(size); n > m.opened {
		// Wasm pages are 64 KiB, a multiple of the OS page size, so n
		// is page aligned.
		if err := syscall.Mprotect(m.region[m.opened:n], syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
			return nil
		}
		m.opened = n
	}
	return m.region[:size:size]
}

func (m *reservedMemory) Free() {
	if m.region != nil {
		_ = syscall.Munmap(m.region)
		m.region, m.opened = nil, 0
	}
}

// copyingMemory grows like wazero's default memory.
type copyingMemory struct{ buf []byte }

func (m *copyingMemory) Reallocate(size uint64) []byte {
	if n := int(size); n > len(m.buf) {
		m.buf = append(m.buf, make([]byte, n-len(m.buf))...)
	}
	return m.buf[:size:size]
}

func (m *copyingMemory) Free() { m.buf = nil }
