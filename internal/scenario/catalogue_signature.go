package scenario

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"math/big"
	"strings"
)

// ed25519Order is L, the order of edwards25519's prime subgroup (RFC 8032 §5.1).
const ed25519Order = "7237005577332262213973186563042994240857116359379907606001950938285454250989"

// withSig sends the issuer's valid token for kid with its signature
// replaced by edit(original signature).
func (e *Env) withSig(kid string, edit func(sig []byte) []byte) Stream {
	tok := e.Token(kid, mcpScope)
	return e.sendToken(withSignature(tok, edit(signatureOf(tok))))
}

// p256Order is the order n of P-256 as 32 octets.
func p256Order() []byte { return elliptic.P256().Params().N.FillBytes(make([]byte, 32)) }

// ed25519AddOrder returns sig with L added to its scalar S (little-endian
// second half): the same signature modulo L, but not canonical.
func ed25519AddOrder(sig []byte) []byte {
	le := func(b []byte) []byte {
		r := make([]byte, len(b))
		for i := range b {
			r[len(b)-1-i] = b[i]
		}
		return r
	}
	l, _ := new(big.Int).SetString(ed25519Order, 10)
	s := new(big.Int).SetBytes(le(sig[32:]))
	s.Add(s, l)
	out := append([]byte(nil), sig[:32]...)
	return append(out, le(s.FillBytes(make([]byte, 32)))...)
}

// derECDSA re-encodes a P1363 ES256 signature as ASN.1 DER, the form
// crypto libraries produce and JWS forbids.
func derECDSA(sig []byte) []byte {
	der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
	if err != nil {
		panic("scenario: " + err.Error())
	}
	return der
}

// pssWithSalt signs a PS256 draft with a salt of saltLen octets.
func pssWithSalt(d *draft, saltLen int) string {
	input := b64(mustJSON(d.header)) + "." + b64(mustJSON(d.claims))
	h, id := jwsHash("PS256")
	sig, err := rsa.SignPSS(rand.Reader, d.key.(*rsa.PrivateKey), id, h(input), &rsa.PSSOptions{SaltLength: saltLen})
	if err != nil {
		panic("scenario: " + err.Error())
	}
	return input + "." + b64(sig)
}

func signatureAttacks(k *attackKeys) []Attack {
	const class = ClassSignature
	bad := wantInvalidToken(descSignature)
	free := func(e *Env, alg string) *draft { // a PS/RS draft on the key without a pinned alg
		startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
		d := e.draft("rsa-1").with("h", "alg", alg, "kid", "rsa-free")
		d.alg, d.key = alg, k.rsaFree
		return d
	}
	return []Attack{
		{class, "empty signature segment", "RFC 7515 §5.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func([]byte) []byte { return nil })
		}},
		{class, "signature segment stripped (two segments)", "RFC 7515 §7.1", wantInvalidToken(descMalformed), func(e *Env) Stream {
			started(e, BaseConfig)
			h, p, _ := segments(e.Token("rsa-1", mcpScope))
			return e.sendToken(h + "." + p)
		}},
		{class, "RS256 signature truncated by one octet", "RFC 8017 §8.2.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func(s []byte) []byte { return s[:len(s)-1] })
		}},
		{class, "RS256 signature with a trailing zero octet", "RFC 8017 §8.2.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func(s []byte) []byte { return append(s, 0) })
		}},
		{class, "RS256 signature with a leading zero octet (same integer, wrong length)", "RFC 8017 §8.2.2 step 1", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func(s []byte) []byte { return append([]byte{0}, s...) })
		}},
		{class, "RS256 signature of all zero octets", "RFC 8017 §5.2.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func(s []byte) []byte { return make([]byte, len(s)) })
		}},
		{class, "RS256 signature equal to 1", "RFC 8017 §5.2.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("rsa-1", func(s []byte) []byte { one := make([]byte, len(s)); one[len(one)-1] = 1; return one })
		}},
		{class, "RS256 signature equal to the modulus", "RFC 8017 §5.2.2 (s must be below n)", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			n := e.Issuer.keys["rsa-1"].private.Public().(*rsa.PublicKey).N
			return e.withSig("rsa-1", func(s []byte) []byte { return n.FillBytes(make([]byte, len(s))) })
		}},
		{class, "RS256 signature equal to n-1 (-1, a fixed point of e)", "RFC 8017 §5.2.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			n := e.Issuer.keys["rsa-1"].private.Public().(*rsa.PublicKey).N
			m := new(big.Int).Sub(n, big.NewInt(1))
			return e.withSig("rsa-1", func(s []byte) []byte { return m.FillBytes(make([]byte, len(s))) })
		}},
		{class, "RS256 header with an RSA-PSS signature", "RFC 7518 §3.3, §3.5", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			d := e.draft("rsa-1")
			input := b64(mustJSON(d.header)) + "." + b64(mustJSON(d.claims))
			return e.sendToken(input + "." + b64(signJWS("PS256", d.key, input)))
		}},
		{class, "ES256 signature r = 0, s = 0 (psychic signature)", "CVE-2022-21449", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func([]byte) []byte { return make([]byte, 64) })
		}},
		{class, "ES256 signature r = s = n (the curve order)", "CVE-2022-21449; SEC 1 §4.1.4 step 1", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func([]byte) []byte { return append(p256Order(), p256Order()...) })
		}},
		{class, "ES256 signature r = 0 with the genuine s", "CVE-2022-21449", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func(s []byte) []byte { return append(make([]byte, 32), s[32:]...) })
		}},
		{class, "ES256 signature with the genuine r and s = n", "CVE-2022-21449", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func(s []byte) []byte { return append(append([]byte(nil), s[:32]...), p256Order()...) })
		}},
		{class, "ES256 signature of all 0xff octets (r, s above n)", "SEC 1 §4.1.4 step 1", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func([]byte) []byte { return []byte(strings.Repeat("\xff", 64)) })
		}},
		{class, "ES256 signature in ASN.1 DER instead of r||s", "RFC 7518 §3.4", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", derECDSA)
		}},
		{class, "ES256 signature truncated to 63 octets", "RFC 7518 §3.4", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ec-1", func(s []byte) []byte { return s[:63] })
		}},
		{class, "EdDSA signature of all zero octets", "RFC 8032 §5.1.7", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ed-1", func([]byte) []byte { return make([]byte, 64) })
		}},
		{class, "EdDSA signature with S + L (non-canonical scalar, malleability)", "RFC 8032 §5.1.7 (S must be below L)", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ed-1", ed25519AddOrder)
		}},
		{class, "EdDSA signature with R = identity, S = 0", "RFC 8032 §5.1.7", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.withSig("ed-1", func([]byte) []byte { s := make([]byte, 64); s[0] = 1; return s })
		}},
		{class, "PS256 signature with an empty salt", "RFC 7518 §3.5 (salt as long as the hash)", bad, func(e *Env) Stream {
			return e.sendToken(pssWithSalt(free(e, "PS256"), 0))
		}},
		{class, "PS256 signature with the longest possible salt", "RFC 7518 §3.5 (salt as long as the hash)", bad, func(e *Env) Stream {
			return e.sendToken(pssWithSalt(free(e, "PS256"), rsa.PSSSaltLengthAuto))
		}},
		{class, "PS256 header with a PKCS#1 v1.5 signature", "RFC 7518 §3.3, §3.5", bad, func(e *Env) Stream {
			d := free(e, "PS256")
			input := b64(mustJSON(d.header)) + "." + b64(mustJSON(d.claims))
			return e.sendToken(input + "." + b64(signJWS("RS256", d.key, input)))
		}},
		{class, "signature by another issuer's key under the same kid", "RFC 7515 §5.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.Other.Mint("rsa-1", e.Issuer.Standard(e.D.Now(), Resource, mcpScope), nil))
		}},
		{class, "signature transplanted from another token", "RFC 7515 §5.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			donor := e.Token("rsa-1", "mcp:tools:read")
			victim := e.tokenWith("rsa-1", "sub", "admin")
			return e.sendToken(withSignature(victim, signatureOf(donor)))
		}},
		{class, "payload edited after signing (scope escalated)", "RFC 7515 §5.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			tok := e.tokenWith("rsa-1", "scope", "")
			h, _, sig := segments(tok)
			return e.sendToken(h + "." + b64(mustJSON(e.Issuer.Standard(e.D.Now(), Resource, mcpScope))) + "." + sig)
		}},
		{class, "header edited after signing (typ changed)", "RFC 7515 §5.2", bad, func(e *Env) Stream {
			started(e, BaseConfig)
			_, p, sig := segments(e.Token("ec-1", mcpScope))
			return e.sendToken(b64(mustJSON(map[string]any{"alg": "ES256", "kid": "ec-1", "typ": "at+jwt"})) + "." + p + "." + sig)
		}},
	}
}
