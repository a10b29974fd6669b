package guard

import (
	"math/rand/v2"
	"testing"
)

// TestRecordIndexAgreesWithMap runs random sets and deletes over a small
// key space, so that probe runs collide, wrap around the table's end and
// are cut by deletes, and after every step holds the index to a Go map:
// same count, every key found with its record, no absent key found, and
// each delete returning what the key held.
func TestRecordIndexAgreesWithMap(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keys, ops int
	}{
		{"fits the smallest table", 20, 20000},
		{"grows", 300, 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.keys)))
			x := newRecordIndex(0)
			ref := map[cacheKey]uint32{}
			for op := range tc.ops {
				k := cacheKey(rng.Uint64N(uint64(tc.keys)) * 0x0101010101) // keys alike in their low bits
				if rng.IntN(3) == 0 {
					r, ok := x.delete(k)
					if want, in := ref[k]; ok != in || ok && r.seq != want {
						t.Fatalf("op %d: delete returned %v %d, want %v %d", op, ok, r.seq, in, want)
					}
					delete(ref, k)
				} else {
					x.set(k, cacheRecord{data: []byte{1}, seq: uint32(op)})
					ref[k] = uint32(op)
				}
				if x.count != len(ref) {
					t.Fatalf("op %d: count %d, want %d", op, x.count, len(ref))
				}
				for i := range tc.keys {
					k := cacheKey(uint64(i) * 0x0101010101)
					r, ok := x.get(k)
					want, in := ref[k]
					if ok != in || ok && r.seq != want {
						t.Fatalf("op %d: key %d: got %v %d, want %v %d", op, i, ok, r.seq, in, want)
					}
				}
			}
			if 2*x.count > len(x.slots) {
				t.Fatalf("%d entries in %d slots: more than half full", x.count, len(x.slots))
			}
		})
	}
}

// TestRecordIndexSeedsDiffer: two indexes place the same keys differently,
// so which keys share a probe run is not the same in every VM.
func TestRecordIndexSeedsDiffer(t *testing.T) {
	a, b := newRecordIndex(0), newRecordIndex(0)
	same := 0
	for k := range cacheKey(64) {
		if a.home(k) == b.home(k) {
			same++
		}
	}
	if same == 64 {
		t.Fatal("two indexes put 64 keys in the same slots")
	}
}
