package jwt

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxNumericDate is 9999-12-31T23:59:59Z. Larger values are not dates a
// real issuer sends, and refusing them keeps every conversion exact.
const maxNumericDate = 253402300799

// numericDate reads a NumericDate (RFC 7519 §2). It must be a JSON number:
// golang-jwt's RegisteredClaims would also take a quoted number, and a
// float far out of range would overflow on conversion.
func numericDate(v *jsonValue, name string) (time.Time, error) {
	if v.kind != jsonNumber {
		return time.Time{}, fmt.Errorf("%w: %s is not a JSON number", ErrInvalidClaim, name)
	}
	if sec, ok := wholeSeconds(v.text); ok {
		return time.Unix(sec, 0).UTC(), nil
	}
	f, err := strconv.ParseFloat(v.text, 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, fmt.Errorf("%w: %s out of range", ErrInvalidClaim, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// wholeSeconds reads a NumericDate written as plain digits (what issuers
// send) without strconv.ParseFloat, which is slow in wasm. Up to 12 digits
// covers maxNumericDate; anything else is left to ParseFloat.
func wholeSeconds(text string) (int64, bool) {
	if text == "" || len(text) > 12 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > maxNumericDate {
		return 0, false
	}
	return n, true
}

// audience reads "aud" (v, nil when absent) into c.Audience: a string or
// an array of strings (RFC 7519 §4.1.3), none of them empty. Anything else
// cannot name us, so it is ErrAudience.
func audience(v *jsonValue, c *Claims) error {
	if v == nil {
		return fmt.Errorf("%w: aud", ErrMissingClaim)
	}
	switch v.kind {
	case jsonString:
		if v.text != "" {
			c.Audience = append(c.spare[:0:1], v.text)
			return nil
		}
	case jsonArray:
		out := make([]string, 0, len(v.items))
		for _, e := range v.items {
			if e.kind != jsonString || e.text == "" {
				return fmt.Errorf("%w: aud element not a non-empty string", ErrAudience)
			}
			out = append(out, e.text)
		}
		if len(out) > 0 {
			c.Audience = out
			return nil
		}
	}
	return fmt.Errorf("%w: aud not a non-empty string or array of strings", ErrAudience)
}

// optionalString reads a claim (v, nil when absent) that, when present,
// must be a string.
func optionalString(v *jsonValue, name string) (string, error) {
	if v == nil {
		return "", nil
	}
	if v.kind != jsonString {
		return "", fmt.Errorf("%w: %s is not a string", ErrInvalidClaim, name)
	}
	return v.text, nil
}

// scopes sets c.Scopes to the union of "scope" (RFC 9068 §2.2.3: a
// space-separated string) and "scp" (used by several issuers: a
// space-separated string or an array of strings), without duplicates, in
// order of appearance; nil when there are none. Absent claims are nil.
func scopes(scope, scp *jsonValue, c *Claims) error {
	out := c.spare[1:1:len(c.spare)]
	if scope != nil {
		if scope.kind != jsonString {
			return fmt.Errorf("%w: scope is not a string", ErrInvalidClaim)
		}
		out = appendScopeList(out, scope.text)
	}
	if scp != nil {
		switch scp.kind {
		case jsonString:
			out = appendScopeList(out, scp.text)
		case jsonArray:
			for _, e := range scp.items {
				if e.kind != jsonString {
					return fmt.Errorf("%w: scp element is not a string", ErrInvalidClaim)
				}
				out = appendScope(out, e.text) // one scope per element, kept whole
			}
		default:
			return fmt.Errorf("%w: scp is neither a string nor an array of strings", ErrInvalidClaim)
		}
	}
	if len(out) > 0 {
		c.Scopes = out
	}
	return nil
}

// appendScopeList adds the scopes of a space-separated list.
func appendScopeList(out []string, list string) []string {
	for list != "" {
		var scope string
		scope, list, _ = strings.Cut(list, " ")
		out = appendScope(out, scope)
	}
	return out
}

// appendScope adds scope unless it is empty or there already.
func appendScope(out []string, scope string) []string {
	if scope == "" || slices.Contains(out, scope) {
		return out
	}
	return append(out, scope)
}
