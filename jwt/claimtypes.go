package jwt

import (
	"encoding/json"
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
func numericDate(raw map[string]any, name string) (time.Time, bool, error) {
	v, present := raw[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, true, fmt.Errorf("%w: %s is not a JSON number", ErrInvalidClaim, name)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, true, fmt.Errorf("%w: %s out of range", ErrInvalidClaim, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// audience reads "aud": a string or an array of strings (RFC 7519 §4.1.3),
// none of them empty. Anything else cannot name us, so it is ErrAudience.
func audience(raw map[string]any) ([]string, error) {
	v, present := raw["aud"]
	if !present {
		return nil, fmt.Errorf("%w: aud", ErrMissingClaim)
	}
	switch a := v.(type) {
	case string:
		if a != "" {
			return []string{a}, nil
		}
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("%w: aud element not a non-empty string", ErrAudience)
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: aud not a non-empty string or array of strings", ErrAudience)
}

// optionalString reads a claim that, when present, must be a string.
func optionalString(raw map[string]any, name string) (string, error) {
	v, present := raw[name]
	if !present {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is not a string", ErrInvalidClaim, name)
	}
	return s, nil
}

// scopes returns the union of "scope" (RFC 9068 §2.2.3: a space-separated
// string) and "scp" (used by several issuers: a space-separated string or an
// array of strings), without duplicates, in order of appearance.
func scopes(raw map[string]any) ([]string, error) {
	var out []string
	add := func(scope string) {
		if scope != "" && !slices.Contains(out, scope) {
			out = append(out, scope)
		}
	}
	addList := func(list string) {
		for _, scope := range strings.Split(list, " ") {
			add(scope)
		}
	}
	if v, present := raw["scope"]; present {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: scope is not a string", ErrInvalidClaim)
		}
		addList(s)
	}
	if v, present := raw["scp"]; present {
		switch s := v.(type) {
		case string:
			addList(s)
		case []any:
			for _, e := range s {
				es, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%w: scp element is not a string", ErrInvalidClaim)
				}
				add(es) // one scope per element, kept whole
			}
		default:
			return nil, fmt.Errorf("%w: scp is neither a string nor an array of strings", ErrInvalidClaim)
		}
	}
	return out, nil
}
