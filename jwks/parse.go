package jwks

import (
	"fmt"
	"unicode/utf8"
)

// DefaultMaxBytes is the largest JWK Set body Parse accepts unless
// WithMaxBytes says otherwise. Real sets hold a handful of keys (a few KiB).
const DefaultMaxBytes = 256 << 10

// ParseOption adjusts Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	maxBytes int
}

// WithMaxBytes sets the largest body Parse accepts; a larger body fails with
// ErrTooLarge before any JSON is decoded. n <= 0 keeps DefaultMaxBytes.
func WithMaxBytes(n int) ParseOption {
	return func(c *parseConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// Parse validates a JWK Set document (RFC 7517 §5) and keeps the keys that
// can verify signatures: RSA (2048 to 8192 bits, e = 65537), EC on P-256,
// P-384 and P-521, and Ed25519. Keys it cannot use are skipped, as RFC 7517
// §5 asks, and listed by Set.Skipped; when no key is left Parse fails with a
// *NoUsableKeyError.
//
// The whole set is rejected (ErrMalformedSet) when the document is not a
// single UTF-8 JSON object with a "keys" array, nests deeper than 16 levels,
// or repeats a member name at set level. A repeated name inside one key only
// skips that key.
//
// Private or secret key material anywhere in the set (members d, p, q, dp,
// dq, qi, oth or k) rejects the whole set with ErrPrivateKeyMaterial. This is
// what Wycheproof expects of mixed public/private sets (json_web_key_test.json,
// flag MixedKeySet, "best practice is to reject"): an issuer that publishes a
// private key or an HMAC secret is serving the wrong document, every key in
// it is suspect, and failing loudly beats verifying with what is left.
//
// "x5c", "x5t", "x5t#S256" and "x5u" are ignored: never required, never
// trusted, never fetched.
func Parse(body []byte, opts ...ParseOption) (*Set, error) {
	cfg := parseConfig{maxBytes: DefaultMaxBytes}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if len(body) > cfg.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), cfg.maxBytes)
	}
	// encoding/json would turn invalid UTF-8 into U+FFFD, so two different
	// "kid" byte strings could compare equal; JSON must be UTF-8 anyway.
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrMalformedSet)
	}
	elements, err := jwkReadSet(body)
	if err != nil {
		return nil, err
	}
	for i, el := range elements {
		if name, found := parsePrivateMember(el); found {
			return nil, fmt.Errorf("%w: key %d has member %q", ErrPrivateKeyMaterial, i, name)
		}
	}
	s := &Set{id: lastSetID.Add(1)}
	for i, el := range elements {
		key, kid, err := parseKey(el)
		if err != nil {
			s.skipped = append(s.skipped, SkippedKey{Index: i, ID: kid, Reason: err})
			continue
		}
		s.keys = append(s.keys, key)
	}
	if len(s.keys) == 0 {
		return nil, &NoUsableKeyError{Skipped: s.skipped}
	}
	return s, nil
}

// parsePrivateMember returns the first private-key member of a key object
// (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2), present even when empty.
func parsePrivateMember(el jwkElement) (string, bool) {
	obj, ok := el.value.(map[string]any)
	if !ok {
		return "", false
	}
	for _, name := range [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := obj[name]; ok {
			return name, true
		}
	}
	return "", false
}

// parseKey turns one member of "keys" into a Key, or says why not. The
// checks run in a fixed order so that each key has one reason: shape, kty,
// intended use, curve, alg, then the key material.
func parseKey(el jwkElement) (key *Key, kid string, err error) {
	obj, ok := el.value.(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("%w: not a JSON object", ErrInvalidKey)
	}
	if kid, _, err = jwkString(obj, "kid"); err != nil {
		return nil, "", err
	}
	if el.duplicate {
		return nil, kid, fmt.Errorf("%w: duplicate member name", ErrInvalidKey)
	}
	kty, present, err := jwkString(obj, "kty")
	switch {
	case err != nil:
		return nil, kid, err
	case !present:
		return nil, kid, fmt.Errorf("%w: missing member \"kty\"", ErrInvalidKey)
	case kty != "RSA" && kty != "EC" && kty != "OKP":
		return nil, kid, fmt.Errorf("%w: kty %s", ErrUnsupportedKeyType, jwkQuote(kty))
	}
	if err := parseKeyUse(obj); err != nil {
		return nil, kid, err
	}
	crv, err := parseCurve(obj, kty)
	if err != nil {
		return nil, kid, err
	}
	alg, present, err := jwkString(obj, "alg")
	switch {
	case err != nil:
		return nil, kid, err
	case present && !keyKnownAlgorithm(alg):
		return nil, kid, fmt.Errorf("%w: alg %s is not an asymmetric JWS algorithm", ErrAlgorithmMismatch, jwkQuote(alg))
	case present && !keyTypeFits(kty, crv, alg):
		return nil, kid, fmt.Errorf("%w: alg %s does not fit kty %q crv %q", ErrAlgorithmMismatch, jwkQuote(alg), kty, crv)
	}
	key = &Key{ID: kid, Type: kty, Curve: crv, Algorithm: alg}
	switch kty {
	case "RSA":
		key.Public, err = keyRSAPublic(obj)
	case "EC":
		key.Public, err = keyECPublic(obj, crv)
	default:
		key.Public, err = keyEd25519Public(obj)
	}
	if err != nil {
		return nil, kid, err
	}
	return key, kid, nil
}

// parseKeyUse accepts a key meant for verification: "use" absent or "sig"
// (RFC 7517 §4.2), "key_ops" absent or listing "verify" (§4.3).
func parseKeyUse(obj map[string]any) error {
	use, present, err := jwkString(obj, "use")
	if err != nil {
		return err
	}
	if present && use != "sig" {
		return fmt.Errorf("%w: use %s", ErrKeyUse, jwkQuote(use))
	}
	v, present := obj["key_ops"]
	if !present {
		return nil
	}
	ops, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%w: member \"key_ops\" is not an array", ErrInvalidKey)
	}
	seen := make(map[string]bool, len(ops))
	for _, op := range ops {
		s, ok := op.(string)
		if !ok {
			return fmt.Errorf("%w: member \"key_ops\" holds a non-string", ErrInvalidKey)
		}
		if seen[s] {
			return fmt.Errorf("%w: member \"key_ops\" repeats %s", ErrInvalidKey, jwkQuote(s))
		}
		seen[s] = true
	}
	if !seen["verify"] {
		return fmt.Errorf("%w: key_ops lacks \"verify\"", ErrKeyUse)
	}
	return nil
}

// parseCurve returns "crv" for EC and OKP keys ("" for RSA, whose "crv" is
// ignored like any member that does not belong to its type).
func parseCurve(obj map[string]any, kty string) (string, error) {
	if kty == "RSA" {
		return "", nil
	}
	crv, present, err := jwkString(obj, "crv")
	switch {
	case err != nil:
		return "", err
	case !present:
		return "", fmt.Errorf("%w: missing member \"crv\"", ErrInvalidKey)
	case kty == "EC" && (crv == "P-256" || crv == "P-384" || crv == "P-521"):
		return crv, nil
	case kty == "OKP" && crv == "Ed25519":
		return crv, nil
	}
	return "", fmt.Errorf("%w: %s curve %s", ErrUnsupportedKeyType, kty, jwkQuote(crv))
}
