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
// looked at before the signature holds.
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
	claims, err := v.checkClaims(t.claims, now)
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// checkClaims applies the claim rules golang-jwt does not: exact types
// (numeric dates must be JSON numbers, aud strings only), ranges, and the
// optional lifetime bound. It returns the decoded Claims.
// When several claims are wrong, the first failing check in this order is
// reported: iss, aud, exp/nbf/iat, lifetime, sub/client_id/jti, scopes.
func (v *Validator) checkClaims(raw jsonMembers, now time.Time) (*Claims, error) {
	c := &Claims{raw: raw}

	iss, ok, present := raw.str("iss")
	if !present {
		return nil, fmt.Errorf("%w: iss", ErrMissingClaim)
	}
	// Exact comparison, as OAuth compares issuer identifiers (RFC 8414
	// §3.3, RFC 9207 §2.4): no case folding, no trailing-slash normalisation.
	if !ok || iss != v.issuer {
		return nil, ErrIssuer
	}
	c.Issuer = v.issuer

	aud, err := audience(raw)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(v.audiences, a) }) {
		return nil, fmt.Errorf("%w: no accepted audience", ErrAudience)
	}
	c.Audience = aud

	if err := v.checkTimes(raw, now, c); err != nil {
		return nil, err
	}
	if c.Subject, err = optionalString(raw, "sub"); err != nil {
		return nil, err
	}
	if c.ClientID, err = optionalString(raw, "client_id"); err != nil {
		return nil, err
	}
	if c.ID, err = optionalString(raw, "jti"); err != nil {
		return nil, err
	}
	if c.Scopes, err = scopes(raw); err != nil {
		return nil, err
	}
	return c, nil
}

// checkTimes reads exp (required), nbf and iat into c and checks them
// against now, widened by the clock skew on both sides: exp may lie up to
// the skew in the past, nbf and iat up to the skew in the future.
func (v *Validator) checkTimes(raw jsonMembers, now time.Time, c *Claims) error {
	var hasEXP, hasNBF, hasIAT bool
	var err error
	if c.ExpiresAt, hasEXP, err = numericDate(raw, "exp"); err != nil {
		return err
	}
	if !hasEXP {
		return fmt.Errorf("%w: exp", ErrMissingClaim)
	}
	if !c.ExpiresAt.After(time.Unix(0, 0)) {
		return fmt.Errorf("%w: exp not positive", ErrInvalidClaim)
	}
	if c.NotBefore, hasNBF, err = numericDate(raw, "nbf"); err != nil {
		return err
	}
	if c.IssuedAt, hasIAT, err = numericDate(raw, "iat"); err != nil {
		return err
	}

	if !c.ExpiresAt.After(now.Add(-v.clockSkew)) {
		return ErrExpired
	}
	if hasNBF && c.NotBefore.After(now.Add(v.clockSkew)) {
		return ErrNotYetValid
	}
	if hasIAT && c.IssuedAt.After(now.Add(v.clockSkew)) {
		return ErrIssuedInFuture
	}
	if v.maxLifetime > 0 {
		if !hasIAT {
			return fmt.Errorf("%w: iat (needed for the lifetime bound)", ErrMissingClaim)
		}
		if c.ExpiresAt.Sub(c.IssuedAt) > v.maxLifetime {
			return ErrLifetime
		}
	}
	return nil
}
