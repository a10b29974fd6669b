package memeq

import (
	"strings"
	"testing"
)

func TestEqual(t *testing.T) {
	base := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 40)
	for n := 0; n <= 40; n++ {
		a := base[:n]
		if !Equal(a, strings.Clone(a)) {
			t.Fatalf("%d bytes: equal strings compared unequal", n)
		}
		for i := 0; i < n; i++ { // a difference at every position, in and after the 8-byte words
			b := []byte(a)
			b[i] ^= 1
			if Equal(a, string(b)) {
				t.Fatalf("%d bytes: difference at %d not seen", n, i)
			}
		}
		if Equal(a, a+"x") || Equal(a+"x", a) {
			t.Fatalf("%d bytes: different lengths compared equal", n)
		}
	}
	if !Equal(base, base) {
		t.Fatal("a string is not equal to itself")
	}
}

func FuzzEqual(f *testing.F) {
	f.Add("", "")
	f.Add("abcdefgh", "abcdefgh")
	f.Add("abcdefghi", "abcdefghj")
	f.Fuzz(func(t *testing.T, a, b string) {
		if Equal(a, b) != (a == b) {
			t.Fatalf("Equal(%q, %q) = %t", a, b, Equal(a, b))
		}
		if !Equal(a, strings.Clone(a)) {
			t.Fatalf("Equal(%q, copy) = false", a)
		}
	})
}

// BenchmarkEqual compares two equal 700-byte strings (a cached RS256
// token and the one a client sent) with Equal and with ==; run it in wasm
// (GOOS=wasip1 GOARCH=wasm go test -c, then the wazero CLI) to see why
// Equal exists.
func BenchmarkEqual(b *testing.B) {
	x := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 35)
	y := strings.Clone(x)
	b.Run("memeq", func(b *testing.B) {
		for range b.N {
			if !Equal(x, y) {
				b.Fatal("unequal")
			}
		}
	})
	b.Run("runtime", func(b *testing.B) {
		for range b.N {
			if x != y {
				b.Fatal("unequal")
			}
		}
	})
}
