package jwt

import (
	"errors"
	"fmt"
)

// Sentinel errors; compare with errors.Is. Error strings never contain token
// content: they name the check that failed, not the value that failed it.
var (
	ErrMalformed      = errors.New("jwt: malformed token")
	ErrAlgorithm      = errors.New("jwt: algorithm not accepted")
	ErrCritical       = errors.New("jwt: unsupported critical header parameter")
	ErrTokenType      = errors.New("jwt: token type not accepted")
	ErrSignature      = errors.New("jwt: signature invalid")
	ErrExpired        = errors.New("jwt: token expired")
	ErrNotYetValid    = errors.New("jwt: token not yet valid")
	ErrIssuedInFuture = errors.New("jwt: token issued in the future")
	ErrIssuer         = errors.New("jwt: issuer not accepted")
	ErrAudience       = errors.New("jwt: audience not accepted")
	ErrLifetime       = errors.New("jwt: token lifetime too long")
	ErrMissingClaim   = errors.New("jwt: required claim missing")
	ErrInvalidClaim   = errors.New("jwt: invalid claim")
)

// Refinements of ErrMalformed that deserve their own description: a client
// that sends an encrypted or JSON-serialized token learns what to change.
var (
	errEncrypted         = fmt.Errorf("%w: JWE (5 segments) not supported", ErrMalformed)
	errJSONSerialization = fmt.Errorf("%w: JWS JSON serialization not supported", ErrMalformed)
)

// Describe returns a short, fixed error_description for err, safe to put
// into a WWW-Authenticate challenge (RFC 6750 §3 allows %x20-21 / %x23-5B /
// %x5D-7E). The texts are constants so that no token byte can reach a
// response. It returns "" for nil and "invalid token" for errors this
// package did not produce. Specific refinements are tested before the
// sentinels they wrap.
func Describe(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errEncrypted):
		return "encrypted tokens (JWE) are not supported"
	case errors.Is(err, errJSONSerialization):
		return "JWS JSON serialization is not supported"
	case errors.Is(err, ErrMalformed):
		return "malformed token"
	case errors.Is(err, ErrAlgorithm):
		return "signing algorithm not accepted"
	case errors.Is(err, ErrCritical):
		return "unsupported critical header parameter"
	case errors.Is(err, ErrTokenType):
		return "token type not accepted"
	case errors.Is(err, ErrSignature):
		return "signature invalid"
	case errors.Is(err, ErrExpired):
		return "token expired"
	case errors.Is(err, ErrNotYetValid):
		return "token not yet valid"
	case errors.Is(err, ErrIssuedInFuture):
		return "token issued in the future"
	case errors.Is(err, ErrIssuer):
		return "issuer not accepted"
	case errors.Is(err, ErrAudience):
		return "audience not accepted"
	case errors.Is(err, ErrLifetime):
		return "token lifetime too long"
	case errors.Is(err, ErrMissingClaim):
		return "required claim missing"
	case errors.Is(err, ErrInvalidClaim):
		return "invalid claim"
	default:
		return "invalid token"
	}
}
