package scenario

import (
	"strings"
	"time"
)

// claimRow is a claim edit and the refusal it must cause.
type claimRow struct {
	name, ref string
	want      Refusal
	edit      func(e *Env) []any // name, value pairs for draft.with("c", ...)
}

func claimAttacks() []Attack {
	const class = ClassClaims
	invalid := wantInvalidToken(descInvalidClaim)
	missing := wantInvalidToken(descMissingClaim)
	audience := wantInvalidToken(descAudience)
	issuer := wantInvalidToken(descIssuer)
	at := func(e *Env, d time.Duration) int64 { return e.D.Now().Add(d).Unix() }
	fixed := func(kv ...any) func(*Env) []any { return func(*Env) []any { return kv } }

	table := []claimRow{
		{"exp missing", "RFC 9068 §2.2; RFC 7519 §4.1.4", missing, fixed("exp", nil)},
		{"exp zero", "RFC 7519 §4.1.4", invalid, fixed("exp", 0)},
		{"exp negative", "RFC 7519 §2 (NumericDate)", invalid, fixed("exp", -1)},
		{"exp a quoted number", "RFC 7519 §2 (NumericDate is a JSON number)", invalid,
			func(e *Env) []any { return []any{"exp", rawJSON(`"` + itoa(int(at(e, time.Hour))) + `"`)} }},
		{"exp a boolean", "RFC 7519 §2", invalid, fixed("exp", true)},
		{"exp null", "RFC 7519 §2", invalid, fixed("exp", rawJSON("null"))},
		{"exp 1e300 (float out of range)", "RFC 7519 §2", invalid, fixed("exp", rawJSON("1e300"))},
		{"exp 1e999 (overflows a float64)", "RFC 7519 §2", invalid, fixed("exp", rawJSON("1e999"))},
		{"exp past by more than the clock skew", "RFC 7519 §4.1.4; RFC 9068 §4", wantInvalidToken(descExpired),
			func(e *Env) []any { return []any{"exp", at(e, -61*time.Second), "iat", at(e, -time.Hour)} }},
		{"exp equal to now minus the skew, written as a fraction", "RFC 7519 §4.1.4", wantInvalidToken(descExpired),
			func(e *Env) []any {
				return []any{"exp", rawJSON(itoa(int(at(e, -60*time.Second))) + ".0"), "iat", at(e, -time.Hour)}
			}},
		{"nbf in the future beyond the skew", "RFC 7519 §4.1.5", wantInvalidToken(descNotYetValid),
			func(e *Env) []any { return []any{"nbf", at(e, 61*time.Second)} }},
		{"nbf a quoted number", "RFC 7519 §2", invalid,
			func(e *Env) []any { return []any{"nbf", rawJSON(`"` + itoa(int(at(e, 0))) + `"`)} }},
		{"iat in the future beyond the skew", "RFC 7519 §4.1.6; RFC 9068 §4", wantInvalidToken(descFuture),
			func(e *Env) []any { return []any{"iat", at(e, 2*time.Minute)} }},
		{"iat a string", "RFC 7519 §2", invalid, fixed("iat", "now")},
		{"aud another resource", "RFC 8707 §2; RFC 8725 §3.9; RFC 9068 §4", audience, fixed("aud", "https://other.example.com/mcp")},
		{"aud missing", "RFC 9068 §2.2", missing, fixed("aud", nil)},
		{"aud empty string", "RFC 7519 §4.1.3", audience, fixed("aud", "")},
		{"aud empty array", "RFC 7519 §4.1.3", audience, fixed("aud", []string{})},
		{"aud a number", "RFC 7519 §4.1.3", audience, fixed("aud", 1)},
		{"aud null", "RFC 7519 §4.1.3", audience, fixed("aud", rawJSON("null"))},
		{"aud an object", "RFC 7519 §4.1.3", audience, fixed("aud", map[string]string{"aud": Resource})},
		{"aud array holding a number and our resource", "RFC 7519 §4.1.3", audience, fixed("aud", []any{1, Resource})},
		{"aud our resource with a trailing slash", "RFC 8707 §2", audience, fixed("aud", Resource+"/")},
		{"aud our resource with the path in another case", "RFC 3986 §6.2.2.1 (paths are case-sensitive); RFC 8707 §2", audience,
			fixed("aud", strings.Replace(Resource, "/mcp", "/MCP", 1))},
		{"aud our resource as a prefix of another", "RFC 8707 §2", audience, fixed("aud", Resource+"-admin")},
		{"iss with a trailing slash", "RFC 8414 §3.3; RFC 8725 §3.8; RFC 9207 §2.4 (exact comparison)", issuer, fixed("iss", IssuerURL+"/")},
		{"iss with the host in upper case", "RFC 8414 §3.3", issuer, fixed("iss", strings.ToUpper(IssuerURL))},
		{"iss missing", "RFC 9068 §2.2", issuer, fixed("iss", nil)},
		{"iss a number", "RFC 7519 §4.1.1", issuer, fixed("iss", 1)},
		{"iss an array holding the issuer", "RFC 7519 §4.1.1", issuer, fixed("iss", []string{IssuerURL})},
		{"scope an array", "RFC 9068 §2.2.3 (space-separated string)", invalid, fixed("scope", []string{mcpScope})},
		{"scope a number", "RFC 9068 §2.2.3", invalid, fixed("scope", 1)},
		{"scope null", "RFC 9068 §2.2.3", invalid, fixed("scope", rawJSON("null"))},
		{"scp an object", "RFC 9068 §2.2.3", invalid, fixed("scope", nil, "scp", map[string]bool{mcpScope: true})},
		{"scp an array holding a number", "RFC 9068 §2.2.3", invalid, fixed("scope", nil, "scp", []any{mcpScope, 1})},
		{"scope in another case", "RFC 6749 §3.3 (scopes are case-sensitive)", wantScope(), fixed("scope", strings.ToUpper(mcpScope))},
		{"scopes separated by a tab", "RFC 6749 §3.3 (space-delimited)", wantScope(), fixed("scope", "profile\t"+mcpScope)},
		{"scopes separated by a comma", "RFC 6749 §3.3 (space-delimited)", wantScope(), fixed("scope", mcpScope+",mcp:tools:write")},
		{"scope extending the required one", "RFC 6749 §3.3", wantScope(), fixed("scope", mcpScope+"-all")},
		{"sub a number", "RFC 7519 §4.1.2", invalid, fixed("sub", 123)},
		{"client_id an array", "RFC 9068 §2.2", invalid, fixed("client_id", []string{"client-abc"})},
		{"jti a number", "RFC 7519 §4.1.7", invalid, fixed("jti", 7)},
	}
	rows := make([]Attack, 0, len(table)+4)
	for _, c := range table {
		rows = append(rows, Attack{class, c.name, c.ref, c.want, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.tokenWith("rsa-1", c.edit(e)...))
		}})
	}
	lifetime := providerOption(`"max_token_lifetime_s": 3600`)
	rows = append(rows,
		Attack{class, "exp - iat above max_token_lifetime_s", "RFC 9068 §4; RFC 8725 §3.10", wantInvalidToken(descLifetime), func(e *Env) Stream {
			started(e, lifetime)
			return e.sendToken(e.tokenWith("rsa-1", "iat", at(e, -time.Minute), "exp", at(e, time.Hour)))
		}},
		Attack{class, "iat missing while max_token_lifetime_s is set", "RFC 9068 §2.2", missing, func(e *Env) Stream {
			started(e, lifetime)
			return e.sendToken(e.tokenWith("rsa-1", "iat", nil))
		}},
		Attack{class, "a 24-hour token presented in its last hour", "RFC 9068 §4", wantInvalidToken(descLifetime), func(e *Env) Stream {
			started(e, lifetime)
			return e.sendToken(e.tokenWith("rsa-1", "iat", at(e, -23*time.Hour), "exp", at(e, time.Hour)))
		}},
		Attack{class, "token claims one configured issuer, signed with the other's key", "RFC 8725 §3.8; RFC 9068 §4",
			wantInvalidToken(descNoKey), func(e *Env) Stream {
				started(e, twoProviderConfig(e.Other.JWKS("ec-1")))
				c := e.Other.Standard(e.D.Now(), Resource, mcpScope)
				return e.sendToken(e.Issuer.Mint("rsa-1", c, nil))
			}},
	)
	return rows
}
