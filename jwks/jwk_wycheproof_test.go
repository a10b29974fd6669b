package jwks

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wycheproofFile reads one Wycheproof vector file from the shared test data
// beside the repository. Absent data skips the test, except in CI, where it
// fails: CI must never pass without the vectors.
func wycheproofFile(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "testdata", "wycheproof", name)
	b, err := os.ReadFile(path)
	if err != nil {
		if _, ci := os.LookupEnv("CI"); ci {
			t.Fatalf("Wycheproof vectors are required in CI: %v", err)
		}
		t.Skipf("Wycheproof vectors not available (%v); they live in ../shared/testdata/wycheproof", err)
	}
	return b
}

type wycheproofJWKFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		Comment string          `json:"comment"`
		Private json.RawMessage `json:"private"`
		Public  json.RawMessage `json:"public"`
		Tests   []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			JWS     string   `json:"jws"`
			Result  string   `json:"result"`
			Flags   []string `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproofJSONWebKey drives every vector of json_web_key_test.json.
// Each group holds a "private" key set (what the signer had) and sometimes
// the matching "public" set; each test is a compact JWS and whether a library
// holding that set must accept it.
//
// How the vectors map onto a verification-only JWKS parser:
//
//   - "private" sets all carry private or secret members (d, k). A resource
//     server never holds them; we assert Parse rejects each with
//     ErrPrivateKeyMaterial.
//   - Groups without a "public" set are HMAC (oct) key sets, or the mixed
//     oct+EC set. They do not apply: a JWKS published by an authorization
//     server must never carry a shared secret, so even the vectors marked
//     "valid" (tcId 2, 13-15: a correct HS256/384/512 MAC) are rejected here,
//     by ErrPrivateKeyMaterial, and no MAC is ever verified.
//   - Groups with a "public" set are driven fully: Parse it, Select by the
//     JWS header's kid and alg, and for "valid" vectors verify the signature
//     with the selected key. "invalid" vectors must be stopped by Parse or
//     Select with the reason listed in wantInvalid.
func TestWycheproofJSONWebKey(t *testing.T) {
	var file wycheproofJWKFile
	if err := json.Unmarshal(wycheproofFile(t, "json_web_key_test.json"), &file); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	// Why each "invalid" vector with a public key set is refused here.
	wantInvalid := map[int]error{
		6:  ErrKeyUse,            // "use":"enc", alg RSA1_5
		7:  ErrWeakKey,           // ROCA modulus
		8:  ErrWeakKey,           // 1024-bit RSA
		9:  ErrWeakKey,           // e = 1
		19: ErrAlgorithmMismatch, // alg ES521 (not a JWS algorithm) on P-256
		20: ErrAlgorithmMismatch, // alg ES224 on P-256
		21: ErrKeyUse,            // "use":"enc" on an ES256 key
		22: ErrInvalidKey,        // point not on the curve
		23: ErrAlgorithmMismatch, // P-256 coordinates labelled P-384, alg ES256
		24: ErrAlgorithmMismatch, // EC members labelled kty RSA, alg ES256
	}
	seen := 0
	for _, g := range file.TestGroups {
		_, privErr := Parse(g.Private)
		for _, tc := range g.Tests {
			seen++
			name := fmt.Sprintf("tcId %d %s %s", tc.TcID, g.Comment, tc.Comment)
			t.Run(name, func(t *testing.T) {
				if !errors.Is(privErr, ErrPrivateKeyMaterial) {
					t.Errorf("Parse(private set) = %v, want ErrPrivateKeyMaterial", privErr)
				}
				if len(g.Public) == 0 {
					if tc.Result == "valid" {
						t.Logf("not applicable: a %s MAC set is never accepted from a JWKS (rejected above)", g.Comment)
					}
					return
				}
				kid, hasKid, alg := wycheproofHeader(t, tc.JWS)
				set, err := Parse(g.Public)
				var key *Key
				if err == nil {
					key, err = set.Select(kid, hasKid, alg)
				}
				switch tc.Result {
				case "valid":
					if err != nil {
						t.Fatalf("valid vector refused: %v", err)
					}
					if err := verifyJWS(key, tc.JWS); err != nil {
						t.Fatalf("selected key does not verify the valid signature: %v", err)
					}
				case "invalid":
					want, ok := wantInvalid[tc.TcID]
					if !ok {
						t.Fatalf("no expectation recorded for this invalid vector (err = %v)", err)
					}
					if !errors.Is(wycheproofReason(err), want) {
						t.Fatalf("refused with %v, want %v", err, want)
					}
				default:
					t.Fatalf("unexpected result %q", tc.Result)
				}
			})
		}
	}
	if seen != file.NumberOfTests {
		t.Errorf("ran %d vectors, file declares %d", seen, file.NumberOfTests)
	}
}

// wycheproofReason unwraps a one-key NoUsableKeyError to the key's reason,
// so a skipped key and a failed Select can be compared alike.
func wycheproofReason(err error) error {
	var nu *NoUsableKeyError
	if errors.As(err, &nu) && len(nu.Skipped) == 1 {
		return nu.Skipped[0].Reason
	}
	return err
}

func wycheproofHeader(t *testing.T, jws string) (kid string, hasKid bool, alg string) {
	t.Helper()
	header, _, _ := strings.Cut(jws, ".")
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	var h struct {
		Alg string  `json:"alg"`
		Kid *string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	if h.Kid != nil {
		return *h.Kid, true, h.Alg
	}
	return "", false, h.Alg
}

// TestWycheproofFlaggedPolicies checks, with asymmetric keys from the same
// file, the two set-level policies Wycheproof flags only on HMAC sets.
func TestWycheproofFlaggedPolicies(t *testing.T) {
	var file wycheproofJWKFile
	if err := json.Unmarshal(wycheproofFile(t, "json_web_key_test.json"), &file); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	var rsaPublic, ecPrivate json.RawMessage // the RS256 public key; the EC private key
	for _, g := range file.TestGroups {
		var sets struct{ Keys []json.RawMessage }
		if g.Comment == "rs256" && len(g.Public) > 0 && rsaPublic == nil {
			if err := json.Unmarshal(g.Public, &sets); err != nil {
				t.Fatal(err)
			}
			rsaPublic = sets.Keys[0]
		}
		if g.Comment == "invalid_use" {
			if err := json.Unmarshal(g.Private, &sets); err != nil {
				t.Fatal(err)
			}
			ecPrivate = sets.Keys[0]
		}
	}
	if rsaPublic == nil || ecPrivate == nil {
		t.Fatal("vector file no longer has the rs256 and invalid_use groups")
	}
	// MixedKeySet: public and private keys in one set reject the whole set.
	if _, err := Parse(setJSON(t, rsaPublic, ecPrivate)); !errors.Is(err, ErrPrivateKeyMaterial) {
		t.Errorf("mixed public/private set: Parse = %v, want ErrPrivateKeyMaterial", err)
	}
	// DuplicateKid: two keys with one kid that both fit the token's alg:
	// no key is chosen (the set itself stays usable, see Set.Select).
	s, err := Parse(setJSON(t, rsaPublic, rsaPublic))
	if err != nil {
		t.Fatalf("Parse duplicate kid set: %v", err)
	}
	if key, err := s.Select("kid-rsa-sign", true, "RS256"); !errors.Is(err, ErrAmbiguousKey) {
		t.Errorf("duplicate kid: Select = %v, %v; want ErrAmbiguousKey", key, err)
	}
}

// TestWycheproofSignatureFileKeys parses the public JWK of every group in
// the per-algorithm vector files: keys Wycheproof uses for valid signatures
// must be accepted, except where our policy is stricter than Wycheproof.
func TestWycheproofSignatureFileKeys(t *testing.T) {
	tests := []struct {
		file string
		// policy maps a JWK's "e" to the error our policy gives keys that
		// Wycheproof still uses for valid signatures.
		policy map[string]error
	}{
		{"ecdsa_secp256r1_sha256_p1363_test.json", nil},
		{"ecdsa_secp384r1_sha384_p1363_test.json", nil},
		{"ed25519_test.json", nil},
		{"rsa_pss_2048_sha256_mgf1_32_test.json", nil},
		// Groups with e = 3: valid PKCS#1 v1.5 signatures, but we accept
		// only e = 65537 (see keyRSAPublic).
		{"rsa_signature_2048_sha256_test.json", map[string]error{"Aw": ErrWeakKey}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var file struct {
				TestGroups []struct {
					PublicKeyJwk map[string]any  `json:"publicKeyJwk"`
					KeyJwk       map[string]any  `json:"keyJwk"`
					PublicKey    json.RawMessage `json:"publicKey"`
				} `json:"testGroups"`
			}
			if err := json.Unmarshal(wycheproofFile(t, tt.file), &file); err != nil {
				t.Fatalf("decode vectors: %v", err)
			}
			for i, g := range file.TestGroups {
				key := g.PublicKeyJwk
				if key == nil {
					key = g.KeyJwk
				}
				if key == nil {
					// A few ECDSA groups (r/s edge cases) give the key only
					// as an uncompressed point: build the JWK from it.
					key = wycheproofECPointJWK(t, g.PublicKey)
				}
				_, err := Parse(setJSON(t, key))
				e, _ := key["e"].(string)
				if want := tt.policy[e]; want != nil {
					if !errors.Is(wycheproofReason(err), want) {
						t.Errorf("group %d (e=%s): Parse = %v, want %v", i, e, err, want)
					}
					continue
				}
				if err != nil {
					t.Errorf("group %d: Parse = %v, want the key accepted", i, err)
				}
			}
			if len(file.TestGroups) == 0 {
				t.Fatal("no test groups")
			}
		})
	}
}

// wycheproofECPointJWK turns a Wycheproof EcPublicKey ({curve, uncompressed})
// into a JWK; it fails the test when the group has no such key.
func wycheproofECPointJWK(t *testing.T, raw json.RawMessage) jwk {
	t.Helper()
	var pk struct {
		Curve        string `json:"curve"`
		Uncompressed string `json:"uncompressed"`
	}
	if err := json.Unmarshal(raw, &pk); err != nil || pk.Uncompressed == "" {
		t.Fatalf("group has neither a JWK nor an uncompressed point: %s", raw)
	}
	crv := map[string]string{"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[pk.Curve]
	point, err := hex.DecodeString(pk.Uncompressed)
	if err != nil || crv == "" || len(point)%2 != 1 || point[0] != 4 {
		t.Fatalf("unusable public key %s", raw)
	}
	size := len(point) / 2
	return jwk{"kty": "EC", "crv": crv, "x": b64(point[1 : 1+size]), "y": b64(point[1+size:])}
}
