package jwt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("something else"), "invalid token"},
		{errEncrypted, "encrypted tokens (JWE) are not supported"},
		{fmt.Errorf("ctx: %w", errEncrypted), "encrypted tokens (JWE) are not supported"},
		{errJSONSerialization, "JWS JSON serialization is not supported"},
		{ErrMalformed, "malformed token"},
		{errInvalidJSON, "malformed token"},
		{ErrAlgorithm, "signing algorithm not accepted"},
		{ErrCritical, "unsupported critical header parameter"},
		{ErrTokenType, "token type not accepted"},
		{ErrSignature, "signature invalid"},
		{ErrExpired, "token expired"},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", ErrExpired)), "token expired"},
		{ErrNotYetValid, "token not yet valid"},
		{ErrIssuedInFuture, "token issued in the future"},
		{ErrIssuer, "issuer not accepted"},
		{ErrAudience, "audience not accepted"},
		{ErrLifetime, "token lifetime too long"},
		{ErrMissingClaim, "required claim missing"},
		{ErrInvalidClaim, "invalid claim"},
	}
	for _, tc := range tests {
		if got := Describe(tc.err); got != tc.want {
			t.Errorf("Describe(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// isErrorDescriptionChar is RFC 6750 §3's error_description charset.
func isErrorDescriptionChar(c byte) bool {
	return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
}

// TestDescribeIsSafeForEveryRejection runs every rejecting case of this
// package's tables and checks the description: legal charset, one of the
// fixed texts, and free of token bytes.
func TestDescribeIsSafeForEveryRejection(t *testing.T) {
	fixed := map[string]bool{}
	for _, e := range []error{errEncrypted, errJSONSerialization, ErrMalformed, ErrAlgorithm, ErrCritical,
		ErrTokenType, ErrSignature, ErrExpired, ErrNotYetValid, ErrIssuedInFuture, ErrIssuer, ErrAudience,
		ErrLifetime, ErrMissingClaim, ErrInvalidClaim} {
		fixed[Describe(e)] = true
	}

	type result struct {
		name, token string
		err         error
	}
	var results []result
	for _, tc := range parseRejections() {
		_, err := Parse(tc.raw)
		results = append(results, result{tc.name, tc.raw, err})
	}
	for _, tc := range append(signatureRejections(t), claimRejections(t)...) {
		if tc.want == nil {
			continue
		}
		_, err := parseAndValidate(newTestValidator(t, tc.opts...), tc.token, tc.key)
		results = append(results, result{tc.name, tc.token, err})
	}
	if len(results) < 200 {
		t.Fatalf("only %d rejections collected", len(results))
	}

	const window = 8 // shorter windows match English words in base64 by chance
	for _, r := range results {
		if r.err == nil {
			t.Errorf("%s: accepted", r.name)
			continue
		}
		d := Describe(r.err)
		if !fixed[d] {
			t.Errorf("%s: Describe = %q, not one of the fixed descriptions", r.name, d)
		}
		for i := 0; i < len(d); i++ {
			if !isErrorDescriptionChar(d[i]) {
				t.Errorf("%s: Describe = %q has illegal byte %#x", r.name, d, d[i])
			}
		}
		for i := 0; i+window <= len(r.token); i++ {
			if strings.Contains(d, r.token[i:i+window]) {
				t.Errorf("%s: Describe = %q contains token text %q", r.name, d, r.token[i:i+window])
			}
		}
	}
}

// TestErrorsNeverCarryTokenContent plants a marker in every header
// parameter and claim a check looks at, and requires that neither the error
// string (which may be logged) nor the description repeats it.
func TestErrorsNeverCarryTokenContent(t *testing.T) {
	const marker = "Zq7SECRETxMARKER"
	k := fixtureKeys(t)
	v := newTestValidator(t)
	hdr := func(h string) string { return signRaw(t, "EdDSA", k.ed, h, defaultClaims().json(t)) }
	claims := func(name string, val any) string { return sign(t, "EdDSA", defaultClaims().with(name, val)) }
	tokens := map[string]string{
		"alg":        hdr(`{"alg":"` + marker + `"}`),
		"alg none":   hdr(`{"alg":"none","kid":"` + marker + `"}`),
		"typ":        hdr(`{"alg":"EdDSA","typ":"` + marker + `"}`),
		"cty":        hdr(`{"alg":"EdDSA","cty":"` + marker + `"}`),
		"crit":       hdr(`{"alg":"EdDSA","crit":["` + marker + `"]}`),
		"duplicate":  hdr(`{"alg":"EdDSA","` + marker + `":1,"` + marker + `":2}`),
		"bad json":   hdr(`{"alg":"EdDSA","` + marker + `"}`),
		"iss":        claims("iss", marker),
		"aud":        claims("aud", marker),
		"aud array":  claims("aud", []string{marker}),
		"exp":        claims("exp", marker),
		"nbf":        claims("nbf", marker),
		"scope":      claims("scope", []string{marker}),
		"scp":        claims("scp", []any{marker, 1}),
		"sub":        claims("sub", []string{marker}),
		"signature":  replaceSignature(claims("sub", "x"), []byte(marker)),
		"base64":     "eyJhbGciOiJFZERTQSJ9." + marker + "!.c2ln",
		"five parts": marker + ".a.b.c.d",
	}
	for name, tok := range tokens {
		_, err := parseAndValidate(v, tok, k.ed.Public())
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), marker) || strings.Contains(Describe(err), marker) {
			t.Errorf("%s: error %q / description %q repeat token content", name, err, Describe(err))
		}
	}
}
