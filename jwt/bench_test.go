package jwt

import (
	"testing"
)

// benchValidate measures Validate alone on a parsed token: signature plus
// claims, the per-request cost after the caller has chosen the key.
func benchValidate(b *testing.B, alg string) {
	k := fixtureKeys(b)
	v := newTestValidator(b)
	tok, err := Parse(sign(b, alg, defaultClaims()))
	if err != nil {
		b.Fatal(err)
	}
	pub := k.publicFor(alg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(tok, pub, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateRS256(b *testing.B) { benchValidate(b, "RS256") }
func BenchmarkValidateES256(b *testing.B) { benchValidate(b, "ES256") }
func BenchmarkValidateEdDSA(b *testing.B) { benchValidate(b, "EdDSA") }

// BenchmarkParse is the structural half: split, strict base64url, header
// and payload JSON with duplicate detection.
func BenchmarkParse(b *testing.B) {
	raw := sign(b, "RS256", defaultClaims())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySignatureRS256 is the bare signature check, to compare
// with BenchmarkValidateRS256 (the difference is the claim checks).
func BenchmarkVerifySignatureRS256(b *testing.B) {
	k := fixtureKeys(b)
	tok, err := Parse(sign(b, "RS256", defaultClaims()))
	if err != nil {
		b.Fatal(err)
	}
	pub := &k.rsa.PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := VerifySignature("RS256", tok.signingInput, tok.signature, pub); err != nil {
			b.Fatal(err)
		}
	}
}
