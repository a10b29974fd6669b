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

// numericDate reads an optional NumericDate (RFC 7519 §2). It must be a
// JSON number: golang-jwt's RegisteredClaims would also take a quoted
// number, and a float far out of range would overflow on conversion.
func numericDate(raw jsonMembers, name string) (time.Time, bool, error) {
	v, present := raw.get(name)
	if !present {
		return time.Time{}, false, nil
	}
	if v.kind != jsonNumber {
		return time.Time{}, true, fmt.Errorf("%w: %s is not a JSON number", ErrInvalidClaim, name)
	}
	if sec, ok := wholeSeconds(v.text); ok {
		return time.Unix(sec, 0).UTC(), true, nil
	}
	f, err := strconv.ParseFloat(v.text, 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, true, fmt.Errorf("%w: %s out of range", ErrInvalidClaim, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
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

// audience reads "aud": a string or an array of strings (RFC 7519 §4.1.3),
// none of them empty. Anything else cannot name us, so it is ErrAudience.
func audience(raw jsonMembers) ([]string, error) {
	v, present := raw.get("aud")
	if !present {
		return nil, fmt.Errorf("%w: aud", ErrMissingClaim)
	}
	switch v.kind {
	case jsonString:
		if v.text != "" {
			return []string{v.text}, nil
		}
	case jsonArray:
		out := make([]string, 0, len(v.items))
		for _, e := range v.items {
			if e.kind != jsonString || e.text == "" {
				return nil, fmt.Errorf("%w: aud element not a non-empty string", ErrAudience)
			}
			out = append(out, e.text)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: aud not a non-empty string or array of strings", ErrAudience)
}

// optionalString reads a claim that, when present, must be a string.
func optionalString(raw jsonMembers, name string) (string, error) {
	s, ok, present := raw.str(name)
	if !present {
		return "", nil
	}
	if !ok {
		return "", fmt.Errorf("%w: %s is not a string", ErrInvalidClaim, name)
	}
	return s, nil
}

// scopes returns the union of "scope" (RFC 9068 §2.2.3: a space-separated
// string) and "scp" (used by several issuers: a space-separated string or an
// array of strings), without duplicates, in order of appearance.
func scopes(raw jsonMembers) ([]string, error) {
	var out []string
	add := func(scope string) {
		if scope != "" && !slices.Contains(out, scope) {
			out = append(out, scope)
		}
	}
	addList := func(list string) {
		if out == nil {
			out = make([]string, 0, strings.Count(list, " ")+1)
		}
		for list != "" {
			var scope string
			scope, list, _ = strings.Cut(list, " ")
			add(scope)
		}
	}
	if s, ok, present := raw.str("scope"); present {
		if !ok {
			return nil, fmt.Errorf("%w: scope is not a string", ErrInvalidClaim)
		}
		addList(s)
	}
	if v, present := raw.get("scp"); present {
		switch v.kind {
		case jsonString:
			addList(v.text)
		case jsonArray:
			for _, e := range v.items {
				if e.kind != jsonString {
					return nil, fmt.Errorf("%w: scp element is not a string", ErrInvalidClaim)
				}
				add(e.text) // one scope per element, kept whole
			}
		default:
			return nil, fmt.Errorf("%w: scp is neither a string nor an array of strings", ErrInvalidClaim)
		}
	}
	return out, nil
}
