package scenario

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// Issuer is a test authorization server: signing keys, its JWK Set, tokens.
type Issuer struct {
	URL  string
	keys map[string]signingKey
}

type signingKey struct {
	alg     string
	private crypto.Signer
}

// NewIssuer creates an issuer with keys "rsa-1", "rsa-2" (RS256), "ec-1"
// (ES256) and "ed-1" (EdDSA).
func NewIssuer(url string) (*Issuer, error) {
	is := &Issuer{URL: url, keys: map[string]signingKey{}}
	for _, kid := range []string{"rsa-1", "rsa-2"} {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		is.keys[kid] = signingKey{alg: "RS256", private: k}
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	is.keys["ec-1"] = signingKey{alg: "ES256", private: ec}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	is.keys["ed-1"] = signingKey{alg: "EdDSA", private: ed}
	return is, nil
}

// JWKS renders the public JWK Set holding the named keys.
func (is *Issuer) JWKS(kids ...string) []byte {
	keys := make([]map[string]string, 0, len(kids))
	for _, kid := range kids {
		k, ok := is.keys[kid]
		if !ok {
			panic("scenario: unknown kid " + kid)
		}
		keys = append(keys, publicJWK(kid, k))
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

func publicJWK(kid string, k signingKey) map[string]string {
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := map[string]string{"kid": kid, "use": "sig", "alg": k.alg}
	switch pub := k.private.Public().(type) {
	case *rsa.PublicKey:
		jwk["kty"] = "RSA"
		jwk["n"] = b64(pub.N.Bytes())
		jwk["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		jwk["kty"], jwk["crv"] = "EC", "P-256"
		x, y := make([]byte, 32), make([]byte, 32)
		pub.X.FillBytes(x)
		pub.Y.FillBytes(y)
		jwk["x"], jwk["y"] = b64(x), b64(y)
	case ed25519.PublicKey:
		jwk["kty"], jwk["crv"] = "OKP", "Ed25519"
		jwk["x"] = b64(pub)
	}
	return jwk
}

// Claims are the token claims a scenario sets; zero fields are defaulted by
// Mint: iss = issuer, aud = audience given, exp = now+1h, iat = now.
type Claims map[string]any

// Mint signs a token with the key kid. header entries override the JOSE
// header ("kid" is set unless header sets it to nil).
func (is *Issuer) Mint(kid string, claims Claims, header map[string]any) string {
	k, ok := is.keys[kid]
	if !ok {
		panic("scenario: unknown kid " + kid)
	}
	method := gojwt.GetSigningMethod(k.alg)
	tok := gojwt.NewWithClaims(method, gojwt.MapClaims(claims))
	tok.Header["kid"] = kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
			continue
		}
		tok.Header[name] = v
	}
	s, err := tok.SignedString(k.private)
	if err != nil {
		panic(fmt.Sprintf("scenario: signing with %s: %v", kid, err))
	}
	return s
}

// Standard returns claims for a valid access token at now.
func (is *Issuer) Standard(now time.Time, audience, scope string) Claims {
	return Claims{
		"iss":       is.URL,
		"sub":       "user-123",
		"client_id": "client-abc",
		"aud":       audience,
		"iat":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"jti":       "jti-1",
		"scope":     scope,
	}
}
