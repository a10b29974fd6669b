package jwks

import (
	"errors"
	"fmt"
)

// Errors of a whole JWK Set: Parse returns them and no Set.
var (
	ErrTooLarge     = errors.New("jwks: JWK Set too large")
	ErrMalformedSet = errors.New("jwks: malformed JWK Set")
	ErrNoUsableKey  = errors.New("jwks: no usable key in JWK Set")
	// ErrPrivateKeyMaterial rejects the whole set, not just the key (see Parse).
	ErrPrivateKeyMaterial = errors.New("jwks: JWK Set contains private or secret key material")
)

// Reasons a single key is skipped (SkippedKey.Reason wraps one of them).
var (
	ErrUnsupportedKeyType = errors.New("jwks: unsupported key type")
	ErrKeyUse             = errors.New("jwks: key is not meant for signature verification")
	ErrWeakKey            = errors.New("jwks: weak key")
	ErrInvalidKey         = errors.New("jwks: invalid key")
	ErrAlgorithmMismatch  = errors.New("jwks: key algorithm mismatch")
)

// Errors of Set.Select.
var (
	ErrKeyNotFound  = errors.New("jwks: no key for the token")
	ErrKeyMismatch  = errors.New("jwks: key does not fit the token algorithm")
	ErrAmbiguousKey = errors.New("jwks: several keys fit the token")
)

// SkippedKey says why one member of the "keys" array was not kept, for one
// log line per key. Reason never contains key material; ID is the key's "kid"
// as published (quote it when logging: it is arbitrary text).
type SkippedKey struct {
	Index  int    // position in the "keys" array
	ID     string // "kid", "" when absent or not a string
	Reason error  // wraps one of the per-key sentinel errors
}

// NoUsableKeyError is the error Parse returns when the set parsed but every
// key was skipped (or there were none). errors.Is(err, ErrNoUsableKey) holds;
// use errors.As to log why each key was skipped.
type NoUsableKeyError struct {
	Skipped []SkippedKey
}

func (e *NoUsableKeyError) Error() string {
	if len(e.Skipped) == 0 {
		return ErrNoUsableKey.Error() + ": the \"keys\" array is empty"
	}
	if len(e.Skipped) == 1 {
		return ErrNoUsableKey.Error() + ": its only key was skipped"
	}
	return fmt.Sprintf("%s: all %d keys skipped", ErrNoUsableKey.Error(), len(e.Skipped))
}

func (e *NoUsableKeyError) Unwrap() error { return ErrNoUsableKey }
