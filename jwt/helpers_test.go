package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "https://issuer.example"
	testAudience = "https://mcp.example/mcp"
)

// testNow is the fixed clock every test validates at.
var testNow = time.Unix(1_700_000_000, 0).UTC()

// testKeys are generated once per test binary: RSA key generation is slow.
type testKeys struct {
	rsa, rsa2 *rsa.PrivateKey
	p256      *ecdsa.PrivateKey
	p384      *ecdsa.PrivateKey
	p521      *ecdsa.PrivateKey
	ed        ed25519.PrivateKey
}

var (
	keysOnce sync.Once
	keys     testKeys
)

func fixtureKeys(tb testing.TB) testKeys {
	tb.Helper()
	keysOnce.Do(func() {
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err) // test fixture only
		}
		keys = testKeys{
			rsa: mustRSA(), rsa2: mustRSA(),
			p256: mustEC(elliptic.P256()), p384: mustEC(elliptic.P384()), p521: mustEC(elliptic.P521()),
			ed: ed,
		}
	})
	return keys
}

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// privateFor returns the fixture's signing key for alg.
func (k testKeys) privateFor(alg string) crypto.Signer {
	switch alg[:2] {
	case "RS", "PS":
		return k.rsa
	case "Ed":
		return k.ed
	}
	switch alg {
	case "ES256":
		return k.p256
	case "ES384":
		return k.p384
	default:
		return k.p521
	}
}

func (k testKeys) publicFor(alg string) crypto.PublicKey { return k.privateFor(alg).Public() }

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signRaw builds a compact JWS from raw header and payload JSON text,
// signing with golang-jwt's method for alg.
func signRaw(tb testing.TB, alg string, priv any, header, payload string) string {
	tb.Helper()
	input := b64(header) + "." + b64(payload)
	sig, err := gojwt.GetSigningMethod(alg).Sign(input, priv)
	if err != nil {
		tb.Fatalf("sign %s: %v", alg, err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// claimSet is a payload under construction; values marshal with
// encoding/json, json.RawMessage values are emitted verbatim.
type claimSet map[string]any

func defaultClaims() claimSet {
	return claimSet{
		"iss":       testIssuer,
		"aud":       testAudience,
		"sub":       "user-1",
		"client_id": "client-1",
		"jti":       "jti-1",
		"iat":       testNow.Unix() - 10,
		"nbf":       testNow.Unix() - 10,
		"exp":       testNow.Unix() + 3600,
		"scope":     "read write",
	}
}

// with returns a copy with name set to v (a nil v removes name).
func (c claimSet) with(name string, v any) claimSet {
	out := claimSet{}
	for k, val := range c {
		out[k] = val
	}
	if v == nil {
		delete(out, name)
	} else {
		out[name] = v
	}
	return out
}

func (c claimSet) json(tb testing.TB) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any(c))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func headerJSON(alg string) string { return `{"alg":"` + alg + `","kid":"k1","typ":"JWT"}` }

// sign signs claims under the default header with the fixture key for alg.
func sign(tb testing.TB, alg string, claims claimSet) string {
	tb.Helper()
	return signRaw(tb, alg, fixtureKeys(tb).privateFor(alg), headerJSON(alg), claims.json(tb))
}

func newTestValidator(tb testing.TB, opts ...Option) *Validator {
	tb.Helper()
	base := []Option{WithIssuer(testIssuer), WithAudiences(testAudience)}
	v, err := NewValidator(append(base, opts...)...)
	if err != nil {
		tb.Fatalf("NewValidator: %v", err)
	}
	return v
}

// parseAndValidate runs the whole path a request takes.
func parseAndValidate(v *Validator, token string, key crypto.PublicKey) (*Claims, error) {
	t, err := Parse(token)
	if err != nil {
		return nil, err
	}
	return v.Validate(t, key, testNow)
}

func numberClaim(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
