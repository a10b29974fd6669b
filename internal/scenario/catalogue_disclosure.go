package scenario

// disclosureAttacks put text into tokens that would break or abuse a reply
// or a log line if it were echoed: quotes and backslashes (which end an
// RFC 6750 quoted-string), CR/LF (header and log injection), markup. Every
// row of the catalogue already checks that replies and logs carry no token
// material and that error_description stays in RFC 6750's charset; these
// rows aim at exactly that.
func disclosureAttacks() []Attack {
	const class = ClassDisclosure
	const hostile = "\"\\\r\nWWW-Authenticate: Basic realm=\"x\"<script>alert(1)</script>"
	return []Attack{
		{class, "quotes, backslash, CR/LF and markup in kid", "RFC 6750 §3 (error_description charset); RFC 9110 §5.5",
			wantInvalidToken(descNoKey), func(e *Env) Stream { return e.unknownKid("k" + hostile) }},
		{class, "quotes, backslash, CR/LF and markup in iss", "RFC 6750 §3",
			wantInvalidToken(descIssuer), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.tokenWith("rsa-1", "iss", IssuerURL+hostile))
			}},
		{class, "quotes, backslash, CR/LF and markup in aud", "RFC 6750 §3",
			wantInvalidToken(descAudience), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.tokenWith("rsa-1", "aud", Resource+hostile))
			}},
		{class, "quotes, backslash, CR/LF and markup in typ", "RFC 6750 §3",
			wantInvalidToken(descType), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.headerWith("rsa-1", "typ", hostile))
			}},
		{class, "quotes, backslash, CR/LF and markup in alg", "RFC 6750 §3",
			wantInvalidToken(descAlgorithm), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.headerWith("rsa-1", "alg", hostile))
			}},
		{class, "hostile scope on a token lacking the required scope", "RFC 6750 §3.1 (scope is the rule's, never the token's)",
			wantScope(), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.sendToken(e.tokenWith("rsa-1", "scope", "x"+hostile))
			}},
		{class, "token sent in the query string of an anonymous route: not echoed", "RFC 6750 §5.3",
			wantInvalidRequest(descQueryToken), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.Send("GET", "/healthz?access_token="+e.Token("rsa-1", mcpScope))
			}},
		{class, "valid token with a path that is not normalised: not echoed", "RFC 6750 §5.3",
			wantInvalidRequest(descPath), func(e *Env) Stream {
				started(e, BaseConfig)
				return e.Send("POST", "/mcp/../admin", Bearer(e.Token("rsa-1", "mcp:tools:read mcp:tools:write")))
			}},
	}
}
