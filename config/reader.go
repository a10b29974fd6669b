package config

import (
	"bytes"
	"encoding/json"
	"errors"
)

// reader decodes typed values from a json.Decoder positioned at a value,
// naming the JSON location in every error.
type reader struct{ dec *json.Decoder }

// errUnknownField is returned by a member callback that does not know the
// member's name; object turns it into an error naming field and location.
var errUnknownField = errors.New("unknown field")

// object reads an object and calls member for each member in document
// order; member must consume the member's value.
func (r *reader) object(at location, member func(name string, at location) error) error {
	if err := r.open(at, '{'); err != nil {
		return err
	}
	for r.dec.More() {
		tok, err := r.token()
		if err != nil {
			return err
		}
		name, _ := tok.(string) // Token only yields strings in key position
		if err := member(name, at.member(name)); err != nil {
			if errors.Is(err, errUnknownField) {
				return invalidMember("unknown field", name, at)
			}
			return err
		}
	}
	_, err := r.token() // '}'
	return err
}

// array reads an array and calls elem for each element; elem must consume it.
func (r *reader) array(at location, elem func(at location) error) error {
	if err := r.open(at, '['); err != nil {
		return err
	}
	for i := 0; r.dec.More(); i++ {
		if err := elem(at.index(i)); err != nil {
			return err
		}
	}
	_, err := r.token() // ']'
	return err
}

func (r *reader) open(at location, want json.Delim) error {
	tok, err := r.token()
	if err != nil {
		return err
	}
	if tok != want {
		return typeMismatch(at, kindOf(json.Delim(want)), tok)
	}
	return nil
}

func (r *reader) str(at location, dst *string) error {
	tok, err := r.token()
	if err != nil {
		return err
	}
	s, ok := tok.(string)
	if !ok {
		return typeMismatch(at, "string", tok)
	}
	*dst = s
	return nil
}

// optionalStr records presence as well as the value, for members where an
// empty string is a mistake to report rather than an absent member.
func (r *reader) optionalStr(at location, dst **string) error {
	var s string
	if err := r.str(at, &s); err != nil {
		return err
	}
	*dst = &s
	return nil
}

// strs reads an array of strings; an empty array leaves a non-nil slice so
// that validation can tell it from an absent member.
func (r *reader) strs(at location, dst *[]string) error {
	list := []string{}
	err := r.array(at, func(at location) error {
		var s string
		if err := r.str(at, &s); err != nil {
			return err
		}
		list = append(list, s)
		return nil
	})
	*dst = list
	return err
}

func (r *reader) boolean(at location, dst *bool) error {
	tok, err := r.token()
	if err != nil {
		return err
	}
	b, ok := tok.(bool)
	if !ok {
		return typeMismatch(at, "boolean", tok)
	}
	*dst = b
	return nil
}

func (r *reader) number(at location, dst *json.Number) error {
	tok, err := r.token()
	if err != nil {
		return err
	}
	n, ok := tok.(json.Number)
	if !ok {
		return typeMismatch(at, "number", tok)
	}
	*dst = n
	return nil
}

// rawObject keeps an object's bytes as written for another package to
// interpret (local_jwks is parsed and its keys checked by package jwks).
func (r *reader) rawObject(at location, dst *json.RawMessage) error {
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return invalid(at, "malformed JSON: %v", err) // unreachable after checkWellFormed
	}
	raw = bytes.TrimLeft(raw, jsonSpace)
	if len(raw) == 0 || raw[0] != '{' {
		return invalid(at, "must be an object, got %s", kindOfRaw(raw))
	}
	*dst = raw
	return nil
}

// token reads the next token. The document has passed checkWellFormed, so
// an error here would be a bug; it is still reported, never panicked on.
func (r *reader) token() (json.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, invalid("", "malformed JSON: %v", err)
	}
	return tok, nil
}

func typeMismatch(at location, want string, got json.Token) error {
	article := "a"
	if want == "object" || want == "array" {
		article = "an"
	}
	if at == "" {
		return invalid(at, "the configuration must be a JSON %s, got %s", want, kindOf(got))
	}
	return invalid(at, "must be %s %s, got %s", article, want, kindOf(got))
}

// kindOf names a token's JSON type the way RFC 8259 does.
func kindOf(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "unknown"
}

func kindOfRaw(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
