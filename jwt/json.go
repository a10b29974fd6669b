package jwt

import (
	"fmt"
	"slices"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting so hostile input cannot drive deep recursion.
const maxJSONDepth = 32

var (
	errInvalidJSON   = fmt.Errorf("%w: invalid JSON", ErrMalformed)
	errNotObject     = fmt.Errorf("%w: not a JSON object", ErrMalformed)
	errDuplicate     = fmt.Errorf("%w: duplicate JSON member", ErrMalformed)
	errTooDeep       = fmt.Errorf("%w: JSON nested too deeply", ErrMalformed)
	errTrailingJSON  = fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	errNotUTF8       = fmt.Errorf("%w: not UTF-8", ErrMalformed)
	errInvalidEscape = fmt.Errorf("%w: invalid JSON string escape", ErrMalformed)
)

// jsonKind is the type of a decoded JSON value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is one decoded JSON value. Values are stored inline rather
// than boxed in interfaces: in wasm every allocation and every map hash
// costs as much as copying hundreds of bytes, and a payload has a dozen
// of each when decoded into map[string]any.
type jsonValue struct {
	kind    jsonKind
	boolean bool        // jsonBool
	text    string      // jsonString: the string; jsonNumber: its JSON text
	items   []jsonValue // jsonArray
	members jsonMembers // jsonObject
}

// jsonMembers are an object's members in document order, names unique.
type jsonMembers []jsonMember

type jsonMember struct {
	name  string
	value jsonValue
}

// get returns the member called name. Objects in tokens have a dozen
// members, so a scan is cheaper than hashing the name. Claim names are
// short and often of one length ("iss", "exp", "sub"...): comparing a
// first byte before the strings spares most of the calls a string
// comparison makes in wasm.
func (m jsonMembers) get(name string) (jsonValue, bool) {
	for i := range m {
		if n := m[i].name; len(n) == len(name) && (n == "" || n[0] == name[0]) && n == name {
			return m[i].value, true
		}
	}
	return jsonValue{}, false
}

// str returns the member's string value, ok=false when it is absent or not
// a string; present tells them apart.
func (m jsonMembers) str(name string) (s string, ok, present bool) {
	v, present := m.get(name)
	if v.kind != jsonString {
		return "", false, present
	}
	return v.text, true, present
}

// decodeObject decodes s, which must be exactly one JSON object (RFC 8259)
// in UTF-8.
//
// Two members with the same name are refused at any depth: encoding/json
// keeps the last one without a word, and two parsers picking different
// duplicates is a known JWT confusion (RFC 7515 §4 and RFC 7519 §4 let
// parsers reject them). Names are compared after unescaping, so "a" and
// "\u0061" collide. Invalid UTF-8 is refused rather than replaced, so the
// signed bytes and the decoded claims agree.
//
// Written by hand because it runs on every token not yet in the cache and
// no library does both jobs cheaply in wasm: walking json.Decoder.Token to
// see duplicates cost about 150 µs a token there (most of a miss's work
// beyond the signature), and the JSON v2 packages that refuse duplicates
// need Go 1.25 or add their size to a module that must stay small. Tests
// check it against a json.Decoder.Token reference on every fuzz input.
//
// Strings without escapes and numbers are substrings of s, so whoever
// keeps a decoded string for long keeps s alive and should copy it.
func decodeObject(s string) (jsonMembers, error) { return decodeObjectInto(s, nil) }

// decodeObjectInto is decodeObject putting the object's own members in dst
// when they fit its capacity: a Parser decodes every payload into the same
// array instead of allocating one per token.
func decodeObjectInto(s string, dst jsonMembers) (jsonMembers, error) {
	if !utf8.ValidString(s) {
		return nil, errNotUTF8
	}
	d := takeDecoder()
	obj, err := d.decode(s, dst)
	d.release()
	return obj, err
}

func (d *jsonDecoder) decode(s string, dst jsonMembers) (jsonMembers, error) {
	d.data, d.pos = s, 0
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, errNotObject
	}
	d.pos++
	obj, err := d.object(1, dst)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, errTrailingJSON
	}
	return obj, nil
}

// jsonDecoder reads one JSON text from data, starting at pos. Members and
// array items are gathered on scratch stacks, and each object or array
// gets one exactly sized slice when it closes; a decoder is kept for the
// next call, so the stacks are allocated once.
type jsonDecoder struct {
	data    string
	pos     int
	members []jsonMember
	items   []jsonValue
	// The most of each stack used since the decoder was taken: what
	// release clears, so a kept decoder holds no strings of old tokens.
	usedMembers, usedItems int
}

// spareDecoder is the decoder kept between calls. One is enough: a VM
// decodes one token at a time, and concurrent callers (natively) that find
// it taken make their own. A sync.Pool did the same job with per-P
// bookkeeping and a deferred Put, overhead a single-threaded VM pays on
// every token for nothing.
var spareDecoder atomic.Pointer[jsonDecoder]

func takeDecoder() *jsonDecoder {
	if d := spareDecoder.Swap(nil); d != nil {
		return d
	}
	return &jsonDecoder{}
}

// maxKeptScratch bounds the scratch a kept decoder holds on to, so one huge
// token does not pin its stacks for good.
const maxKeptScratch = 256

func (d *jsonDecoder) release() {
	if cap(d.members) > maxKeptScratch || cap(d.items) > maxKeptScratch {
		return
	}
	clear(d.members[:d.usedMembers])
	clear(d.items[:d.usedItems])
	d.data, d.members, d.items, d.usedMembers, d.usedItems = "", d.members[:0], d.items[:0], 0, 0
	spareDecoder.Store(d)
}

func (d *jsonDecoder) skipSpace() {
	data, i := d.data, d.pos
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	d.pos = i
}

// next skips whitespace and returns the next byte without consuming it, or
// 0 at the end of the input (0 is never valid outside a string).
func (d *jsonDecoder) next() byte {
	if d.pos < len(d.data) && d.data[d.pos] > ' ' {
		return d.data[d.pos] // tokens are compact JSON: no call for no space
	}
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// maxScannedMembers is the member count up to which duplicates are found
// by comparing names; larger objects use a set, so hostile input cannot
// make the check quadratic.
const maxScannedMembers = 16

// object reads the members of an object whose '{' was consumed; depth is
// its own nesting level. With a dst (the top level of a Parser's payload)
// the members are appended to it, growing it only past its capacity;
// nested objects gather theirs on the scratch stack and get a slice each.
func (d *jsonDecoder) object(depth int, dst jsonMembers) (jsonMembers, error) {
	if d.next() == '}' {
		d.pos++
		return jsonMembers{}, nil
	}
	if dst != nil {
		return d.objectInto(depth, dst[:0])
	}
	base := len(d.members)
	var seen map[string]struct{}
	for {
		m, done, err := d.member(depth, d.members[base:], &seen)
		if err != nil {
			return nil, err
		}
		d.members = append(d.members, m)
		d.usedMembers = max(d.usedMembers, len(d.members))
		if done {
			out := jsonMembers(slices.Clone(d.members[base:]))
			d.members = d.members[:base]
			return out, nil
		}
	}
}

// objectInto is object appending the members to out.
func (d *jsonDecoder) objectInto(depth int, out jsonMembers) (jsonMembers, error) {
	var seen map[string]struct{}
	for {
		m, done, err := d.member(depth, out, &seen)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		if done {
			return out, nil
		}
	}
}

// member reads one member of an object whose members so far are read, and
// the ',' or '}' after it; done reports the '}'. *seen is the set of
// names checkUnique keeps for large objects.
func (d *jsonDecoder) member(depth int, read []jsonMember, seen *map[string]struct{}) (m jsonMember, done bool, err error) {
	if d.next() != '"' {
		return m, false, errInvalidJSON
	}
	d.pos++
	if m.name, err = d.str(); err != nil {
		return m, false, err
	}
	if d.next() != ':' {
		return m, false, errInvalidJSON
	}
	d.pos++
	if m.value, err = d.value(depth); err != nil {
		return m, false, err
	}
	if *seen, err = checkUnique(read, m.name, *seen); err != nil {
		return m, false, err
	}
	switch d.next() {
	case ',':
		d.pos++
		return m, false, nil
	case '}':
		d.pos++
		return m, true, nil
	}
	return m, false, errInvalidJSON
}

// checkUnique refuses name if members, those of the object being read so
// far, have it already.
func checkUnique(members []jsonMember, name string, seen map[string]struct{}) (map[string]struct{}, error) {
	if seen == nil && len(members) < maxScannedMembers {
		if _, dup := jsonMembers(members).get(name); dup {
			return nil, errDuplicate
		}
		return nil, nil
	}
	if seen == nil {
		seen = make(map[string]struct{}, 2*len(members))
		for _, m := range members {
			seen[m.name] = struct{}{}
		}
	}
	if _, dup := seen[name]; dup {
		return nil, errDuplicate
	}
	seen[name] = struct{}{}
	return seen, nil
}

// array reads the items of an array whose '[' was consumed.
func (d *jsonDecoder) array(depth int) ([]jsonValue, error) {
	base := len(d.items)
	if d.next() == ']' {
		d.pos++
		return []jsonValue{}, nil
	}
	for {
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, v)
		d.usedItems = max(d.usedItems, len(d.items))
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			out := slices.Clone(d.items[base:])
			d.items = d.items[:base]
			return out, nil
		default:
			return nil, errInvalidJSON
		}
	}
}

// value reads one value inside a container at nesting level depth.
func (d *jsonDecoder) value(depth int) (jsonValue, error) {
	c := d.next()
	switch {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return jsonValue{}, errTooDeep
		}
		d.pos++
		if c == '{' {
			m, err := d.object(depth+1, nil)
			return jsonValue{kind: jsonObject, members: m}, err
		}
		items, err := d.array(depth + 1)
		return jsonValue{kind: jsonArray, items: items}, err
	case c == '"':
		d.pos++
		s, err := d.str()
		return jsonValue{kind: jsonString, text: s}, err
	case c == '-' || '0' <= c && c <= '9':
		n, err := d.number()
		return jsonValue{kind: jsonNumber, text: n}, err
	case c == 't':
		return jsonValue{kind: jsonBool, boolean: true}, d.literal("true")
	case c == 'f':
		return jsonValue{kind: jsonBool}, d.literal("false")
	case c == 'n':
		return jsonValue{kind: jsonNull}, d.literal("null")
	}
	return jsonValue{}, errInvalidJSON
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || d.data[d.pos:d.pos+len(word)] != word {
		return errInvalidJSON
	}
	d.pos += len(word)
	return nil
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as its text.
func (d *jsonDecoder) number() (string, error) {
	start := d.pos
	if d.peek() == '-' {
		d.pos++
	}
	switch c := d.peek(); {
	case c == '0':
		d.pos++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return "", errInvalidJSON
	}
	if d.peek() == '.' {
		d.pos++
		if d.digits() == 0 {
			return "", errInvalidJSON
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.pos++
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if d.digits() == 0 {
			return "", errInvalidJSON
		}
	}
	return d.data[start:d.pos], nil
}

func (d *jsonDecoder) peek() byte {
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *jsonDecoder) digits() int {
	data, i := d.data, d.pos
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	n := i - d.pos
	d.pos = i
	return n
}

// str reads a string whose opening quote was consumed. The input is valid
// UTF-8 (checked once by decodeObject); control characters must be escaped.
//
// The hot loops work on locals: Go's wasm code keeps a field of *d in
// memory, and loading and storing it on every byte made them several
// times slower.
func (d *jsonDecoder) str() (string, error) {
	data, start := d.data, d.pos
	for i := start; i < len(data); i++ {
		c := data[i]
		if !strSpecial[c] { // one load and branch per ordinary byte
			continue
		}
		switch {
		case c == '"':
			d.pos = i + 1
			return data[start:i], nil
		case c == '\\':
			d.pos = i
			return d.escapedStr(start)
		}
		return "", errInvalidJSON // a control character
	}
	return "", errInvalidJSON
}

// strSpecial marks the bytes that end or interrupt a string's plain text:
// the closing quote, a backslash and the control characters.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// escapedStr finishes a string that holds escapes, from its first
// backslash at d.pos; start is where its text began.
func (d *jsonDecoder) escapedStr(start int) (string, error) {
	out := make([]byte, d.pos-start, d.pos-start+16)
	copy(out, d.data[start:d.pos])
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(out), nil
		case c < 0x20:
			return "", errInvalidJSON
		case c != '\\':
			out = append(out, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.data) {
			return "", errInvalidJSON
		}
		e := d.data[d.pos+1]
		d.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", errInvalidEscape
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate escape followed by a low one is one
				// character; anything else is U+FFFD, as encoding/json
				// decodes it (a following escape is then read on its own).
				r = d.surrogatePair(r)
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errInvalidEscape
		}
	}
	return "", errInvalidJSON
}

// surrogatePair joins the surrogate hi (already read) with a following
// \uXXXX escape when the two form a pair, consuming it; otherwise it
// returns U+FFFD and consumes nothing.
func (d *jsonDecoder) surrogatePair(hi rune) rune {
	if len(d.data)-d.pos < 6 || d.data[d.pos] != '\\' || d.data[d.pos+1] != 'u' {
		return utf8.RuneError
	}
	save := d.pos
	d.pos += 2
	lo, ok := d.hex4()
	if r := utf16.DecodeRune(hi, lo); ok && r != utf8.RuneError {
		return r
	}
	d.pos = save
	return utf8.RuneError
}

// hex4 reads the four hex digits of a \u escape at d.pos.
func (d *jsonDecoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for i := d.pos; i < d.pos+4; i++ {
		c := d.data[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.pos += 4
	return r, true
}
