package scenario

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
)

// publicPEM is the PEM text of the issuer's public key kid: what an
// attacker uses as the HMAC secret in the key-confusion attack.
func (e *Env) publicPEM(kid string) []byte {
	der, err := x509.MarshalPKIXPublicKey(e.Issuer.keys[kid].private.Public())
	if err != nil {
		panic("scenario: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func publicDER(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("scenario: " + err.Error())
	}
	return der
}

// unsigned is an alg "none" token: header, payload, and the given signature.
func (e *Env) unsigned(alg string, sig string) string {
	d := e.draft("rsa-1").with("h", "alg", alg)
	return b64(mustJSON(d.header)) + "." + b64(mustJSON(d.claims)) + "." + sig
}

// hmacForgery signs a valid token's claims with HMAC under alg, using
// secret, and names the issuer's key kid.
func (e *Env) hmacForgery(alg, kid string, secret []byte) string {
	d := e.draft(kid).with("h", "alg", alg)
	d.alg, d.key = alg, secret
	return d.signed()
}

// refusedWithoutFetch sends tok and requires that it needed no key fetch.
func (e *Env) refusedWithoutFetch(tok string) Stream {
	s := e.sendToken(tok)
	e.NoCalls()
	return s
}

func algorithmAttacks(k *attackKeys) []Attack {
	const class = ClassAlgorithm
	rows := []Attack{}
	for _, spelling := range []string{"none", "None", "NONE", "nOnE"} {
		rows = append(rows, Attack{class, `alg "` + spelling + `" with an empty signature`, "RFC 7518 §3.6; RFC 8725 §2.1, §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.unsigned(spelling, ""))
			}})
	}
	rows = append(rows,
		Attack{class, `alg "none" keeping a genuine RS256 signature`, "RFC 7518 §3.6; RFC 8725 §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				_, _, sig := segments(e.Token("rsa-1", mcpScope))
				return e.refusedWithoutFetch(e.unsigned("none", sig))
			}},
		Attack{class, "HS256 signed with the RSA public key's PEM as secret", "RFC 8725 §2.1, §3.1; CVE-2015-9235",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.hmacForgery("HS256", "rsa-1", e.publicPEM("rsa-1")))
			}},
		Attack{class, "HS384 signed with the RSA public key's DER as secret", "RFC 8725 §2.1, §3.1; CVE-2016-10555",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.hmacForgery("HS384", "rsa-1", publicDER(e.Issuer.keys["rsa-1"].private.Public())))
			}},
		Attack{class, "HS512 signed with the published JWK Set as secret", "RFC 8725 §2.1, §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.hmacForgery("HS512", "rsa-1", e.Issuer.JWKS("rsa-1", "ec-1", "ed-1")))
			}},
		Attack{class, "HS256 signed with the EC public key's PEM, all asymmetric algorithms allowed", "RFC 8725 §3.1; CVE-2022-29217",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				return e.refusedWithoutFetch(e.hmacForgery("HS256", "ec-1", e.publicPEM("ec-1")))
			}},
		Attack{class, "RS384 (genuinely signed) while the provider allows RS256, ES256, EdDSA", "RFC 8725 §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				d := e.draft("rsa-1").with("h", "alg", "RS384")
				d.alg = "RS384"
				return e.refusedWithoutFetch(d.signed())
			}},
		Attack{class, "PS256 (genuinely signed) while the provider allows RS256, ES256, EdDSA", "RFC 8725 §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				d := e.draft("rsa-1").with("h", "alg", "PS256")
				d.alg = "PS256"
				return e.refusedWithoutFetch(d.signed())
			}},
		Attack{class, "ES384 with a P-384 key while the provider allows ES256 only for EC", "RFC 8725 §3.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				d := e.draft("ec-1").with("h", "alg", "ES384", "kid", "ec-384")
				d.alg, d.key = "ES384", k.p384
				return e.refusedWithoutFetch(d.signed())
			}},
		Attack{class, `alg "rs256" (algorithm names are case-sensitive)`, "RFC 7515 §4.1.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.headerWith("rsa-1", "alg", "rs256"))
			}},
		Attack{class, `alg "RS256 " with a trailing space`, "RFC 7515 §4.1.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.headerWith("rsa-1", "alg", "RS256 "))
			}},
		Attack{class, "alg missing", "RFC 7515 §4.1.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.headerWith("rsa-1", "alg", nil))
			}},
		Attack{class, `alg an array ["RS256"]`, "RFC 7515 §4.1.1",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.refusedWithoutFetch(e.headerWith("rsa-1", "alg", []string{"RS256"}))
			}},
		Attack{class, "ES256 token naming a P-384 key", "RFC 7518 §3.4; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				d := e.draft("ec-1").with("h", "kid", "ec-384")
				d.key = k.p384
				return e.refusedWithoutFetch(d.signed())
			}},
		Attack{class, "ES384 token naming a P-256 key", "RFC 7518 §3.4; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				d := e.draft("ec-1").with("h", "alg", "ES384")
				d.alg = "ES384"
				return e.refusedWithoutFetch(d.signed())
			}},
		Attack{class, "RS256 token naming an EC key", "RFC 7518 §3.1; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				return e.refusedWithoutFetch(e.headerWith("rsa-1", "kid", "ec-1"))
			}},
		Attack{class, "EdDSA token naming an RSA key", "RFC 8037 §3.1; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				return e.refusedWithoutFetch(e.headerWith("ed-1", "kid", "rsa-free"))
			}},
		Attack{class, "ES256 token naming an Ed25519 key", "RFC 8037 §3.1; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				return e.refusedWithoutFetch(e.headerWith("ec-1", "kid", "ed-1"))
			}},
		Attack{class, `PS256 token naming a key whose JWK pins "alg": "RS256"`, "RFC 7517 §4.4; RFC 8725 §3.1",
			wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
				startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
				d := e.draft("rsa-1").with("h", "alg", "PS256")
				d.alg = "PS256"
				return e.refusedWithoutFetch(d.signed())
			}},
	)
	return rows
}
