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
		// The reference: Go's strict decoder, which also skips CR and LF.
		ref, refErr := base64.RawURLEncoding.Strict().DecodeString(s)
		if refOK := refErr == nil && InAlphabet(s); refOK != (err == nil) || refOK && !bytes.Equal(b, ref) {
			t.Fatalf("%q: %x, %v; encoding/base64: %x, %v", s, b, err, ref, refErr)
		}
		if err != nil && !InAlphabet(s) && !errors.Is(err, ErrAlphabet) {
			t.Fatalf("%q: err = %v, want ErrAlphabet", s, err)
		}
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

// BenchmarkDecode compares Decode with encoding/base64 on an RS256
// signature's 342 characters; run it in wasm to see why Decode exists:
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/b64.wasm ./internal/base64url
//	wazero run /tmp/b64.wasm -test.run '^$' -test.bench Decode
func BenchmarkDecode(b *testing.B) {
	sig := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0x5a, 0xa5, 0x3c}, 86))
	dst := make([]byte, DecodedLen(len(sig)))
	b.Run("base64url", func(b *testing.B) {
		for range b.N {
			if _, err := Decode(dst, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_base64", func(b *testing.B) {
		strict := base64.RawURLEncoding.Strict()
		for range b.N {
			if _, err := strict.Decode(dst, []byte(sig)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
