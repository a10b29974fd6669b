package jwks

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestMemStoreFollowsEnvoySemantics(t *testing.T) {
	type step struct {
		op      string // "get" or "set"
		key     string
		value   string
		cas     uint32 // for set; "useLast" replaces it with the cas of the last get
		useLast bool
		wantErr error
		wantVal string // for get
		wantCas uint32 // for get
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"get of a missing key is not found", []step{
			{op: "get", key: "a", wantErr: ErrStoreNotFound},
		}},
		{"set on a missing key ignores cas", []step{
			{op: "set", key: "a", value: "1", cas: 12345},
			{op: "get", key: "a", wantVal: "1", wantCas: 1},
		}},
		{"cas values come from one counter for all keys", []step{
			{op: "set", key: "a", value: "1"},
			{op: "set", key: "b", value: "2"},
			{op: "set", key: "a", value: "3"},
			{op: "get", key: "a", wantVal: "3", wantCas: 3},
			{op: "get", key: "b", wantVal: "2", wantCas: 2},
		}},
		{"cas 0 always overwrites", []step{
			{op: "set", key: "a", value: "1"},
			{op: "set", key: "a", value: "2", cas: 0},
			{op: "get", key: "a", wantVal: "2", wantCas: 2},
		}},
		{"matching cas updates", []step{
			{op: "set", key: "a", value: "1"},
			{op: "get", key: "a", wantVal: "1", wantCas: 1},
			{op: "set", key: "a", value: "2", useLast: true},
			{op: "get", key: "a", wantVal: "2", wantCas: 2},
		}},
		{"stale cas is a mismatch and changes nothing", []step{
			{op: "set", key: "a", value: "1"},
			{op: "set", key: "a", value: "2", cas: 1},
			{op: "set", key: "a", value: "3", cas: 1, wantErr: ErrStoreCasMismatch},
			{op: "get", key: "a", wantVal: "2", wantCas: 2},
		}},
		{"create sentinel on an existing key is a mismatch", []step{
			{op: "set", key: "a", value: "winner"},
			{op: "set", key: "a", value: "loser", cas: casCreate, wantErr: ErrStoreCasMismatch},
			{op: "get", key: "a", wantVal: "winner", wantCas: 1},
		}},
		{"naive create with cas 0 overwrites the winner (why casCreate exists)", []step{
			{op: "set", key: "a", value: "winner"},
			{op: "set", key: "a", value: "loser", cas: 0},
			{op: "get", key: "a", wantVal: "loser", wantCas: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemStore()
			var last uint32
			for i, st := range tt.steps {
				switch st.op {
				case "get":
					v, cas, err := m.Get(st.key)
					if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
						t.Fatalf("step %d: Get err = %v, want %v", i, err, st.wantErr)
					}
					if err == nil && (string(v) != st.wantVal || cas != st.wantCas) {
						t.Fatalf("step %d: Get = %q cas %d, want %q cas %d", i, v, cas, st.wantVal, st.wantCas)
					}
					last = cas
				case "set":
					cas := st.cas
					if st.useLast {
						cas = last
					}
					err := m.Set(st.key, []byte(st.value), cas)
					if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
						t.Fatalf("step %d: Set err = %v, want %v", i, err, st.wantErr)
					}
				}
			}
		})
	}
}

func TestMemStoreCopiesValues(t *testing.T) {
	m := NewMemStore()
	in := []byte("abc")
	if err := m.Set("k", in, 0); err != nil {
		t.Fatal(err)
	}
	in[0] = 'X'
	out, _, _ := m.Get("k")
	out[1] = 'Y'
	again, _, _ := m.Get("k")
	if string(again) != "abc" {
		t.Fatalf("stored value = %q, want %q (Set and Get must copy)", again, "abc")
	}
}

func TestMemStoreCasCounterSkipsZeroOnWrap(t *testing.T) {
	m := NewMemStore()
	m.nextCas = math.MaxUint32
	want := []uint32{math.MaxUint32, 1, 2}
	for i, w := range want {
		key := fmt.Sprintf("k%d", i)
		if err := m.Set(key, nil, 0); err != nil {
			t.Fatal(err)
		}
		if _, cas, _ := m.Get(key); cas != w {
			t.Fatalf("write %d got cas %d, want %d", i, cas, w)
		}
	}
}

func TestZeroMemStoreIsUsable(t *testing.T) {
	var m MemStore
	if err := m.Set("k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if v, cas, err := m.Get("k"); err != nil || string(v) != "v" || cas != 1 {
		t.Fatalf("Get = %q, %d, %v; want \"v\", 1, nil", v, cas, err)
	}
}
