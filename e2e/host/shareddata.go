package host

import "sync"

// SharedData is Envoy's process-wide shared-data store with cpp-host's
// exact semantics (src/shared_data.cc SharedData::get/set): keyed by vm_id
// then key; get copies the value; there is no delete through the ABI; set
// on a missing key ignores cas; cas 0 always overwrites; every write takes
// the next value of one global counter that starts at 1 and skips 0.
// It is goroutine-safe, like the original (one mutex).
type SharedData struct {
	mu   sync.Mutex
	cas  uint32
	data map[string]map[string]sharedValue
}

type sharedValue struct {
	value []byte
	cas   uint32
}

// NewSharedData returns an empty store whose first cas is 1.
func NewSharedData() *SharedData {
	return &SharedData{cas: 1, data: map[string]map[string]sharedValue{}}
}

// nextCas mirrors src/shared_data.h SharedData::nextCas.
func (s *SharedData) nextCas() uint32 {
	v := s.cas
	s.cas++
	if s.cas == 0 {
		s.cas++
	}
	return v
}

// Get returns a copy of the value and its cas.
func (s *SharedData) Get(vmID, key string) ([]byte, uint32, Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[vmID][key]
	if !ok {
		return nil, 0, StatusNotFound
	}
	return append([]byte(nil), v.value...), v.cas, StatusOK
}

// Set stores value under key with cpp-host's CAS rules.
func (s *SharedData) Set(vmID, key string, value []byte, cas uint32) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.data[vmID]
	if m == nil {
		m = map[string]sharedValue{}
		s.data[vmID] = m
	}
	if old, ok := m[key]; ok && cas != 0 && cas != old.cas {
		return StatusCasMismatch
	}
	m[key] = sharedValue{value: append([]byte(nil), value...), cas: s.nextCas()}
	return StatusOK
}

// Keys lists the keys stored for a vm_id.
func (s *SharedData) Keys(vmID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.data[vmID]))
	for k := range s.data[vmID] {
		out = append(out, k)
	}
	return out
}

// sharedQueues mirrors cpp-host src/shared_queue.cc: queues keyed by
// (vm_id, name), tokens from a counter that skips 0, and the last
// registrant's root context is notified on enqueue.
type sharedQueues struct {
	next   uint32
	tokens map[[2]string]uint32
	queues map[uint32]*sharedQueue
}

type sharedQueue struct {
	items  [][]byte
	vm     *VM
	rootID uint32
}

func newSharedQueues() *sharedQueues {
	return &sharedQueues{next: 1, tokens: map[[2]string]uint32{}, queues: map[uint32]*sharedQueue{}}
}

func (q *sharedQueues) register(vm *VM, rootID uint32, name string) uint32 {
	key := [2]string{vm.cfg.VMID, name}
	tok, ok := q.tokens[key]
	if !ok {
		for {
			tok = q.next
			q.next++
			if tok != 0 && q.queues[tok] == nil {
				break
			}
		}
		q.tokens[key] = tok
		q.queues[tok] = &sharedQueue{}
	}
	q.queues[tok].vm = vm
	q.queues[tok].rootID = rootID
	return tok
}
