package base64url

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

// TestDecodeSeesSkippedBytes holds Decode's single pass to an alphabet
// check: Go's decoder skips CR and LF, and an input carrying them, at any
// position and in any of the lengths an unpadded encoding can have, must be
// refused as outside the alphabet.
func TestDecodeSeesSkippedBytes(t *testing.T) {
	for n := 0; n <= 9; n++ {
		good := base64.RawURLEncoding.EncodeToString([]byte("abcdefghi"[:n]))
		if b, err := DecodeString(good); err != nil || !bytes.Equal(b, []byte("abcdefghi"[:n])) {
			t.Fatalf("%q: %q, %v", good, b, err)
		}
		for _, ins := range []string{"\n", "\r", "\r\n", "\n\n\n", "\r\n\r\n"} {
			for i := 0; i <= len(good); i++ {
				bad := good[:i] + ins + good[i:]
				if _, err := DecodeString(bad); !errors.Is(err, ErrAlphabet) {
					t.Errorf("%q: err = %v, want ErrAlphabet", bad, err)
				}
			}
		}
	}
}

func TestDecodeRefusesOtherSpellings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"QUJD", nil},
		{"QUI", nil},
		{"QQ", nil},
		{"", nil},
		{"QUJD=", ErrAlphabet},
		{"QQ==", ErrAlphabet},
		{"QUJ+", ErrAlphabet}, // standard alphabet, not URL-safe
		{"QUJ/", ErrAlphabet},
		{"QUJ\x00", ErrAlphabet},
		{"QUJDR", ErrNotCanonical}, // 4k+1 characters
		{"QR", ErrNotCanonical},    // non-zero trailing bits ("QQ" is canonical)
		{"QUJ", ErrNotCanonical},   // "QUI" is canonical
	} {
		if _, err := DecodeString(tc.in); !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.want)
		}
	}
}

// FuzzDecode: Decode accepts exactly the strings that are the unpadded
// base64url encoding of what they decode to.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "QQ", "QR", "QUJD", "QUJDRA", "QU\nJD", "QUJD=", "-_-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeString(s)
		if err == nil {
			if base64.RawURLEncoding.EncodeToString(b) != s {
				t.Fatalf("%q accepted but not canonical", s)
			}
			return
		}
		if want, refErr := base64.RawURLEncoding.Strict().DecodeString(s); refErr == nil && InAlphabet(s) {
			t.Fatalf("%q refused (%v) though it decodes canonically to %q", s, err, want)
		}
	})
}
