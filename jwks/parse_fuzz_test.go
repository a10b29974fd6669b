package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"testing"
)

// FuzzParse: Parse never panics; it fails only with a set-level sentinel;
// every key it returns is usable (non-nil public key of the Go type its kty
// implies, fitting at least one algorithm) and reachable through Select.
func FuzzParse(f *testing.F) {
	k := testKeys(f)
	f.Add(setJSON(f, rsaJWK(&k.rsa2048.PublicKey, "r"), ecJWK(&k.p256.PublicKey, "e").with("alg", "ES256", "use", "sig")))
	f.Add(setJSON(f, ecJWK(&k.p521.PublicKey, "p521").with("key_ops", []string{"verify"}), edJWK(k.ed25519.Public().(ed25519.PublicKey), "ed")))
	f.Add(setJSON(f, ecJWK(&k.p384.PublicKey, "dup"), ecJWK(&k.p384.PublicKey, "dup"), jwk{"kty": "oct", "kid": "x"}))
	f.Add(setJSON(f, ecJWK(&k.p256.PublicKey, "e").with("d", "AA")))
	f.Add([]byte(`{"keys":[{"kty":"EC","kty":"RSA"}],"keys":[]}`))
	f.Add([]byte(`{"keys":[[[[{"a":[{}]}]]]]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Parse(body)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a set with error %v", err)
			}
			if !errors.Is(err, ErrMalformedSet) && !errors.Is(err, ErrNoUsableKey) &&
				!errors.Is(err, ErrPrivateKeyMaterial) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Parse error %v is not a set-level sentinel", err)
			}
			return
		}
		if s.Len() == 0 || s.Len() != len(s.Keys()) {
			t.Fatalf("Len = %d, Keys = %d", s.Len(), len(s.Keys()))
		}
		for _, key := range s.Keys() {
			var typeOK bool
			switch pub := key.Public.(type) {
			case *rsa.PublicKey:
				typeOK = key.Type == "RSA" && pub != nil && pub.N != nil && pub.E == 65537
			case *ecdsa.PublicKey:
				_, err := pub.ECDH() // fails for a point off the curve
				typeOK = key.Type == "EC" && err == nil
			case ed25519.PublicKey:
				typeOK = key.Type == "OKP" && len(pub) == ed25519.PublicKeySize
			}
			if !typeOK {
				t.Fatalf("key %q: type %q with public key %T", key.ID, key.Type, key.Public)
			}
			fits := 0
			for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
				if !key.Fits(alg) {
					continue
				}
				fits++
				got, err := s.Select(key.ID, true, alg)
				if got != key && !errors.Is(err, ErrAmbiguousKey) {
					t.Fatalf("Select(%q, %s) = %v, %v; want this key or ErrAmbiguousKey", key.ID, alg, got, err)
				}
			}
			if fits == 0 {
				t.Fatalf("key %q (%s %s alg %q) fits no algorithm", key.ID, key.Type, key.Curve, key.Algorithm)
			}
		}
		for _, sk := range s.Skipped() {
			if sk.Reason == nil {
				t.Fatalf("skipped key %d without a reason", sk.Index)
			}
		}
	})
}
