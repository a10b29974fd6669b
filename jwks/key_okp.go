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

// Curve constants of edwards25519 (RFC 8032 §5.1), as decimal and hex text
// so that no package-level big.Int (mutable) is needed.
const (
	keyEd25519D = "37095705934669439343138083508754565189542113879843219016388785533085940283555" // −121665/121666 mod p
	// keyEd25519Order8Y is c where the four points of order 8 have y = c or
	// y = p − c.
	keyEd25519Order8Y = "5fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826"
)

// keyEd25519CheckPoint rejects encodings that crypto/ed25519 would take or
// fail on later: y not below p (non-canonical), y with no point on the
// curve, x = 0 with the sign bit set (RFC 8032 §5.1.3), and the eight points
// of small order. A small-order key, such as the identity, lets anyone
// forge signatures that cofactorless verification accepts. crypto/ed25519
// has no point API; this needs one Jacobi symbol, no square root.
func keyEd25519CheckPoint(enc []byte) error {
	p := new(big.Int).Lsh(big.NewInt(1), 255)
	p.Sub(p, big.NewInt(19))
	le := make([]byte, len(enc)) // big-endian copy; the top bit is the sign of x
	for i, b := range enc {
		le[len(enc)-1-i] = b
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	if y.Cmp(p) >= 0 {
		return fmt.Errorf("%w: Ed25519 point is not canonically encoded", ErrInvalidKey)
	}

	// A point exists iff x² = u/v is a square mod p, with u = y² − 1 and
	// v = d·y² + 1 (never 0: d is not a square); u/v is a square iff u·v is.
	d, _ := new(big.Int).SetString(keyEd25519D, 10)
	y2 := new(big.Int).Mul(y, y)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, p)
	v := new(big.Int).Mul(d, y2)
	v.Add(v, big.NewInt(1))
	if u.Sign() == 0 { // x = 0: the identity (y = 1) or the point of order 2 (y = −1)
		if sign == 1 {
			return fmt.Errorf("%w: Ed25519 point is not canonically encoded", ErrInvalidKey)
		}
		return fmt.Errorf("%w: Ed25519 point has small order", ErrWeakKey)
	}
	uv := new(big.Int).Mul(u, v)
	if big.Jacobi(uv.Mod(uv, p), p) != 1 {
		return fmt.Errorf("%w: Ed25519 point is not on the curve", ErrInvalidKey)
	}

	// The other small-order points: order 4 has y = 0, order 8 has y = ±c.
	c, _ := new(big.Int).SetString(keyEd25519Order8Y, 16)
	if y.Sign() == 0 || y.Cmp(c) == 0 || y.Cmp(c.Sub(p, c)) == 0 {
		return fmt.Errorf("%w: Ed25519 point has small order", ErrWeakKey)
	}
	return nil
}
