package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidateAcceptsEveryAsymmetricAlgorithm(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestValidator(t)
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			token := sign(t, alg, defaultClaims())
			c, err := parseAndValidate(v, token, k.publicFor(alg))
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			want := Claims{
				Issuer:    testIssuer,
				Subject:   "user-1",
				ClientID:  "client-1",
				ID:        "jti-1",
				Audience:  []string{testAudience},
				ExpiresAt: testNow.Add(time.Hour),
				IssuedAt:  testNow.Add(-10 * time.Second),
				NotBefore: testNow.Add(-10 * time.Second),
				Scopes:    []string{"read", "write"},
			}
			assertClaims(t, c, want)
		})
	}
}

func assertClaims(t *testing.T, got *Claims, want Claims) {
	t.Helper()
	if got.Issuer != want.Issuer || got.Subject != want.Subject || got.ClientID != want.ClientID || got.ID != want.ID {
		t.Errorf("iss/sub/client_id/jti = %q/%q/%q/%q, want %q/%q/%q/%q",
			got.Issuer, got.Subject, got.ClientID, got.ID, want.Issuer, want.Subject, want.ClientID, want.ID)
	}
	if !slices.Equal(got.Audience, want.Audience) {
		t.Errorf("Audience = %q, want %q", got.Audience, want.Audience)
	}
	if !got.ExpiresAt.Equal(want.ExpiresAt) || !got.IssuedAt.Equal(want.IssuedAt) || !got.NotBefore.Equal(want.NotBefore) {
		t.Errorf("exp/iat/nbf = %v/%v/%v, want %v/%v/%v",
			got.ExpiresAt, got.IssuedAt, got.NotBefore, want.ExpiresAt, want.IssuedAt, want.NotBefore)
	}
	if !slices.Equal(got.Scopes, want.Scopes) {
		t.Errorf("Scopes = %q, want %q", got.Scopes, want.Scopes)
	}
}

func TestValidateDecodesOptionalClaims(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestValidator(t)
	claims := claimSet{"iss": testIssuer, "aud": []string{"https://other.example", testAudience}, "exp": raw("1700003600.5")}
	c, err := parseAndValidate(v, sign(t, "EdDSA", claims), k.ed.Public())
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	assertClaims(t, c, Claims{
		Issuer:    testIssuer,
		Audience:  []string{"https://other.example", testAudience},
		ExpiresAt: time.Unix(1700003600, 500_000_000),
	})
	if !c.IssuedAt.IsZero() || !c.NotBefore.IsZero() {
		t.Errorf("absent iat/nbf = %v/%v, want zero", c.IssuedAt, c.NotBefore)
	}
	if c.Scopes != nil {
		t.Errorf("Scopes = %q, want nil", c.Scopes)
	}
}

type validateCase struct {
	name  string
	token string
	key   crypto.PublicKey
	opts  []Option
	want  error // nil: accepted
}

func runValidateCases(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newTestValidator(t, tc.opts...)
			c, err := parseAndValidate(v, tc.token, tc.key)
			if tc.want == nil {
				if err != nil || c == nil {
					t.Fatalf("Validate = %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Validate error = %v, want %v", err, tc.want)
			}
			if c != nil {
				t.Errorf("claims returned with error %v", err)
			}
		})
	}
}

// replaceSignature swaps the signature segment of token.
func replaceSignature(token string, sig []byte) string {
	return token[:strings.LastIndexByte(token, '.')+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func signatureOf(t *testing.T, token string) []byte {
	t.Helper()
	sig, err := base64.RawURLEncoding.DecodeString(token[strings.LastIndexByte(token, '.')+1:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// replacePayload keeps header and signature of token but carries payload.
func replacePayload(token, payload string) string {
	parts := strings.Split(token, ".")
	return parts[0] + "." + b64(payload) + "." + parts[2]
}

func signatureRejections(t *testing.T) []validateCase {
	k := fixtureKeys(t)
	rs := sign(t, "RS256", defaultClaims())
	es := sign(t, "ES256", defaultClaims())
	ed := sign(t, "EdDSA", defaultClaims())
	rsSig := signatureOf(t, rs)
	esSig := signatureOf(t, es)

	// HS256 "signed" with the RSA public key as the HMAC secret: the classic
	// algorithm-confusion forgery.
	der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hsPEM := signRaw(t, "HS256", pemKey, headerJSON("HS256"), defaultClaims().json(t))
	hsDER := signRaw(t, "HS256", der, headerJSON("HS256"), defaultClaims().json(t))

	n256 := k.p256.Curve.Params().N.FillBytes(make([]byte, 32))
	zero32 := make([]byte, 32)
	one32 := big.NewInt(1).FillBytes(make([]byte, 32))

	return []validateCase{
		// Algorithm policy, before any cryptography.
		{"HS256 with the RSA public key (PEM) as secret", hsPEM, &k.rsa.PublicKey, nil, ErrAlgorithm},
		{"HS256 with the RSA public key (DER) as secret", hsDER, &k.rsa.PublicKey, nil, ErrAlgorithm},
		{"RS256 not in allow-list", rs, &k.rsa.PublicKey, []Option{WithAlgorithms("ES256", "EdDSA")}, ErrAlgorithm},
		{"ES256 not in allow-list", es, k.p256.Public(), []Option{WithAlgorithms("ES384")}, ErrAlgorithm},
		{"EdDSA not in allow-list", ed, k.ed.Public(), []Option{WithAlgorithms("RS256")}, ErrAlgorithm},
		{"unknown alg", signRaw(t, "RS256", k.rsa, `{"alg":"RS257"}`, defaultClaims().json(t)), &k.rsa.PublicKey, nil, ErrAlgorithm},
		{"alg case variant rs256", signRaw(t, "RS256", k.rsa, `{"alg":"rs256"}`, defaultClaims().json(t)), &k.rsa.PublicKey, nil, ErrAlgorithm},

		// The key does not fit the algorithm.
		{"ES256 header with a P-384 key", es, k.p384.Public(), nil, ErrAlgorithm},
		{"ES384 token with a P-256 key", sign(t, "ES384", defaultClaims()), k.p256.Public(), nil, ErrAlgorithm},
		{"ES512 token with a P-384 key", sign(t, "ES512", defaultClaims()), k.p384.Public(), nil, ErrAlgorithm},
		{"RS256 token with an EC key", rs, k.p256.Public(), nil, ErrAlgorithm},
		{"PS256 token with an Ed25519 key", sign(t, "PS256", defaultClaims()), k.ed.Public(), nil, ErrAlgorithm},
		{"EdDSA token with an RSA key", ed, &k.rsa.PublicKey, nil, ErrAlgorithm},
		{"ES256 token with an RSA key", es, &k.rsa.PublicKey, nil, ErrAlgorithm},
		{"nil key", rs, nil, nil, ErrAlgorithm},
		{"nil *rsa.PublicKey", rs, (*rsa.PublicKey)(nil), nil, ErrAlgorithm},
		{"empty rsa.PublicKey", rs, &rsa.PublicKey{}, nil, ErrAlgorithm},
		{"rsa.PublicKey by value", rs, k.rsa.PublicKey, nil, ErrAlgorithm},
		{"RSA private key", rs, k.rsa, nil, ErrAlgorithm},
		{"nil *ecdsa.PublicKey", es, (*ecdsa.PublicKey)(nil), nil, ErrAlgorithm},
		{"empty ecdsa.PublicKey", es, &ecdsa.PublicKey{}, nil, ErrAlgorithm},
		{"short Ed25519 key", ed, ed25519.PublicKey(make([]byte, 31)), nil, ErrAlgorithm},
		{"Ed25519 private key", ed, k.ed, nil, ErrAlgorithm},

		// The signature is not the key's signature over these bytes.
		{"stripped signature", rs[:strings.LastIndexByte(rs, '.')+1], &k.rsa.PublicKey, nil, ErrSignature},
		{"truncated signature (one byte short)", replaceSignature(rs, rsSig[:len(rsSig)-1]), &k.rsa.PublicKey, nil, ErrSignature},
		{"truncated signature (half)", replaceSignature(rs, rsSig[:len(rsSig)/2]), &k.rsa.PublicKey, nil, ErrSignature},
		{"signature with a byte appended", replaceSignature(rs, append(slices.Clone(rsSig), 0)), &k.rsa.PublicKey, nil, ErrSignature},
		{"signature with a zero byte prepended", replaceSignature(rs, append([]byte{0}, rsSig...)), &k.rsa.PublicKey, nil, ErrSignature},
		{"signature with one bit flipped", replaceSignature(rs, flipBit(rsSig, 100)), &k.rsa.PublicKey, nil, ErrSignature},
		{"signature by another RSA key", sign2(t, defaultClaims()), &k.rsa.PublicKey, nil, ErrSignature},
		{"RS256 signature relabelled PS256", relabel(t, rs, "PS256"), &k.rsa.PublicKey, nil, ErrSignature},
		{"RS256 signature relabelled RS384", relabel(t, rs, "RS384"), &k.rsa.PublicKey, nil, ErrSignature},
		{"payload modified", replacePayload(rs, defaultClaims().with("sub", "admin").json(t)), &k.rsa.PublicKey, nil, ErrSignature},
		{"payload modified (ES256)", replacePayload(es, defaultClaims().with("aud", "https://mcp.example/mcp").with("scope", "admin").json(t)), k.p256.Public(), nil, ErrSignature},
		{"kid modified", relabelHeader(t, rs, `{"alg":"RS256","kid":"k2","typ":"JWT"}`), &k.rsa.PublicKey, nil, ErrSignature},
		{"ECDSA r=0, s=0 (CVE-2022-21449)", replaceSignature(es, make([]byte, 64)), k.p256.Public(), nil, ErrSignature},
		{"ECDSA r=0, s=1", replaceSignature(es, slices.Concat(zero32, one32)), k.p256.Public(), nil, ErrSignature},
		{"ECDSA r=n, s=n", replaceSignature(es, slices.Concat(n256, n256)), k.p256.Public(), nil, ErrSignature},
		{"ECDSA r=1, s=n", replaceSignature(es, slices.Concat(one32, n256)), k.p256.Public(), nil, ErrSignature},
		{"ECDSA signature too long", replaceSignature(es, append(slices.Clone(esSig), 0)), k.p256.Public(), nil, ErrSignature},
		{"ECDSA signature too short", replaceSignature(es, esSig[:63]), k.p256.Public(), nil, ErrSignature},
		{"ECDSA signature in ASN.1 DER form", replaceSignature(es, p1363ToDER(t, esSig)), k.p256.Public(), nil, ErrSignature},
		{"EdDSA signature all zero", replaceSignature(ed, make([]byte, 64)), k.ed.Public(), nil, ErrSignature},
		{"EdDSA signature one bit flipped", replaceSignature(ed, flipBit(signatureOf(t, ed), 7)), k.ed.Public(), nil, ErrSignature},

		// Encodings of the signature segment that Parse refuses.
		{"padded signature segment", rs + strings.Repeat("=", (4-len(rs[strings.LastIndexByte(rs, '.')+1:])%4)%4), &k.rsa.PublicKey, nil, ErrMalformed},
		{"truncated signature segment (one char)", rs[:len(rs)-1], &k.rsa.PublicKey, nil, ErrMalformed},
		{"signature in standard base64", rs[:strings.LastIndexByte(rs, '.')+1] + base64.StdEncoding.EncodeToString(rsSig), &k.rsa.PublicKey, nil, ErrMalformed},
		{"CRLF inside the signature", rs[:len(rs)-10] + "\r\n" + rs[len(rs)-10:], &k.rsa.PublicKey, nil, ErrMalformed},

		// The same tokens unmodified pass: the cases above fail for their stated reason.
		{"control: RS256 token", rs, &k.rsa.PublicKey, nil, nil},
		{"control: ES256 token", es, k.p256.Public(), nil, nil},
		{"control: EdDSA token", ed, k.ed.Public(), nil, nil},
	}
}

func TestValidateRejectsBadSignatures(t *testing.T) { runValidateCases(t, signatureRejections(t)) }

func flipBit(b []byte, bit int) []byte {
	out := slices.Clone(b)
	out[bit/8] ^= 1 << (bit % 8)
	return out
}

func sign2(t *testing.T, claims claimSet) string {
	return signRaw(t, "RS256", fixtureKeys(t).rsa2, headerJSON("RS256"), claims.json(t))
}

// relabelHeader replaces the header segment, keeping payload and signature.
func relabelHeader(t *testing.T, token, header string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	return b64(header) + "." + parts[1] + "." + parts[2]
}

func relabel(t *testing.T, token, alg string) string {
	return relabelHeader(t, token, headerJSON(alg))
}

// p1363ToDER re-encodes a fixed-width r||s signature as ASN.1 DER.
func p1363ToDER(t *testing.T, sig []byte) []byte {
	t.Helper()
	r := new(big.Int).SetBytes(sig[:len(sig)/2])
	s := new(big.Int).SetBytes(sig[len(sig)/2:])
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		t.Fatal(err)
	}
	return der
}
