package jwt

import (
	"fmt"
	"strings"
)

// Header holds the JOSE header parameters this package acts on.
// Other parameters, including jku, jwk, x5u, x5c and x5t, are decoded only
// to be ignored: keys come from the provider's configured JWKS, never from
// the token (RFC 8725 §3.10).
type Header struct {
	Algorithm string // "alg"
	KeyID     string // "kid"; empty when HasKeyID is false
	HasKeyID  bool
	Type      string // "typ" as sent; empty when absent
}

// parseHeader decodes and checks a protected header.
func parseHeader(b string) (Header, error) {
	m, err := decodeObject(b)
	if err != nil {
		return Header{}, fmt.Errorf("header: %w", err)
	}
	var h Header

	alg, ok, _ := m.str("alg")
	if !ok || alg == "" {
		return Header{}, fmt.Errorf("%w: alg missing or not a string", ErrAlgorithm)
	}
	// "none" in any spelling: some libraries compare case-insensitively.
	if strings.EqualFold(alg, "none") {
		return Header{}, fmt.Errorf("%w: unsecured JWS (alg none)", ErrAlgorithm)
	}
	h.Algorithm = alg

	if kid, ok, present := m.str("kid"); present {
		if !ok || kid == "" {
			return Header{}, fmt.Errorf("%w: kid not a non-empty string", ErrMalformed)
		}
		h.KeyID, h.HasKeyID = kid, true
	}

	// RFC 7515 §4.1.11: a recipient that does not understand every listed
	// extension must reject the JWS. We implement none, so any crit, well
	// formed or not, is a rejection.
	if _, present := m.get("crit"); present {
		return Header{}, ErrCritical
	}

	// cty announces a nested JWT (RFC 7519 §5.2), which we do not unwrap.
	if _, present := m.get("cty"); present {
		return Header{}, fmt.Errorf("%w: cty (nested JWT) not supported", ErrMalformed)
	}

	if typ, ok, present := m.str("typ"); present {
		if !ok || !isJWTType(typ) {
			return Header{}, fmt.Errorf("%w: typ is not JWT or at+jwt", ErrTokenType)
		}
		h.Type = typ
	}
	return h, nil
}

// isJWTType accepts the types an access token may carry: "JWT" (RFC 7519
// §5.1, still sent by many issuers) and "at+jwt" (RFC 9068 §2.1), with or
// without the "application/" prefix for the latter (RFC 7515 §4.1.9), in any
// case. Other JWT kinds (dpop+jwt, secevent+jwt, logout+jwt, ...) must never
// pass as access tokens (RFC 8725 §3.11).
func isJWTType(typ string) bool {
	return strings.EqualFold(typ, "JWT") || isAccessTokenType(typ)
}

// isAccessTokenType is the RFC 9068 type, required by
// WithRequireAccessTokenType.
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}
