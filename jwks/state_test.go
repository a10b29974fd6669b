package jwks

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSharedStateRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		s    sharedState
	}{
		{"zero", sharedState{}},
		{"every field", sharedState{Version: 7, Generation: 12, Failures: 3, NextAttemptMs: 1735689600123,
			LeaseID: 9, LeaseOwner: "vm-3", LeaseUntilMs: 1735689607123, LastEarlyMs: 1735689500000,
			LastSuccessMs: 1735689300000, LastError: `status "503" <html>`, RefreshRequested: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSharedState(encodeSharedState(tt.s))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.s {
				t.Fatalf("round trip = %+v, want %+v", got, tt.s)
			}
		})
	}
}

func TestSharedStateUsesTheDocumentedNames(t *testing.T) {
	raw := string(encodeSharedState(sharedState{Version: 1, Generation: 2, Failures: 3, NextAttemptMs: 4, LeaseID: 5,
		LeaseOwner: "o", LeaseUntilMs: 6, LastEarlyMs: 7, LastSuccessMs: 8, LastError: "e", RefreshRequested: true}))
	want := `{"version":1,"generation":2,"failures":3,"next_attempt_ms":4,"lease_id":5,"lease_owner":"o",` +
		`"lease_until_ms":6,"last_early_ms":7,"last_success_ms":8,"last_error":"e","refresh_requested":true}`
	if raw != want {
		t.Fatalf("encoded state =\n%s\nwant\n%s", raw, want)
	}
}

func TestSharedStateLastErrorIsBoundedOnRuneBoundary(t *testing.T) {
	long := strings.Repeat("a", maxLastErrorBytes-1) + "é" + strings.Repeat("b", 50) // é straddles the limit
	got, err := decodeSharedState(encodeSharedState(sharedState{LastError: long}))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("a", maxLastErrorBytes-1); got.LastError != want {
		t.Fatalf("LastError = %q (%d bytes), want %d a's", got.LastError, len(got.LastError), len(want))
	}
}

func TestSharedStateDecodeRejectsDamage(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"empty", ""},
		{"binary", "\x00\xff\xfe"},
		{"truncated", `{"version":1`},
		{"array", `[]`},
		{"null", `null`},
		{"string", `"state"`},
		{"leading space", ` {}`},
		{"negative version", `{"version":-1}`},
		{"version as string", `{"version":"1"}`},
		{"float time", `{"next_attempt_ms":1e3}`},
		{"negative failures", `{"failures":-3}`},
		{"negative lease end", `{"lease_until_ms":-5}`},
		{"negative early time", `{"last_early_ms":-5}`},
		{"overflowing version", `{"version":18446744073709551616}`},
		{"trailing garbage", `{}x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeSharedState([]byte(tt.raw)); !errors.Is(err, ErrSharedStateCorrupt) {
				t.Fatalf("decode(%q) err = %v, want ErrSharedStateCorrupt", tt.raw, err)
			}
		})
	}
}

func TestSharedStateDecodeTolerates(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want sharedState
	}{
		{"unknown member from a newer plugin", `{"version":2,"lease_id":3,"shiny":true}`, sharedState{Version: 2, LeaseID: 3}},
		{"lease id behind the version is raised to it", `{"version":9,"lease_id":4}`, sharedState{Version: 9, LeaseID: 9}},
		{"empty object", `{}`, sharedState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSharedState([]byte(tt.raw))
			if err != nil || got != tt.want {
				t.Fatalf("decode(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestSharedKeySetEnvelope(t *testing.T) {
	body := []byte(`{"keys":[]}`)
	raw := encodeSharedKeySet(42, body)
	v, got, err := decodeSharedKeySet(raw)
	if err != nil || v != 42 || !bytes.Equal(got, body) {
		t.Fatalf("decode = %d, %q, %v; want 42, %q, nil", v, got, err, body)
	}
	damaged := []struct{ name, raw string }{
		{"empty", ""},
		{"short header", "mowk\x00\x00"},
		{"wrong magic", "MOWK\x00\x00\x00\x00\x00\x00\x00\x01{}"},
		{"version zero", "mowk\x00\x00\x00\x00\x00\x00\x00\x00{}"},
		{"plain JSON", `{"keys":[]}`},
	}
	for _, tt := range damaged {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := decodeSharedKeySet([]byte(tt.raw)); !errors.Is(err, ErrSharedKeySetCorrupt) {
				t.Fatalf("err = %v, want ErrSharedKeySetCorrupt", err)
			}
		})
	}
}

// FuzzCoordinatorState: decoding any bytes never panics, and whatever
// decodes re-encodes to a value that decodes to the same state.
func FuzzCoordinatorState(f *testing.F) {
	f.Add([]byte(`{"version":7,"generation":12,"failures":3,"next_attempt_ms":1735689600123,"lease_id":9,` +
		`"lease_owner":"vm-3","lease_until_ms":1735689607123,"last_early_ms":1,"last_success_ms":2,` +
		`"last_error":"status 503","refresh_requested":true}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":9,"lease_id":4}`))
	f.Add([]byte(`{"failures":-1}`))
	f.Add([]byte(`{"lease_until_ms":9000000000000000000}`))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte(`{"version":1,"version":2}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := decodeSharedState(raw)
		if err != nil {
			if !errors.Is(err, ErrSharedStateCorrupt) {
				t.Fatalf("err = %v, want ErrSharedStateCorrupt", err)
			}
			return
		}
		again, err := decodeSharedState(encodeSharedState(s))
		if err != nil {
			t.Fatalf("re-decoding our own encoding: %v", err)
		}
		if !utf8.ValidString(again.LastError) || len(again.LastError) > maxLastErrorBytes {
			t.Fatalf("LastError not bounded valid UTF-8: %q", again.LastError)
		}
		if len(s.LastError) <= maxLastErrorBytes && again != s {
			t.Fatalf("round trip changed the state:\n%+v\n%+v", s, again)
		}
		if again.LeaseID < again.Version {
			t.Fatalf("lease id %d behind version %d", again.LeaseID, again.Version)
		}
	})
}

// FuzzSharedKeySetEnvelope: any bytes decode without panic; what decodes
// re-encodes to the same bytes.
func FuzzSharedKeySetEnvelope(f *testing.F) {
	f.Add(encodeSharedKeySet(1, []byte(`{"keys":[]}`)))
	f.Add([]byte("mowk"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, body, err := decodeSharedKeySet(raw)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeSharedKeySet(v, body), raw) {
			t.Fatalf("re-encoding differs from %q", raw)
		}
	})
}
