package jwks

import (
	"fmt"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/base64url"
)

// jwkBytes decodes the required base64url member name of obj (RFC 7515 §2:
// unpadded URL-safe alphabet). Only the canonical encoding is accepted:
// every character must be in the alphabet (Go's decoder would skip CR and
// LF) and unused trailing bits must be zero (Strict), so one value has one
// spelling. maxLen bounds the decoded size before any decoding happens.
func jwkBytes(obj map[string]any, name string, maxLen int) ([]byte, error) {
	s, present, err := jwkString(obj, name)
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, fmt.Errorf("%w: missing member %q", ErrInvalidKey, name)
	}
	if !base64url.InAlphabet(s) {
		return nil, fmt.Errorf("%w: member %q is not unpadded base64url", ErrInvalidKey, name)
	}
	if len(s) > base64url.EncodedLen(maxLen) {
		return nil, fmt.Errorf("%w: member %q is longer than %d octets", ErrInvalidKey, name, maxLen)
	}
	b, err := base64url.DecodeString(s)
	if err != nil { // a length of 4k+1, or non-zero unused trailing bits
		return nil, fmt.Errorf("%w: member %q is not canonical base64url", ErrInvalidKey, name)
	}
	return b, nil
}
