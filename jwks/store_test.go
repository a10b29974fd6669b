package jwks

import (
	"errors"
	"fmt"
	"testing"
)

// proxytestStore mimics the SDK's proxytest emulator (proxywasm/proxytest
// root.go): a missing key is created with cas = given+1 (wrapping), an
// existing key is updated only when cas equals the stored one, which then
// becomes cas+1. cas 0 is not special.
type proxytestStore struct {
	entries map[string]*memStoreEntry
}

func newProxytestStore() *proxytestStore {
	return &proxytestStore{entries: make(map[string]*memStoreEntry)}
}

func (p *proxytestStore) Get(key string) ([]byte, uint32, error) {
	e, ok := p.entries[key]
	if !ok {
		return nil, 0, fmt.Errorf("%w: %s", ErrStoreNotFound, key)
	}
	return append([]byte(nil), e.value...), e.cas, nil
}

func (p *proxytestStore) Set(key string, value []byte, cas uint32) error {
	e, ok := p.entries[key]
	if !ok {
		p.entries[key] = &memStoreEntry{value: append([]byte(nil), value...), cas: cas + 1}
		return nil
	}
	if e.cas != cas {
		return fmt.Errorf("%w: %s", ErrStoreCasMismatch, key)
	}
	e.value, e.cas = append([]byte(nil), value...), cas+1
	return nil
}

// storeKinds runs scenarios against both host semantics.
var storeKinds = []struct {
	name string
	new  func() Store
}{
	{"envoy", func() Store { return NewMemStore() }},
	{"proxytest", func() Store { return newProxytestStore() }},
}

// spyStore counts reads per key and can run a hook before a read or write,
// to interleave another VM's steps at an exact point.
type spyStore struct {
	Store
	gets      map[string]int
	beforeGet func(key string)
	beforeSet func(key string)
}

func newSpyStore(s Store) *spyStore { return &spyStore{Store: s, gets: make(map[string]int)} }

func (s *spyStore) Get(key string) ([]byte, uint32, error) {
	s.gets[key]++
	if h := s.beforeGet; h != nil {
		h(key)
	}
	return s.Store.Get(key)
}

func (s *spyStore) Set(key string, value []byte, cas uint32) error {
	if h := s.beforeSet; h != nil {
		h(key)
	}
	return s.Store.Set(key, value, cas)
}

// The proxytest double must differ from Envoy exactly where the SDK does, or
// the "works on both" scenarios prove nothing.
func TestProxytestStoreMimicsSDKEmulator(t *testing.T) {
	p := newProxytestStore()
	if err := p.Set("k", []byte("1"), 5); err != nil {
		t.Fatal(err)
	}
	if _, cas, _ := p.Get("k"); cas != 6 {
		t.Fatalf("create with cas 5 stored cas %d, want 6", cas)
	}
	if err := p.Set("k", []byte("2"), 0); !errors.Is(err, ErrStoreCasMismatch) {
		t.Fatalf("cas 0 on an existing key: err = %v, want mismatch", err)
	}
	if err := p.Set("k", []byte("2"), 6); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("new", nil, casCreate); err != nil {
		t.Fatal(err)
	}
	if _, cas, _ := p.Get("new"); cas != 0 {
		t.Fatalf("create with casCreate stored cas %d, want 0 (wrapped)", cas)
	}
	if err := p.Set("new", nil, casCreate); !errors.Is(err, ErrStoreCasMismatch) {
		t.Fatalf("second create: err = %v, want mismatch", err)
	}
	if err := p.Set("new", []byte("x"), 0); err != nil {
		t.Fatalf("update with the cas read back (0): %v", err)
	}
}
