package jwks

import (
	"crypto/ed25519"
	"errors"
	"testing"
)

func TestSelect(t *testing.T) {
	k := testKeys(t)
	s, err := Parse(setJSON(t,
		rsaJWK(&k.rsa2048.PublicKey, "rsa"),                                   // 0
		ecJWK(&k.p256.PublicKey, "ec").with("alg", "ES256"),                   // 1
		rsaJWK(&k.rsa3072.PublicKey, "shared").with("alg", "RS256"),           // 2: RFC 7517 §4.5, same kid,
		ecJWK(&k.p384.PublicKey, "shared"),                                    // 3: different kty
		ecJWK(&k.p521.PublicKey, "dup"),                                       // 4: same kid, same type
		ecJWK(&k.p521.PublicKey, "dup"),                                       // 5
		edJWK(k.ed25519.Public().(ed25519.PublicKey), "").with("kid", absent), // 6: no kid
	))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	keys := s.Keys()
	tests := []struct {
		name   string
		kid    string
		hasKid bool
		alg    string
		want   int // index into keys, or -1 with wantErr
		err    error
	}{
		{"kid names an RSA key", "rsa", true, "RS256", 0, nil},
		{"kid names an RSA key used with PSS", "rsa", true, "PS512", 0, nil},
		{"kid names an EC key", "ec", true, "ES256", 1, nil},
		{"kid and alg pick one of two keys sharing a kid (RSA)", "shared", true, "RS256", 2, nil},
		{"kid and alg pick one of two keys sharing a kid (EC)", "shared", true, "ES384", 3, nil},
		{"empty kid names the key without kid", "", true, "EdDSA", 6, nil},
		{"no kid and one key fits", "", false, "EdDSA", 6, nil},
		{"no kid and one key fits ES384", "", false, "ES384", 3, nil},

		{"unknown kid", "other", true, "RS256", -1, ErrKeyNotFound},
		{"kid differing in case", "RSA", true, "RS256", -1, ErrKeyNotFound},
		{"kid of an RSA key with ES256", "rsa", true, "ES256", -1, ErrKeyMismatch},
		{"kid of an ES256 key with ES384", "ec", true, "ES384", -1, ErrKeyMismatch},
		{"kid shared but alg fits neither", "shared", true, "PS256", -1, ErrKeyMismatch},
		{"kid with HS256", "rsa", true, "HS256", -1, ErrKeyMismatch},
		{"kid with none", "rsa", true, "none", -1, ErrKeyMismatch},
		{"duplicate kid, both fit", "dup", true, "ES512", -1, ErrAmbiguousKey},
		{"empty kid with an alg the kid-less key cannot do", "", true, "RS256", -1, ErrKeyMismatch},
		{"no kid, several RSA keys fit", "", false, "RS256", -1, ErrAmbiguousKey},
		{"no kid, several P-521 keys fit", "", false, "ES512", -1, ErrAmbiguousKey},
		{"no kid, no key fits", "", false, "HS256", -1, ErrKeyNotFound},
		{"no kid, PS384 fits only the RSA key without alg", "", false, "PS384", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Select(tt.kid, tt.hasKid, tt.alg)
			if tt.err != nil {
				if got != nil || !errors.Is(err, tt.err) {
					t.Fatalf("Select = %v, %v; want nil, %v", got, err, tt.err)
				}
				return
			}
			if err != nil || got != keys[tt.want] {
				t.Fatalf("Select = %v, %v; want key %d", got, err, tt.want)
			}
		})
	}
}

func TestSelectSingleKeyWithoutKid(t *testing.T) {
	k := testKeys(t)
	s, err := Parse(setJSON(t, rsaJWK(&k.rsa2048.PublicKey, "r"), ecJWK(&k.p256.PublicKey, "e")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		alg    string
		wantID string
		err    error
	}{
		{"ES256", "e", nil},
		{"RS256", "r", nil},
		{"ES384", "", ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			got, err := s.Select("", false, tt.alg)
			if !errors.Is(err, tt.err) || (tt.err == nil && (got == nil || got.ID != tt.wantID)) {
				t.Fatalf("Select = %v, %v; want %q, %v", got, err, tt.wantID, tt.err)
			}
		})
	}
}

func TestNilSetSelectsNothing(t *testing.T) {
	var s *Set
	if _, err := s.Select("a", true, "RS256"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Select on nil = %v, want ErrKeyNotFound", err)
	}
	if s.Len() != 0 || s.Keys() != nil || s.Skipped() != nil {
		t.Errorf("nil set: Len %d, Keys %v, Skipped %v", s.Len(), s.Keys(), s.Skipped())
	}
}

// TestSetIsImmutable: what Keys and Skipped return can be changed without
// changing the set.
func TestSetIsImmutable(t *testing.T) {
	k := testKeys(t)
	s, err := Parse(setJSON(t, ecJWK(&k.p256.PublicKey, "a"), jwk{"kty": "oct", "kid": "b"}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	keys := s.Keys()
	keys[0] = nil
	_ = append(keys[:0], &Key{ID: "x"})
	skipped := s.Skipped()
	skipped[0].ID = "changed"
	if got := s.Keys(); len(got) != 1 || got[0] == nil || got[0].ID != "a" {
		t.Errorf("Keys after caller changes = %v", got)
	}
	if got := s.Skipped(); len(got) != 1 || got[0].ID != "b" {
		t.Errorf("Skipped after caller changes = %v", got)
	}
	if key, err := s.Select("a", true, "ES256"); err != nil || key.ID != "a" {
		t.Errorf("Select after caller changes = %v, %v", key, err)
	}
}

// Each parsed set has its own ID, even when parsed from the same document:
// the token cache relies on it to drop tokens verified with a replaced set.
func TestSetIDsAreDistinct(t *testing.T) {
	k := testKeys(t)
	doc := setJSON(t, rsaJWK(&k.rsa2048.PublicKey, "rsa"))
	a, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() == 0 || b.ID() == 0 || a.ID() == b.ID() {
		t.Fatalf("IDs %d and %d: want two distinct non-zero IDs", a.ID(), b.ID())
	}
	if (*Set)(nil).ID() != 0 {
		t.Fatal("nil set: want ID 0")
	}
}
