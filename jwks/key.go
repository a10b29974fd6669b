package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
)

// Key is one validated public verification key from a JWK Set. Keys are
// shared by every caller of a Set: treat them as read-only.
type Key struct {
	ID        string           // "kid" ("" when absent)
	Type      string           // "RSA", "EC" or "OKP"
	Curve     string           // "P-256", "P-384", "P-521", "Ed25519", "" for RSA
	Algorithm string           // the JWK "alg" member, "" when absent
	Public    crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// Fits reports whether a JWS whose header says alg may be verified with k:
// RS256/384/512 and PS256/384/512 need an RSA key, ES256/384/512 an EC key
// on P-256/P-384/P-521, EdDSA an OKP Ed25519 key. A key that names its own
// "alg" fits only that algorithm (RFC 8725 §3.1: one key, one algorithm).
// Unknown algorithms, "none" and HMAC never fit.
func (k *Key) Fits(alg string) bool {
	if k == nil || k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	if !keyTypeFits(k.Type, k.Curve, alg) {
		return false
	}
	// Guard keys built by hand (e.g. in other packages' tests): the Go type
	// must be the one the verifier will assert.
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		return k.Type == "RSA" && pub != nil
	case *ecdsa.PublicKey:
		return k.Type == "EC" && pub != nil
	case ed25519.PublicKey:
		return k.Type == "OKP" && len(pub) == ed25519.PublicKeySize
	}
	return false
}

// keyTypeFits is the algorithm table of RFC 7518 §3.1 (and RFC 8037 §3.1 for
// EdDSA), restricted to the asymmetric signature algorithms we verify.
func keyTypeFits(kty, crv, alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return kty == "RSA"
	case "ES256":
		return kty == "EC" && crv == "P-256"
	case "ES384":
		return kty == "EC" && crv == "P-384"
	case "ES512":
		return kty == "EC" && crv == "P-521"
	case "EdDSA":
		return kty == "OKP" && crv == "Ed25519"
	}
	return false
}

// keyKnownAlgorithm reports whether alg is one of the algorithms in
// keyTypeFits, whatever the key.
func keyKnownAlgorithm(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}
