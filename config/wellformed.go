package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// maxDepth bounds nesting. The deepest legitimate member is a key inside
// local_jwks (about seven levels); the bound keeps the recursive walk below
// cheap on hostile input, which encoding/json's Token API does not limit.
const maxDepth = 32

// checkWellFormed walks the document token by token before anything is
// decoded. It refuses empty input, malformed JSON, nesting beyond maxDepth,
// data after the top-level value and — the reason this pass exists —
// duplicate object members: encoding/json silently keeps the last of them,
// so {"forward_token": false, ..., "forward_token": true} would configure
// something different from what a reviewer of the file reads first.
// Duplicates are refused everywhere, inside local_jwks too.
func checkWellFormed(data []byte) error {
	w := walker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber() // keep numbers as written; nothing here needs their value
	if len(bytes.TrimLeft(data, jsonSpace)) == 0 {
		return invalid("", "the configuration is empty; expected a JSON object")
	}
	if err := w.value("", 0); err != nil {
		return err
	}
	end := int(w.dec.InputOffset())
	if rest := bytes.TrimLeft(data[end:], jsonSpace); len(rest) > 0 {
		return invalid("", "unexpected data after the top-level value at %s", position(data, len(data)-len(rest)))
	}
	return nil
}

// jsonSpace is JSON's whitespace (RFC 8259 §2); bytes.TrimSpace would also
// accept Unicode spaces that a JSON parser refuses.
const jsonSpace = " \t\r\n"

type walker struct {
	data []byte
	dec  *json.Decoder
}

func (w *walker) value(at location, depth int) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar; its syntax was checked by Token
	}
	if depth >= maxDepth {
		return invalid(at, "nested deeper than %d levels", maxDepth)
	}
	switch delim {
	case '{':
		seen := make(map[string]struct{})
		for w.dec.More() {
			tok, err := w.token()
			if err != nil {
				return err
			}
			name, _ := tok.(string) // Token only yields strings in key position
			if _, dup := seen[name]; dup {
				return invalidMember("duplicate field", name, at)
			}
			seen[name] = struct{}{}
			if err := w.value(at.member(name), depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; w.dec.More(); i++ {
			if err := w.value(at.index(i), depth+1); err != nil {
				return err
			}
		}
	}
	_, err = w.token() // the closing delimiter
	return err
}

// token reads the next token and turns decoder errors into one-line
// configuration errors with a line and column.
func (w *walker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, invalid("", "malformed JSON: unexpected end of input")
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		// The decoder stops at the start of the offending token, which is
		// a better position than SyntaxError.Offset: in Token mode the
		// latter does not count the delimiters Token consumed itself.
		return nil, invalid("", "malformed JSON at %s: %s", position(w.data, int(w.dec.InputOffset())), syntax.Error())
	}
	return nil, invalid("", "malformed JSON: %v", err)
}

// position names a byte offset as "line L, column C" (both from 1, columns
// in bytes) for people reading the configuration in an editor.
func position(data []byte, offset int) string {
	if offset > len(data) {
		offset = len(data)
	}
	before := data[:offset]
	line := bytes.Count(before, []byte{'\n'}) + 1
	column := offset - bytes.LastIndexByte(before, '\n')
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(column)
}
