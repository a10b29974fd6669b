package scenario

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"math/big"
	"strings"
)

// signedBy is a valid token for the resource signed with key under alg and
// naming kid.
func (e *Env) signedBy(alg string, key any, kid string) string {
	d := e.draft("rsa-1").with("h", "alg", alg, "kid", kid)
	d.alg, d.key = alg, key
	return d.signed()
}

// skippedKey serves a set holding the issuer's rsa-1 and bad, then sends
// tok, which names bad: a usable key would verify it. The key must have
// been skipped, so the token's kid is unknown; the early refresh brings the
// same set, and the token is refused.
func (e *Env) skippedKey(bad map[string]any, tok string) Stream {
	body := jwkSet(e.issuerJWK("rsa-1"), bad)
	startedWith(e, BaseConfig, body)
	return e.afterRefresh(e.sendToken(tok), body)
}

// offCurve is the issuer's ec-1 public key with y moved off the curve.
func (e *Env) offCurve() map[string]any {
	pub := e.Issuer.keys["ec-1"].private.Public().(*ecdsa.PublicKey)
	y := new(big.Int).Add(pub.Y, big.NewInt(1)).FillBytes(make([]byte, 32))
	return jwk("bad", pub, "alg", "ES256", "y", b64(y))
}

func jwksAttacks(k *attackKeys) []Attack {
	const class = ClassJWKS
	unavailable := wantUnavailable()
	noKey := wantInvalidToken(descNoKey)
	rsa1 := func(e *Env) crypto.Signer { return e.Issuer.keys["rsa-1"].private }
	rsa2 := func(e *Env) crypto.Signer { return e.Issuer.keys["rsa-2"].private }
	good := func(e *Env) []byte { return e.Issuer.JWKS("rsa-1", "ec-1", "ed-1") }

	rows := []Attack{}
	for _, c := range []struct {
		name, ref string
		status    int
		body      func(e *Env) []byte
	}{
		{"published key carrying its private exponent d", "RFC 7517 §4 (public keys only); RFC 7518 §6.3.2", 200, func(e *Env) []byte {
			return jwkSet(e.issuerJWK("rsa-1", "d", b64(rsa1(e).(*rsa.PrivateKey).D.Bytes())))
		}},
		{"an oct key with its secret beside a good key", "RFC 7518 §6.4; RFC 8725 §3.1", 200, func(e *Env) []byte {
			return jwkSet(e.issuerJWK("rsa-1"), map[string]any{"kty": "oct", "kid": "hmac", "k": b64([]byte("shared-secret"))})
		}},
		{"body not JSON (an HTML error page)", "RFC 7517 §5", 200, func(*Env) []byte {
			return []byte("<html><body>502 Bad Gateway</body></html>")
		}},
		{"body over 256 KiB (a valid set padded)", "RFC 7517 §5; resource exhaustion", 200, func(e *Env) []byte {
			return mustJSON(map[string]any{"keys": []any{e.issuerJWK("rsa-1")}, "padding": strings.Repeat("x", 300<<10)})
		}},
		{"set truncated in the middle", "RFC 7517 §5", 200, func(e *Env) []byte { b := good(e); return b[:len(b)/2] }},
		{"trailing garbage after the set", "RFC 8259 §2", 200, func(e *Env) []byte { return append(good(e), "<!-- cached -->"...) }},
		{"empty keys array", "RFC 7517 §5", 200, func(*Env) []byte { return []byte(`{"keys":[]}`) }},
		{"keys an object instead of an array", "RFC 7517 §5.1", 200, func(e *Env) []byte {
			return mustJSON(map[string]any{"keys": e.issuerJWK("rsa-1")})
		}},
		{"keys member duplicated (empty, then the real keys)", "RFC 7517 §5; RFC 8259 §4", 200, func(e *Env) []byte {
			return []byte(`{"keys":[],` + strings.TrimPrefix(string(good(e)), "{"))
		}},
		{"a bare JSON array of keys", "RFC 7517 §5", 200, func(e *Env) []byte { return mustJSON([]any{e.issuerJWK("rsa-1")}) }},
		{"invalid UTF-8 in a kid", "RFC 8259 §8.1; RFC 8725 §3.7", 200, func(e *Env) []byte {
			return []byte(strings.Replace(string(good(e)), `"rsa-1"`, "\"rsa-\xff\"", 1))
		}},
		{"every key unusable (RSA 1024-bit only)", "RFC 7518 §3.3 (2048 bits minimum); RFC 7517 §5", 200, func(*Env) []byte {
			return jwkSet(jwk("weak", k.rsa1024.Public(), "alg", "RS256"))
		}},
		{"200 with an empty body", "RFC 7517 §5", 200, func(*Env) []byte { return nil }},
		{"a valid set served with status 404", "RFC 9110 §15.5.5", 404, good},
		{"a valid set served with status 302", "RFC 9110 §15.4.3 (redirects are not followed)", 302, good},
		{"status 500", "RFC 9110 §15.6.1", 500, func(*Env) []byte { return []byte(`{"error":"internal"}`) }},
		{"status 503", "RFC 9110 §15.6.4", 503, func(*Env) []byte { return nil }},
	} {
		rows = append(rows, Attack{class, "JWKS fetch answered with " + c.name + ": no key, waiting request gets 503",
			c.ref, unavailable, func(e *Env) Stream {
				body := c.body(e)
				return whileKeysFail(e, e.respondWith(c.status, body))
			}})
	}
	rows = append(rows,
		Attack{class, "JWKS fetch fails at the connection: waiting request gets 503", "proxy-wasm spec (zero headers: call failed)",
			unavailable, func(e *Env) Stream { return whileKeysFail(e, e.respondWith(0, nil)) }},
		Attack{class, "key with use enc", "RFC 7517 §4.2", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "use", "enc"), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, `key with key_ops ["encrypt"]`, "RFC 7517 §4.3", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "use", nil, "key_ops", []string{"encrypt"}), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, "RSA key of 1024 bits", "RFC 7518 §3.3; RFC 8725 §3.5", noKey, func(e *Env) Stream {
			return e.skippedKey(jwk("bad", k.rsa1024.Public(), "alg", "RS256"), e.signedBy("RS256", k.rsa1024, "bad"))
		}},
		Attack{class, "RSA key with exponent 3", "RFC 7518 §6.3.1.2; Bleichenbacher 2006 (e = 3 forgeries)", noKey, func(e *Env) Stream {
			return e.skippedKey(jwk("bad", k.rsaE3.Public(), "alg", "RS256"), e.signedBy("RS256", k.rsaE3, "bad"))
		}},
		Attack{class, "RSA modulus with two leading zero octets", "RFC 7518 §6.3.1.1 (minimal encoding)", noKey, func(e *Env) Stream {
			pub := rsa2(e).Public().(*rsa.PublicKey)
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "n", b64(append([]byte{0, 0}, pub.N.Bytes()...))), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, "RSA key without a modulus (x5c only)", "RFC 7518 §6.3.1; RFC 8725 §3.10", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "n", nil, "x5c", []string{"MIIB"}), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, "EC point off the curve (invalid-curve attack)", "RFC 7518 §6.2.1; RFC 8725 §3.4; SEC 1 §3.2.2.1", noKey, func(e *Env) Stream {
			return e.skippedKey(e.offCurve(), e.signedBy("ES256", e.Issuer.keys["ec-1"].private, "bad"))
		}},
		Attack{class, "EC point at infinity (x = y = 0)", "SEC 1 §3.2.2.1", noKey, func(e *Env) Stream {
			zero := b64(make([]byte, 32))
			return e.skippedKey(e.issuerJWK("ec-1", "kid", "bad", "x", zero, "y", zero), e.withZeroES256("bad"))
		}},
		Attack{class, "P-256 coordinates labelled crv P-384", "RFC 7518 §6.2.1.1", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("ec-1", "kid", "bad", "crv", "P-384", "alg", nil), e.signedBy("ES256", e.Issuer.keys["ec-1"].private, "bad"))
		}},
		Attack{class, "Ed25519 identity point as public key, with an R = identity, S = 0 signature", "RFC 8032 §5.1.7; small-order keys",
			noKey, func(e *Env) Stream {
				identity := make([]byte, 32)
				identity[0] = 1
				bad := map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": "bad", "use": "sig", "x": b64(identity)}
				sig := make([]byte, 64)
				sig[0] = 1
				return e.skippedKey(bad, withSignature(e.headerWith("ed-1", "kid", "bad"), sig))
			}},
		Attack{class, `RSA key whose JWK says "alg": "HS256"`, "RFC 7517 §4.4; RFC 8725 §3.1", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "alg", "HS256"), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, `RSA key whose JWK says "alg": "ES256"`, "RFC 7517 §4.4; RFC 7518 §3.1", noKey, func(e *Env) Stream {
			return e.skippedKey(e.issuerJWK("rsa-2", "kid", "bad", "alg", "ES256"), e.signedBy("RS256", rsa2(e), "bad"))
		}},
		Attack{class, "key with a member repeated (kty EC, then RSA)", "RFC 7517 §4; RFC 8259 §4", noKey, func(e *Env) Stream {
			body := []byte(strings.Replace(string(jwkSet(e.issuerJWK("rsa-1"), e.issuerJWK("rsa-2", "kid", "bad"))),
				`"kid":"bad"`, `"kid":"bad","kty":"EC"`, 1))
			startedWith(e, BaseConfig, body)
			return e.afterRefresh(e.sendToken(e.signedBy("RS256", rsa2(e), "bad")), body)
		}},
		Attack{class, "two RSA keys sharing a kid", "RFC 7517 §4.5; Wycheproof JWK DuplicateKid", wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
			startedWith(e, BaseConfig, jwkSet(e.issuerJWK("rsa-1", "kid", "dup"), e.issuerJWK("rsa-2", "kid", "dup")))
			return e.refusedWithoutFetch(e.signedBy("RS256", rsa2(e), "dup"))
		}},
	)
	return rows
}

// withZeroES256 is an ES256 token naming kid whose signature is r = s = 0.
func (e *Env) withZeroES256(kid string) string {
	return withSignature(e.headerWith("ec-1", "kid", kid), make([]byte, 64))
}
