package jwt

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
)

func TestVerifySignature(t *testing.T) {
	k := fixtureKeys(t)
	const input = "eyJhbGciOiJFUzI1NiJ9.e30"
	sigFor := func(alg string) []byte {
		sig, err := gojwt.GetSigningMethod(alg).Sign(input, k.privateFor(alg))
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	hsSig, err := gojwt.SigningMethodHS256.Sign(input, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		alg  string
		sig  []byte
		key  crypto.PublicKey
		want error
	}{
		{"RS256", "RS256", sigFor("RS256"), &k.rsa.PublicKey, nil},
		{"PS384", "PS384", sigFor("PS384"), &k.rsa.PublicKey, nil},
		{"ES256", "ES256", sigFor("ES256"), k.p256.Public(), nil},
		{"ES512", "ES512", sigFor("ES512"), k.p521.Public(), nil},
		{"EdDSA", "EdDSA", sigFor("EdDSA"), k.ed.Public(), nil},
		{"HS256 never", "HS256", hsSig, []byte("secret"), ErrAlgorithm},
		{"none never", "none", nil, nil, ErrAlgorithm},
		{"empty alg", "", sigFor("RS256"), &k.rsa.PublicKey, ErrAlgorithm},
		{"alg is case-sensitive", "rs256", sigFor("RS256"), &k.rsa.PublicKey, ErrAlgorithm},
		{"Ed25519 is not a JWS alg name", "Ed25519", sigFor("EdDSA"), k.ed.Public(), ErrAlgorithm},
		{"ES256 with P-384 key", "ES256", sigFor("ES256"), k.p384.Public(), ErrAlgorithm},
		{"ES384 with P-521 key", "ES384", sigFor("ES384"), k.p521.Public(), ErrAlgorithm},
		{"RS256 with EC key", "RS256", sigFor("RS256"), k.p256.Public(), ErrAlgorithm},
		{"empty signature", "RS256", nil, &k.rsa.PublicKey, ErrSignature},
		{"empty signature EdDSA", "EdDSA", []byte{}, k.ed.Public(), ErrSignature},
		{"RS256 signature checked as RS384", "RS384", sigFor("RS256"), &k.rsa.PublicKey, ErrSignature},
		{"PS256 signature checked as RS256", "RS256", sigFor("PS256"), &k.rsa.PublicKey, ErrSignature},
		{"ES256 signature over other input", "ES256", mustSign(t, "ES256", "other", k.p256), k.p256.Public(), ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(tc.alg, input, tc.sig, tc.key)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("VerifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

func mustSign(t *testing.T, alg, input string, key any) []byte {
	t.Helper()
	sig, err := gojwt.GetSigningMethod(alg).Sign(input, key)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// RFC 7518 §3.5 fixes the PSS salt length to the hash size; golang-jwt on
// its own would accept any salt length.
func TestVerifySignatureRequiresPSSSaltOfHashLength(t *testing.T) {
	k := fixtureKeys(t)
	const input = "eyJhbGciOiJQUzI1NiJ9.e30"
	digest := sha256.Sum256([]byte(input))
	for _, tc := range []struct {
		salt int
		want error
	}{
		{32, nil},
		{0, ErrSignature},
		{20, ErrSignature},
		{64, ErrSignature},
		{rsa.PSSSaltLengthAuto, ErrSignature}, // the maximum, 222 for 2048-bit keys
	} {
		sig, err := rsa.SignPSS(rand.Reader, k.rsa, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: tc.salt})
		if err != nil {
			t.Fatal(err)
		}
		err = VerifySignature("PS256", input, sig, &k.rsa.PublicKey)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("salt %d: %v, want %v", tc.salt, err, tc.want)
		}
		// What golang-jwt alone would say, to show why strictPSS exists.
		if tc.salt != 32 && gojwt.SigningMethodPS256.Verify(input, sig, &k.rsa.PublicKey) != nil {
			t.Logf("note: golang-jwt now refuses salt %d by itself", tc.salt)
		}
	}
}
