package jwt

import (
	"errors"
	"strings"
	"testing"
)

// okPayload is a JSON object payload for structural tests; its claims do not
// matter to Parse.
const okPayload = `{"iss":"https://issuer.example"}`

func compact(header, payload, sig string) string { return header + "." + payload + "." + sig }

func TestParseAcceptsWellFormedTokens(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   Header
	}{
		{"alg only", `{"alg":"RS256"}`, Header{Algorithm: "RS256"}},
		{"kid and typ JWT", `{"alg":"ES256","kid":"k1","typ":"JWT"}`, Header{Algorithm: "ES256", KeyID: "k1", HasKeyID: true, Type: "JWT"}},
		{"typ lower-case jwt", `{"alg":"ES256","typ":"jwt"}`, Header{Algorithm: "ES256", Type: "jwt"}},
		{"typ at+jwt", `{"alg":"EdDSA","typ":"at+jwt"}`, Header{Algorithm: "EdDSA", Type: "at+jwt"}},
		{"typ AT+JWT", `{"alg":"EdDSA","typ":"AT+JWT"}`, Header{Algorithm: "EdDSA", Type: "AT+JWT"}},
		{"typ application/at+jwt", `{"alg":"PS256","typ":"application/at+jwt"}`, Header{Algorithm: "PS256", Type: "application/at+jwt"}},
		{"typ Application/At+JWT", `{"alg":"PS256","typ":"Application/At+JWT"}`, Header{Algorithm: "PS256", Type: "Application/At+JWT"}},
		{"key-carrying parameters are ignored", `{"alg":"RS256","kid":"k1","jku":"https://evil.example/jwks","jwk":{"kty":"oct","k":"AA"},"x5u":"https://evil.example/x5u","x5c":["MIIB"],"x5t":"abc","x5t#S256":"def"}`, Header{Algorithm: "RS256", KeyID: "k1", HasKeyID: true}},
		{"unknown parameter ignored", `{"alg":"RS256","foo":{"bar":[1,2,{"baz":null}]}}`, Header{Algorithm: "RS256"}},
		{"whitespace around members", " {\n\t\"alg\" : \"RS256\" ,\r\n \"kid\":\"k\" } \n", Header{Algorithm: "RS256", KeyID: "k", HasKeyID: true}},
		{"HS256 is structurally fine (Validate refuses it)", `{"alg":"HS256"}`, Header{Algorithm: "HS256"}},
		{"unknown alg is structurally fine (Validate refuses it)", `{"alg":"XYZ"}`, Header{Algorithm: "XYZ"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := compact(b64(tc.header), b64(okPayload), "c2ln")
			tok, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tok.Header != tc.want {
				t.Errorf("Header = %+v, want %+v", tok.Header, tc.want)
			}
			if tok.Raw != raw {
				t.Errorf("Raw = %q, want the input", tok.Raw)
			}
			if tok.signingInput != raw[:strings.LastIndexByte(raw, '.')] {
				t.Errorf("signingInput = %q", tok.signingInput)
			}
			if string(tok.signature) != "sig" {
				t.Errorf("signature = %q, want %q", tok.signature, "sig")
			}
			if iss, ok := tok.UnverifiedIssuer(); !ok || iss != testIssuer {
				t.Errorf("UnverifiedIssuer = %q, %v", iss, ok)
			}
		})
	}
}

func TestParseAcceptsEmptySignatureSegment(t *testing.T) {
	// Structurally a JWS may have an empty signature (RFC 7515 §7.1);
	// VerifySignature refuses it. See TestValidateRejectsBadSignatures.
	tok, err := Parse(compact(b64(`{"alg":"RS256"}`), b64(okPayload), ""))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(tok.signature) != 0 {
		t.Errorf("signature = %x", tok.signature)
	}
}

func TestUnverifiedIssuer(t *testing.T) {
	tests := []struct {
		payload string
		want    string
		wantOK  bool
	}{
		{`{"iss":"https://a.example"}`, "https://a.example", true},
		{`{"iss":""}`, "", true},
		{`{"iss":1}`, "", false},
		{`{"iss":null}`, "", false},
		{`{"iss":["https://a.example"]}`, "", false},
		{`{}`, "", false},
	}
	for _, tc := range tests {
		tok, err := Parse(compact(b64(`{"alg":"RS256"}`), b64(tc.payload), "c2ln"))
		if err != nil {
			t.Fatalf("%s: Parse: %v", tc.payload, err)
		}
		got, ok := tok.UnverifiedIssuer()
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: UnverifiedIssuer = %q, %v; want %q, %v", tc.payload, got, ok, tc.want, tc.wantOK)
		}
	}
	var nilToken *Token
	if _, ok := nilToken.UnverifiedIssuer(); ok {
		t.Error("nil token has an issuer")
	}
}

type parseCase struct {
	name string
	raw  string
	want error
}

// parseRejections is shared with the Describe tests.
func parseRejections() []parseCase {
	h := b64(`{"alg":"RS256","kid":"k1"}`)
	p := b64(okPayload)
	s := "c2lnbmF0dXJl"
	hdr := func(header string) string { return compact(b64(header), p, s) }
	pay := func(payload string) string { return compact(h, b64(payload), s) }
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)

	return []parseCase{
		// Segments and serialization.
		{"empty string", "", ErrMalformed},
		{"one segment", h, ErrMalformed},
		{"two segments", h + "." + p, ErrMalformed},
		{"four segments", compact(h, p, s) + ".x", ErrMalformed},
		{"five segments (JWE)", h + ".a.b.c.d", errEncrypted},
		{"five empty segments", "....", errEncrypted},
		{"six segments", h + ".a.b.c.d.e", ErrMalformed},
		{"JSON serialization", `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","signature":"` + s + `"}]}`, errJSONSerialization},
		{"flattened JSON serialization", `{"payload":"` + p + `","protected":"` + h + `","signature":"` + s + `"}`, errJSONSerialization},
		{"JSON serialization after whitespace", ` {"payload":"e30"}`, errJSONSerialization},
		{"longer than the limit", compact(h, strings.Repeat("A", maxTokenBytes), s), ErrMalformed},
		{"empty header segment", compact("", p, s), ErrMalformed},
		{"empty payload segment", compact(h, "", s), ErrMalformed},

		// base64url: alphabet, padding, canonical form.
		{"padded header", compact(b64(`{"alg":"RS256"}`)+"=", p, s), ErrMalformed},
		{"padded payload", compact(h, b64(`{"a":1}`)+"=", s), ErrMalformed},
		{"padded signature", compact(h, p, "c2lnbmF0dXJlcw=="), ErrMalformed},
		{"single pad char on signature", compact(h, p, "c2lnbmF0dXJlcw="), ErrMalformed},
		{"standard alphabet + in signature", compact(h, p, "ab+d"), ErrMalformed},
		{"standard alphabet / in signature", compact(h, p, "ab/d"), ErrMalformed},
		{"space in header", compact(h[:4]+" "+h[4:], p, s), ErrMalformed},
		{"space in signature", compact(h, p, s[:4]+" "+s[4:]), ErrMalformed},
		{"leading space", " " + compact(h, p, s), ErrMalformed},
		{"trailing space", compact(h, p, s) + " ", ErrMalformed},
		{"tab in payload", compact(h, p[:3]+"\t"+p[3:], s), ErrMalformed},
		{"CR in header", compact(h[:4]+"\r"+h[4:], p, s), ErrMalformed},
		{"LF in payload", compact(h, p[:4]+"\n"+p[4:], s), ErrMalformed},
		{"CRLF in signature", compact(h, p, s[:4]+"\r\n"+s[4:]), ErrMalformed},
		{"trailing LF", compact(h, p, s) + "\n", ErrMalformed},
		{"NUL in signature", compact(h, p, s+"\x00"), ErrMalformed},
		{"non-ASCII byte in header", compact(h+"\xc3\xa9", p, s), ErrMalformed},
		{"non-zero trailing bits in payload", compact(h, "e31", s), ErrMalformed}, // "e30" is {}
		{"non-zero trailing bits in signature", compact(h, p, "c2lnbmF0dXJlcx"), ErrMalformed},
		{"impossible length (4n+1) signature", compact(h, p, "c2lnb"), ErrMalformed},
		{"impossible length (4n+1) payload", compact(h, b64(`{"a":"b"}`)+"A", s), ErrMalformed},
		{"extra base64 quantum after payload", compact(h, b64(okPayload)+"A", s), ErrMalformed},

		// Header JSON.
		{"header invalid UTF-8", hdr("{\"alg\":\"RS256\",\"x\":\"\xff\"}"), ErrMalformed},
		{"header overlong UTF-8", hdr("{\"alg\":\"RS256\",\"x\":\"\xc0\xaf\"}"), ErrMalformed},
		{"header UTF-8 surrogate", hdr("{\"alg\":\"RS256\",\"x\":\"\xed\xa0\x80\"}"), ErrMalformed},
		{"header duplicate alg", hdr(`{"alg":"RS256","alg":"none"}`), ErrMalformed},
		{"header duplicate alg reversed", hdr(`{"alg":"none","alg":"RS256"}`), ErrMalformed},
		{"header duplicate via escape", hdr(`{"alg":"RS256","\u0061lg":"ES256"}`), ErrMalformed},
		{"header duplicate kid", hdr(`{"alg":"RS256","kid":"a","kid":"b"}`), ErrMalformed},
		{"header nested duplicate", hdr(`{"alg":"RS256","jwk":{"kty":"RSA","kty":"EC"}}`), ErrMalformed},
		{"header array", hdr(`[{"alg":"RS256"}]`), ErrMalformed},
		{"header string", hdr(`"RS256"`), ErrMalformed},
		{"header number", hdr(`1`), ErrMalformed},
		{"header null", hdr(`null`), ErrMalformed},
		{"header not JSON", hdr(`alg=RS256`), ErrMalformed},
		{"header trailing garbage", hdr(`{"alg":"RS256"}x`), ErrMalformed},
		{"header second object", hdr(`{"alg":"RS256"}{"alg":"none"}`), ErrMalformed},
		{"header trailing comma", hdr(`{"alg":"RS256",}`), ErrMalformed},
		{"header truncated", hdr(`{"alg":"RS256"`), ErrMalformed},
		{"header with BOM", hdr("\ufeff{\"alg\":\"RS256\"}"), ErrMalformed},
		{"header nested too deeply", hdr(`{"alg":"RS256","x":` + deep + `}`), ErrMalformed},

		// alg.
		{"alg none", hdr(`{"alg":"none"}`), ErrAlgorithm},
		{"alg NONE", hdr(`{"alg":"NONE"}`), ErrAlgorithm},
		{"alg nOnE", hdr(`{"alg":"nOnE"}`), ErrAlgorithm},
		{"alg None with kid", hdr(`{"alg":"None","kid":"k1"}`), ErrAlgorithm},
		{"alg missing", hdr(`{"kid":"k1"}`), ErrAlgorithm},
		{"alg empty", hdr(`{"alg":""}`), ErrAlgorithm},
		{"alg number", hdr(`{"alg":256}`), ErrAlgorithm},
		{"alg null", hdr(`{"alg":null}`), ErrAlgorithm},
		{"alg array", hdr(`{"alg":["RS256"]}`), ErrAlgorithm},

		// kid.
		{"kid empty", hdr(`{"alg":"RS256","kid":""}`), ErrMalformed},
		{"kid number", hdr(`{"alg":"RS256","kid":1}`), ErrMalformed},
		{"kid null", hdr(`{"alg":"RS256","kid":null}`), ErrMalformed},
		{"kid object", hdr(`{"alg":"RS256","kid":{}}`), ErrMalformed},

		// crit.
		{"crit exp", hdr(`{"alg":"RS256","crit":["exp"],"exp":1}`), ErrCritical},
		{"crit b64", hdr(`{"alg":"RS256","crit":["b64"],"b64":false}`), ErrCritical},
		{"crit empty array", hdr(`{"alg":"RS256","crit":[]}`), ErrCritical},
		{"crit string", hdr(`{"alg":"RS256","crit":"exp"}`), ErrCritical},
		{"crit null", hdr(`{"alg":"RS256","crit":null}`), ErrCritical},
		{"crit naming a missing parameter", hdr(`{"alg":"RS256","crit":["foo"]}`), ErrCritical},

		// cty.
		{"cty JWT (nested)", hdr(`{"alg":"RS256","cty":"JWT"}`), ErrMalformed},
		{"cty empty", hdr(`{"alg":"RS256","cty":""}`), ErrMalformed},
		{"cty null", hdr(`{"alg":"RS256","cty":null}`), ErrMalformed},

		// typ.
		{"typ dpop+jwt", hdr(`{"alg":"RS256","typ":"dpop+jwt"}`), ErrTokenType},
		{"typ secevent+jwt", hdr(`{"alg":"RS256","typ":"secevent+jwt"}`), ErrTokenType},
		{"typ logout+jwt", hdr(`{"alg":"RS256","typ":"logout+jwt"}`), ErrTokenType},
		{"typ id_token style JOSE", hdr(`{"alg":"RS256","typ":"JOSE"}`), ErrTokenType},
		{"typ application/jwt", hdr(`{"alg":"RS256","typ":"application/jwt"}`), ErrTokenType},
		{"typ at+jwt with spaces", hdr(`{"alg":"RS256","typ":" at+jwt"}`), ErrTokenType},
		{"typ empty", hdr(`{"alg":"RS256","typ":""}`), ErrTokenType},
		{"typ number", hdr(`{"alg":"RS256","typ":1}`), ErrTokenType},
		{"typ null", hdr(`{"alg":"RS256","typ":null}`), ErrTokenType},

		// Payload JSON.
		{"payload invalid UTF-8", pay("{\"sub\":\"\xfe\"}"), ErrMalformed},
		{"payload duplicate exp", pay(`{"exp":1,"exp":9999999999}`), ErrMalformed},
		{"payload duplicate iss", pay(`{"iss":"https://evil.example","iss":"https://issuer.example"}`), ErrMalformed},
		{"payload duplicate via escape", pay(`{"aud":"a","\u0061ud":"b"}`), ErrMalformed},
		{"payload duplicate in nested object", pay(`{"cnf":{"jkt":"a","jkt":"b"}}`), ErrMalformed},
		{"payload duplicate in object inside array", pay(`{"x":[1,{"a":1,"a":2}]}`), ErrMalformed},
		{"payload array", pay(`[]`), ErrMalformed},
		{"payload string", pay(`"claims"`), ErrMalformed},
		{"payload number", pay(`1`), ErrMalformed},
		{"payload true", pay(`true`), ErrMalformed},
		{"payload null", pay(`null`), ErrMalformed},
		{"payload raw text", pay(`foo`), ErrMalformed},
		{"payload trailing garbage", pay(`{"iss":"x"}garbage`), ErrMalformed},
		{"payload trailing NUL", pay("{\"iss\":\"x\"}\x00"), ErrMalformed},
		{"payload second value", pay(`{"iss":"x"} 1`), ErrMalformed},
		{"payload unquoted name", pay(`{iss:"x"}`), ErrMalformed},
		{"payload single quotes", pay(`{'iss':'x'}`), ErrMalformed},
		{"payload leading zero number", pay(`{"exp":01}`), ErrMalformed},
		{"payload NaN", pay(`{"exp":NaN}`), ErrMalformed},
		{"payload control character in string", pay("{\"sub\":\"a\x01b\"}"), ErrMalformed},
		{"payload nested too deeply", pay(`{"x":` + deep + `}`), ErrMalformed},
		{"payload array nested too deeply", pay(`{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`), ErrMalformed},
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range parseRejections() {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Parse(tc.raw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse error = %v, want %v", err, tc.want)
			}
			if tok != nil {
				t.Errorf("Parse returned a token with error %v", err)
			}
		})
	}
}

func TestParseAcceptsDeepButBoundedNesting(t *testing.T) {
	// maxJSONDepth-1 levels below the top-level object are fine.
	n := maxJSONDepth - 1
	payload := `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	if _, err := Parse(compact(b64(`{"alg":"RS256"}`), b64(payload), "c2ln")); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	payload = `{"x":` + strings.Repeat("[", n+1) + strings.Repeat("]", n+1) + `}`
	if _, err := Parse(compact(b64(`{"alg":"RS256"}`), b64(payload), "c2ln")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Parse one level deeper: %v, want ErrMalformed", err)
	}
}
