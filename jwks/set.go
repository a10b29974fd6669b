package jwks

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// Set is a parsed JWK Set. It is immutable after Parse and safe to share.
type Set struct {
	id      uint64
	keys    []*Key
	skipped []SkippedKey
}

// lastSetID numbers the sets Parse returns, across the process.
var lastSetID atomic.Uint64

// ID tells this set apart from every other set Parse returned in this
// process, even one parsed from the same document: a cache of tokens
// verified with a set compares IDs rather than holding the set itself.
// It is 0 for a nil Set.
func (s *Set) ID() uint64 {
	if s == nil {
		return 0
	}
	return s.id
}

// Keys returns the usable keys in document order. The slice is a copy; the
// keys are shared and must not be modified.
func (s *Set) Keys() []*Key {
	if s == nil {
		return nil
	}
	return slices.Clone(s.keys)
}

// Skipped returns the keys Parse left out and why, in document order.
func (s *Set) Skipped() []SkippedKey {
	if s == nil {
		return nil
	}
	return slices.Clone(s.skipped)
}

// Len is the number of usable keys.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.keys)
}

// Select picks the one key for a token header with algorithm alg and, when
// hasKid, key ID kid:
//
//   - with a kid: ErrKeyNotFound when no key has that kid; ErrKeyMismatch
//     when keys have it but none Fits alg; the key when exactly one has it
//     and Fits.
//   - without a kid: the key when exactly one key in the set Fits alg;
//     ErrKeyNotFound when none does.
//   - ErrAmbiguousKey whenever several keys qualify.
//
// A key without "kid" has ID "", so only a token whose header carries
// "kid":"" names it; without a kid in the token any key may qualify.
//
// It never returns several candidates: callers must not try keys one by one,
// which would let a token pick its verifier. The returned key is shared and
// must not be modified.
//
// Duplicate "kid" values are kept rather than rejecting the set: RFC 7517
// §4.5 allows them for keys of different types (an RSA and an EC key may
// share a kid), and kid+alg then still names one key. Wycheproof's
// DuplicateKid vector expects no key to be chosen when two equally usable
// keys share a kid; here that is ErrAmbiguousKey for those tokens only,
// while tokens naming other kids keep working.
func (s *Set) Select(kid string, hasKid bool, alg string) (*Key, error) {
	if s == nil {
		return nil, ErrKeyNotFound
	}
	var (
		found      *Key
		named, fit int
	)
	for _, k := range s.keys {
		if hasKid && k.ID != kid {
			continue
		}
		named++
		if k.Fits(alg) {
			fit++
			found = k
		}
	}
	switch {
	case fit == 1:
		return found, nil
	case fit > 1:
		return nil, fmt.Errorf("%w: %d keys", ErrAmbiguousKey, fit)
	case hasKid && named > 0:
		return nil, ErrKeyMismatch
	}
	return nil, ErrKeyNotFound
}
