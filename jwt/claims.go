package jwt

import (
	"slices"
	"strings"
	"time"
)

// Claims are the verified claims of an access token.
type Claims struct {
	Issuer    string // iss
	Subject   string // sub
	ClientID  string // client_id (RFC 9068 §2.2)
	ID        string // jti
	Audience  []string
	ExpiresAt time.Time
	IssuedAt  time.Time // zero when absent
	NotBefore time.Time // zero when absent
	// Scopes is the union of "scope" (space-separated) and "scp" (string or
	// array), without duplicates, in order of appearance.
	Scopes []string

	raw jsonMembers // the whole payload
	// spare backs a single audience (spare[0]) and the first scopes, so
	// that a typical token's claims are one allocation: in wasm each one
	// costs about a microsecond, and as much again in the collector.
	spare [6]string
}

// Value renders the top-level claim name for an upstream request header:
// strings as they are, numbers in their JSON form, booleans as "true" or
// "false", arrays of strings joined with ",". Objects, null, other arrays
// and absent claims give ok=false, and so does any value that is not a
// valid header field value (RFC 9110 §5.5: no CR, LF, NUL or other control
// character besides HTAB), so the result can never split or smuggle a header.
func (c *Claims) Value(name string) (string, bool) {
	if c == nil {
		return "", false
	}
	v, _ := c.raw.get(name)
	var s string
	switch v.kind {
	case jsonString, jsonNumber:
		s = v.text
	case jsonBool:
		s = "false"
		if v.boolean {
			s = "true"
		}
	case jsonArray:
		parts := make([]string, len(v.items))
		for i, e := range v.items {
			if e.kind != jsonString {
				return "", false
			}
			parts[i] = e.text
		}
		s = strings.Join(parts, ",")
	default: // absent, null, object
		return "", false
	}
	if !isFieldValue(s) {
		return "", false
	}
	return s, true
}

// isFieldValue reports whether s contains no control character other than
// HTAB (this covers CR, LF and NUL).
func isFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// HasScopes reports whether every scope in required was granted.
func (c *Claims) HasScopes(required []string) bool {
	for _, r := range required {
		if c == nil || !slices.Contains(c.Scopes, r) {
			return false
		}
	}
	return true
}
