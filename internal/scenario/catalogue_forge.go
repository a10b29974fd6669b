package scenario

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
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
)

// The catalogue builds its tokens by hand rather than through golang-jwt:
// an attack needs header bytes, payload bytes, segment encodings and
// signatures the library would never produce.

// b64 is the JWS segment encoding (RFC 7515 §2): unpadded base64url.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// mustJSON marshals test data; it fails only on programming errors.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("scenario: marshalling catalogue data: " + err.Error())
	}
	return b
}

// compact assembles a compact JWS from raw header and payload bytes,
// signing the exact signing input with key under alg.
func compact(alg string, key any, header, payload []byte) string {
	input := b64(header) + "." + b64(payload)
	return input + "." + b64(signJWS(alg, key, input))
}

// signJWS computes a JWS signature (RFC 7518 §3) over input. ECDSA
// signatures are r||s of fixed length (§3.4), PSS uses a salt as long as the
// hash (§3.5); alg need not fit key, so mismatches can be forged.
func signJWS(alg string, key any, input string) []byte {
	h, hashID := jwsHash(alg)
	if strings.HasPrefix(alg, "HS") {
		secret, ok := key.([]byte)
		if !ok {
			panic("scenario: HMAC needs a []byte secret")
		}
		m := hmac.New(func() hash.Hash { return newHash(hashID) }, secret)
		m.Write([]byte(input))
		return m.Sum(nil)
	}
	digest := h(input)
	var (
		sig []byte
		err error
	)
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, hashID, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, hashID, digest)
		}
	case *ecdsa.PrivateKey:
		sig, err = p1363(k, digest)
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	default:
		err = fmt.Errorf("unsupported key %T", key)
	}
	if err != nil {
		panic("scenario: signing catalogue token: " + err.Error())
	}
	return sig
}

// p1363 signs digest and encodes (r, s) as JWS wants them: two big-endian
// integers of the curve's size, concatenated.
func p1363(k *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := ecdsa.Sign(rand.Reader, k, digest)
	if err != nil {
		return nil, err
	}
	size := (k.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out, nil
}

func jwsHash(alg string) (func(string) []byte, crypto.Hash) {
	id := crypto.SHA256
	switch {
	case strings.HasSuffix(alg, "384"):
		id = crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		id = crypto.SHA512
	}
	return func(s string) []byte {
		h := newHash(id)
		h.Write([]byte(s))
		return h.Sum(nil)
	}, id
}

func newHash(id crypto.Hash) hash.Hash {
	switch id {
	case crypto.SHA384:
		return sha512.New384()
	case crypto.SHA512:
		return sha512.New()
	}
	return sha256.New()
}

// segments splits a compact token into its three parts.
func segments(tok string) (header, payload, sig string) {
	parts := strings.SplitN(tok, ".", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}

// withSignature replaces the signature of tok by sig.
func withSignature(tok string, sig []byte) string {
	h, p, _ := segments(tok)
	return h + "." + p + "." + b64(sig)
}

// signatureOf decodes tok's signature.
func signatureOf(tok string) []byte {
	_, _, s := segments(tok)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		panic("scenario: catalogue token with undecodable signature")
	}
	return b
}

// draft is a token before signing: a valid access token for the resource,
// which a row edits into the attack it names.
type draft struct {
	alg    string         // signing algorithm; also the header's alg unless edited
	key    any            // signing key
	header map[string]any // JOSE header
	claims Claims
}

// draft starts a valid token signed by the issuer's key kid.
func (e *Env) draft(kid string) *draft {
	k, ok := e.Issuer.keys[kid]
	if !ok {
		panic("scenario: unknown kid " + kid)
	}
	return &draft{
		alg:    k.alg,
		key:    k.private,
		header: map[string]any{"alg": k.alg, "typ": "JWT", "kid": kid},
		claims: e.Issuer.Standard(e.D.Now(), Resource, mcpScope),
	}
}

// signed returns the compact token for d.
func (d *draft) signed() string {
	return compact(d.alg, d.key, mustJSON(d.header), mustJSON(d.claims))
}

// with sets header (h) or claim (c) members; a nil value removes one.
func (d *draft) with(part string, kv ...any) *draft {
	m := map[string]any(d.claims)
	if part == "h" {
		m = d.header
	}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		if kv[i+1] == nil {
			delete(m, name)
			continue
		}
		m[name] = kv[i+1]
	}
	return d
}

// rawJSON is a JSON value written verbatim, e.g. null or a quoted number.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// tokenWith is the issuer's valid token for kid with claim edits.
func (e *Env) tokenWith(kid string, claimEdits ...any) string {
	return e.draft(kid).with("c", claimEdits...).signed()
}

// headerWith is the issuer's valid token for kid with header edits.
func (e *Env) headerWith(kid string, headerEdits ...any) string {
	return e.draft(kid).with("h", headerEdits...).signed()
}

// rawToken signs literal header and payload JSON texts with the issuer's key kid.
func (e *Env) rawToken(kid, header, payload string) string {
	k := e.Issuer.keys[kid]
	return compact(k.alg, k.private, []byte(header), []byte(payload))
}

// standardPayload is the JSON text of a valid token's claims, members in
// a fixed order so rows can edit it textually.
func (e *Env) standardPayload() string {
	return string(mustJSON(e.Issuer.Standard(e.D.Now(), Resource, mcpScope)))
}

// attackKeys are keys the catalogue needs beyond the issuer's: a P-384 key,
// an RSA key without a pinned alg (PS* and RS* both fit it), and the weak
// keys a malicious JWKS would publish.
type attackKeys struct {
	p384    *ecdsa.PrivateKey
	rsaFree *rsa.PrivateKey // published without "alg"
	rsa1024 *rsa.PrivateKey
	rsaE3   *rsa.PrivateKey
}

func newAttackKeys() (*attackKeys, error) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	free, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		return nil, err
	}
	e3, err := rsaWithExponent3(2048)
	if err != nil {
		return nil, err
	}
	return &attackKeys{p384: p384, rsaFree: free, rsa1024: weak, rsaE3: e3}, nil
}

// rsaWithExponent3 builds an RSA key with e = 3, which crypto/rsa will not
// generate: such keys made Bleichenbacher's 2006 PKCS#1 v1.5 forgery work
// against lax verifiers.
func rsaWithExponent3(bits int) (*rsa.PrivateKey, error) {
	e, one := big.NewInt(3), big.NewInt(1)
	prime := func(not *big.Int) (*big.Int, error) {
		for {
			p, err := rand.Prime(rand.Reader, bits/2)
			if err != nil {
				return nil, err
			}
			if (not == nil || p.Cmp(not) != 0) && new(big.Int).Mod(new(big.Int).Sub(p, one), e).Sign() != 0 {
				return p, nil
			}
		}
	}
	p, err := prime(nil)
	if err != nil {
		return nil, err
	}
	q, err := prime(p)
	if err != nil {
		return nil, err
	}
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 3},
		D:         new(big.Int).ModInverse(e, phi),
		Primes:    []*big.Int{p, q},
	}
	k.Precompute()
	if err := k.Validate(); err != nil {
		return nil, errors.Join(errors.New("scenario: e=3 key"), err)
	}
	return k, nil
}

// jwk renders a public key as a JWK with extra members (nil removes one).
func jwk(kid string, pub crypto.PublicKey, extra ...any) map[string]any {
	m := map[string]any{"kid": kid, "use": "sig"}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", b64(k.N.Bytes()), b64(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		x, y := make([]byte, size), make([]byte, size)
		k.X.FillBytes(x)
		k.Y.FillBytes(y)
		m["kty"], m["crv"], m["x"], m["y"] = "EC", k.Curve.Params().Name, b64(x), b64(y)
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", b64(k)
	default:
		panic(fmt.Sprintf("scenario: no JWK form for %T", pub))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(m, extra[i].(string))
			continue
		}
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

// jwkSet renders {"keys": [...]}.
func jwkSet(keys ...map[string]any) []byte {
	return mustJSON(map[string]any{"keys": keys})
}

// issuerJWK is the issuer's published JWK for kid (with its "alg").
func (e *Env) issuerJWK(kid string, extra ...any) map[string]any {
	k := e.Issuer.keys[kid]
	return jwk(kid, k.private.Public(), append([]any{"alg", k.alg}, extra...)...)
}
