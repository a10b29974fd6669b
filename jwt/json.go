package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting so hostile input cannot drive deep recursion.
const maxJSONDepth = 32

var errInvalidJSON = fmt.Errorf("%w: invalid JSON", ErrMalformed)

// decodeObject decodes b, which must be exactly one JSON object in UTF-8,
// into a map whose numbers are json.Number.
//
// It walks json.Decoder.Token instead of calling json.Unmarshal because
// Unmarshal keeps the last of two members with the same name without a word,
// and two parsers picking different duplicates is a known JWT confusion
// (RFC 7515 §4 and RFC 7519 §4 let parsers reject them; we do, at any depth).
// Names are compared after unescaping, so "a" and "\u0061" collide.
// Unmarshal would also replace invalid UTF-8 with U+FFFD, hence the explicit
// utf8.Valid check: the signed bytes and the decoded claims must agree.
func decodeObject(b []byte) (map[string]any, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	obj, err := decodeMembers(dec, 1)
	if err != nil {
		return nil, err
	}
	// Only whitespace may follow: a second value or garbage is rejected.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	return obj, nil
}

// decodeMembers reads the members of an object whose '{' was consumed.
func decodeMembers(dec *json.Decoder, depth int) (map[string]any, error) {
	obj := make(map[string]any)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errInvalidJSON
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errInvalidJSON
		}
		if _, dup := obj[name]; dup {
			return nil, fmt.Errorf("%w: duplicate JSON member", ErrMalformed)
		}
		v, err := decodeValue(dec, depth)
		if err != nil {
			return nil, err
		}
		obj[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errInvalidJSON
	}
	return obj, nil
}

// decodeElements reads the elements of an array whose '[' was consumed.
func decodeElements(dec *json.Decoder, depth int) ([]any, error) {
	arr := []any{}
	for dec.More() {
		v, err := decodeValue(dec, depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return nil, errInvalidJSON
	}
	return arr, nil
}

// decodeValue reads one value: string, json.Number, bool, nil,
// map[string]any or []any.
func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, errInvalidJSON
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxJSONDepth {
		return nil, fmt.Errorf("%w: JSON nested too deeply", ErrMalformed)
	}
	switch delim {
	case '{':
		return decodeMembers(dec, depth+1)
	case '[':
		return decodeElements(dec, depth+1)
	default: // a closing delimiter where a value belongs
		return nil, errInvalidJSON
	}
}
