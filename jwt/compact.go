package jwt

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// maxTokenBytes bounds what Parse decodes. A wasm VM's linear memory only
// grows (PITFALLS 4), so a huge header must not make every worker allocate
// for it; 64 KiB is above Envoy's default header budget of 60 KiB.
const maxTokenBytes = 64 << 10

// compactJWS is a JWS compact serialization (RFC 7515 §7.1) split and
// decoded, before its header and payload are interpreted.
type compactJWS struct {
	header       []byte // decoded protected header (JSON text)
	payload      []byte // decoded payload
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

	var jws compactJWS
	var err error
	if jws.header, err = decodeSegment(raw[:first]); err != nil {
		return compactJWS{}, fmt.Errorf("header: %w", err)
	}
	if jws.payload, err = decodeSegment(raw[first+1 : second]); err != nil {
		return compactJWS{}, fmt.Errorf("payload: %w", err)
	}
	if jws.signature, err = decodeSegment(raw[second+1:]); err != nil {
		return compactJWS{}, fmt.Errorf("signature: %w", err)
	}
	jws.signingInput = raw[:second]
	return jws, nil
}

// decodeSegment decodes unpadded base64url (RFC 7515 §2) and accepts only
// its canonical form. Go's decoder silently skips CR and LF even in strict
// mode, so the alphabet is checked first; Strict() then rejects non-zero
// trailing bits, which would otherwise let many strings decode to the same
// bytes (a token whose text differs from what was signed).
func decodeSegment(seg string) ([]byte, error) {
	for i := 0; i < len(seg); i++ {
		if !isBase64URL(seg[i]) {
			return nil, fmt.Errorf("%w: character outside the base64url alphabet", ErrMalformed)
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		// err quotes an offset, never input bytes, but stay uniform and drop it.
		return nil, fmt.Errorf("%w: not canonical unpadded base64url", ErrMalformed)
	}
	return b, nil
}

func isBase64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
