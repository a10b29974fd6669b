package scenario

import (
	"encoding/base64"
	"strings"
)

// signedSegments signs the literal text headerSeg.payloadSeg with the
// issuer's key kid: the signature is genuine for exactly these bytes, so
// only the encoding can be refused.
func (e *Env) signedSegments(kid, headerSeg, payloadSeg string) string {
	k := e.Issuer.keys[kid]
	input := headerSeg + "." + payloadSeg
	return input + "." + b64(signJWS(k.alg, k.private, input))
}

// rsaHeader is the JSON text of the rsa-1 header.
const rsaHeader = `{"alg":"RS256","kid":"rsa-1","typ":"JWT"}`

// withStandardAlphabet returns a valid payload whose standard-alphabet
// encoding differs from its base64url one, and that encoding.
func (e *Env) withStandardAlphabet() string {
	base := strings.TrimSuffix(e.standardPayload(), "}")
	for n := 1; ; n++ {
		payload := base + `,"x":"` + strings.Repeat("?>", n) + `"}`
		if std := base64.RawStdEncoding.EncodeToString([]byte(payload)); strings.ContainsAny(std, "+/") {
			return std
		}
	}
}

// nonCanonical returns the encoding of text with a non-zero unused
// trailing bit: it decodes to the same bytes under a lax decoder. JSON
// whitespace is added until the length leaves unused bits.
func nonCanonical(text string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for len(text)%3 == 0 {
		text = strings.Replace(text, "{", "{ ", 1)
	}
	seg := b64([]byte(text))
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}

// nested is a JSON value nested depth arrays deep.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

func encodingAttacks() []Attack {
	const class = ClassEncoding
	malformed := wantInvalidToken(descMalformed)
	badChars := wantInvalidRequest(descBadChars)
	rows := []Attack{
		{class, "one segment", "RFC 7515 §7.1", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(strings.ReplaceAll(e.Token("rsa-1", mcpScope), ".", ""))
		}},
		{class, "four segments (a trailing garbage segment)", "RFC 7515 §7.1", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.Token("rsa-1", mcpScope) + ".AAAA")
		}},
		{class, "only the separators", "RFC 7515 §7.1", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken("..")
		}},
		{class, "JWE compact serialization (five segments)", "RFC 7516 §7.1; RFC 9068 §4", wantInvalidToken(descJWE), func(e *Env) Stream {
			started(e, BaseConfig)
			h := b64([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"rsa-1"}`))
			return e.sendToken(h + "." + b64(make([]byte, 256)) + "." + b64(make([]byte, 12)) + "." + b64([]byte("ciphertext-bytes")) + "." + b64(make([]byte, 16)))
		}},
		{class, "JWS JSON serialization in the header", "RFC 7515 §7.2; RFC 6750 §2.1; CVE-2022-39227", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			h, p, sig := segments(e.Token("rsa-1", mcpScope))
			return e.sendToken(`{"payload":"` + p + `","protected":"` + h + `","signature":"` + sig + `"}`)
		}},
		{class, "JWS JSON serialization base64url-encoded as one segment", "RFC 7515 §7.2", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			h, p, sig := segments(e.Token("rsa-1", mcpScope))
			return e.sendToken(b64([]byte(`{"payload":"` + p + `","protected":"` + h + `","signature":"` + sig + `"}`)))
		}},
		{class, "base64 padding inside the header segment", "RFC 7515 §2; RFC 6750 §2.1", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			h, p, sig := segments(e.Token("rsa-1", mcpScope))
			return e.sendToken(h + "==." + p + "." + sig)
		}},
		{class, "base64 padding after the signature segment", "RFC 7515 §2", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.Token("rsa-1", mcpScope) + "==")
		}},
		{class, "standard base64 alphabet (+ and /), genuinely signed", "RFC 7515 §2", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.signedSegments("rsa-1", b64([]byte(rsaHeader)), e.withStandardAlphabet()))
		}},
		{class, "non-zero unused trailing bits in the header, genuinely signed", "RFC 7515 §2; RFC 4648 §3.5", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.signedSegments("rsa-1", nonCanonical(rsaHeader), b64([]byte(e.standardPayload()))))
		}},
		{class, "non-zero unused trailing bits in the payload, genuinely signed", "RFC 7515 §2; RFC 4648 §3.5", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.signedSegments("rsa-1", b64([]byte(rsaHeader)), nonCanonical(e.standardPayload())))
		}},
		{class, "a character outside base64url (~) in the signature", "RFC 7515 §2", malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(e.Token("rsa-1", mcpScope) + "~")
		}},
		{class, "space inside a segment", "RFC 6750 §2.1 (b64token)", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			return e.sendToken(tok[:20] + " " + tok[20:])
		}},
		{class, "CR/LF inside a segment", "RFC 6750 §2.1; RFC 9110 §5.5", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			return e.sendToken(tok[:20] + "\r\n" + tok[20:])
		}},
		{class, "tab inside a segment", "RFC 6750 §2.1 (b64token)", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			return e.sendToken(tok[:20] + "\t" + tok[20:])
		}},
		{class, "percent-encoded separator", "RFC 6750 §2.1 (b64token)", badChars, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(strings.Replace(e.Token("rsa-1", mcpScope), ".", "%2E", 1))
		}},
	}
	for _, c := range []struct {
		name, ref       string
		header, payload func(e *Env) string
	}{
		{"invalid UTF-8 in a header string", "RFC 7515 §4; RFC 8259 §8.1; RFC 8725 §3.7",
			func(*Env) string { return `{"alg":"RS256","kid":"rsa-1","x":"` + "\xff\xfe" + `"}` }, nil},
		{"invalid UTF-8 in a claim (overlong encoding of /)", "RFC 7519 §7.2; RFC 8259 §8.1; RFC 8725 §3.7",
			nil, func(e *Env) string {
				return strings.Replace(e.standardPayload(), `"user-123"`, `"user`+"\xc0\xaf"+`123"`, 1)
			}},
		{"UTF-8 byte order mark before the header", "RFC 8259 §8.1",
			func(*Env) string { return "\xef\xbb\xbf" + rsaHeader }, nil},
		{"duplicate alg (none first, RS256 last)", "RFC 7515 §4; RFC 8725 §3.1",
			func(*Env) string { return `{"alg":"none","alg":"RS256","kid":"rsa-1"}` }, nil},
		{"duplicate kid", "RFC 7515 §4",
			func(*Env) string { return `{"alg":"RS256","kid":"rsa-2","kid":"rsa-1"}` }, nil},
		{"duplicate aud (another resource, then ours)", "RFC 7519 §4",
			nil, func(e *Env) string {
				return strings.Replace(e.standardPayload(), `"aud":`, `"aud":"https://other.example.com/mcp","aud":`, 1)
			}},
		{`duplicate iss spelled "\u0069ss"`, "RFC 7519 §4; RFC 8259 §7",
			nil, func(e *Env) string {
				return strings.Replace(e.standardPayload(), `"iss":`, `"\u0069ss":"https://evil.example.com","iss":`, 1)
			}},
		{"duplicate scope", "RFC 7519 §4",
			nil, func(e *Env) string {
				return strings.Replace(e.standardPayload(), `"scope":`, `"scope":"mcp:tools:read mcp:tools:write","scope":`, 1)
			}},
		{"header a JSON array", "RFC 7515 §4", func(*Env) string { return `[{"alg":"RS256","kid":"rsa-1"}]` }, nil},
		{"header a JSON string", "RFC 7515 §4", func(*Env) string { return `"RS256"` }, nil},
		{"header JSON null", "RFC 7515 §4", func(*Env) string { return `null` }, nil},
		{"header JSON with a comment", "RFC 8259 §2", func(*Env) string { return `{"alg":"RS256",/* x */"kid":"rsa-1"}` }, nil},
		{"header with single-quoted names", "RFC 8259 §7", func(*Env) string { return `{'alg':'RS256','kid':'rsa-1'}` }, nil},
		{"trailing garbage after the header object", "RFC 8259 §2", func(*Env) string { return rsaHeader + "x" }, nil},
		{"payload a JSON array", "RFC 7519 §7.2 step 10", nil, func(e *Env) string { return "[" + e.standardPayload() + "]" }},
		{"payload a JSON string", "RFC 7519 §7.2 step 10", nil, func(*Env) string { return `"admin"` }},
		{"payload JSON null", "RFC 7519 §7.2 step 10", nil, func(*Env) string { return `null` }},
		{"a second JSON object after the payload", "RFC 8259 §2", nil, func(e *Env) string { return e.standardPayload() + `{"sub":"admin"}` }},
		{"payload nested 64 arrays deep", "RFC 8259 §9 (implementation limits)",
			nil, func(e *Env) string {
				return strings.Replace(e.standardPayload(), `"jti":`, `"x":`+nested(64)+`,"jti":`, 1)
			}},
	} {
		rows = append(rows, Attack{class, c.name + ", genuinely signed", c.ref, malformed, func(e *Env) Stream {
			started(e, BaseConfig)
			header, payload := rsaHeader, e.standardPayload()
			if c.header != nil {
				header = c.header(e)
			}
			if c.payload != nil {
				payload = c.payload(e)
			}
			return e.sendToken(e.signedSegments("rsa-1", b64([]byte(header)), b64([]byte(payload))))
		}})
	}
	return rows
}
