package jwt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
)

// fuzzKey is fixed so that seed tokens stay valid across runs (Ed25519
// signatures are deterministic).
func fuzzKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x5e}, ed25519.SeedSize))
}

const fuzzHeader = `{"alg":"EdDSA","kid":"fuzz","typ":"at+jwt"}`

func fuzzPayload() string {
	return `{"iss":"https://issuer.example","aud":["https://mcp.example/mcp"],"exp":1700003600,"iat":1699999990,"sub":"u","scope":"read","scp":["write"]}`
}

// fuzzToken signs payload under fuzzHeader with the fixed key.
func fuzzToken(payload string) string {
	input := b64(fuzzHeader) + "." + b64(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(fuzzKey(), []byte(input)))
}

func fuzzSeeds() []string {
	valid := fuzzToken(fuzzPayload())
	return []string{
		valid,
		fuzzToken(`{"iss":"https://issuer.example","aud":"https://mcp.example/mcp","exp":1700000100}`),
		valid + "=",
		strings.Replace(valid, ".", "..", 1),
		b64(`{"alg":"none"}`) + "." + b64(fuzzPayload()) + ".",
		b64(`{"alg":"EdDSA","crit":["b64"],"b64":false}`) + "." + b64(fuzzPayload()) + ".c2ln",
		b64(`{"alg":"EdDSA","alg":"EdDSA"}`) + "." + b64(fuzzPayload()) + ".c2ln",
		b64(`{"alg":"EdDSA"}`) + "." + b64(`{"exp":1e999,"aud":[[]],"iss":{"a":{"b":[1,2,3]}}}`) + ".c2ln",
		"eyJ.eyJ.eyJ.eyJ.eyJ",
		`{"payload":"e30","signatures":[]}`,
		"",
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Parse(raw)
		if err != nil {
			if tok != nil {
				t.Fatal("token returned with an error")
			}
			if Describe(err) == "invalid token" {
				t.Fatalf("error outside the package's set: %v", err)
			}
			return
		}
		// Whatever Parse accepts is canonical: every segment is exactly the
		// encoding of what it decoded to, so no two accepted strings share a
		// meaning.
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted %d segments", len(parts))
		}
		jws, err := splitCompact(raw, nil)
		if err != nil {
			t.Fatalf("Parse accepted what splitCompact refuses: %v", err)
		}
		enc := base64.RawURLEncoding.EncodeToString
		if enc([]byte(jws.header)) != parts[0] || enc([]byte(jws.payload)) != parts[1] || enc(jws.signature) != parts[2] {
			t.Fatal("accepted a non-canonical segment")
		}
		if tok.Raw != raw || tok.signingInput != parts[0]+"."+parts[1] {
			t.Fatal("Raw or signing input differ from the input")
		}
		if tok.Header.Algorithm == "" || strings.EqualFold(tok.Header.Algorithm, "none") {
			t.Fatalf("accepted alg %q", tok.Header.Algorithm)
		}
		if tok.Header.HasKeyID != (tok.Header.KeyID != "") {
			t.Fatal("HasKeyID disagrees with KeyID")
		}
		if tok.claims == nil {
			t.Fatal("accepted without claims")
		}
	})
}

// FuzzValidate checks that nothing but a token signed by the fixed key
// passes: (1) any string the fuzzer makes must fail unless it is one of the
// signed seeds, and (2) a signed token whose payload is swapped for fuzzed
// bytes must fail unless the bytes are the original ones.
func FuzzValidate(f *testing.F) {
	seeds := fuzzSeeds()
	for _, s := range seeds {
		f.Add(s, []byte(fuzzPayload()))
	}
	f.Add(seeds[0], []byte(strings.Replace(fuzzPayload(), `"u"`, `"admin"`, 1)))
	f.Add(seeds[0], []byte(fuzzPayload()+" "))
	f.Add(seeds[0], []byte(" "+fuzzPayload()))

	signed := map[string]bool{}
	for _, s := range seeds {
		if strings.HasPrefix(s, b64(fuzzHeader)+".") && strings.Count(s, ".") == 2 && !strings.HasSuffix(s, "=") {
			signed[s] = true
		}
	}
	v, err := NewValidator(WithIssuer(testIssuer), WithAudiences(testAudience), WithRequireAccessTokenType())
	if err != nil {
		f.Fatal(err)
	}
	pub := fuzzKey().Public()
	original := fuzzToken(fuzzPayload())
	sig := original[strings.LastIndexByte(original, '.'):]

	f.Fuzz(func(t *testing.T, raw string, payload []byte) {
		if tok, err := Parse(raw); err == nil {
			if _, err := v.Validate(tok, pub, testNow); err == nil && !signed[raw] {
				t.Fatalf("accepted a token the key did not sign: %q", raw)
			}
		}

		spliced := b64(fuzzHeader) + "." + base64.RawURLEncoding.EncodeToString(payload) + sig
		tok, err := Parse(spliced)
		if err != nil {
			return
		}
		if _, err := v.Validate(tok, pub, testNow); err == nil && string(payload) != fuzzPayload() {
			t.Fatalf("accepted a swapped payload %q", payload)
		}
	})
}

func TestFuzzSeedsAreWhatTheyClaim(t *testing.T) {
	v := newTestValidator(t, WithRequireAccessTokenType())
	pub := fuzzKey().Public()
	for i, s := range fuzzSeeds()[:2] {
		if _, err := parseAndValidate(v, s, pub); err != nil {
			t.Errorf("seed %d should validate: %v", i, err)
		}
	}
	for i, s := range fuzzSeeds()[2:] {
		if _, err := parseAndValidate(v, s, pub); err == nil {
			t.Errorf("seed %d should fail", i+2)
		}
	}
}
