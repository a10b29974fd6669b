package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// supportedAlgorithms are the asymmetric JWS algorithms golang-jwt
// implements. HMAC is excluded on purpose: a resource server holds only
// public keys, and accepting HS* is how "HMAC with the public key as
// secret" forgeries happen (RFC 8725 §2.1).
func supportedAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// VerifySignature checks sig over signingInput with key for alg. It is the
// only place this package performs signature cryptography; Validate calls
// it, and the Wycheproof tests drive it directly.
//
// Before any cryptography it checks that key fits alg (RSA for RS*/PS*, the
// curve named by ES*, Ed25519 for EdDSA): key selection happens elsewhere,
// but a mix-up there must not turn into verifying with a key of the wrong
// kind. A mismatch is ErrAlgorithm; a failed check is ErrSignature.
func VerifySignature(alg string, signingInput string, sig []byte, key crypto.PublicKey) error {
	method, err := signingMethod(alg)
	if err != nil {
		return err
	}
	if err := keyFits(alg, key); err != nil {
		return err
	}
	if len(sig) == 0 {
		return fmt.Errorf("%w: empty signature", ErrSignature)
	}
	if err := method.Verify(signingInput, sig, key); err != nil {
		return fmt.Errorf("%w: verification failed", ErrSignature)
	}
	return nil
}

// signingMethod maps alg to golang-jwt's implementation. The switch, rather
// than gojwt.GetSigningMethod, keeps the set fixed: golang-jwt's registry is
// global and mutable, and includes HMAC and "none".
func signingMethod(alg string) (gojwt.SigningMethod, error) {
	switch alg {
	case "RS256":
		return gojwt.SigningMethodRS256, nil
	case "RS384":
		return gojwt.SigningMethodRS384, nil
	case "RS512":
		return gojwt.SigningMethodRS512, nil
	case "PS256":
		return strictPSS(gojwt.SigningMethodPS256), nil
	case "PS384":
		return strictPSS(gojwt.SigningMethodPS384), nil
	case "PS512":
		return strictPSS(gojwt.SigningMethodPS512), nil
	case "ES256":
		return gojwt.SigningMethodES256, nil
	case "ES384":
		return gojwt.SigningMethodES384, nil
	case "ES512":
		return gojwt.SigningMethodES512, nil
	case "EdDSA":
		return gojwt.SigningMethodEdDSA, nil
	default:
		return nil, fmt.Errorf("%w: not a supported asymmetric algorithm", ErrAlgorithm)
	}
}

// strictPSS returns m verifying with the salt length RFC 7518 §3.5
// prescribes (equal to the hash size). golang-jwt verifies PS* with
// PSSSaltLengthAuto, which accepts any salt length.
func strictPSS(m *gojwt.SigningMethodRSAPSS) gojwt.SigningMethod {
	return &gojwt.SigningMethodRSAPSS{
		SigningMethodRSA: m.SigningMethodRSA,
		Options:          m.Options,
		VerifyOptions:    &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash},
	}
}

// keyFits reports whether key is of the kind alg requires. It also refuses
// keys with missing parts, which would make the crypto packages panic.
func keyFits(alg string, key crypto.PublicKey) error {
	ok := false
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		k, isRSA := key.(*rsa.PublicKey)
		ok = isRSA && k != nil && k.N != nil && k.N.Sign() > 0 && k.E > 1
	case "ES256":
		ok = isECKeyOn(key, elliptic.P256())
	case "ES384":
		ok = isECKeyOn(key, elliptic.P384())
	case "ES512":
		ok = isECKeyOn(key, elliptic.P521())
	case "EdDSA":
		k, isEd := key.(ed25519.PublicKey)
		ok = isEd && len(k) == ed25519.PublicKeySize
	}
	if !ok {
		return fmt.Errorf("%w: key does not fit the algorithm", ErrAlgorithm)
	}
	return nil
}

func isECKeyOn(key crypto.PublicKey, curve elliptic.Curve) bool {
	k, ok := key.(*ecdsa.PublicKey)
	return ok && k != nil && k.Curve == curve && k.X != nil && k.Y != nil
}
