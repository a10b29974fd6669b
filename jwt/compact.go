package jwt

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unsafe"
)

// maxTokenBytes bounds what Parse decodes. A wasm VM's linear memory only
// grows (PITFALLS 4), so a huge header must not make every worker allocate
// for it; 64 KiB is above Envoy's default header budget of 60 KiB.
const maxTokenBytes = 64 << 10

// compactJWS is a JWS compact serialization (RFC 7515 §7.1) split and
// decoded, before its header and payload are interpreted.
type compactJWS struct {
	headerSegment string // the header's base64url text
	header        string // decoded protected header (JSON text); "" when known
	known         *Header
	payload       string // decoded payload
	signingInput  string // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
	signature     []byte
}

// splitCompact splits raw into its three segments and decodes them. A
// header segment p accepted before is not decoded again: known is then
// its header.
func splitCompact(raw string, p *Parser) (compactJWS, error) {
	if raw == "" {
		return compactJWS{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if len(raw) > maxTokenBytes {
		return compactJWS{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenBytes)
	}
	// A token of base64url characters cannot be JSON: only a token that
	// starts otherwise is trimmed and looked at (TrimLeft with a cutset
	// costs a table build per call).
	if !base64URLChar[raw[0]] && strings.HasPrefix(strings.TrimLeft(raw, " \t\r\n"), "{") {
		return compactJWS{}, errJSONSerialization
	}
	// The two dots, then no third: IndexByte is a tight loop in wasm where
	// a byte-by-byte scan in Go costs several times more. The alphabet is
	// left to the decoder (see decodeSegment).
	d0 := strings.IndexByte(raw, '.')
	d1 := -1
	if d0 >= 0 {
		if i := strings.IndexByte(raw[d0+1:], '.'); i >= 0 {
			d1 = d0 + 1 + i
		}
	}
	if d1 < 0 || strings.IndexByte(raw[d1+1:], '.') >= 0 {
		if strings.Count(raw, ".") == 4 {
			return compactJWS{}, errEncrypted
		}
		return compactJWS{}, fmt.Errorf("%w: not 3 segments", ErrMalformed)
	}
	h, pl, sig := raw[:d0], raw[d0+1:d1], raw[d1+1:]
	jws := compactJWS{headerSegment: h, signingInput: raw[:d1]}
	jws.known = p.lookup(h)

	// One buffer for the decoded segments: a miss in wasm pays for every
	// allocation twice, once now and once in the collector.
	size := b64url.DecodedLen(len(pl)) + b64url.DecodedLen(len(sig))
	if jws.known == nil {
		size += b64url.DecodedLen(len(h))
	}
	buf := make([]byte, 0, size)
	var header, payload []byte
	var err error
	if jws.known == nil {
		if header, buf, err = decodeSegment(buf, h); err != nil {
			return compactJWS{}, fmt.Errorf("header: %w", err)
		}
	}
	if payload, buf, err = decodeSegment(buf, pl); err != nil {
		return compactJWS{}, fmt.Errorf("payload: %w", err)
	}
	// Nothing writes to buf again, so the JSON texts can be strings over
	// it: decodeObject then hands out substrings instead of copies.
	jws.header, jws.payload = bytesAsString(header), bytesAsString(payload)
	if jws.signature, _, err = decodeSegment(buf, sig); err != nil {
		return compactJWS{}, fmt.Errorf("signature: %w", err)
	}
	return jws, nil
}

// bytesAsString views b as a string without copying; b must never change
// afterwards.
func bytesAsString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// b64url is RFC 7515's base64url without padding. Strict() rejects
// non-zero trailing bits, which would otherwise let many strings decode to
// the same bytes (a token whose text differs from what was signed).
var b64url = base64.RawURLEncoding.Strict()

// decodeSegment decodes unpadded base64url (RFC 7515 §2) onto the end of
// buf, which has room for it, and accepts only its canonical form. It
// returns the decoded bytes and buf extended by them.
//
// Go's strict decoder refuses every byte outside the alphabet but CR and
// LF, which it skips. A skipped byte always shows in the length: over the
// lengths an unpadded encoding can have (not 1 mod 4), the decoded length
// grows strictly, so a segment of such a length that decodes to exactly
// DecodedLen(len(seg)) bytes held only alphabet characters, and the
// decoder is the only pass over the segment.
func decodeSegment(buf []byte, seg string) (decoded, rest []byte, err error) {
	start := len(buf)
	// Decode only reads src: viewing seg's bytes in place saves a copy of
	// the token per request.
	n, err := b64url.Decode(buf[start:cap(buf)], unsafe.Slice(unsafe.StringData(seg), len(seg)))
	if err != nil || len(seg)%4 == 1 || n != b64url.DecodedLen(len(seg)) {
		for i := 0; i < len(seg); i++ {
			if !base64URLChar[seg[i]] {
				return nil, nil, fmt.Errorf("%w: character outside the base64url alphabet", ErrMalformed)
			}
		}
		// err quotes an offset, never input bytes, but stay uniform and drop it.
		return nil, nil, fmt.Errorf("%w: not canonical unpadded base64url", ErrMalformed)
	}
	buf = buf[:start+n]
	return buf[start:len(buf):len(buf)], buf, nil
}

// base64URLChar marks the base64url alphabet (RFC 4648 §5).
var base64URLChar = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()
