// Package memeq compares strings eight bytes at a time.
//
// Written by hand because Go's own comparison is slow in wasm: runtime
// memequal there is a byte-at-a-time loop over the wasm globals Go uses as
// registers, about 3 ns a byte under wazero, so comparing a 650-byte token
// cost about 2 µs, a tenth of a cache hit. This loop keeps its state in
// locals and loads eight bytes at once. Nothing depends on it being
// constant-time: it compares tokens the cache already holds with tokens a
// client sent, neither secret to the client.
package memeq

import "unsafe"

// Equal reports whether a == b.
func Equal(a, b string) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	if n == 0 {
		return true
	}
	p, q := unsafe.Pointer(unsafe.StringData(a)), unsafe.Pointer(unsafe.StringData(b))
	if p == q {
		return true
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		// Unaligned loads are fine on every target Go supports, and wasm
		// has only unaligned-tolerant loads.
		if *(*uint64)(unsafe.Add(p, i)) != *(*uint64)(unsafe.Add(q, i)) {
			return false
		}
	}
	for ; i < n; i++ {
		if *(*byte)(unsafe.Add(p, i)) != *(*byte)(unsafe.Add(q, i)) {
			return false
		}
	}
	return true
}
