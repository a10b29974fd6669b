package host

import (
	"math"
	"testing"
)

func TestSharedDataCASSemantics(t *testing.T) {
	type op struct {
		vmID, key, value string
		cas              uint32
		wantStatus       Status
		wantCas          uint32 // cas read back after the op (0: key absent)
		wantValue        string
	}
	tests := []struct {
		name string
		ops  []op
	}{
		{"set on a missing key ignores cas", []op{
			{"vm", "k", "a", 12345, StatusOK, 1, "a"},
		}},
		{"cas 0 always overwrites", []op{
			{"vm", "k", "a", 0, StatusOK, 1, "a"},
			{"vm", "k", "b", 0, StatusOK, 2, "b"},
		}},
		{"matching cas writes and takes the next global value", []op{
			{"vm", "k", "a", 0, StatusOK, 1, "a"},
			{"vm", "k", "b", 1, StatusOK, 2, "b"},
		}},
		{"stale cas is a mismatch and keeps the value", []op{
			{"vm", "k", "a", 0, StatusOK, 1, "a"},
			{"vm", "k", "b", 1, StatusOK, 2, "b"},
			{"vm", "k", "c", 1, StatusCasMismatch, 2, "b"},
		}},
		{"one counter across keys and vm ids", []op{
			{"vm", "k1", "a", 0, StatusOK, 1, "a"},
			{"other", "k1", "x", 0, StatusOK, 2, "x"},
			{"vm", "k2", "b", 0, StatusOK, 3, "b"},
			{"vm", "k1", "c", 1, StatusOK, 4, "c"},
		}},
		{"vm ids are separate namespaces", []op{
			{"a", "k", "1", 0, StatusOK, 1, "1"},
			{"b", "k", "2", 7, StatusOK, 2, "2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd := NewSharedData()
			for i, o := range tt.ops {
				if got := sd.Set(o.vmID, o.key, []byte(o.value), o.cas); got != o.wantStatus {
					t.Fatalf("op %d: Set status = %d, want %d", i, got, o.wantStatus)
				}
				v, cas, st := sd.Get(o.vmID, o.key)
				if st != StatusOK || cas != o.wantCas || string(v) != o.wantValue {
					t.Fatalf("op %d: Get = %q cas %d status %d, want %q cas %d", i, v, cas, st, o.wantValue, o.wantCas)
				}
			}
		})
	}
}

func TestSharedDataGetCopiesAndMissingIsNotFound(t *testing.T) {
	sd := NewSharedData()
	if _, _, st := sd.Get("vm", "k"); st != StatusNotFound {
		t.Fatalf("Get on missing key = %d, want NotFound", st)
	}
	sd.Set("vm", "k", []byte("abc"), 0)
	v, _, _ := sd.Get("vm", "k")
	v[0] = 'X'
	if v2, _, _ := sd.Get("vm", "k"); string(v2) != "abc" {
		t.Fatalf("stored value changed through a returned copy: %q", v2)
	}
}

func TestSharedDataCasSkipsZero(t *testing.T) {
	sd := NewSharedData()
	sd.cas = math.MaxUint32
	sd.Set("vm", "a", nil, 0)
	sd.Set("vm", "b", nil, 0)
	_, casA, _ := sd.Get("vm", "a")
	_, casB, _ := sd.Get("vm", "b")
	if casA != math.MaxUint32 || casB != 1 {
		t.Fatalf("cas after wrap = %d, %d; want %d, 1", casA, casB, uint32(math.MaxUint32))
	}
}

// The plugin sees the same semantics through proxy_set/get_shared_data,
// and every VM of a host shares one store.
func TestSharedDataThroughPluginAcrossVMs(t *testing.T) {
	h, vm1 := newHost(t, Options{})
	vm2, err := h.NewVM(VMConfig{VMID: "vm"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		vm   *VM
		path string
		want string // set status | value | cas | get status
	}{
		{vm1, "/shared/lease/a/999", "ok|a|1|ok"},
		{vm2, "/shared/lease/b/5", "error status returned by host: cas mismatch|a|1|ok"},
		{vm2, "/shared/lease/b/1", "ok|b|2|ok"},
		{vm1, "/shared/lease/c/0", "ok|c|3|ok"},
	}
	for _, tt := range tests {
		s := tt.vm.Request(reqHeaders(tt.path), nil)
		if s.Upstream() == nil {
			t.Fatalf("%s: no upstream request (%v)", tt.path, s)
		}
		if got := s.Upstream().Header("x-shared"); got != tt.want {
			t.Errorf("%s: x-shared = %q, want %q", tt.path, got, tt.want)
		}
	}
}
