package jwks

import (
	"crypto/ed25519"
	"fmt"
	"math/big"
)

// keyEd25519Public builds the public key from "x" (RFC 8037 §2).
func keyEd25519Public(obj map[string]any) (ed25519.PublicKey, error) {
	x, err := jwkBytes(obj, "x", ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: Ed25519 key has %d octets, needs %d", ErrInvalidKey, len(x), ed25519.PublicKeySize)
	}
	if err := keyEd25519CheckPoint(x); err != nil {
		return nil, err
	}
	return ed25519.PublicKey(x), nil
}

// keyEd25519CheckPoint decodes the point as RFC 8032 §5.1.3 does and rejects
// what crypto/ed25519 would silently accept or fail on later: a
// non-canonical y, a y with no matching x, and points of small order. A
// small-order key (such as the identity) lets anyone forge signatures that
// cofactorless verification accepts. crypto/ed25519 exposes no point API,
// so this uses math/big; it runs once per key, never per request.
func keyEd25519CheckPoint(enc []byte) error {
	p := new(big.Int).Lsh(big.NewInt(1), 255)
	p.Sub(p, big.NewInt(19))
	mod := func(z *big.Int) *big.Int { return z.Mod(z, p) }
	mul := func(a, b *big.Int) *big.Int { return mod(new(big.Int).Mul(a, b)) }
	inv := func(a *big.Int) *big.Int { return new(big.Int).ModInverse(a, p) }

	le := make([]byte, len(enc)) // little-endian y, top bit is the sign of x
	for i, b := range enc {
		le[len(enc)-1-i] = b
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	if y.Cmp(p) >= 0 {
		return fmt.Errorf("%w: Ed25519 point is not canonically encoded", ErrInvalidKey)
	}

	// x² = (y² − 1) / (d·y² + 1), with d = −121665/121666.
	d := mul(big.NewInt(-121665), inv(big.NewInt(121666)))
	one := big.NewInt(1)
	y2 := mul(y, y)
	u := mod(new(big.Int).Sub(y2, one))
	v := mod(new(big.Int).Add(mul(d, y2), one))
	vInv := inv(v)
	if vInv == nil { // cannot happen: d is not a square
		return fmt.Errorf("%w: Ed25519 point is not on the curve", ErrInvalidKey)
	}
	x2 := mul(u, vInv)
	x := new(big.Int)
	if x2.Sign() == 0 {
		if sign == 1 {
			return fmt.Errorf("%w: Ed25519 point is not canonically encoded", ErrInvalidKey)
		}
	} else {
		if x.ModSqrt(x2, p) == nil {
			return fmt.Errorf("%w: Ed25519 point is not on the curve", ErrInvalidKey)
		}
		if x.Bit(0) != uint(sign) {
			x.Sub(p, x)
		}
	}

	// The group has order 8·ℓ: P has small order iff [8]P is the identity.
	// Doubling with the complete twisted Edwards formulas (a = −1):
	// x' = 2xy / (1 + d·x²·y²), y' = (y² + x²) / (1 − d·x²·y²).
	for range 3 {
		xx, yy := mul(x, x), mul(y, y)
		t := mul(d, mul(xx, yy))
		den1 := inv(mod(new(big.Int).Add(one, t)))
		den2 := inv(mod(new(big.Int).Sub(one, t)))
		if den1 == nil || den2 == nil { // cannot happen: the formulas are complete
			return fmt.Errorf("%w: Ed25519 point is not on the curve", ErrInvalidKey)
		}
		x = mul(mul(big.NewInt(2), mul(x, y)), den1)
		y = mul(mod(new(big.Int).Add(yy, xx)), den2)
	}
	if x.Sign() == 0 {
		return fmt.Errorf("%w: Ed25519 point has small order", ErrWeakKey)
	}
	return nil
}
