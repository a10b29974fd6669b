package jwt

import (
	"errors"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

func TestNewValidatorRejectsIncompleteOrUnsafeConfiguration(t *testing.T) {
	iss, aud := WithIssuer(testIssuer), WithAudiences(testAudience)
	tests := []struct {
		name string
		opts []Option
		want error
	}{
		{"no options", nil, errNoIssuer},
		{"issuer missing", []Option{aud}, errNoIssuer},
		{"issuer empty", []Option{WithIssuer(""), aud}, errNoIssuer},
		{"audiences missing", []Option{iss}, errNoAudience},
		{"audiences option empty", []Option{iss, WithAudiences()}, errNoAudience},
		{"empty audience", []Option{iss, WithAudiences(testAudience, "")}, errEmptyAudience},
		{"algorithms option empty", []Option{iss, aud, WithAlgorithms()}, errNoAlgorithms},
		{"HS256", []Option{iss, aud, WithAlgorithms("RS256", "HS256")}, errUnsupportedAlg},
		{"HS512", []Option{iss, aud, WithAlgorithms("HS512")}, errUnsupportedAlg},
		{"none", []Option{iss, aud, WithAlgorithms("none")}, errUnsupportedAlg},
		{"empty algorithm", []Option{iss, aud, WithAlgorithms("")}, errUnsupportedAlg},
		{"lower-case rs256", []Option{iss, aud, WithAlgorithms("rs256")}, errUnsupportedAlg},
		{"unknown ES256K", []Option{iss, aud, WithAlgorithms("ES256K")}, errUnsupportedAlg},
		{"negative clock skew", []Option{iss, aud, WithClockSkew(-time.Second)}, errClockSkewRange},
		{"clock skew above 60s", []Option{iss, aud, WithClockSkew(61 * time.Second)}, errClockSkewRange},
		{"zero max lifetime", []Option{iss, aud, WithMaxLifetime(0)}, errMaxLifetimeRange},
		{"negative max lifetime", []Option{iss, aud, WithMaxLifetime(-time.Hour)}, errMaxLifetimeRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewValidator(tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("NewValidator error = %v, want %v", err, tc.want)
			}
			if v != nil {
				t.Error("validator returned with an error")
			}
		})
	}
}

func TestNewValidatorAccepts(t *testing.T) {
	iss, aud := WithIssuer(testIssuer), WithAudiences(testAudience)
	for name, opts := range map[string][]Option{
		"minimal":                   {iss, aud},
		"several audiences":         {iss, WithAudiences("a", "b"), WithAudiences("c")},
		"zero clock skew":           {iss, aud, WithClockSkew(0)},
		"60s clock skew":            {iss, aud, WithClockSkew(60 * time.Second)},
		"every option":              {iss, aud, WithAlgorithms("ES256"), WithClockSkew(time.Second), WithRequireAccessTokenType(), WithMaxLifetime(time.Hour)},
		"nil option ignored":        {iss, nil, aud},
		"repeated algorithm":        {iss, aud, WithAlgorithms("ES256", "ES256")},
		"later WithAlgorithms wins": {iss, aud, WithAlgorithms("HS256"), WithAlgorithms("RS256")},
	} {
		if _, err := NewValidator(opts...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAllowsAlgorithm(t *testing.T) {
	all := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	never := []string{"HS256", "HS384", "HS512", "none", "None", "", "rs256", "ES256K", "RSA-OAEP"}

	def := newTestValidator(t)
	for _, alg := range all {
		if !def.AllowsAlgorithm(alg) {
			t.Errorf("default validator refuses %s", alg)
		}
	}
	for _, alg := range never {
		if def.AllowsAlgorithm(alg) {
			t.Errorf("default validator allows %q", alg)
		}
	}

	custom := newTestValidator(t, WithAlgorithms("ES256", "EdDSA"))
	for _, alg := range all {
		want := alg == "ES256" || alg == "EdDSA"
		if got := custom.AllowsAlgorithm(alg); got != want {
			t.Errorf("custom validator AllowsAlgorithm(%s) = %v, want %v", alg, got, want)
		}
	}
}

func TestNilValidatorFailsClosed(t *testing.T) {
	var v *Validator
	tok, err := Parse(sign(t, "EdDSA", defaultClaims()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Validate(tok, fixtureKeys(t).ed.Public(), testNow); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("nil Validator: %v, want ErrAlgorithm", err)
	}
}

func TestValidatorIsImmutableAfterConstruction(t *testing.T) {
	algs := []string{"ES256"}
	auds := []string{testAudience}
	v, err := NewValidator(WithIssuer(testIssuer), WithAudiences(auds...), WithAlgorithms(algs...))
	if err != nil {
		t.Fatal(err)
	}
	algs[0], auds[0] = "RS256", "https://evil.example"
	if v.AllowsAlgorithm("RS256") || !v.AllowsAlgorithm("ES256") {
		t.Error("editing the caller's algorithm slice changed the validator")
	}
	k := fixtureKeys(t)
	if _, err := parseAndValidate(v, sign(t, "ES256", defaultClaims()), k.p256.Public()); err != nil {
		t.Errorf("editing the caller's audience slice changed the validator: %v", err)
	}
}

func TestFromGoJWTMapsEveryClaimError(t *testing.T) {
	tests := []struct {
		in   error
		want error
	}{
		{gojwt.ErrTokenExpired, ErrExpired},
		{gojwt.ErrTokenNotValidYet, ErrNotYetValid},
		{gojwt.ErrTokenUsedBeforeIssued, ErrIssuedInFuture},
		{gojwt.ErrTokenInvalidIssuer, ErrIssuer},
		{gojwt.ErrTokenInvalidAudience, ErrAudience},
		{gojwt.ErrTokenRequiredClaimMissing, ErrMissingClaim},
		{gojwt.ErrInvalidType, ErrInvalidClaim},
		{errors.Join(gojwt.ErrTokenInvalidClaims, gojwt.ErrTokenExpired), ErrExpired},
	}
	for _, tc := range tests {
		if got := fromGoJWT(tc.in); got != tc.want {
			t.Errorf("fromGoJWT(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// The second opinion cannot be reached through Validate when our own checks
// are right (they are stricter); drive it directly so it is known to work.
func TestSecondOpinionRejectsWhatGolangJWTRejects(t *testing.T) {
	v := newTestValidator(t)
	num := func(n int64) any { return numberClaim(n) }
	ok := claimSet{"iss": testIssuer, "aud": testAudience, "exp": num(testNow.Unix() + 60)}
	tests := []struct {
		name   string
		claims claimSet
		want   error
	}{
		{"accepted", ok, nil},
		{"expired", ok.with("exp", num(testNow.Unix()-61)), ErrExpired},
		{"exp missing", ok.with("exp", nil), ErrMissingClaim},
		{"nbf future", ok.with("nbf", num(testNow.Unix()+61)), ErrNotYetValid},
		{"iat future", ok.with("iat", num(testNow.Unix()+61)), ErrIssuedInFuture},
		{"issuer", ok.with("iss", "https://evil.example"), ErrIssuer},
		{"audience", ok.with("aud", "https://other.example"), ErrAudience},
		{"exp of wrong type", ok.with("exp", true), ErrInvalidClaim},
	}
	for _, tc := range tests {
		err := v.secondOpinion(tc.claims, testNow) // values as Parse decodes them
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
