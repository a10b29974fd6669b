package scenario

import (
	"strings"
	"time"
)

// Operations is the table of the migration and operations features: API
// keys in auth_mode api_key and both, deprecation headers, metrics and
// structured logs. It runs natively (filter/operations_test.go) and against
// build/plugin.wasm (e2e/operations_test.go), like All.
func Operations() []Scenario {
	var out []Scenario
	for _, part := range [][]Scenario{apiKeyScenarios(), metricScenarios(), logScenarios()} {
		out = append(out, part...)
	}
	return out
}

func scopeChallenge(code, description, scope string) string {
	return `Bearer error="` + code + `", error_description="` + description + `", scope="` + scope + `", resource_metadata="` + MetadataURL + `"`
}

func apiKeyScenarios() []Scenario {
	return []Scenario{
		{"both: a valid API key goes upstream as apikey:<name>, without the key, and the response is marked deprecated", func(e *Env) {
			started(e, migrationConfig())
			s := e.Send("POST", "/mcp", APIKey(CIKey), [2]string{"x-mcp-subject", "admin"}, [2]string{"x-mcp-client", "spoof"})
			up := e.Forwarded(s)
			if got := HeaderValues(up, "x-mcp-subject"); len(got) != 1 || got[0] != "apikey:ci-bot" {
				e.T.Fatalf("x-mcp-subject = %q, want exactly [apikey:ci-bot]", got)
			}
			for _, h := range []string{"x-api-key", "x-mcp-client", "authorization"} {
				if v, ok := Header(up, h); ok {
					e.T.Fatalf("%s reached the upstream: %q", h, v)
				}
			}
			resp := s.Respond(upstreamResponse())
			for name, want := range map[string]string{"deprecation": Deprecation, "sunset": Sunset, "link": "<" + MigrationGuide + `>; rel="deprecation"`} {
				if got := HeaderValues(resp, name); len(got) != 1 || got[0] != want {
					e.T.Fatalf("response %s = %q, want [%s]", name, got, want)
				}
			}
			e.NoSecretsLogged(CIKey)
		}},
		{"both: without deprecation_date the Deprecation date is the plugin's start, and no Sunset or Link is sent", func(e *Env) {
			start := e.D.Now()
			started(e, apiKeyConfig("both", ""))
			e.AdvanceAndTick(90 * time.Second)
			resp := e.Send("POST", "/mcp", APIKey(CIKey)).Respond(upstreamResponse())
			if got := HeaderValues(resp, "deprecation"); len(got) != 1 || got[0] != "@"+itoa(int(start.Unix())) {
				e.T.Fatalf("deprecation = %q, want [@%d]", got, start.Unix())
			}
			for _, h := range []string{"sunset", "link"} {
				if v, ok := Header(resp, h); ok {
					e.T.Fatalf("unconfigured %s sent: %q", h, v)
				}
			}
		}},
		{"both: the upstream's own Deprecation and Sunset are kept, the migration Link joins its Link list", func(e *Env) {
			started(e, migrationConfig())
			resp := e.Send("POST", "/mcp", APIKey(CIKey)).Respond(upstreamResponse(
				[2]string{"deprecation", "@1"}, [2]string{"sunset", "Fri, 01 Jan 2027 00:00:00 GMT"}, [2]string{"link", `<https://mcp.example.com/v2>; rel="successor-version"`}))
			if got := HeaderValues(resp, "deprecation"); len(got) != 1 || got[0] != "@1" {
				e.T.Fatalf("deprecation = %q, want the upstream's [@1]", got)
			}
			if got := HeaderValues(resp, "sunset"); len(got) != 1 || got[0] != "Fri, 01 Jan 2027 00:00:00 GMT" {
				e.T.Fatalf("sunset = %q, want the upstream's", got)
			}
			want := `<https://mcp.example.com/v2>; rel="successor-version", <` + MigrationGuide + `>; rel="deprecation"`
			if got := HeaderValues(resp, "link"); len(got) != 1 || got[0] != want {
				e.T.Fatalf("link = %q, want [%s]", got, want)
			}
		}},
		{"both: a bearer token is validated exactly as in oauth mode, without deprecation headers", func(e *Env) {
			started(e, migrationConfig())
			tok := e.Token("rsa-1", mcpScope)
			s := e.Send("POST", "/mcp", Bearer(tok), [2]string{"x-mcp-subject", "apikey:ci-bot"})
			up := e.Forwarded(s)
			if got := HeaderValues(up, "x-mcp-subject"); len(got) != 1 || got[0] != "user-123" {
				e.T.Fatalf("x-mcp-subject = %q, want [user-123]", got)
			}
			if v, _ := Header(up, "x-mcp-client"); v != "client-abc" {
				e.T.Fatalf("x-mcp-client = %q", v)
			}
			resp := s.Respond(upstreamResponse())
			for _, h := range []string{"deprecation", "sunset", "link"} {
				if v, ok := Header(resp, h); ok {
					e.T.Fatalf("%s sent for a bearer token: %q", h, v)
				}
			}
			c := e.Issuer.Standard(e.D.Now().Add(-3*time.Hour), Resource, mcpScope)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", c, nil))), mcpScope, "token expired")
			e.Challenge(e.Send("GET", "/admin/x", Bearer(tok)), 403,
				scopeChallenge("insufficient_scope", "token lacks the scopes this request needs", "mcp:tools:read mcp:tools:write"), "insufficient_scope")
		}},
		{"both: an API key and a bearer token on one request: 400 invalid_request", func(e *Env) {
			started(e, migrationConfig())
			tok := e.Token("rsa-1", mcpScope)
			e.Challenge(e.Send("POST", "/mcp", Bearer(tok), APIKey(CIKey)), 400,
				scopeChallenge("invalid_request", "send either a bearer token or an API key, not both", mcpScope), "invalid_request")
			e.NoSecretsLogged(tok, CIKey)
		}},
		{"both: an unknown API key: 401 that advertises the OAuth metadata, body invalid_api_key", func(e *Env) {
			started(e, migrationConfig())
			rep := e.Challenge(e.Send("POST", "/mcp", APIKey(UnknownKey)), 401, missingChallenge(mcpScope), "invalid_api_key")
			if _, desc := ErrorBody(e, rep); desc != "API key not recognised" {
				e.T.Fatalf("error_description = %q", desc)
			}
			if v, ok := Header(rep.Headers, "deprecation"); ok {
				e.T.Fatalf("deprecation sent for an unknown key: %q", v)
			}
			e.NoSecretsLogged(UnknownKey)
		}},
		{"both: an API key without the rule's scopes: 403 insufficient_scope, still marked deprecated", func(e *Env) {
			started(e, migrationConfig())
			rep := e.Challenge(e.Send("POST", "/mcp", APIKey(ReporterKey)), 403,
				scopeChallenge("insufficient_scope", "API key lacks the scopes this request needs", mcpScope), "insufficient_scope")
			if v, _ := Header(rep.Headers, "deprecation"); v != Deprecation {
				e.T.Fatalf("deprecation = %q, want %s", v, Deprecation)
			}
			if v, _ := Header(rep.Headers, "sunset"); v != Sunset {
				e.T.Fatalf("sunset = %q, want %s", v, Sunset)
			}
			// The key passes where no scope is needed.
			e.Forwarded(e.Send("GET", "/other", APIKey(ReporterKey)))
		}},
		{"both: two API key headers, or an empty one: 400 invalid_request", func(e *Env) {
			started(e, migrationConfig())
			e.Challenge(e.Send("POST", "/mcp", APIKey(CIKey), APIKey(CIKey)), 400,
				scopeChallenge("invalid_request", "more than one API key header", mcpScope), "invalid_request")
			e.Challenge(e.Send("POST", "/mcp", APIKey("")), 400,
				scopeChallenge("invalid_request", "empty API key", mcpScope), "invalid_request")
			e.Challenge(e.Send("POST", "/mcp", APIKey(strings.Repeat("k", 8193))), 400,
				scopeChallenge("invalid_request", "API key too large", mcpScope), "invalid_request")
		}},
		{"both: no credential: 401 with the OAuth challenge, the body names both credentials", func(e *Env) {
			started(e, migrationConfig())
			rep := e.Challenge(e.Send("POST", "/mcp"), 401, missingChallenge(mcpScope), "unauthorized")
			if _, desc := ErrorBody(e, rep); desc != "send a bearer token, or an API key in the x-api-key header" {
				e.T.Fatalf("error_description = %q", desc)
			}
		}},
		{"api_key: a valid key is forwarded without deprecation headers; a bearer token counts as no credential", func(e *Env) {
			started(e, apiKeyConfig("api_key", ""))
			s := e.Send("POST", "/mcp", APIKey(CIKey))
			up := e.Forwarded(s)
			if v, _ := Header(up, "x-mcp-subject"); v != "apikey:ci-bot" {
				e.T.Fatalf("x-mcp-subject = %q", v)
			}
			if v, ok := Header(s.Respond(upstreamResponse()), "deprecation"); ok {
				e.T.Fatalf("deprecation sent in api_key mode: %q", v)
			}
			rep := e.Challenge(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))), 401, missingChallenge(mcpScope), "unauthorized")
			if _, desc := ErrorBody(e, rep); desc != "send an API key in the x-api-key header" {
				e.T.Fatalf("error_description = %q", desc)
			}
			// A token next to a key is ignored and removed, not a conflict.
			up = e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey), Bearer(e.Token("rsa-1", mcpScope))))
			if _, ok := Header(up, "authorization"); ok {
				e.T.Fatal("authorization reached the upstream in api_key mode")
			}
		}},
		{"api_key: an unknown key gets the 401 that advertises the OAuth metadata", func(e *Env) {
			started(e, apiKeyConfig("api_key", ""))
			e.Challenge(e.Send("POST", "/mcp", APIKey(UnknownKey)), 401, missingChallenge(mcpScope), "invalid_api_key")
			e.Challenge(e.Send("GET", "/other"), 401, missingChallenge(""), "unauthorized")
		}},
		{"api_key: anonymous routes pass and the key header is removed", func(e *Env) {
			started(e, apiKeyConfig("api_key", ""))
			up := e.Forwarded(e.Send("GET", "/healthz", APIKey(UnknownKey), [2]string{"x-mcp-subject", "apikey:ci-bot"}))
			for _, h := range []string{"x-api-key", "x-mcp-subject"} {
				if v, ok := Header(up, h); ok {
					e.T.Fatalf("%s reached the upstream: %q", h, v)
				}
			}
		}},
		{"api_key: the subject goes into the header claim_to_headers maps from sub", func(e *Env) {
			cfg := strings.Replace(apiKeyConfig("api_key", ""), `{"claim": "sub", "header": "x-mcp-subject"}`, `{"claim": "sub", "header": "x-user"}`, 1)
			started(e, cfg)
			up := e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey), [2]string{"x-user", "spoof"}))
			if got := HeaderValues(up, "x-user"); len(got) != 1 || got[0] != "apikey:ci-bot" {
				e.T.Fatalf("x-user = %q, want exactly [apikey:ci-bot]", got)
			}
		}},
		{"api_key_header: keys are read from the configured header and it is removed", func(e *Env) {
			started(e, apiKeyConfig("both", `, "api_key_header": "x-mcp-key"`))
			up := e.Forwarded(e.Send("POST", "/mcp", [2]string{"x-mcp-key", CIKey}))
			if _, ok := Header(up, "x-mcp-key"); ok {
				e.T.Fatal("x-mcp-key reached the upstream")
			}
			rep := e.Challenge(e.Send("POST", "/mcp", APIKey(CIKey)), 401, missingChallenge(mcpScope), "unauthorized")
			if _, desc := ErrorBody(e, rep); desc != "send a bearer token, or an API key in the x-mcp-key header" {
				e.T.Fatalf("error_description = %q", desc)
			}
		}},
		{"oauth: the API key header is not a credential and never reaches the upstream", func(e *Env) {
			started(e, BaseConfig)
			e.Challenge(e.Send("POST", "/mcp", APIKey(CIKey)), 401, missingChallenge(mcpScope), "unauthorized")
			up := e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), APIKey(CIKey)))
			if _, ok := Header(up, "x-api-key"); ok {
				e.T.Fatal("x-api-key reached the upstream in oauth mode")
			}
			up = e.Forwarded(e.Send("GET", "/healthz", APIKey(CIKey)))
			if _, ok := Header(up, "x-api-key"); ok {
				e.T.Fatal("x-api-key reached the upstream on an anonymous route")
			}
			e.NoMetric(MetricNamespace + "requests.outcome.invalid_api_key")
		}},
		{"configuration: an API key pasted in place of its digest fails the start without being logged", func(e *Env) {
			cfg := strings.Replace(apiKeyConfig("both", ""), keyDigest(CIKey), CIKey, 1)
			if err := e.D.Start([]byte(cfg)); err == nil {
				e.T.Fatal("plugin started with a key in place of a digest")
			}
			e.LogContains("api_keys[0].sha256: must be 64 lowercase hexadecimal digits")
			e.NoLogContains(CIKey)
		}},
	}
}
