package host

import (
	"testing"
	"unsafe"
)

func TestReservedMemoryGrowsInPlace(t *testing.T) {
	const page = 65536
	m := reserve(0, 64*page)
	rm, ok := m.(*reservedMemory)
	if !ok {
		t.Fatalf("reservation refused: got %T", m)
	}
	defer rm.Free()
	b := rm.Reallocate(page)
	if len(b) != page {
		t.Fatalf("len %d, want %d", len(b), page)
	}
	b[0], b[page-1] = 1, 2
	grown := rm.Reallocate(3 * page)
	if unsafe.SliceData(grown) != unsafe.SliceData(b) {
		t.Fatal("memory moved when it grew")
	}
	if grown[0] != 1 || grown[page-1] != 2 {
		t.Fatal("grow lost the memory's content")
	}
	for i, c := range grown[page:] {
		if c != 0 {
			t.Fatalf("new byte %d is %d, want 0", page+i, c)
		}
	}
	grown[3*page-1] = 3 // writable to the end
	if rm.Reallocate(65*page) != nil {
		t.Fatal("grew beyond the reservation")
	}
}
