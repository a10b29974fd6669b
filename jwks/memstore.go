package jwks

import "fmt"

// MemStore is an in-memory Store with exactly Envoy's shared-data semantics
// (see Store): one cas counter for all keys, starting at 1 and skipping 0 on
// wrap. Several simulated VMs may share one MemStore from one goroutine; it is
// not safe for concurrent use by several goroutines.
type MemStore struct {
	entries map[string]memStoreEntry
	nextCas uint32
}

type memStoreEntry struct {
	value []byte
	cas   uint32
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{entries: make(map[string]memStoreEntry), nextCas: 1}
}

// Get returns a copy of the value, as the host does.
func (m *MemStore) Get(key string) ([]byte, uint32, error) {
	e, ok := m.entries[key]
	if !ok {
		return nil, 0, fmt.Errorf("%w: %s", ErrStoreNotFound, key)
	}
	return append([]byte(nil), e.value...), e.cas, nil
}

// Set stores a copy of value. cas is ignored for a missing key and when 0.
func (m *MemStore) Set(key string, value []byte, cas uint32) error {
	if m.entries == nil { // zero MemStore: behave like NewMemStore
		m.entries = make(map[string]memStoreEntry)
	}
	if e, ok := m.entries[key]; ok && cas != 0 && cas != e.cas {
		return fmt.Errorf("%w: %s", ErrStoreCasMismatch, key)
	}
	m.entries[key] = memStoreEntry{value: append([]byte(nil), value...), cas: m.takeCas()}
	return nil
}

// takeCas mirrors cpp-host's nextCas: hand out the counter, advance it, and
// never let it become 0.
func (m *MemStore) takeCas() uint32 {
	if m.nextCas == 0 {
		m.nextCas = 1
	}
	c := m.nextCas
	m.nextCas++
	if m.nextCas == 0 {
		m.nextCas = 1
	}
	return c
}
