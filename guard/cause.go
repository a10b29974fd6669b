package guard

import (
	"errors"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwt"
)

// cause names the validation errors that wrap err.
type cause struct {
	name string
	err  error
}

// causes classify why a token was invalid, for metrics and logs, in the
// order they are tested. The names are stable metric labels.
func causes() [17]cause {
	return [...]cause{
		{"malformed", jwt.ErrMalformed},
		{"algorithm", jwt.ErrAlgorithm},
		{"critical_header", jwt.ErrCritical},
		{"token_type", jwt.ErrTokenType},
		{"issuer", errUnknownIssuer},
		{"issuer", jwt.ErrIssuer},
		{"key_not_found", jwks.ErrKeyNotFound},
		{"no_unique_key", jwks.ErrKeyMismatch},
		{"no_unique_key", jwks.ErrAmbiguousKey},
		{"signature", jwt.ErrSignature},
		{"expired", jwt.ErrExpired},
		{"not_yet_valid", jwt.ErrNotYetValid},
		{"issued_in_future", jwt.ErrIssuedInFuture},
		{"audience", jwt.ErrAudience},
		{"lifetime", jwt.ErrLifetime},
		{"missing_claim", jwt.ErrMissingClaim},
		{"invalid_claim", jwt.ErrInvalidClaim},
	}
}

// causeOther is the cause of an error no entry of causes matches.
const causeOther = "other"

// causeOf names the cause of a validation error.
func causeOf(err error) string {
	for _, c := range causes() {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return causeOther
}

// InvalidTokenCauses lists every cause an invalid_token outcome can carry,
// each once, so that metrics can be defined before the first request.
func InvalidTokenCauses() []string {
	var out []string
	for _, c := range causes() {
		if len(out) == 0 || out[len(out)-1] != c.name {
			out = append(out, c.name)
		}
	}
	return append(out, causeOther)
}
