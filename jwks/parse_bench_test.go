package jwks

import "testing"

// BenchmarkParse measures a typical issuer set: one RSA-2048 and one P-256
// key. Parse runs once per fetched JWKS version per VM, never per request.
func BenchmarkParse(b *testing.B) {
	k := testKeys(b)
	body := setJSON(b,
		rsaJWK(&k.rsa2048.PublicKey, "rsa-2025").with("alg", "RS256", "use", "sig"),
		ecJWK(&k.p256.PublicKey, "ec-2025").with("alg", "ES256", "use", "sig"),
	)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSelect measures the per-request key lookup.
func BenchmarkSelect(b *testing.B) {
	k := testKeys(b)
	s, err := Parse(setJSON(b, rsaJWK(&k.rsa2048.PublicKey, "rsa-2025"), ecJWK(&k.p256.PublicKey, "ec-2025")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Select("ec-2025", true, "ES256"); err != nil {
			b.Fatal(err)
		}
	}
}
