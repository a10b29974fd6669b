package jwt

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/base64url"
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
	if !base64url.Char[raw[0]] && strings.HasPrefix(strings.TrimLeft(raw, " \t\r\n"), "{") {
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
	size := base64url.DecodedLen(len(pl)) + base64url.DecodedLen(len(sig))
	if jws.known == nil {
		size += base64url.DecodedLen(len(h))
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

// decodeSegment decodes a segment (canonical unpadded base64url, RFC 7515
// §2) onto the end of buf, which has room for it. It returns the decoded
// bytes and buf extended by them.
func decodeSegment(buf []byte, seg string) (decoded, rest []byte, err error) {
	start := len(buf)
	n, err := base64url.Decode(buf[start:cap(buf)], seg)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	buf = buf[:start+n]
	return buf[start:len(buf):len(buf)], buf, nil
}
