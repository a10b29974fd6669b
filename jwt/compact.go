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
	header       string // decoded protected header (JSON text)
	payload      string // decoded payload
	signingInput string // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
	signature    []byte
}

// splitCompact splits raw into its three segments and decodes them.
func splitCompact(raw string) (compactJWS, error) {
	if raw == "" {
		return compactJWS{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if len(raw) > maxTokenBytes {
		return compactJWS{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenBytes)
	}
	if strings.HasPrefix(strings.TrimLeft(raw, " \t\r\n"), "{") {
		return compactJWS{}, errJSONSerialization
	}
	switch strings.Count(raw, ".") {
	case 2:
	case 4:
		return compactJWS{}, errEncrypted
	default:
		return compactJWS{}, fmt.Errorf("%w: not 3 segments", ErrMalformed)
	}
	first := strings.IndexByte(raw, '.')
	second := first + 1 + strings.IndexByte(raw[first+1:], '.')

	// One buffer for the three decoded segments: a miss in wasm pays for
	// every allocation twice, once now and once in the collector.
	h, p, sig := raw[:first], raw[first+1:second], raw[second+1:]
	buf := make([]byte, 0, b64url.DecodedLen(len(h))+b64url.DecodedLen(len(p))+b64url.DecodedLen(len(sig)))
	var jws compactJWS
	header, buf, err := decodeSegment(buf, h)
	if err != nil {
		return compactJWS{}, fmt.Errorf("header: %w", err)
	}
	payload, buf, err := decodeSegment(buf, p)
	if err != nil {
		return compactJWS{}, fmt.Errorf("payload: %w", err)
	}
	// Nothing writes to buf again, so the JSON texts can be strings over
	// it: decodeObject then hands out substrings instead of copies.
	jws.header, jws.payload = bytesAsString(header), bytesAsString(payload)
	if jws.signature, _, err = decodeSegment(buf, sig); err != nil {
		return compactJWS{}, fmt.Errorf("signature: %w", err)
	}
	jws.signingInput = raw[:second]
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
// buf, which has room for it, and accepts only its canonical form. Go's
// decoder silently skips CR and LF even in strict mode, so the alphabet is
// checked first. It returns the decoded bytes and buf extended by them.
func decodeSegment(buf []byte, seg string) (decoded, rest []byte, err error) {
	for i := 0; i < len(seg); i++ {
		if !base64URLChar[seg[i]] {
			return nil, nil, fmt.Errorf("%w: character outside the base64url alphabet", ErrMalformed)
		}
	}
	start := len(buf)
	// Decode only reads src: viewing seg's bytes in place saves a copy of
	// the token per request.
	n, err := b64url.Decode(buf[start:cap(buf)], unsafe.Slice(unsafe.StringData(seg), len(seg)))
	if err != nil {
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
