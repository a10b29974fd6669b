package jwt

import (
	"crypto"
	"fmt"
	"slices"
	"time"
)

// Validate verifies t's signature with key and checks its claims at time
// now. Order: algorithm allow-list and typ (no cryptography spent on a token
// that cannot pass), signature, then claims — nothing the token claims is
// looked at before the signature holds. The Claims returned live in t:
// validating t again overwrites them.
//
// The signature is checked once, by VerifySignature (golang-jwt's signing
// methods). We do not call gojwt.Parser.ParseWithClaims: it would decode the
// token a second time with weaker rules and verify the signature again,
// which costs 6-25x more inside wasm than natively (PITFALLS, crypto cost).
// golang-jwt's claim Validator is not run here: our checks are stricter and
// it cost a tenth of an RS256 miss in wasm. Tests hold the two together
// instead (FuzzClaimsAgreeWithGolangJWT: whatever checkClaims accepts,
// golang-jwt's Validator accepts too).
func (v *Validator) Validate(t *Token, key crypto.PublicKey, now time.Time) (*Claims, error) {
	if t == nil || t.claims == nil {
		return nil, fmt.Errorf("%w: token not produced by Parse", ErrMalformed)
	}
	if !v.AllowsAlgorithm(t.header.Algorithm) {
		return nil, fmt.Errorf("%w: not in the provider's allow-list", ErrAlgorithm)
	}
	if v.requireATType && !isAccessTokenType(t.header.Type) {
		return nil, fmt.Errorf("%w: at+jwt required", ErrTokenType)
	}
	if err := VerifySignature(t.header.Algorithm, t.signingInput, t.signature, key); err != nil {
		return nil, err
	}
	// The claims live in the token: one allocation fewer per miss.
	c := &t.verified
	if err := v.checkClaims(t.claims, now, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkClaims applies the claim rules golang-jwt does not: exact types
// (numeric dates must be JSON numbers, aud strings only), ranges, and the
// optional lifetime bound. It decodes the claims into c.
// When several claims are wrong, the first failing check in this order is
// reported: iss, aud, exp/nbf/iat, lifetime, sub/client_id/jti, scopes.
func (v *Validator) checkClaims(raw jsonMembers, now time.Time, c *Claims) error {
	r := findRegistered(raw)
	*c = Claims{raw: raw}

	if r.iss == nil {
		return fmt.Errorf("%w: iss", ErrMissingClaim)
	}
	// Exact comparison, as OAuth compares issuer identifiers (RFC 8414
	// §3.3, RFC 9207 §2.4): no case folding, no trailing-slash normalisation.
	if r.iss.kind != jsonString || r.iss.text != v.issuer {
		return ErrIssuer
	}
	c.Issuer = v.issuer

	if err := audience(r.aud, c); err != nil {
		return err
	}
	if !slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(v.audiences, a) }) {
		return fmt.Errorf("%w: no accepted audience", ErrAudience)
	}

	if err := v.checkTimes(&r, now, c); err != nil {
		return err
	}
	var err error
	if c.Subject, err = optionalString(r.sub, "sub"); err != nil {
		return err
	}
	if c.ClientID, err = optionalString(r.clientID, "client_id"); err != nil {
		return err
	}
	if c.ID, err = optionalString(r.jti, "jti"); err != nil {
		return err
	}
	return scopes(r.scope, r.scp, c)
}

// registered points at the claims checkClaims reads, nil when absent.
type registered struct {
	iss, aud, exp, nbf, iat, sub, clientID, jti, scope, scp *jsonValue
}

// findRegistered finds them in one pass over the payload (names are unique:
// decodeObject refuses duplicates) instead of a scan per claim.
func findRegistered(raw jsonMembers) (r registered) {
	for i := range raw {
		v := &raw[i].value
		switch raw[i].name {
		case "iss":
			r.iss = v
		case "aud":
			r.aud = v
		case "exp":
			r.exp = v
		case "nbf":
			r.nbf = v
		case "iat":
			r.iat = v
		case "sub":
			r.sub = v
		case "client_id":
			r.clientID = v
		case "jti":
			r.jti = v
		case "scope":
			r.scope = v
		case "scp":
			r.scp = v
		}
	}
	return r
}

// checkTimes reads exp (required), nbf and iat into c and checks them
// against now, widened by the clock skew on both sides: exp may lie up to
// the skew in the past, nbf and iat up to the skew in the future.
func (v *Validator) checkTimes(r *registered, now time.Time, c *Claims) error {
	var err error
	if r.exp == nil {
		return fmt.Errorf("%w: exp", ErrMissingClaim)
	}
	if c.ExpiresAt, err = numericDate(r.exp, "exp"); err != nil {
		return err
	}
	if !c.ExpiresAt.After(time.Unix(0, 0)) {
		return fmt.Errorf("%w: exp not positive", ErrInvalidClaim)
	}
	if r.nbf != nil {
		if c.NotBefore, err = numericDate(r.nbf, "nbf"); err != nil {
			return err
		}
	}
	if r.iat != nil {
		if c.IssuedAt, err = numericDate(r.iat, "iat"); err != nil {
			return err
		}
	}

	if !c.ExpiresAt.After(now.Add(-v.clockSkew)) {
		return ErrExpired
	}
	if r.nbf != nil && c.NotBefore.After(now.Add(v.clockSkew)) {
		return ErrNotYetValid
	}
	if r.iat != nil && c.IssuedAt.After(now.Add(v.clockSkew)) {
		return ErrIssuedInFuture
	}
	if v.maxLifetime > 0 {
		if r.iat == nil {
			return fmt.Errorf("%w: iat (needed for the lifetime bound)", ErrMissingClaim)
		}
		if c.ExpiresAt.Sub(c.IssuedAt) > v.maxLifetime {
			return ErrLifetime
		}
	}
	return nil
}
