package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// refDecodeObject is the reference decodeObject is checked against: the
// same contract built on encoding/json's tokenizer, which is correct but too
// slow for the request path in wasm.
func refDecodeObject(b []byte) (map[string]any, error) {
	if !utf8.Valid(b) {
		return nil, errNotUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	obj, err := refMembers(dec, 1)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errTrailingJSON
	}
	return obj, nil
}

func refMembers(dec *json.Decoder, depth int) (map[string]any, error) {
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
			return nil, errDuplicate
		}
		v, err := refValue(dec, depth)
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

func refElements(dec *json.Decoder, depth int) ([]any, error) {
	arr := []any{}
	for dec.More() {
		v, err := refValue(dec, depth)
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

func refValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, errInvalidJSON
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxJSONDepth {
		return nil, errTooDeep
	}
	switch delim {
	case '{':
		return refMembers(dec, depth+1)
	case '[':
		return refElements(dec, depth+1)
	default:
		return nil, errInvalidJSON
	}
}

// checkAgainstReference fails when decodeObject and the reference disagree
// on whether input is accepted or on what it decodes to.
func checkAgainstReference(t *testing.T, input []byte) {
	t.Helper()
	got, err := decodeObject(string(input))
	want, refErr := refDecodeObject(input)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("decodeObject(%q): err %v, reference err %v", input, err, refErr)
	}
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("decodeObject(%q): %v is not ErrMalformed", input, err)
		}
		return
	}
	if g := got.toMap(); !reflect.DeepEqual(g, want) {
		t.Fatalf("decodeObject(%q) = %#v, reference %#v", input, g, want)
	}
}

// checkIntoAgrees holds decodeObjectInto, which a Parser uses, to
// decodeObject: the same members in the same order or the same error,
// whether the members fit the destination's capacity or not.
func checkIntoAgrees(t *testing.T, input []byte) {
	t.Helper()
	want, wantErr := decodeObject(string(input))
	for _, room := range []int{0, 1, 16} {
		got, err := decodeObjectInto(string(input), make(jsonMembers, 0, room))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("decodeObjectInto(%q, cap %d): err %v, decodeObject err %v", input, room, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual([]jsonMember(got), []jsonMember(want)) {
			t.Fatalf("decodeObjectInto(%q, cap %d) = %#v, decodeObject %#v", input, room, got, want)
		}
	}
}

// jsonEdgeCases are inputs where a hand-written decoder typically goes
// wrong; each must be decided exactly as the reference decides it.
func jsonEdgeCases() []string {
	nest := func(n int, open, close string) string {
		return `{"a":` + strings.Repeat(open, n) + `1` + strings.Repeat(close, n) + `}`
	}
	return []string{
		``, ` `, `{`, `}`, `{}`, ` {} `, "\t{\r\n}\n", `{} {}`, `{}x`, `{},`, `[]`, `"a"`, `1`, `null`,
		"\xef\xbb\xbf{}", "{}\x00", `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{'a':1}`,
		`{"a":1 "b":2}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"x":{"a":1,"a":2}}`, `{"x":[{"a":1,"a":2}]}`,
		`{"x":[{"a":1},{"a":2}]}`, `{"a":{},"b":[]}`, `{"a":[1,2,[3,{"b":null}]]}`, `{"a":[1,]}`, `{"a":[,1]}`,
		`{"a":[1 2]}`, `{"":1}`, `{"":1,"":2}`,
		`{"a":true}`, `{"a":false}`, `{"a":null}`, `{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a":True}`, `{"a":NaN}`,
		`{"a":0}`, `{"a":-0}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1.5}`, `{"a":1e5}`, `{"a":1E+5}`,
		`{"a":1e-5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":-1.25e-10}`, `{"a":+1}`, `{"a":0x10}`, `{"a":1_000}`,
		`{"a":123456789012345678901234567890}`, `{"a":1.0e400}`,
		`{"a":"\""}`, `{"a":"\\"}`, `{"a":"\/"}`, `{"a":"\b\f\n\r\t"}`, `{"a":"\x"}`, `{"a":"\'"}`, `{"a":"\u00e9"}`,
		`{"a":"\u00E9"}`, `{"a":"\u00g9"}`, `{"a":"\u00"}`, `{"a":"\u"}`, `{"a":"\`, `{"a":"abc`, `{"a":"ab"c"}`,
		`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ude00"}`, `{"a":"\ud83d\u0041"}`, `{"a":"\ud83dx"}`,
		`{"a":"\ud83d\ud83d\ude00"}`, `{"a":"\ud83d\uzzzz"}`, `{"a":"\ud83d\u"}`, `{"a":"x\u0000y"}`,
		"{\"a\":\"tab\tin\"}", "{\"a\":\"nl\nin\"}", "{\"a\":\"\x7f\"}", `{"a":"é"}`, "{\"a\":\"\xff\"}",
		"{\"a\":\"\xc3\"}", `{"\u00e9":1,"é":2}`, `{"a":"é\n"}`,
		nest(31, `[`, `]`), nest(32, `[`, `]`), nest(30, `{"b":`, `}`), nest(31, `{"b":`, `}`), nest(32, `{"b":`, `}`),
		nest(100, `[`, `]`),
	}
}

func TestDecodeObjectMatchesReference(t *testing.T) {
	for _, in := range jsonEdgeCases() {
		checkAgainstReference(t, []byte(in))
	}
}

func TestDecodeObjectValues(t *testing.T) {
	got, err := decodeObject(`{"s":"x\u00e9\ud83d\ude00","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":[1,"a"]},"e":[]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"s": "x\u00e9\U0001F600", "n": json.Number("-1.5e3"), "t": true, "f": false, "z": nil,
		"o": map[string]any{"k": []any{json.Number("1"), "a"}}, "e": []any{},
	}
	if g := got.toMap(); !reflect.DeepEqual(g, want) {
		t.Fatalf("got %#v\nwant %#v", g, want)
	}
	for in, wantErr := range map[string]error{
		`{"a":1,"a":2}`:                         errDuplicate,
		`{"a":1,"\u0061":2}`:                    errDuplicate,
		"{\"a\":\"\xff\"}":                      errNotUTF8,
		`[]`:                                    errNotObject,
		`{} x`:                                  errTrailingJSON,
		`{"a":"\q"}`:                            errInvalidEscape,
		`{"a":` + strings.Repeat(`[`, 32) + `}`: errTooDeep,
	} {
		if _, err := decodeObject(in); !errors.Is(err, wantErr) {
			t.Errorf("decodeObject(%q): %v, want %v", in, err, wantErr)
		}
	}
}

// FuzzDecodeObject runs decodeObject and the reference on the same bytes.
func FuzzDecodeObject(f *testing.F) {
	for _, in := range jsonEdgeCases() {
		f.Add([]byte(in))
	}
	f.Add([]byte(`{"iss":"https://as.example.com","aud":["https://mcp.example.com/mcp"],"exp":1900003600,"scope":"a b"}`))
	f.Fuzz(func(t *testing.T, input []byte) {
		checkAgainstReference(t, input)
		checkIntoAgrees(t, input)
	})
}

func BenchmarkDecodeObject(b *testing.B) {
	payload := `{"iss":"https://issuer.example","aud":["https://mcp.example/mcp"],"exp":1700003600,"iat":1699999990,"nbf":1699999990,"sub":"user-123","client_id":"client-abc","jti":"bench-rsa-1-42","scope":"mcp:tools:read mcp:tools:write"}`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := decodeObject(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// toAny converts a decoded value to what encoding/json decodes with UseNumber: string,
// json.Number, bool, nil, map[string]any or []any.
func (v jsonValue) toAny() any {
	switch v.kind {
	case jsonBool:
		return v.boolean
	case jsonNumber:
		return json.Number(v.text)
	case jsonString:
		return v.text
	case jsonArray:
		out := make([]any, len(v.items))
		for i, item := range v.items {
			out[i] = item.toAny()
		}
		return out
	case jsonObject:
		return v.members.toMap()
	}
	return nil
}

// toMap converts an object as toAny does.
func (m jsonMembers) toMap() map[string]any {
	out := make(map[string]any, len(m))
	for _, member := range m {
		out[member.name] = member.value.toAny()
	}
	return out
}
