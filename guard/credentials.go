package guard

import (
	"net/url"
	"strings"
)

// credential is what the request presented, before any validation.
type credential struct {
	token string // the bearer token, "" when none was sent
}

// bearerCredential finds the bearer token (RFC 6750 §2.1) and refuses
// requests that present credentials in ways an MCP resource server must not
// accept: two Authorization headers, a token in the query string (MCP
// forbids it, RFC 6750 §2.3), an empty token, or a token larger than
// maxBytes. Another scheme (e.g. Basic) counts as no token (RFC 6750 §3: no
// error code). The b64token syntax is checkB64Token's, which Guard.Check
// skips for a token found in the cache.
func bearerCredential(authorization []string, rawQuery string, maxBytes int, scope string) (credential, *Error) {
	if hasAccessTokenParam(rawQuery) {
		return credential{}, invalidRequest("access tokens are accepted only in the Authorization header", scope)
	}
	switch len(authorization) {
	case 0:
		return credential{}, nil
	case 1:
	default:
		return credential{}, invalidRequest("more than one Authorization header", scope)
	}
	value := authorization[0]
	scheme, rest, _ := strings.Cut(value, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		// RFC 7235 §2.1: the scheme is case-insensitive; anything else is not ours.
		return credential{}, nil
	}
	token := strings.TrimLeft(rest, " ")
	if token == "" {
		return credential{}, invalidRequest("empty bearer token", scope)
	}
	if len(token) > maxBytes {
		return credential{}, invalidRequest("bearer token too large", scope)
	}
	return credential{token: token}, nil
}

// checkB64Token refuses a bearer token outside the b64token syntax.
func checkB64Token(token, scope string) *Error {
	if token != "" && !isB64Token(token) {
		return invalidRequest("bearer token has invalid characters", scope)
	}
	return nil
}

// isB64Token reports whether s matches RFC 6750 §2.1:
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// It runs on every token-carrying request, so it is one table load per
// byte: in wasm a chain of range comparisons costs several times more.
func isB64Token(s string) bool {
	end := len(s)
	for end > 0 && s[end-1] == '=' {
		end--
	}
	if end == 0 {
		return false
	}
	for i := 0; i < end; i++ {
		if !b64TokenChar[s[i]] {
			return false
		}
	}
	return true
}

// b64TokenChar marks the bytes allowed in a b64token before its padding.
var b64TokenChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~+/" {
		t[c] = true
	}
	return t
}()

// hasAccessTokenParam reports whether the query string carries an
// access_token parameter, in any percent-encoding of its name.
func hasAccessTokenParam(rawQuery string) bool {
	if rawQuery == "" {
		return false
	}
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		name, _, _ := strings.Cut(pair, "=")
		if name == "access_token" {
			return true
		}
		if strings.ContainsAny(name, "%+") {
			if decoded, err := url.QueryUnescape(name); err == nil && decoded == "access_token" {
				return true
			}
		}
	}
	return false
}
