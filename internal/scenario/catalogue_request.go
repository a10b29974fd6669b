package scenario

import (
	"strings"
	"time"
)

// forgedToken is a token for the resource signed by the attacker's key
// under the trusted issuer's kid.
func (e *Env) forgedToken() string { return e.attackerDraft().signed() }

// tokenOver returns a genuinely signed, otherwise valid token of just over
// limit octets (a padding claim grows it four characters per three octets).
func (e *Env) tokenOver(limit int) string {
	_, over := e.tokensAround(limit)
	return over
}

// tokensAround returns the longest padded token of at most limit octets
// ("" if even the unpadded one is longer) and the shortest one over it.
// Token length grows with the padding, so a binary search finds the edge.
func (e *Env) tokensAround(limit int) (under, over string) {
	tok := func(n int) string { return e.tokenWith("rsa-1", "x", strings.Repeat("x", n)) }
	lo, hi := -1, 1 // invariant: tok(lo) fits (or lo = -1), tok(hi) does not
	for over = tok(hi); len(over) <= limit; over = tok(hi) {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if t := tok(mid); len(t) > limit {
			hi, over = mid, t
		} else {
			lo, under = mid, t
		}
	}
	if lo >= 0 && under == "" {
		under = tok(lo)
	}
	return under, over
}

func requestAttacks() []Attack {
	const class = ClassRequest
	twoHeaders := wantInvalidRequest(descTwoHeaders)
	inQuery := wantInvalidRequest(descQueryToken)
	badPath := wantInvalidRequest(descPath)
	rows := []Attack{
		{class, "two Authorization headers (a valid token, then a forged one)", "RFC 6750 §2; RFC 9110 §5.3", twoHeaders, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), Bearer(e.forgedToken()))
		}},
		{class, "two Authorization headers, Bearer then Basic", "RFC 6750 §2; RFC 9110 §5.3", twoHeaders, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", Bearer(e.forgedToken()), [2]string{"authorization", "Basic YWRtaW46YWRtaW4="})
		}},
		{class, "one Authorization header holding two Bearer credentials", "RFC 7235 §2.1; RFC 6750 §2.1",
			wantInvalidRequest(descBadChars), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.Send("POST", "/mcp", [2]string{"authorization", "Bearer " + e.forgedToken() + ", Bearer " + e.Token("rsa-1", mcpScope)})
			}},
		{class, "Bearer header plus an access_token query parameter", "RFC 6750 §2.3; MCP authorization (no tokens in URIs)", inQuery, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp?access_token="+e.forgedToken(), Bearer(e.Token("rsa-1", mcpScope)))
		}},
		{class, "access_token query parameter alone", "RFC 6750 §2.3, §5.3", inQuery, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp?access_token="+e.Token("rsa-1", mcpScope))
		}},
		{class, "access_token after other query parameters", "RFC 6750 §2.3", inQuery, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp?session=1&access_token="+e.Token("rsa-1", mcpScope))
		}},
		{class, "access_token with a percent-encoded name", "RFC 6750 §2.3; RFC 3986 §2.1", inQuery, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp?%61ccess_token="+e.Token("rsa-1", mcpScope))
		}},
		{class, "access_token with an empty value on an anonymous route", "RFC 6750 §2.3", inQuery, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("GET", "/healthz?access_token=")
		}},
		{class, "lower-case scheme with a forged token: still checked", "RFC 9110 §11.1 (scheme is case-insensitive)",
			wantInvalidToken(descSignature), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.Send("POST", "/mcp", [2]string{"authorization", "bearer " + e.forgedToken()})
			}},
		{class, "upper-case scheme with an expired token: still checked", "RFC 7235 §2.1",
			wantInvalidToken(descExpired), func(e *Env) Stream {
				started(e, BaseConfig)
				tok := e.tokenWith("rsa-1", "exp", e.D.Now().Add(-time.Hour).Unix(), "iat", e.D.Now().Add(-2*time.Hour).Unix())
				return e.Send("POST", "/mcp", [2]string{"authorization", "BEARER " + tok})
			}},
		{class, "mixed-case scheme with a token for another resource: still checked", "RFC 7235 §2.1; RFC 8707 §2",
			wantInvalidToken(descAudience), func(e *Env) Stream {
				started(e, BaseConfig)
				tok := e.tokenWith("rsa-1", "aud", "https://other.example.com/mcp")
				return e.Send("POST", "/mcp", [2]string{"authorization", "bEaReR " + tok})
			}},
		{class, "tab between scheme and token (not the Bearer syntax)", "RFC 7235 §2.1 (1*SP)", wantNoToken(), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"authorization", "Bearer\t" + e.Token("rsa-1", mcpScope)})
		}},
		{class, "scheme without a token", "RFC 6750 §2.1", wantInvalidRequest(descEmptyBearer), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"authorization", "Bearer"})
		}},
		{class, "scheme followed by spaces only", "RFC 6750 §2.1", wantInvalidRequest(descEmptyBearer), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"authorization", "Bearer    "})
		}},
		{class, "b64token of padding only", "RFC 6750 §2.1", wantInvalidRequest(descBadChars), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"authorization", "Bearer ===="})
		}},
		{class, "genuinely signed token one step over max_token_bytes (8 KiB): refused before parsing",
			"RFC 6750 §2.1; RFC 9110 §5.4 (field size limits)", wantInvalidRequest(descTooLarge), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.tokenOver(8192))
			}},
		{class, "64 KiB of token characters", "RFC 9110 §5.4", wantInvalidRequest(descTooLarge), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.sendToken(strings.Repeat("eyJ", 64<<10/3))
		}},
		{class, "exactly max_token_bytes of garbage: parsed and refused as malformed", "RFC 6750 §2.1",
			wantInvalidToken(descMalformed), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(strings.Repeat("A", 8192))
			}},
		{class, "genuinely signed token over a configured max_token_bytes of 512", "RFC 9110 §5.4",
			wantInvalidRequest(descTooLarge), func(e *Env) Stream {
				started(e, topOption(`"max_token_bytes": 512`))
				return e.sendToken(e.tokenOver(512))
			}},
		{class, "token in Proxy-Authorization only", "RFC 9110 §11.7.1; RFC 6750 §2.1", wantNoToken(), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"proxy-authorization", "Bearer " + e.Token("rsa-1", mcpScope)})
		}},
		{class, "spoofed identity headers with a forged token", "MCP security best practices (confused deputy)",
			wantInvalidToken(descSignature), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.Send("POST", "/mcp", Bearer(e.forgedToken()), [2]string{"x-mcp-subject", "admin"}, [2]string{"x-mcp-client", "trusted"})
			}},
		{class, "spoofed identity headers without a token", "MCP security best practices (confused deputy)", wantNoToken(), func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", "/mcp", [2]string{"x-mcp-subject", "admin"})
		}},
	}
	for _, p := range []struct{ path, ref string }{
		{"/healthz/../mcp", "RFC 3986 §5.2.4"},
		{"/healthz/./../mcp", "RFC 3986 §5.2.4"},
		{"/healthz/%2e%2e/mcp", "RFC 3986 §2.3, §6.2.2.2"},
		{"/healthz/%2E%2e/mcp", "RFC 3986 §2.3, §6.2.2.2"},
		{"/healthz%2f..%2fmcp", "RFC 3986 §2.2 (encoded slash)"},
		{"/healthz/..%5cmcp", "encoded backslash (IIS, some frameworks)"},
		{"/healthz\\..\\mcp", "backslash as a separator (WHATWG URL)"},
		{"/healthz//../mcp", "RFC 3986 §3.3 (empty segment)"},
		{"/healthz/..;/mcp", "path parameter before a dot segment (Tomcat, Jetty; Black Hat 2018 \"Breaking Parser Logic\")"},
		{"/healthz/..;jsessionid=x/mcp", "path parameter on a dot segment (Tomcat, Jetty)"},
	} {
		rows = append(rows, Attack{class, "non-normalised path " + p.path + " through an anonymous rule", p.ref, badPath, func(e *Env) Stream {
			started(e, BaseConfig)
			return e.Send("POST", p.path)
		}})
	}
	return rows
}
