package scenario

import "time"

// Configurations the catalogue uses besides BaseConfig.
const baseAlgorithms = `"algorithms": ["RS256", "ES256", "EdDSA"]`

// allAlgorithmsConfig allows every asymmetric algorithm, so that rows reach
// key selection and signature checks with algorithms BaseConfig refuses.
func allAlgorithmsConfig() string {
	return withReplace(baseAlgorithms,
		`"algorithms": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]`)
}

// providerOption adds members to the provider (after clock_skew_s).
func providerOption(members string) string {
	return withReplace(`"clock_skew_s": 60`, `"clock_skew_s": 60, `+members)
}

// topOption adds members at the top level (after forward_token).
func topOption(members string) string {
	return withReplace(`"forward_token": false`, `"forward_token": false, `+members)
}

// attackSet is the key set for allAlgorithmsConfig: the issuer's rsa-1
// (pinned to RS256), ec-1 and ed-1, plus an RSA key without "alg" and a
// P-384 key.
func (e *Env) attackSet(k *attackKeys) []byte {
	return jwkSet(e.issuerJWK("rsa-1"), e.issuerJWK("ec-1"), e.issuerJWK("ed-1"),
		jwk("rsa-free", k.rsaFree.Public()), jwk("ec-384", k.p384.Public()))
}

// startedWith starts cfg and answers the first JWKS fetch with body.
func startedWith(e *Env, cfg string, body []byte) {
	e.T.Helper()
	e.Start(cfg)
	e.D.Respond(e.PendingCall(), 200, body)
}

// sendToken sends POST /mcp (the scoped route) with a bearer token.
func (e *Env) sendToken(tok string) Stream {
	return e.Send("POST", "/mcp", Bearer(tok))
}

// afterRefresh handles a token whose kid the key set lacks: the request
// must wait for one early refresh, which is answered with body; the stream
// is then decided on what that refresh brought.
func (e *Env) afterRefresh(s Stream, body []byte) Stream {
	e.T.Helper()
	e.Paused(s)
	e.D.Respond(e.PendingCall(), 200, body)
	return s
}

// keysNeverArrive answers every fetch with answer, one second at a time,
// until s is decided (at most 10 s: timeout_ms is 5 s).
func (e *Env) keysNeverArrive(s Stream, answer func(Call)) Stream {
	e.T.Helper()
	for i := 0; i < 10; i++ {
		for _, c := range e.D.Calls() {
			answer(c)
		}
		if r := s.Result(); r.Reply != nil || r.Forwarded {
			return s
		}
		e.AdvanceAndTick(time.Second)
	}
	return s
}

// respondWith answers a call with status and body.
func (e *Env) respondWith(status int, body []byte) func(Call) {
	return func(c Call) { e.D.Respond(c, status, body) }
}

// whileKeysFail starts BaseConfig, answers the first fetch with answer,
// sends a valid token and keeps answering every retry the same way: the
// request must wait and then get 503, never 401 and never pass.
func whileKeysFail(e *Env, answer func(Call)) Stream {
	e.Start(BaseConfig)
	answer(e.PendingCall())
	s := e.sendToken(e.Token("rsa-1", mcpScope))
	e.Paused(s)
	return e.keysNeverArrive(s, answer)
}
