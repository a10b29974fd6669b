package jwks

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

func TestKeyFits(t *testing.T) {
	k := testKeys(t)
	rsaPub, p256Pub, p384Pub, p521Pub := &k.rsa2048.PublicKey, &k.p256.PublicKey, &k.p384.PublicKey, &k.p521.PublicKey
	edPub := k.ed25519.Public().(ed25519.PublicKey)
	all := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
		"HS256", "none", "", "ES256K", "Ed25519", "rs256"}
	tests := []struct {
		name string
		key  *Key
		fits string // space-separated algorithms from all that must fit; every other must not
	}{
		{"RSA without alg", &Key{Type: "RSA", Public: rsaPub}, "RS256 RS384 RS512 PS256 PS384 PS512"},
		{"RSA with alg RS256", &Key{Type: "RSA", Algorithm: "RS256", Public: rsaPub}, "RS256"},
		{"RSA with alg PS512", &Key{Type: "RSA", Algorithm: "PS512", Public: rsaPub}, "PS512"},
		{"EC P-256", &Key{Type: "EC", Curve: "P-256", Public: p256Pub}, "ES256"},
		{"EC P-384", &Key{Type: "EC", Curve: "P-384", Public: p384Pub}, "ES384"},
		{"EC P-521", &Key{Type: "EC", Curve: "P-521", Public: p521Pub}, "ES512"},
		{"EC P-256 with alg ES256", &Key{Type: "EC", Curve: "P-256", Algorithm: "ES256", Public: p256Pub}, "ES256"},
		{"Ed25519", &Key{Type: "OKP", Curve: "Ed25519", Public: edPub}, "EdDSA"},
		{"alg the key type cannot do", &Key{Type: "EC", Curve: "P-256", Algorithm: "ES384", Public: p256Pub}, ""},
		{"nil key", nil, ""},
		{"zero key", &Key{}, ""},
		{"RSA type with an EC public key", &Key{Type: "RSA", Public: p256Pub}, ""},
		{"EC type with an RSA public key", &Key{Type: "EC", Curve: "P-256", Public: rsaPub}, ""},
		{"RSA type with no public key", &Key{Type: "RSA"}, ""},
		{"OKP with a short public key", &Key{Type: "OKP", Curve: "Ed25519", Public: edPub[:31]}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := make(map[string]bool)
			for _, alg := range strings.Fields(tt.fits) {
				want[alg] = true
			}
			for _, alg := range all {
				if got := tt.key.Fits(alg); got != want[alg] {
					t.Errorf("Fits(%q) = %v, want %v", alg, got, want[alg])
				}
			}
		})
	}
}
