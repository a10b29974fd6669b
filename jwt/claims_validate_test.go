package jwt

import (
	"errors"
	"testing"
	"time"
)

func claimRejections(t *testing.T) []validateCase {
	k := fixtureKeys(t)
	pub := k.ed.Public()
	now := testNow.Unix()
	skew := int64(60)
	base := defaultClaims()
	tok := func(c claimSet) string { return sign(t, "EdDSA", c) }
	withHeader := func(header string) string {
		return signRaw(t, "EdDSA", k.ed, header, base.json(t))
	}
	requireAT := []Option{WithRequireAccessTokenType()}
	lifetime := []Option{WithMaxLifetime(time.Hour)}

	return []validateCase{
		{"control: default claims", tok(base), pub, nil, nil},

		// exp.
		{"exp missing", tok(base.with("exp", nil)), pub, nil, ErrMissingClaim},
		{"exp 0", tok(base.with("exp", 0)), pub, nil, ErrInvalidClaim},
		{"exp -0", tok(base.with("exp", raw("-0"))), pub, nil, ErrInvalidClaim},
		{"exp negative", tok(base.with("exp", -1)), pub, nil, ErrInvalidClaim},
		{"exp quoted", tok(base.with("exp", "1700003600")), pub, nil, ErrInvalidClaim},
		{"exp null", tok(base.with("exp", raw("null"))), pub, nil, ErrInvalidClaim},
		{"exp true", tok(base.with("exp", true)), pub, nil, ErrInvalidClaim},
		{"exp array", tok(base.with("exp", []int64{now + 3600})), pub, nil, ErrInvalidClaim},
		{"exp float huge", tok(base.with("exp", raw("1e300"))), pub, nil, ErrInvalidClaim},
		{"exp beyond float64", tok(base.with("exp", raw("1e400"))), pub, nil, ErrInvalidClaim},
		{"exp beyond int64", tok(base.with("exp", raw("9223372036854775808"))), pub, nil, ErrInvalidClaim},
		{"exp after year 9999", tok(base.with("exp", raw("253402300800"))), pub, nil, ErrInvalidClaim},
		{"exp at year 9999", tok(base.with("exp", raw("253402300799"))), pub, nil, nil},
		{"exp in exponent form", tok(base.with("exp", raw("1.7000036e9"))), pub, nil, nil},
		{"exp fractional", tok(base.with("exp", raw("1700003600.25"))), pub, nil, nil},
		{"exp an hour ago", tok(base.with("exp", now-3600)), pub, nil, ErrExpired},
		{"exp just beyond skew", tok(base.with("exp", now-skew-1)), pub, nil, ErrExpired},
		{"exp exactly now - skew", tok(base.with("exp", now-skew)), pub, nil, ErrExpired},
		{"exp within skew (past by skew-1)", tok(base.with("exp", now-skew+1)), pub, nil, nil},
		{"exp within skew (past by 1s)", tok(base.with("exp", now-1)), pub, nil, nil},
		{"exp past by 1s with zero skew", tok(base.with("exp", now-1)), pub, []Option{WithClockSkew(0)}, ErrExpired},
		{"exp now with zero skew", tok(base.with("exp", now)), pub, []Option{WithClockSkew(0)}, ErrExpired},
		{"exp past by 20s with 30s skew", tok(base.with("exp", now-20)), pub, []Option{WithClockSkew(30 * time.Second)}, nil},
		{"exp past by 40s with 30s skew", tok(base.with("exp", now-40)), pub, []Option{WithClockSkew(30 * time.Second)}, ErrExpired},

		// nbf.
		{"nbf beyond skew", tok(base.with("nbf", now+skew+1)), pub, nil, ErrNotYetValid},
		{"nbf an hour ahead", tok(base.with("nbf", now+3600)), pub, nil, ErrNotYetValid},
		{"nbf within skew", tok(base.with("nbf", now+skew)), pub, nil, nil},
		{"nbf absent", tok(base.with("nbf", nil)), pub, nil, nil},
		{"nbf quoted", tok(base.with("nbf", "1699999990")), pub, nil, ErrInvalidClaim},
		{"nbf null", tok(base.with("nbf", raw("null"))), pub, nil, ErrInvalidClaim},
		{"nbf negative", tok(base.with("nbf", -5)), pub, nil, ErrInvalidClaim},
		{"nbf huge", tok(base.with("nbf", raw("1e300"))), pub, nil, ErrInvalidClaim},
		{"nbf 0", tok(base.with("nbf", 0)), pub, nil, nil},

		// iat.
		{"iat beyond skew", tok(base.with("iat", now+skew+1)), pub, nil, ErrIssuedInFuture},
		{"iat a day ahead", tok(base.with("iat", now+86400)), pub, nil, ErrIssuedInFuture},
		{"iat within skew", tok(base.with("iat", now+skew)), pub, nil, nil},
		{"iat absent", tok(base.with("iat", nil)), pub, nil, nil},
		{"iat quoted", tok(base.with("iat", "1699999990")), pub, nil, ErrInvalidClaim},
		{"iat object", tok(base.with("iat", map[string]int{"t": 1})), pub, nil, ErrInvalidClaim},

		// Lifetime.
		{"lifetime 2h over a 1h bound", tok(base.with("iat", now-60).with("exp", now+7140)), pub, lifetime, ErrLifetime},
		{"lifetime 1h+1s over a 1h bound", tok(base.with("iat", now-60).with("exp", now+3541)), pub, lifetime, ErrLifetime},
		{"lifetime exactly the bound", tok(base.with("iat", now-60).with("exp", now+3540)), pub, lifetime, nil},
		{"lifetime bound without iat", tok(base.with("iat", nil)), pub, lifetime, ErrMissingClaim},
		{"long lifetime without a bound", tok(base.with("exp", now+365*86400)), pub, nil, nil},

		// iss.
		{"iss missing", tok(base.with("iss", nil)), pub, nil, ErrMissingClaim},
		{"iss other issuer", tok(base.with("iss", "https://evil.example")), pub, nil, ErrIssuer},
		{"iss with trailing slash", tok(base.with("iss", testIssuer+"/")), pub, nil, ErrIssuer},
		{"iss upper-case host", tok(base.with("iss", "https://ISSUER.example")), pub, nil, ErrIssuer},
		{"iss upper-case scheme", tok(base.with("iss", "HTTPS://issuer.example")), pub, nil, ErrIssuer},
		{"iss with default port", tok(base.with("iss", "https://issuer.example:443")), pub, nil, ErrIssuer},
		{"iss empty", tok(base.with("iss", "")), pub, nil, ErrIssuer},
		{"iss number", tok(base.with("iss", 1)), pub, nil, ErrIssuer},
		{"iss null", tok(base.with("iss", raw("null"))), pub, nil, ErrIssuer},
		{"iss array", tok(base.with("iss", []string{testIssuer})), pub, nil, ErrIssuer},

		// aud.
		{"aud missing", tok(base.with("aud", nil)), pub, nil, ErrMissingClaim},
		{"aud other resource", tok(base.with("aud", "https://other.example/mcp")), pub, nil, ErrAudience},
		{"aud empty string", tok(base.with("aud", "")), pub, nil, ErrAudience},
		{"aud empty array", tok(base.with("aud", []string{})), pub, nil, ErrAudience},
		{"aud numeric", tok(base.with("aud", 1)), pub, nil, ErrAudience},
		{"aud null", tok(base.with("aud", raw("null"))), pub, nil, ErrAudience},
		{"aud object", tok(base.with("aud", map[string]string{"a": testAudience})), pub, nil, ErrAudience},
		{"aud array with a number", tok(base.with("aud", []any{testAudience, 1})), pub, nil, ErrAudience},
		{"aud array with null", tok(base.with("aud", raw(`["`+testAudience+`",null]`))), pub, nil, ErrAudience},
		{"aud array with empty string", tok(base.with("aud", []string{testAudience, ""})), pub, nil, ErrAudience},
		{"aud nested array", tok(base.with("aud", [][]string{{testAudience}})), pub, nil, ErrAudience},
		{"aud case-different path", tok(base.with("aud", "https://mcp.example/MCP")), pub, nil, ErrAudience},
		{"aud case-different host", tok(base.with("aud", "https://MCP.example/mcp")), pub, nil, ErrAudience},
		{"aud with trailing slash", tok(base.with("aud", testAudience+"/")), pub, nil, ErrAudience},
		{"aud prefix of ours", tok(base.with("aud", "https://mcp.example")), pub, nil, ErrAudience},
		{"aud array without ours", tok(base.with("aud", []string{"https://a.example", "https://b.example"})), pub, nil, ErrAudience},
		{"aud array containing ours", tok(base.with("aud", []string{"https://a.example", testAudience})), pub, nil, nil},
		{"aud second configured audience", tok(base.with("aud", "api://mcp")), pub, []Option{WithAudiences("api://mcp")}, nil},

		// scope, scp, sub, client_id, jti types.
		{"scope number", tok(base.with("scope", 1)), pub, nil, ErrInvalidClaim},
		{"scope array", tok(base.with("scope", []string{"read"})), pub, nil, ErrInvalidClaim},
		{"scope null", tok(base.with("scope", raw("null"))), pub, nil, ErrInvalidClaim},
		{"scope object", tok(base.with("scope", map[string]bool{"read": true})), pub, nil, ErrInvalidClaim},
		{"scp number", tok(base.with("scp", 1)), pub, nil, ErrInvalidClaim},
		{"scp array with a number", tok(base.with("scp", []any{"read", 2})), pub, nil, ErrInvalidClaim},
		{"scp null", tok(base.with("scp", raw("null"))), pub, nil, ErrInvalidClaim},
		{"scp object", tok(base.with("scp", map[string]string{})), pub, nil, ErrInvalidClaim},
		{"scp string", tok(base.with("scp", "read")), pub, nil, nil},
		{"scp array", tok(base.with("scp", []string{"read"})), pub, nil, nil},
		{"sub number", tok(base.with("sub", 42)), pub, nil, ErrInvalidClaim},
		{"client_id array", tok(base.with("client_id", []string{"c"})), pub, nil, ErrInvalidClaim},
		{"jti null", tok(base.with("jti", raw("null"))), pub, nil, ErrInvalidClaim},
		{"sub, client_id, jti absent", tok(base.with("sub", nil).with("client_id", nil).with("jti", nil)), pub, nil, nil},

		// typ.
		{"typ JWT accepted by default", withHeader(`{"alg":"EdDSA","typ":"JWT"}`), pub, nil, nil},
		{"typ absent accepted by default", withHeader(`{"alg":"EdDSA"}`), pub, nil, nil},
		{"typ at+jwt accepted by default", withHeader(`{"alg":"EdDSA","typ":"at+jwt"}`), pub, nil, nil},
		{"typ dpop+jwt refused", withHeader(`{"alg":"EdDSA","typ":"dpop+jwt"}`), pub, nil, ErrTokenType},
		{"typ secevent+jwt refused", withHeader(`{"alg":"EdDSA","typ":"secevent+jwt"}`), pub, nil, ErrTokenType},
		{"at+jwt required: JWT refused", withHeader(`{"alg":"EdDSA","typ":"JWT"}`), pub, requireAT, ErrTokenType},
		{"at+jwt required: absent refused", withHeader(`{"alg":"EdDSA"}`), pub, requireAT, ErrTokenType},
		{"at+jwt required: dpop+jwt refused", withHeader(`{"alg":"EdDSA","typ":"dpop+jwt"}`), pub, requireAT, ErrTokenType},
		{"at+jwt required: at+jwt", withHeader(`{"alg":"EdDSA","typ":"at+jwt"}`), pub, requireAT, nil},
		{"at+jwt required: AT+JWT", withHeader(`{"alg":"EdDSA","typ":"AT+JWT"}`), pub, requireAT, nil},
		{"at+jwt required: application/at+jwt", withHeader(`{"alg":"EdDSA","typ":"application/at+jwt"}`), pub, requireAT, nil},
		{"at+jwt required: APPLICATION/AT+JWT", withHeader(`{"alg":"EdDSA","typ":"APPLICATION/AT+JWT"}`), pub, requireAT, nil},
	}
}

func TestValidateClaims(t *testing.T) { runValidateCases(t, claimRejections(t)) }

func TestValidateRefusesTokensNotFromParse(t *testing.T) {
	v := newTestValidator(t)
	pub := fixtureKeys(t).ed.Public()
	for name, tok := range map[string]*Token{"nil": nil, "zero": {}, "only exported fields": {Raw: "a.b.c", Header: Header{Algorithm: "EdDSA"}}} {
		if _, err := v.Validate(tok, pub, testNow); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s token: %v, want ErrMalformed", name, err)
		}
	}
}

func TestValidateIgnoresEditsToTheExportedHeader(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestValidator(t)
	tok, err := Parse(sign(t, "ES256", defaultClaims()))
	if err != nil {
		t.Fatal(err)
	}
	// Relabelling after Parse must not switch the verification algorithm.
	tok.Header.Algorithm = "ES384"
	if _, err := v.Validate(tok, k.p384.Public(), testNow); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("Validate with edited header and P-384 key: %v, want ErrAlgorithm", err)
	}
	if _, err := v.Validate(tok, k.p256.Public(), testNow); err != nil {
		t.Fatalf("Validate with the original key: %v", err)
	}
}

func TestValidateUsesTheGivenClock(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestValidator(t)
	tok, err := Parse(sign(t, "EdDSA", defaultClaims()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now  time.Time
		want error
	}{
		{testNow, nil},
		{testNow.Add(time.Hour + 59*time.Second), nil},
		{testNow.Add(time.Hour + 60*time.Second), ErrExpired},
		{testNow.Add(-10*time.Second - 60*time.Second), nil},
		{testNow.Add(-10*time.Second - 61*time.Second), ErrNotYetValid},
	}
	for _, tc := range tests {
		_, err := v.Validate(tok, k.ed.Public(), tc.now)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("at %v: %v, want %v", tc.now, err, tc.want)
		}
	}
}
