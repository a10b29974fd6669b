package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/base64url"
)

// Wycheproof vectors live outside the repository (../shared/testdata from
// the project root). Absent, the tests skip, except under CI, where they
// must run.
func wycheproofFile(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "testdata", "wycheproof", name)
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Wycheproof vectors required under CI: %v", err)
		}
		t.Skipf("Wycheproof vectors not found (%v); they are in the team's shared checkout", err)
	}
	return b
}

// testJWK is the subset of RFC 7517/7518 public key members the vectors use.
type testJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// publicKey turns a JWK into a crypto.PublicKey. Test-only and minimal: the
// jwks package owns real JWK validation.
func (j testJWK) publicKey() (crypto.PublicKey, error) {
	dec := func(s string) (*big.Int, error) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return new(big.Int).SetBytes(b), err
	}
	switch j.Kty {
	case "RSA":
		n, err1 := dec(j.N)
		e, err2 := dec(j.E)
		if err := errors.Join(err1, err2); err != nil || !e.IsInt64() {
			return nil, fmt.Errorf("bad RSA JWK: %v", err)
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		curve, err := curveNamed(j.Crv)
		if err != nil {
			return nil, err
		}
		x, err1 := dec(j.X)
		y, err2 := dec(j.Y)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
	case "OKP":
		x, err := base64.RawURLEncoding.DecodeString(j.X)
		if err != nil || j.Crv != "Ed25519" {
			return nil, fmt.Errorf("bad OKP JWK (crv %q): %v", j.Crv, err)
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("unsupported kty %q", j.Kty)
}

func curveNamed(name string) (elliptic.Curve, error) {
	switch name {
	case "P-256", "secp256r1":
		return elliptic.P256(), nil
	case "P-384", "secp384r1":
		return elliptic.P384(), nil
	case "P-521", "secp521r1":
		return elliptic.P521(), nil
	}
	return nil, fmt.Errorf("unsupported curve %q", name)
}

// signatureVectors is the shared shape of the raw-signature files.
type signatureVectors struct {
	TestGroups []struct {
		PublicKeyJwk *testJWK `json:"publicKeyJwk"`
		KeyJwk       *testJWK `json:"keyJwk"`
		PublicKey    struct {
			Curve string `json:"curve"`
			Wx    string `json:"wx"`
			Wy    string `json:"wy"`
		} `json:"publicKey"`
		Tests []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Msg     string   `json:"msg"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
			Flags   []string `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// groupKey prefers the group's JWK; a few ECDSA groups carry only the raw
// point (wx, wy in hex), which is the same key.
func groupKey(t *testing.T, jwk, keyJwk *testJWK, curve, wx, wy string) crypto.PublicKey {
	t.Helper()
	if jwk == nil {
		jwk = keyJwk
	}
	if jwk != nil {
		k, err := jwk.publicKey()
		if err != nil {
			t.Fatalf("group key: %v", err)
		}
		return k
	}
	c, err := curveNamed(curve)
	if err != nil {
		t.Fatalf("group key: %v", err)
	}
	x, ok1 := new(big.Int).SetString(wx, 16)
	y, ok2 := new(big.Int).SetString(wy, 16)
	if !ok1 || !ok2 {
		t.Fatalf("group key: bad point %s, %s", wx, wy)
	}
	return &ecdsa.PublicKey{Curve: c, X: x, Y: y}
}

// TestWycheproofSignatures drives the raw signature vectors through the
// production path: the message becomes the signing input, the signature is
// base64url-encoded and decoded by decodeSegment (as Parse does), and
// VerifySignature (as Validate does) decides.
func TestWycheproofSignatures(t *testing.T) {
	files := []struct {
		file string
		alg  string
		// acceptable decides each "acceptable" vector by tcId: true = we
		// accept it. Listing them makes any change in behaviour visible.
		acceptable map[int]bool
	}{
		{"ecdsa_secp256r1_sha256_p1363_test.json", "ES256", nil},
		{"ecdsa_secp384r1_sha384_p1363_test.json", "ES384", nil},
		{"rsa_signature_2048_sha256_test.json", "RS256", map[int]bool{
			// MissingNull: DigestInfo without the NULL parameters. Legacy, not
			// a forgery, but Go's crypto/rsa compares the exact DER prefix
			// and refuses it; refusing is the conservative outcome.
			8: false,
		}},
		{"rsa_pss_2048_sha256_mgf1_32_test.json", "PS256", nil},
		{"ed25519_test.json", "EdDSA", nil},
	}
	for _, f := range files {
		t.Run(f.alg, func(t *testing.T) {
			var vs signatureVectors
			if err := json.Unmarshal(wycheproofFile(t, f.file), &vs); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for _, g := range vs.TestGroups {
				key := groupKey(t, g.PublicKeyJwk, g.KeyJwk, g.PublicKey.Curve, g.PublicKey.Wx, g.PublicKey.Wy)
				for _, tc := range g.Tests {
					msg, err1 := hex.DecodeString(tc.Msg)
					sig, err2 := hex.DecodeString(tc.Sig)
					if err := errors.Join(err1, err2); err != nil {
						t.Fatalf("tcId %d: %v", tc.TcID, err)
					}
					err := verifyAsEncoded(f.alg, string(msg), sig, key)
					var want bool
					switch tc.Result {
					case "valid":
						want = true
					case "invalid":
						want = false
					case "acceptable":
						decided, ok := f.acceptable[tc.TcID]
						if !ok {
							t.Errorf("tcId %d (%s %v): acceptable vector without a decision", tc.TcID, tc.Comment, tc.Flags)
							continue
						}
						want = decided
					default:
						t.Fatalf("tcId %d: unknown result %q", tc.TcID, tc.Result)
					}
					if (err == nil) != want {
						t.Errorf("tcId %d (%s %v) %s: VerifySignature = %v", tc.TcID, tc.Comment, tc.Flags, tc.Result, err)
					}
					if err != nil && !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) {
						t.Errorf("tcId %d: rejected with %v, want ErrSignature or ErrMalformed", tc.TcID, err)
					}
					counts[tc.Result]++
				}
			}
			if counts["valid"] == 0 || counts["invalid"] == 0 {
				t.Fatalf("vectors not exercised: %v", counts)
			}
			t.Logf("%s: %v", f.file, counts)
		})
	}
}

// verifyAsEncoded passes sig through the JWS encoding and our decoder first.
func verifyAsEncoded(alg, signingInput string, sig []byte, key crypto.PublicKey) error {
	enc := base64.RawURLEncoding.EncodeToString(sig)
	decoded, _, err := decodeSegment(make([]byte, 0, base64url.DecodedLen(len(enc))), enc)
	if err != nil {
		return err
	}
	return VerifySignature(alg, signingInput, decoded, key)
}

// jwsVectors is json_web_signature_test.json.
type jwsVectors struct {
	TestGroups []struct {
		Comment string          `json:"comment"`
		Public  *testJWK        `json:"public"`
		Private json.RawMessage `json:"private"`
		Tests   []struct {
			TcID    int             `json:"tcId"`
			Comment string          `json:"comment"`
			JWS     json.RawMessage `json:"jws"` // a string, or an object for JSON serialization
			Result  string          `json:"result"`
			Flags   []string        `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// verifyCompact is the token-level half of Parse and Validate: split and
// decode the segments, check the header, apply the default allow-list, and
// verify. The claims half is left out because these vectors' payloads are
// not JWT claims (mostly "foo").
func verifyCompact(raw string, key crypto.PublicKey, allowed *Validator) error {
	jws, err := splitCompact(raw, nil)
	if err != nil {
		return err
	}
	h, err := parseHeader(jws.header)
	if err != nil {
		return err
	}
	if !allowed.AllowsAlgorithm(h.Algorithm) {
		return ErrAlgorithm
	}
	return VerifySignature(h.Algorithm, jws.signingInput, jws.signature, key)
}

// keySelectionVectors are invalid for Wycheproof because of the group's JWK,
// not the signature: the key is marked for encryption ("use":"enc",
// "key_ops":["encrypt"]) or restricted to another algorithm ("alg":"PS512"
// while the token says RS256, PS256, ...). Honouring use, key_ops and alg
// is key selection, done by the jwks package before a key reaches Validate;
// at this layer these signatures are genuine and verify.
var keySelectionVectors = map[int]string{
	332: "JWK alg PS512, token RS256", 334: "JWK alg PS512, token RS384", 336: "JWK alg PS512, token RS512",
	338: "JWK alg PS512, token PS256", 340: "JWK alg PS512, token PS384",
	353: "JWK use enc", 354: "JWK use enc", 355: "JWK key_ops encrypt", 356: "JWK key_ops encrypt",
}

func TestWycheproofJSONWebSignature(t *testing.T) {
	var vs jwsVectors
	if err := json.Unmarshal(wycheproofFile(t, "json_web_signature_test.json"), &vs); err != nil {
		t.Fatal(err)
	}
	allowed := newTestValidator(t) // the default allow-list
	counts := map[string]int{}
	for _, g := range vs.TestGroups {
		var key crypto.PublicKey
		if g.Public != nil {
			k, err := g.Public.publicKey()
			if err != nil {
				t.Fatalf("group %s: %v", g.Comment, err)
			}
			key = k
		}
		for _, tc := range g.Tests {
			name := fmt.Sprintf("tcId %d (%s/%s)", tc.TcID, g.Comment, tc.Comment)
			var raw string
			if err := json.Unmarshal(tc.JWS, &raw); err != nil {
				// JSON serialization: Parse must name it.
				if _, err := Parse(string(tc.JWS)); !errors.Is(err, errJSONSerialization) {
					t.Errorf("%s: Parse = %v, want the JSON serialization error", name, err)
				}
				counts["json-serialization"]++
				continue
			}
			err := verifyCompact(raw, key, allowed)
			switch {
			case keySelectionVectors[tc.TcID] != "":
				if err != nil {
					t.Errorf("%s: %v; the signature is genuine (%s is for jwks to refuse)", name, err, keySelectionVectors[tc.TcID])
				}
				counts["key selection (jwks)"]++
			case tc.Result == "valid" && key == nil:
				// Groups without a public key are HMAC (kty "oct"): refused
				// by design, a resource server holds no shared secrets
				// (RFC 8725 §2.1, §3.1). Some of these tokens are also
				// non-canonical base64url and stop at Parse.
				if !errors.Is(err, ErrAlgorithm) && !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: HMAC token: %v, want ErrAlgorithm (or ErrMalformed)", name, err)
				}
				counts["valid HMAC refused"]++
			case tc.Result == "valid":
				if err != nil {
					t.Errorf("%s: valid vector refused: %v", name, err)
				}
				// The payloads are not JSON objects, so Parse as a whole
				// must stop at the payload.
				if _, perr := Parse(raw); !errors.Is(perr, ErrMalformed) {
					t.Errorf("%s: Parse = %v, want ErrMalformed for a non-claims payload", name, perr)
				}
				counts["valid"]++
			case tc.Result == "invalid":
				if err == nil {
					t.Errorf("%s: invalid vector accepted", name)
				}
				counts["invalid"]++
			default:
				t.Errorf("%s: result %q without a decision", name, tc.Result)
			}
		}
	}
	if counts["valid"] == 0 || counts["invalid"] == 0 {
		t.Fatalf("vectors not exercised: %v", counts)
	}
	t.Logf("json_web_signature_test.json: %v", counts)
}
