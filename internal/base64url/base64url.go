// Package base64url is the unpadded base64url of JWS and JWK (RFC 7515 §2,
// RFC 4648 §5), accepted only in its canonical form, so that one value has
// one spelling: every character in the alphabet and unused trailing bits
// zero. The jwt package decodes token segments with it and the jwks
// package key members.
package base64url

import (
	"encoding/base64"
	"errors"
	"unsafe"
)

// Errors of Decode; callers wrap them in their own.
var (
	ErrAlphabet     = errors.New("character outside the base64url alphabet")
	ErrNotCanonical = errors.New("not canonical unpadded base64url")
)

// strict rejects non-zero trailing bits, which would otherwise let many
// strings decode to the same bytes.
var strict = base64.RawURLEncoding.Strict()

// DecodedLen is the most bytes an encoding of n characters decodes to.
func DecodedLen(n int) int { return strict.DecodedLen(n) }

// EncodedLen is the length of the encoding of n bytes.
func EncodedLen(n int) int { return strict.EncodedLen(n) }

// InAlphabet reports whether every byte of s is a base64url character.
func InAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if !Char[s[i]] {
			return false
		}
	}
	return true
}

// Char marks the base64url alphabet.
var Char = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// Decode decodes src into dst, which must have room for
// DecodedLen(len(src)) bytes, and returns how many it wrote.
//
// Go's strict decoder refuses every byte outside the alphabet but CR and
// LF, which it skips. A skipped byte always shows in the length: over the
// lengths an unpadded encoding can have (not 1 mod 4) the decoded length
// grows strictly, so an input of such a length that decodes to exactly
// DecodedLen(len(src)) bytes held only alphabet characters, and the
// decoder is the only pass over it. Only a refused input is scanned again,
// to tell ErrAlphabet from ErrNotCanonical.
func Decode(dst []byte, src string) (int, error) {
	// Decode only reads src: viewing its bytes in place saves a copy.
	n, err := strict.Decode(dst, unsafe.Slice(unsafe.StringData(src), len(src)))
	if err != nil || len(src)%4 == 1 || n != strict.DecodedLen(len(src)) {
		if !InAlphabet(src) {
			return 0, ErrAlphabet
		}
		return 0, ErrNotCanonical // err quotes an offset; the sentinel is enough
	}
	return n, nil
}

// DecodeString is Decode into a new slice.
func DecodeString(s string) ([]byte, error) {
	b := make([]byte, DecodedLen(len(s)))
	n, err := Decode(b, s)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}
