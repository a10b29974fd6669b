package jwks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// jwkMaxDepth bounds nesting. A JWK Set is at most five levels deep (set,
// "keys", key, "oth", prime info); the bound keeps the recursive reader's
// stack small, since json.Decoder.Token does not limit depth itself.
const jwkMaxDepth = 16

var errJWKTooDeep = errors.New("nesting deeper than allowed")

// jwkElement is one member of the "keys" array as read by jwkReadSet.
type jwkElement struct {
	value     any  // map[string]any for a JSON object
	duplicate bool // some object inside repeats a member name
}

// jwkReadSet reads a JWK Set document strictly: one JSON object, no
// duplicate member names at set level, a "keys" member that is an array,
// nothing after the object, nesting at most jwkMaxDepth. Each member of
// "keys" comes back as a generic JSON value so that each key can be judged
// (and skipped) on its own.
func jwkReadSet(body []byte) ([]jwkElement, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers are never used; this keeps 1e999 from failing the set
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedSet)
	}
	var (
		elements []jwkElement
		haveKeys bool
		names    = make(map[string]bool)
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
		}
		name, _ := tok.(string) // Token only yields strings in name position
		if names[name] {
			return nil, fmt.Errorf("%w: duplicate member %s", ErrMalformedSet, jwkQuote(name))
		}
		names[name] = true
		if name != "keys" {
			_, dup, err := jwkReadValue(dec, 1)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
			}
			if dup {
				return nil, fmt.Errorf("%w: duplicate member name inside %s", ErrMalformedSet, jwkQuote(name))
			}
			continue
		}
		haveKeys = true
		if elements, err = jwkReadKeys(dec); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformedSet)
	}
	if !haveKeys {
		return nil, fmt.Errorf("%w: no \"keys\" member", ErrMalformedSet)
	}
	return elements, nil
}

// jwkReadKeys reads the value of the "keys" member, which must be an array.
func jwkReadKeys(dec *json.Decoder) ([]jwkElement, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("%w: \"keys\" is not an array", ErrMalformedSet)
	}
	elements := []jwkElement{}
	for dec.More() {
		v, dup, err := jwkReadValue(dec, 2)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
		}
		elements = append(elements, jwkElement{value: v, duplicate: dup})
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, fmt.Errorf("%w: %v", ErrMalformedSet, err)
	}
	return elements, nil
}

// jwkReadValue consumes one JSON value and returns it as string,
// json.Number, bool, nil, []any or map[string]any, with member names kept
// exactly as written. We walk tokens instead of calling json.Unmarshal
// because encoding/json silently keeps the last of duplicate members (so
// {"kty":"RSA","kty":"oct"} would be read as whatever came last) and matches
// struct field names case-insensitively; dup reports any repeated name.
func jwkReadValue(dec *json.Decoder, depth int) (v any, dup bool, err error) {
	if depth > jwkMaxDepth {
		return nil, false, errJWKTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	switch tok {
	case json.Delim('{'):
		obj := make(map[string]any)
		for dec.More() {
			nameTok, err := dec.Token()
			if err != nil {
				return nil, false, err
			}
			name, _ := nameTok.(string)
			member, memberDup, err := jwkReadValue(dec, depth+1)
			if err != nil {
				return nil, false, err
			}
			if _, seen := obj[name]; seen || memberDup {
				dup = true
			}
			obj[name] = member
		}
		_, err = dec.Token()
		return obj, dup, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			elem, elemDup, err := jwkReadValue(dec, depth+1)
			if err != nil {
				return nil, false, err
			}
			dup = dup || elemDup
			arr = append(arr, elem)
		}
		_, err = dec.Token()
		return arr, dup, err
	}
	return tok, false, nil
}

// jwkString returns the string member name of obj; present is false when the
// member is absent, and a member of another JSON type is an ErrInvalidKey.
func jwkString(obj map[string]any, name string) (s string, present bool, err error) {
	v, ok := obj[name]
	if !ok {
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", true, fmt.Errorf("%w: member %q is not a string", ErrInvalidKey, name)
	}
	return s, true, nil
}

// jwkQuote quotes a value from the document for an error message, clipped
// so that a hostile document cannot make log lines arbitrarily long.
func jwkQuote(s string) string {
	const limit = 40
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:limit]) + "..."
}
