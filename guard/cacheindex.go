package guard

import "math/rand/v2"

// recordIndex maps cache keys to records: an open-addressing hash table
// with linear probing, at most half full, deleting by shifting entries
// back instead of leaving tombstones.
//
// Written by hand instead of using a Go map because of what a map costs in
// wasm: about 0.5 µs per access under wazero, and a miss that evicts an
// entry makes four (two lookups, a store, a delete). Here a lookup is one
// multiplication and usually one slot; the change took a miss without its
// signature check from 55 to 51 µs (e2e/bench, README "Performance").
type recordIndex struct {
	slots []indexSlot // length a power of two; a slot with nil data is empty
	count int
	shift uint // 64 - log2(len(slots)), to take a hash's top bits
	// seed is mixed into every hash so that which keys share a slot differs
	// between VMs. Only validated tokens are stored and a key is the end of
	// their signature, which no client chooses, so this is a second line.
	seed uint64
}

type indexSlot struct {
	key cacheKey
	rec cacheRecord
}

// minIndexSlots is the table's smallest size.
const minIndexSlots = 64

func newRecordIndex(entries int) recordIndex {
	x := recordIndex{seed: rand.Uint64()}
	x.resize(max(minIndexSlots, 2*entries))
	return x
}

// resize moves every entry into a table of at least n slots.
func (x *recordIndex) resize(n int) {
	size, shift := 1, uint(64)
	for size < n {
		size, shift = size*2, shift-1
	}
	old := x.slots
	x.slots, x.shift, x.count = make([]indexSlot, size), shift, 0
	for _, s := range old {
		if s.rec.data != nil {
			x.set(s.key, s.rec)
		}
	}
}

// home is the slot where k's probe sequence starts: the top bits of a
// Fibonacci hash, which spread keys that differ only in low bits.
func (x *recordIndex) home(k cacheKey) int {
	return int(((uint64(k) ^ x.seed) * 0x9e3779b97f4a7c15) >> x.shift)
}

// find returns the slot holding k, or the empty slot where k would go.
func (x *recordIndex) find(k cacheKey) (int, bool) {
	mask := len(x.slots) - 1
	for i := x.home(k); ; i = (i + 1) & mask {
		switch s := &x.slots[i]; {
		case s.rec.data == nil:
			return i, false
		case s.key == k:
			return i, true
		}
	}
}

func (x *recordIndex) get(k cacheKey) (cacheRecord, bool) {
	i, ok := x.find(k)
	return x.slots[i].rec, ok
}

// set stores r under k, replacing what k held. r.data must not be nil.
func (x *recordIndex) set(k cacheKey, r cacheRecord) {
	i, ok := x.find(k)
	if !ok {
		if 2*(x.count+1) > len(x.slots) {
			x.resize(2 * len(x.slots))
			i, _ = x.find(k)
		}
		x.count++
	}
	x.slots[i] = indexSlot{key: k, rec: r}
}

// delete removes k and returns what it held. Each entry after it in the
// same run of occupied slots that may live closer to its home moves back
// into the gap, so a probe never meets a hole before the key it looks for.
func (x *recordIndex) delete(k cacheKey) (cacheRecord, bool) {
	gap, ok := x.find(k)
	if !ok {
		return cacheRecord{}, false
	}
	removed := x.slots[gap].rec
	mask := len(x.slots) - 1
	for i := (gap + 1) & mask; x.slots[i].rec.data != nil; i = (i + 1) & mask {
		// The entry at i may move to gap if its home is not in (gap, i],
		// counting cyclically: distance from home to i reaches gap.
		if (i-x.home(x.slots[i].key))&mask >= (i-gap)&mask {
			x.slots[gap] = x.slots[i]
			gap = i
		}
	}
	x.slots[gap] = indexSlot{}
	x.count--
	return removed, true
}
