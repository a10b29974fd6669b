package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strings"
	"sync"
	"testing"
)

// testKeyring holds keys generated once per test binary: RSA generation is
// slow and every test table needs the same few keys.
type testKeyring struct {
	rsa1024, rsa2048, rsa3072 *rsa.PrivateKey
	p256, p384, p521          *ecdsa.PrivateKey
	ed25519                   ed25519.PrivateKey
}

var (
	testKeysOnce sync.Once
	testKeysVal  *testKeyring
	testKeysErr  error
)

func testKeys(tb testing.TB) *testKeyring {
	tb.Helper()
	testKeysOnce.Do(func() {
		k := &testKeyring{}
		var errs []error
		rsaKey := func(bits int) *rsa.PrivateKey {
			key, err := rsa.GenerateKey(rand.Reader, bits)
			errs = append(errs, err)
			return key
		}
		ecKey := func(c elliptic.Curve) *ecdsa.PrivateKey {
			key, err := ecdsa.GenerateKey(c, rand.Reader)
			errs = append(errs, err)
			return key
		}
		k.rsa1024, k.rsa2048, k.rsa3072 = rsaKey(1024), rsaKey(2048), rsaKey(3072)
		k.p256, k.p384, k.p521 = ecKey(elliptic.P256()), ecKey(elliptic.P384()), ecKey(elliptic.P521())
		var err error
		_, k.ed25519, err = ed25519.GenerateKey(rand.Reader)
		errs = append(errs, err)
		testKeysVal, testKeysErr = k, errors.Join(errs...)
	})
	if testKeysErr != nil {
		tb.Fatalf("generating test keys: %v", testKeysErr)
	}
	return testKeysVal
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk is a JWK under construction; tests marshal it with encoding/json.
type jwk map[string]any

// absent, as a value in jwk.with, removes the member.
const absent = "\x00absent"

// with returns a copy of k with members replaced (name, value pairs).
func (k jwk) with(kv ...any) jwk {
	c := make(jwk, len(k)+len(kv)/2)
	for name, v := range k {
		c[name] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		if kv[i+1] == absent {
			delete(c, name)
			continue
		}
		c[name] = kv[i+1]
	}
	return c
}

func rsaJWK(pub *rsa.PublicKey, kid string) jwk {
	return jwk{"kty": "RSA", "kid": kid, "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
}

func ecJWK(pub *ecdsa.PublicKey, kid string) jwk {
	size := (pub.Curve.Params().BitSize + 7) / 8
	return jwk{
		"kty": "EC", "kid": kid, "crv": pub.Curve.Params().Name,
		"x": b64(pub.X.FillBytes(make([]byte, size))),
		"y": b64(pub.Y.FillBytes(make([]byte, size))),
	}
}

func edJWK(pub ed25519.PublicKey, kid string) jwk {
	return jwk{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(pub)}
}

// setJSON builds {"keys":[...]}; an element may be a jwk, any JSON value or
// a json.RawMessage for shapes encoding/json cannot produce.
func setJSON(tb testing.TB, keys ...any) []byte {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		tb.Fatalf("marshal set: %v", err)
	}
	return b
}

// signJWS makes a compact JWS over payload "e30" ({}) with the given key.
func signJWS(tb testing.TB, priv crypto.Signer, alg, kid string) string {
	tb.Helper()
	header := fmt.Sprintf(`{"alg":%q,"kid":%q}`, alg, kid)
	input := b64([]byte(header)) + ".e30"
	var (
		sig []byte
		err error
	)
	switch alg[:2] {
	case "RS":
		h := jwsHash(alg)
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), h.hash, h.sum(input))
	case "PS":
		h := jwsHash(alg)
		sig, err = rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), h.hash, h.sum(input), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		h := jwsHash(alg)
		key := priv.(*ecdsa.PrivateKey)
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, key, h.sum(input)); err == nil {
			size := (key.Curve.Params().BitSize + 7) / 8
			sig = append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		}
	default:
		sig = ed25519.Sign(priv.(ed25519.PrivateKey), []byte(input))
	}
	if err != nil {
		tb.Fatalf("sign %s: %v", alg, err)
	}
	return input + "." + b64(sig)
}

type jwsDigest struct {
	hash crypto.Hash
	new  func() hash.Hash
}

func (d jwsDigest) sum(input string) []byte {
	h := d.new()
	h.Write([]byte(input))
	return h.Sum(nil)
}

func jwsHash(alg string) jwsDigest {
	switch alg[2:] {
	case "384":
		return jwsDigest{crypto.SHA384, sha512.New384}
	case "512":
		return jwsDigest{crypto.SHA512, sha512.New}
	}
	return jwsDigest{crypto.SHA256, sha256.New}
}

// verifyJWS checks a compact JWS with key using only the standard library,
// to show that what Parse builds is the key the issuer signed with.
func verifyJWS(key *Key, jws string) error {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return errors.New("not a compact JWS")
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return err
	}
	var header struct{ Alg string }
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	input := parts[0] + "." + parts[1]
	alg := header.Alg
	switch {
	case strings.HasPrefix(alg, "RS"):
		h := jwsHash(alg)
		return rsa.VerifyPKCS1v15(key.Public.(*rsa.PublicKey), h.hash, h.sum(input), sig)
	case strings.HasPrefix(alg, "PS"):
		h := jwsHash(alg)
		return rsa.VerifyPSS(key.Public.(*rsa.PublicKey), h.hash, h.sum(input), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(alg, "ES"):
		pub := key.Public.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return errors.New("bad ECDSA signature length")
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, jwsHash(alg).sum(input), r, s) {
			return errors.New("ECDSA verification failed")
		}
		return nil
	case alg == "EdDSA":
		if !ed25519.Verify(key.Public.(ed25519.PublicKey), []byte(input), sig) {
			return errors.New("Ed25519 verification failed")
		}
		return nil
	}
	return fmt.Errorf("unsupported alg %q", alg)
}
