package jwks

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"math/big"
)

// keyECPublic builds the public key from "x" and "y" (RFC 7518 §6.2.1) on a
// curve already checked by the caller.
func keyECPublic(obj map[string]any, crv string) (*ecdsa.PublicKey, error) {
	var (
		curve   elliptic.Curve
		checker ecdh.Curve
	)
	switch crv {
	case "P-256":
		curve, checker = elliptic.P256(), ecdh.P256()
	case "P-384":
		curve, checker = elliptic.P384(), ecdh.P384()
	case "P-521":
		curve, checker = elliptic.P521(), ecdh.P521()
	default:
		return nil, fmt.Errorf("%w: curve %s", ErrUnsupportedKeyType, jwkQuote(crv))
	}
	size := (curve.Params().BitSize + 7) / 8
	// Coordinates are fixed-length octet strings, leading zeros included
	// (RFC 7518 §6.2.1.2-3): any other length is a malformed key.
	point := make([]byte, 1, 1+2*size)
	point[0] = 4 // SEC 1 uncompressed point
	for _, name := range []string{"x", "y"} {
		c, err := jwkBytes(obj, name, size)
		if err != nil {
			return nil, err
		}
		if len(c) != size {
			return nil, fmt.Errorf("%w: coordinate %q has %d octets, %s needs %d", ErrInvalidKey, name, len(c), crv, size)
		}
		point = append(point, c...)
	}
	// crypto/ecdh rejects coordinates outside the field, points off the
	// curve and the point at infinity; elliptic.IsOnCurve is deprecated.
	if _, err := checker.NewPublicKey(point); err != nil {
		return nil, fmt.Errorf("%w: point is not on curve %s", ErrInvalidKey, crv)
	}
	return &ecdsa.PublicKey{
		Curve: curve,
		X:     new(big.Int).SetBytes(point[1 : 1+size]),
		Y:     new(big.Int).SetBytes(point[1+size:]),
	}, nil
}
