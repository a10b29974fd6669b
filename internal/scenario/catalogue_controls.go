package scenario

import "time"

// tokenUnder returns the longest padded valid token of at most limit octets.
func (e *Env) tokenUnder(limit int) string {
	under, _ := e.tokensAround(limit)
	return under
}

// catalogueControls accept, untouched, every kind of token, configuration
// and key set the attacks start from.
func catalogueControls(k *attackKeys) []Scenario {
	return []Scenario{
		{"control: hand-built tokens of each issuer key are accepted", func(e *Env) {
			started(e, BaseConfig)
			for _, kid := range []string{"rsa-1", "ec-1", "ed-1"} {
				e.Forwarded(e.sendToken(e.draft(kid).signed()))
			}
			e.Forwarded(e.sendToken(e.signedSegments("rsa-1", b64([]byte(rsaHeader)), b64([]byte(e.standardPayload())))))
		}},
		{"control: every algorithm on the attack key set is accepted", func(e *Env) {
			startedWith(e, allAlgorithmsConfig(), e.attackSet(k))
			for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
				e.Forwarded(e.sendToken(e.signedBy(alg, k.rsaFree, "rsa-free")))
			}
			e.Forwarded(e.sendToken(e.signedBy("ES384", k.p384, "ec-384")))
			e.Forwarded(e.sendToken(e.draft("rsa-1").signed()))
			e.Forwarded(e.sendToken(e.draft("ec-1").signed()))
			e.Forwarded(e.sendToken(e.draft("ed-1").signed()))
		}},
		{"control: a good key published beside the skipped ones is used", func(e *Env) {
			body := jwkSet(e.issuerJWK("rsa-1"), e.issuerJWK("rsa-2", "kid", "bad"))
			startedWith(e, BaseConfig, body)
			e.Forwarded(e.sendToken(e.signedBy("RS256", e.Issuer.keys["rsa-2"].private, "bad")))
		}},
		{"control: an unknown kid that the refresh brings is accepted", func(e *Env) {
			started(e, BaseConfig)
			s := e.afterRefresh(e.sendToken(e.headerWith("rsa-2", "kid", "rotated")),
				jwkSet(e.issuerJWK("rsa-1"), e.issuerJWK("rsa-2", "kid", "rotated")))
			e.Forwarded(s)
		}},
		{"control: lifetime exactly max_token_lifetime_s is accepted", func(e *Env) {
			started(e, providerOption(`"max_token_lifetime_s": 3600`))
			now := e.D.Now()
			e.Forwarded(e.sendToken(e.tokenWith("rsa-1", "iat", now.Unix(), "exp", now.Add(time.Hour).Unix())))
		}},
		{"control: typ at+jwt is accepted when required", func(e *Env) {
			started(e, providerOption(`"require_access_token_type": true`))
			e.Forwarded(e.sendToken(e.headerWith("ec-1", "typ", "at+jwt")))
			e.Forwarded(e.sendToken(e.headerWith("ec-1", "typ", "application/at+jwt")))
		}},
		{"control: a token of max_token_bytes is accepted", func(e *Env) {
			started(e, BaseConfig)
			tok := e.tokenUnder(8192)
			if len(tok) < 8180 {
				e.T.Fatalf("control token has %d octets, want close to 8192", len(tok))
			}
			e.Forwarded(e.sendToken(tok))
		}},
		{"control: exp and nbf within the clock skew are accepted", func(e *Env) {
			started(e, BaseConfig)
			now := e.D.Now()
			e.Forwarded(e.sendToken(e.tokenWith("rsa-1", "exp", now.Add(-59*time.Second).Unix(), "iat", now.Add(-time.Hour).Unix(),
				"nbf", now.Add(59*time.Second).Unix())))
		}},
		{"control: a request that waits for keys passes once they arrive", func(e *Env) {
			e.Start(BaseConfig)
			s := e.sendToken(e.Token("rsa-1", mcpScope))
			e.Paused(s)
			e.ServeJWKS("rsa-1")
			e.Forwarded(s)
		}},
	}
}
