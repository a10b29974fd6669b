package jwt

import "fmt"

// Token is a compact JWS access token that passed Parse's structural checks.
// Nothing in it is trusted until Validator.Validate succeeds.
type Token struct {
	Raw    string
	Header Header

	// header is what Validate acts on: a caller editing the exported copy
	// must not change which algorithm verifies the signature.
	header       Header
	signingInput string      // the bytes the signature covers
	signature    []byte      // decoded signature
	claims       jsonMembers // decoded payload
}

// Parse checks raw as a compact JWS (RFC 7515 §7.1) more strictly than
// golang-jwt does: exactly three segments of canonical unpadded base64url,
// header and payload each one UTF-8 JSON object without duplicate members,
// alg present and not "none", no crit, no cty, and a typ (when present)
// that marks a JWT access token. It does not verify anything.
func Parse(raw string) (*Token, error) {
	jws, err := splitCompact(raw)
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(jws.header)
	if err != nil {
		return nil, err
	}
	claims, err := decodeObject(jws.payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	return &Token{
		Raw:          raw,
		Header:       h,
		header:       h,
		signingInput: jws.signingInput,
		signature:    jws.signature,
		claims:       claims,
	}, nil
}

// UnverifiedIssuer returns the payload's "iss" when it is a string, so the
// caller can pick the provider whose Validator and keys apply. It is only
// a routing hint: trust it after Validate.
func (t *Token) UnverifiedIssuer() (string, bool) {
	if t == nil {
		return "", false
	}
	iss, ok, _ := t.claims.str("iss")
	return iss, ok
}
