package jwt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// golang-jwt's claim Validator is our checks' oracle in tests: checkClaims
// is stricter, so whatever it accepts golang-jwt must accept too. (It once
// ran on every request as a second opinion; in wasm that cost a tenth of
// an RS256 miss.)

// secondOpinion runs golang-jwt's claim Validator (iss, aud, exp required,
// nbf, iat, leeway) with v's settings on claims as Parse decodes them.
func (v *Validator) secondOpinion(raw map[string]any, now time.Time) error {
	err := gojwt.NewValidator(
		gojwt.WithIssuer(v.issuer),
		gojwt.WithAudience(v.audiences...),
		gojwt.WithExpirationRequired(),
		gojwt.WithIssuedAt(),
		gojwt.WithLeeway(v.clockSkew),
		gojwt.WithTimeFunc(func() time.Time { return now }),
	).Validate(gojwt.MapClaims(raw))
	if err != nil {
		return fmt.Errorf("%w: refused by golang-jwt's validator", fromGoJWT(err))
	}
	return nil
}

// fromGoJWT maps golang-jwt's claim errors onto ours.
func fromGoJWT(err error) error {
	switch {
	case errors.Is(err, gojwt.ErrTokenExpired):
		return ErrExpired
	case errors.Is(err, gojwt.ErrTokenNotValidYet):
		return ErrNotYetValid
	case errors.Is(err, gojwt.ErrTokenUsedBeforeIssued):
		return ErrIssuedInFuture
	case errors.Is(err, gojwt.ErrTokenInvalidIssuer):
		return ErrIssuer
	case errors.Is(err, gojwt.ErrTokenInvalidAudience):
		return ErrAudience
	case errors.Is(err, gojwt.ErrTokenRequiredClaimMissing):
		return ErrMissingClaim
	default:
		return ErrInvalidClaim
	}
}

// claimOracleSeeds are payloads around every rule both validators apply.
func claimOracleSeeds() []string {
	exp, past, future := testNow.Unix()+600, testNow.Unix()-61, testNow.Unix()+61
	base := fmt.Sprintf(`"iss":%q,"aud":%q`, testIssuer, testAudience)
	return []string{
		fuzzPayload(),
		fmt.Sprintf(`{%s,"exp":%d}`, base, exp),
		fmt.Sprintf(`{%s,"exp":%d.5,"nbf":%d,"iat":%d}`, base, exp, testNow.Unix(), testNow.Unix()),
		fmt.Sprintf(`{%s,"exp":%d}`, base, past),
		fmt.Sprintf(`{%s,"exp":%d,"nbf":%d}`, base, exp, future),
		fmt.Sprintf(`{%s,"exp":%d,"iat":%d}`, base, exp, future),
		fmt.Sprintf(`{%s,"exp":%d,"iat":%d}`, base, exp, testNow.Unix()+59),
		fmt.Sprintf(`{%s,"exp":"%d"}`, base, exp),
		fmt.Sprintf(`{%s,"exp":1e300}`, base),
		fmt.Sprintf(`{%s,"exp":-1}`, base),
		fmt.Sprintf(`{"iss":%q,"aud":[%q,"x"],"exp":%d}`, testIssuer, testAudience, exp),
		fmt.Sprintf(`{"iss":%q,"aud":["",%q],"exp":%d}`, testIssuer, testAudience, exp),
		fmt.Sprintf(`{"iss":%q,"aud":[],"exp":%d}`, testIssuer, exp),
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d}`, strings.ToUpper(testIssuer), testAudience, exp),
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"scope":"a b","scp":["c"],"sub":"u","jti":"j","client_id":"c"}`, testIssuer, testAudience, exp),
	}
}

// FuzzClaimsAgreeWithGolangJWT: a claim set checkClaims accepts must pass
// golang-jwt's Validator, with and without a lifetime bound and the
// access-token type rule (which only make ours stricter).
func FuzzClaimsAgreeWithGolangJWT(f *testing.F) {
	for _, s := range claimOracleSeeds() {
		f.Add([]byte(s), int64(0))
		f.Add([]byte(s), int64(-30))
	}
	validators := []*Validator{newTestValidator(f), newTestValidator(f, WithMaxLifetime(time.Hour))}
	f.Fuzz(func(t *testing.T, payload []byte, shift int64) {
		raw, err := decodeObject(string(payload))
		if err != nil {
			return
		}
		now := testNow.Add(time.Duration(shift%7200) * time.Second)
		for _, v := range validators {
			if err := v.checkClaims(raw, now, new(Claims)); err != nil {
				continue
			}
			if err := v.secondOpinion(raw.toMap(), now); err != nil {
				t.Fatalf("checkClaims accepted %s at %v; golang-jwt: %v", payload, now, err)
			}
		}
	})
}

func TestClaimOracleSeedsCoverBothOutcomes(t *testing.T) {
	v := newTestValidator(t)
	var accepted, refused int
	for _, s := range claimOracleSeeds() {
		raw, err := decodeObject(s)
		if err != nil {
			t.Fatalf("seed %s: %v", s, err)
		}
		if err := v.checkClaims(raw, testNow, new(Claims)); err != nil {
			refused++
			continue
		}
		accepted++
		if err := v.secondOpinion(raw.toMap(), testNow); err != nil {
			t.Errorf("seed %s: golang-jwt refused what checkClaims accepted: %v", s, err)
		}
	}
	if accepted < 4 || refused < 4 {
		t.Fatalf("seeds should exercise both outcomes: %d accepted, %d refused", accepted, refused)
	}
}
