package jwks

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseAcceptsVerificationKeys(t *testing.T) {
	k := testKeys(t)
	rsaN := k.rsa2048.PublicKey.N.Bytes()
	tests := []struct {
		name      string
		jwk       jwk
		wantType  string
		wantCurve string
		wantAlg   string
		wantPub   any
	}{
		{"RSA 2048", rsaJWK(&k.rsa2048.PublicKey, "a"), "RSA", "", "", &k.rsa2048.PublicKey},
		{"RSA 3072 with alg PS384", rsaJWK(&k.rsa3072.PublicKey, "a").with("alg", "PS384"), "RSA", "", "PS384", &k.rsa3072.PublicKey},
		{"RSA modulus with a two's-complement sign octet", rsaJWK(&k.rsa2048.PublicKey, "a").with("n", b64(append([]byte{0}, rsaN...))), "RSA", "", "", &k.rsa2048.PublicKey},
		{"EC P-256 with alg ES256", ecJWK(&k.p256.PublicKey, "a").with("alg", "ES256"), "EC", "P-256", "ES256", &k.p256.PublicKey},
		{"EC P-384", ecJWK(&k.p384.PublicKey, "a"), "EC", "P-384", "", &k.p384.PublicKey},
		{"EC P-521", ecJWK(&k.p521.PublicKey, "a"), "EC", "P-521", "", &k.p521.PublicKey},
		{"Ed25519 with alg EdDSA", edJWK(k.ed25519.Public().(ed25519.PublicKey), "a").with("alg", "EdDSA"), "OKP", "Ed25519", "EdDSA", k.ed25519.Public()},
		{"use sig and key_ops verify", ecJWK(&k.p256.PublicKey, "a").with("use", "sig", "key_ops", []string{"verify"}), "EC", "P-256", "", &k.p256.PublicKey},
		{"key_ops with sign and verify", ecJWK(&k.p256.PublicKey, "a").with("key_ops", []string{"sign", "verify"}), "EC", "P-256", "", &k.p256.PublicKey},
		{"x5c, x5t, x5u and unknown members are ignored", rsaJWK(&k.rsa2048.PublicKey, "a").with(
			"x5c", []string{"not a certificate"}, "x5t", "%%%", "x5u", "http://attacker.example/", "ext", true, "crv", "P-256", "extra", map[string]any{"n": 1}),
			"RSA", "", "", &k.rsa2048.PublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(setJSON(t, tt.jwk))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.Len() != 1 || len(s.Skipped()) != 0 {
				t.Fatalf("Len = %d, Skipped = %v; want 1 key, none skipped", s.Len(), s.Skipped())
			}
			key := s.Keys()[0]
			if key.ID != "a" || key.Type != tt.wantType || key.Curve != tt.wantCurve || key.Algorithm != tt.wantAlg {
				t.Errorf("key = {%q %q %q %q}, want {a %q %q %q}", key.ID, key.Type, key.Curve, key.Algorithm, tt.wantType, tt.wantCurve, tt.wantAlg)
			}
			if !publicKeysEqual(key.Public, tt.wantPub) {
				t.Errorf("Public = %#v, want %#v", key.Public, tt.wantPub)
			}
		})
	}
}

func publicKeysEqual(got, want any) bool {
	switch w := want.(type) {
	case *rsa.PublicKey:
		g, ok := got.(*rsa.PublicKey)
		return ok && g.Equal(w)
	case *ecdsa.PublicKey:
		g, ok := got.(*ecdsa.PublicKey)
		return ok && g.Equal(w)
	case ed25519.PublicKey:
		g, ok := got.(ed25519.PublicKey)
		return ok && g.Equal(w)
	}
	return false
}

// TestParseSkipsUnusableKey puts each bad key beside a good one: the set
// still parses, the bad key is listed in Skipped with the exact reason.
func TestParseSkipsUnusableKey(t *testing.T) {
	k := testKeys(t)
	rsa2048 := rsaJWK(&k.rsa2048.PublicKey, "bad")
	p256 := ecJWK(&k.p256.PublicKey, "bad")
	ed := edJWK(k.ed25519.Public().(ed25519.PublicKey), "bad")
	n := k.rsa2048.PublicKey.N.Bytes()
	x, y := p256["x"].(string), p256["y"].(string)
	yBytes := k.p256.PublicKey.Y.FillBytes(make([]byte, 32))
	offCurveY := new(big.Int).Add(k.p256.PublicKey.Y, big.NewInt(1)).FillBytes(make([]byte, 32))
	edHex := func(h string) string {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		return b64(b)
	}

	tests := []struct {
		name   string
		key    any
		wantID string
		want   error
		detail string // the reason's text names the check that fired
	}{
		// RSA strength and encoding.
		{"RSA 1024 bits", rsaJWK(&k.rsa1024.PublicKey, "bad"), "bad", ErrWeakKey, "has 1024 bits"},
		{"RSA e=3", rsa2048.with("e", "Aw"), "bad", ErrWeakKey, "not 65537"},
		{"RSA e=1", rsa2048.with("e", "AQ"), "bad", ErrWeakKey, "not 65537"},
		{"RSA e=65539", rsa2048.with("e", "AQAD"), "bad", ErrWeakKey, "not 65537"},
		{"RSA e with a leading zero", rsa2048.with("e", "AAEAAQ"), "bad", ErrInvalidKey, "exponent is zero or not minimally encoded"},
		{"RSA e=0", rsa2048.with("e", "AA"), "bad", ErrInvalidKey, "exponent is zero or not minimally encoded"},
		{"RSA e empty", rsa2048.with("e", ""), "bad", ErrInvalidKey, "exponent is zero or not minimally encoded"},
		{"RSA e missing", rsa2048.with("e", absent), "bad", ErrInvalidKey, "missing member \"e\""},
		{"RSA n missing", rsa2048.with("n", absent), "bad", ErrInvalidKey, "missing member \"n\""},
		{"RSA n is a number", rsa2048.with("n", 12345), "bad", ErrInvalidKey, "\"n\" is not a string"},
		{"RSA n with two leading zeros", rsa2048.with("n", b64(append([]byte{0, 0}, n...))), "bad", ErrInvalidKey, "modulus is not minimally encoded"},
		{"RSA n with a needless leading zero", rsa2048.with("n", b64(append([]byte{0, 0x7f}, n[1:]...))), "bad", ErrInvalidKey, "modulus is not minimally encoded"},
		{"RSA n even", rsa2048.with("n", b64(new(big.Int).Add(k.rsa2048.PublicKey.N, big.NewInt(1)).Bytes())), "bad", ErrInvalidKey, "modulus is even"},
		{"RSA n of 8200 bits", rsa2048.with("n", b64(oddModulus(8200))), "bad", ErrInvalidKey, "8200 bits, more than the supported 8192"},
		{"RSA n of 16000 octets", rsa2048.with("n", b64(oddModulus(128000))), "bad", ErrInvalidKey, "\"n\" is longer than 1025 octets"},
		{"RSA n with the ROCA fingerprint", rsa2048.with("n", b64(rocaLikeModulus(t))), "bad", ErrWeakKey, "ROCA"},

		// Base64url strictness (RFC 7515 §2), on EC coordinates.
		{"padding", p256.with("x", x+"="), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"standard alphabet +", p256.with("x", "+"+x[1:]), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"standard alphabet /", p256.with("x", "/"+x[1:]), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"space inside", p256.with("x", x[:10]+" "+x[10:]), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"newline inside", p256.with("x", x[:10]+"\n"+x[10:]), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"CR LF at the end", p256.with("y", y+"\r\n"), "bad", ErrInvalidKey, "not unpadded base64url"},
		{"non-zero trailing bits", p256.with("y", nonCanonicalTail(y)), "bad", ErrInvalidKey, "\"y\" is not canonical base64url"},
		{"length of 4k+1", p256.with("x", x[:41]), "bad", ErrInvalidKey, "\"x\" is not canonical base64url"},

		// EC points.
		{"EC x one octet short", p256.with("x", b64(k.p256.PublicKey.X.FillBytes(make([]byte, 32))[1:])), "bad", ErrInvalidKey, "\"x\" has 31 octets, P-256 needs 32"},
		{"EC y one octet long", p256.with("y", b64(append([]byte{0}, yBytes...))), "bad", ErrInvalidKey, "\"y\" is longer than 32 octets"},
		{"EC point off the curve", p256.with("y", b64(offCurveY)), "bad", ErrInvalidKey, "not on curve P-256"},
		{"EC point (0,0)", p256.with("x", b64(make([]byte, 32)), "y", b64(make([]byte, 32))), "bad", ErrInvalidKey, "not on curve P-256"},
		{"EC x outside the field", p256.with("x", b64(bytes.Repeat([]byte{0xff}, 32))), "bad", ErrInvalidKey, "not on curve P-256"},
		{"EC y missing", p256.with("y", absent), "bad", ErrInvalidKey, "missing member \"y\""},
		{"EC crv missing", p256.with("crv", absent), "bad", ErrInvalidKey, "missing member \"crv\""},
		{"EC crv is a number", p256.with("crv", 256), "bad", ErrInvalidKey, "\"crv\" is not a string"},
		{"EC crv P-192", p256.with("crv", "P-192"), "bad", ErrUnsupportedKeyType, "EC curve \"P-192\""},
		{"EC crv secp256k1", p256.with("crv", "secp256k1"), "bad", ErrUnsupportedKeyType, "EC curve \"secp256k1\""},

		// Ed25519 points.
		{"OKP crv X25519", ed.with("crv", "X25519"), "bad", ErrUnsupportedKeyType, "OKP curve \"X25519\""},
		{"OKP crv Ed448", ed.with("crv", "Ed448"), "bad", ErrUnsupportedKeyType, "OKP curve \"Ed448\""},
		{"Ed25519 x of 31 octets", ed.with("x", b64(make([]byte, 31))), "bad", ErrInvalidKey, "31 octets, needs 32"},
		{"Ed25519 x of 33 octets", ed.with("x", b64(make([]byte, 33))), "bad", ErrInvalidKey, "\"x\" is longer than 32 octets"},
		{"Ed25519 y=2 is not on the curve", ed.with("x", edHex("02"+strings.Repeat("00", 31))), "bad", ErrInvalidKey, "not on the curve"},
		{"Ed25519 y=p is not canonical", ed.with("x", edHex("ed"+strings.Repeat("ff", 30)+"7f")), "bad", ErrInvalidKey, "not canonically encoded"},
		{"Ed25519 x=0 with the sign bit set", ed.with("x", edHex("01"+strings.Repeat("00", 30)+"80")), "bad", ErrInvalidKey, "not canonically encoded"},
		{"Ed25519 identity point", ed.with("x", edHex("01"+strings.Repeat("00", 31))), "bad", ErrWeakKey, "small order"},
		{"Ed25519 point of order 2", ed.with("x", edHex("ec"+strings.Repeat("ff", 30)+"7f")), "bad", ErrWeakKey, "small order"},
		{"Ed25519 point of order 4", ed.with("x", edHex(strings.Repeat("00", 32))), "bad", ErrWeakKey, "small order"},
		{"Ed25519 point of order 8", ed.with("x", edHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")), "bad", ErrWeakKey, "small order"},
		{"Ed25519 point of order 8, other", ed.with("x", edHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")), "bad", ErrWeakKey, "small order"},

		// Algorithm consistency.
		{"ES256 on P-384", ecJWK(&k.p384.PublicKey, "bad").with("alg", "ES256"), "bad", ErrAlgorithmMismatch, "\"ES256\" does not fit kty \"EC\" crv \"P-384\""},
		{"ES512 on P-256", p256.with("alg", "ES512"), "bad", ErrAlgorithmMismatch, "\"ES512\" does not fit kty \"EC\" crv \"P-256\""},
		{"RS256 on EC", p256.with("alg", "RS256"), "bad", ErrAlgorithmMismatch, "\"RS256\" does not fit kty \"EC\""},
		{"EdDSA on RSA", rsa2048.with("alg", "EdDSA"), "bad", ErrAlgorithmMismatch, "\"EdDSA\" does not fit kty \"RSA\""},
		{"ES256 on Ed25519", ed.with("alg", "ES256"), "bad", ErrAlgorithmMismatch, "\"ES256\" does not fit kty \"OKP\""},
		{"HS256 on RSA", rsa2048.with("alg", "HS256"), "bad", ErrAlgorithmMismatch, "\"HS256\" is not an asymmetric JWS algorithm"},
		{"RSA-OAEP on a sig key", rsa2048.with("alg", "RSA-OAEP", "use", "sig"), "bad", ErrAlgorithmMismatch, "\"RSA-OAEP\" is not an asymmetric JWS algorithm"},
		{"alg none", p256.with("alg", "none"), "bad", ErrAlgorithmMismatch, "\"none\" is not an asymmetric"},
		{"alg empty", p256.with("alg", ""), "bad", ErrAlgorithmMismatch, "\"\" is not an asymmetric"},
		{"alg es256 in lower case", p256.with("alg", "es256"), "bad", ErrAlgorithmMismatch, "\"es256\" is not an asymmetric"},
		{"alg is a number", p256.with("alg", 256), "bad", ErrInvalidKey, "\"alg\" is not a string"},

		// Intended use.
		{"use enc", p256.with("use", "enc"), "bad", ErrKeyUse, "use \"enc\""},
		{"use SIG", p256.with("use", "SIG"), "bad", ErrKeyUse, "use \"SIG\""},
		{"use is a number", p256.with("use", 1), "bad", ErrInvalidKey, "\"use\" is not a string"},
		{"key_ops encrypt", p256.with("key_ops", []string{"encrypt"}), "bad", ErrKeyUse, "lacks \"verify\""},
		{"key_ops sign only", p256.with("key_ops", []string{"sign"}), "bad", ErrKeyUse, "lacks \"verify\""},
		{"key_ops empty", p256.with("key_ops", []string{}), "bad", ErrKeyUse, "lacks \"verify\""},
		{"key_ops verify twice", p256.with("key_ops", []string{"verify", "verify"}), "bad", ErrInvalidKey, "repeats \"verify\""},
		{"key_ops is a string", p256.with("key_ops", "verify"), "bad", ErrInvalidKey, "\"key_ops\" is not an array"},
		{"key_ops holds a number", p256.with("key_ops", []any{"verify", 1}), "bad", ErrInvalidKey, "\"key_ops\" holds a non-string"},
		{"use sig but key_ops without verify", p256.with("use", "sig", "key_ops", []string{"sign"}), "bad", ErrKeyUse, "lacks \"verify\""},

		// Key types and shape.
		{"oct without k", jwk{"kty": "oct", "kid": "bad", "alg": "HS256"}, "bad", ErrUnsupportedKeyType, "kty \"oct\""},
		{"unknown kty", p256.with("kty", "XYZ"), "bad", ErrUnsupportedKeyType, "kty \"XYZ\""},
		{"kty in lower case", rsa2048.with("kty", "rsa"), "bad", ErrUnsupportedKeyType, "kty \"rsa\""},
		{"kty missing", p256.with("kty", absent), "bad", ErrInvalidKey, "missing member \"kty\""},
		{"kty is a number", p256.with("kty", 1), "bad", ErrInvalidKey, "\"kty\" is not a string"},
		{"kid is a number", p256.with("kid", 7), "", ErrInvalidKey, "\"kid\" is not a string"},
		{"not an object", "a string", "", ErrInvalidKey, "not a JSON object"},
		{"null", nil, "", ErrInvalidKey, "not a JSON object"},
		{"an array", []jwk{p256}, "", ErrInvalidKey, "not a JSON object"},
		{"duplicate kty", json.RawMessage(`{"kid":"bad","kty":"EC","kty":"EC","crv":"P-256","x":"` + x + `","y":"` + y + `"}`), "bad", ErrInvalidKey, "duplicate member name"},
		{"duplicate x", json.RawMessage(`{"kid":"bad","kty":"EC","crv":"P-256","x":"` + x + `","x":"` + x + `","y":"` + y + `"}`), "bad", ErrInvalidKey, "duplicate member name"},
		{"duplicate inside a nested member", p256.with("ext", map[string]any{}).with("x5c", json.RawMessage(`[{"a":1,"a":2}]`)), "bad", ErrInvalidKey, "duplicate member name"},
		{"member names are case-sensitive", json.RawMessage(`{"kid":"bad","KTY":"EC","crv":"P-256","x":"` + x + `","y":"` + y + `"}`), "bad", ErrInvalidKey, "missing member \"kty\""},
	}
	anchor := ecJWK(&k.p384.PublicKey, "anchor")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(setJSON(t, anchor, tt.key))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.Len() != 1 || s.Keys()[0].ID != "anchor" {
				t.Fatalf("keys = %v, want only the anchor key", s.Keys())
			}
			skipped := s.Skipped()
			if len(skipped) != 1 {
				t.Fatalf("Skipped = %v, want one", skipped)
			}
			got := skipped[0]
			if got.Index != 1 || got.ID != tt.wantID || !errors.Is(got.Reason, tt.want) || !strings.Contains(got.Reason.Error(), tt.detail) {
				t.Errorf("Skipped[0] = {%d %q %v}, want {1 %q %v: ...%s...}", got.Index, got.ID, got.Reason, tt.wantID, tt.want, tt.detail)
			}
			assertNoKeyMaterial(t, got.Reason.Error(), tt.key)
		})
	}
}

// assertNoKeyMaterial fails when a message repeats any long member value of
// the key: messages go to logs.
func assertNoKeyMaterial(t *testing.T, msg string, key any) {
	t.Helper()
	obj, ok := key.(jwk)
	if !ok {
		return
	}
	for name, v := range obj {
		if s, ok := v.(string); ok && len(s) > 16 && strings.Contains(msg, s) {
			t.Errorf("message %q repeats member %q", msg, name)
		}
	}
}

// oddModulus is an odd number of exactly bits bits (not an RSA modulus:
// Parse only looks at its encoding and size).
func oddModulus(bits int) []byte {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	return n.SetBit(n, 0, 1).Bytes()
}

// rocaLikeModulus builds a 2048-bit odd number with the ROCA fingerprint:
// congruent to a power of 65537 modulo every prime from 3 to 167, as the
// Infineon generator's moduli are.
func rocaLikeModulus(t *testing.T) []byte {
	t.Helper()
	m := big.NewInt(1)
	for _, r := range []int64{3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
		79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167} {
		m.Mul(m, big.NewInt(r))
	}
	n := new(big.Int).Exp(big.NewInt(65537), big.NewInt(12345), m)
	k := new(big.Int).Lsh(big.NewInt(1), uint(2048-m.BitLen()))
	n.Add(n, new(big.Int).Mul(k, m)) // n ≡ 65537^12345 (mod m)
	if n.Bit(0) == 0 {
		n.Add(n, m) // m is odd, so this fixes parity and keeps the residues
	}
	if n.BitLen() != 2048 {
		t.Fatalf("rocaLikeModulus has %d bits", n.BitLen())
	}
	return n.Bytes()
}

// nonCanonicalTail changes the unused low bits of the last character of an
// unpadded base64url string whose decoded length is not a multiple of 3.
func nonCanonicalTail(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i|1])
}

func TestParseRejectsSet(t *testing.T) {
	k := testKeys(t)
	p256 := ecJWK(&k.p256.PublicKey, "ec")
	good := string(setJSON(t, p256))
	rsaPrivate := rsaJWK(&k.rsa2048.PublicKey, "rsa").with("d", b64(k.rsa2048.D.Bytes()))
	deep := `{"keys":[],"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`
	tests := []struct {
		name string
		body []byte
		opts []ParseOption
		want error
	}{
		{"larger than the default limit, before JSON decoding", bytes.Repeat([]byte("x"), DefaultMaxBytes+1), nil, ErrTooLarge},
		{"larger than WithMaxBytes", []byte(good), []ParseOption{WithMaxBytes(len(good) - 1)}, ErrTooLarge},
		{"not JSON", []byte("hello"), nil, ErrMalformedSet},
		{"empty body", nil, nil, ErrMalformedSet},
		{"JSON null", []byte("null"), nil, ErrMalformedSet},
		{"JSON array", []byte(`[` + good + `]`), nil, ErrMalformedSet},
		{"no keys member", []byte(`{"kids":[]}`), nil, ErrMalformedSet},
		{"keys is an object", []byte(`{"keys":{}}`), nil, ErrMalformedSet},
		{"keys is null", []byte(`{"keys":null}`), nil, ErrMalformedSet},
		{"duplicate keys member", []byte(`{"keys":[],` + good[1:]), nil, ErrMalformedSet},
		{"duplicate other member", []byte(`{"a":1,"a":2,` + good[1:]), nil, ErrMalformedSet},
		{"duplicate inside another set member", []byte(`{"meta":{"a":1,"a":2},` + good[1:]), nil, ErrMalformedSet},
		{"data after the object", []byte(good + ` x`), nil, ErrMalformedSet},
		{"second JSON value", []byte(good + good), nil, ErrMalformedSet},
		{"truncated", []byte(good[:len(good)-2]), nil, ErrMalformedSet},
		{"trailing comma", []byte(`{"keys":[` + good[9:len(good)-2] + `,]}`), nil, ErrMalformedSet},
		{"invalid UTF-8", []byte("{\"keys\":[],\"x\":\"\xff\"}"), nil, ErrMalformedSet},
		{"nesting too deep", []byte(deep), nil, ErrMalformedSet},
		{"empty keys array", []byte(`{"keys":[]}`), nil, ErrNoUsableKey},
		{"every key skipped", setJSON(t, p256.with("use", "enc"), rsaJWK(&k.rsa1024.PublicKey, "weak")), nil, ErrNoUsableKey},
		{"an RSA private key beside a public key", setJSON(t, p256, rsaPrivate), nil, ErrPrivateKeyMaterial},
		{"an HMAC secret beside a public key", setJSON(t, jwk{"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"}, p256), nil, ErrPrivateKeyMaterial},
		{"an EC key with d", setJSON(t, p256.with("d", b64(k.p256.D.Bytes()))), nil, ErrPrivateKeyMaterial},
		{"an empty d", setJSON(t, p256.with("d", "")), nil, ErrPrivateKeyMaterial},
		{"oth alone", setJSON(t, p256, rsaJWK(&k.rsa2048.PublicKey, "x").with("oth", []any{})), nil, ErrPrivateKeyMaterial},
		{"private member on an unsupported key type", setJSON(t, p256, jwk{"kty": "XYZ", "qi": "AA"}), nil, ErrPrivateKeyMaterial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.body, tt.opts...)
			if !errors.Is(err, tt.want) || s != nil {
				t.Fatalf("Parse = %v, %v; want nil, %v", s, err, tt.want)
			}
			for _, secret := range []string{b64(k.rsa2048.D.Bytes()), b64(k.p256.D.Bytes()), "c2VjcmV0"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains private key material", err)
				}
			}
		})
	}
}

func TestParseMaxBytesBoundary(t *testing.T) {
	k := testKeys(t)
	body := setJSON(t, ecJWK(&k.p256.PublicKey, "ec"))
	tests := []struct {
		name string
		opts []ParseOption
		want error
	}{
		{"exactly at the limit", []ParseOption{WithMaxBytes(len(body))}, nil},
		{"one byte over", []ParseOption{WithMaxBytes(len(body) - 1)}, ErrTooLarge},
		{"zero keeps the default", []ParseOption{WithMaxBytes(0)}, nil},
		{"negative keeps the default", []ParseOption{WithMaxBytes(-5)}, nil},
		{"nil option is ignored", []ParseOption{nil}, nil},
		{"last option wins", []ParseOption{WithMaxBytes(1), WithMaxBytes(len(body))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(body, tt.opts...)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Parse = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNoUsableKeyErrorListsEveryReason(t *testing.T) {
	k := testKeys(t)
	body := setJSON(t,
		ecJWK(&k.p256.PublicKey, "enc").with("use", "enc"),
		rsaJWK(&k.rsa1024.PublicKey, "short"),
		jwk{"kty": "oct", "kid": "mac"},
	)
	_, err := Parse(body)
	var nu *NoUsableKeyError
	if !errors.As(err, &nu) || !errors.Is(err, ErrNoUsableKey) {
		t.Fatalf("Parse = %v, want a *NoUsableKeyError", err)
	}
	want := []struct {
		id   string
		want error
	}{{"enc", ErrKeyUse}, {"short", ErrWeakKey}, {"mac", ErrUnsupportedKeyType}}
	if len(nu.Skipped) != len(want) {
		t.Fatalf("Skipped = %v, want %d entries", nu.Skipped, len(want))
	}
	for i, w := range want {
		got := nu.Skipped[i]
		if got.Index != i || got.ID != w.id || !errors.Is(got.Reason, w.want) {
			t.Errorf("Skipped[%d] = {%d %q %v}, want {%d %q %v}", i, got.Index, got.ID, got.Reason, i, w.id, w.want)
		}
	}
	if got, want := err.Error(), "jwks: no usable key in JWK Set: all 3 keys skipped"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err = Parse(setJSON(t, jwk{"kty": "oct"}))
	if got, want := err.Error(), "jwks: no usable key in JWK Set: its only key was skipped"; got != want {
		t.Errorf("one-key set Error() = %q, want %q", got, want)
	}
	_, err = Parse([]byte(`{"keys":[]}`))
	if got, want := err.Error(), `jwks: no usable key in JWK Set: the "keys" array is empty`; got != want {
		t.Errorf("empty set Error() = %q, want %q", got, want)
	}
}

// TestParsedKeysVerifySignatures signs with each private key and verifies
// with what Parse made of the public JWK, through Select.
func TestParsedKeysVerifySignatures(t *testing.T) {
	k := testKeys(t)
	body := setJSON(t,
		rsaJWK(&k.rsa2048.PublicKey, "rsa2048"),
		rsaJWK(&k.rsa3072.PublicKey, "rsa3072"),
		ecJWK(&k.p256.PublicKey, "p256"),
		ecJWK(&k.p384.PublicKey, "p384"),
		ecJWK(&k.p521.PublicKey, "p521"),
		edJWK(k.ed25519.Public().(ed25519.PublicKey), "ed"),
	)
	s, err := Parse(body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	cases := []struct {
		kid, alg string
		signer   crypto.Signer
	}{
		{"rsa2048", "RS256", k.rsa2048}, {"rsa2048", "PS512", k.rsa2048}, {"rsa3072", "RS384", k.rsa3072},
		{"p256", "ES256", k.p256}, {"p384", "ES384", k.p384}, {"p521", "ES512", k.p521}, {"ed", "EdDSA", k.ed25519},
	}
	for _, c := range cases {
		t.Run(c.kid+"/"+c.alg, func(t *testing.T) {
			key, err := s.Select(c.kid, true, c.alg)
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			jws := signJWS(t, c.signer, c.alg, c.kid)
			if err := verifyJWS(key, jws); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
	if s.Len() != 6 {
		t.Errorf("Len = %d, want 6", s.Len())
	}
}
