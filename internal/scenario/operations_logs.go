package scenario

import (
	"sort"
	"strings"
	"time"
)

func logScenarios() []Scenario {
	return []Scenario{
		{"logs: a denial is one JSON line with request id, provider, reason and cause, never the token", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now().Add(-3*time.Hour), Resource, mcpScope)
			tok := e.Issuer.Mint("rsa-1", c, nil)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(tok), RequestID("req-expired")), mcpScope, "token expired")
			e.WantEvent(e.OneEvent("request_denied", "req-expired"), Event{
				"event": "request_denied", "request_id": "req-expired", "method": "POST", "path": "/mcp",
				"status": 401, "reason": "invalid_token", "cause": "expired", "description": "token expired", "provider": "example",
			})
			e.NoSecretsLogged(tok)
		}},
		{"logs: insufficient_scope names the verified sub, client_id and jti, also when the token came from the cache", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			for _, id := range []string{"req-scope-1", "req-scope-2"} {
				e.Replied(e.Send("GET", "/admin/x", Bearer(tok), RequestID(id)), 403)
				e.WantEvent(e.OneEvent("request_denied", id), Event{
					"event": "request_denied", "request_id": id, "method": "GET", "path": "/admin/x",
					"status": 403, "reason": "insufficient_scope", "description": "token lacks the scopes this request needs",
					"provider": "example", "sub": "user-123", "client_id": "client-abc", "jti": "jti-1",
				})
			}
			e.NoSecretsLogged(tok)
		}},
		{"logs: a token that fails its signature check reports none of its claims", func(e *Env) {
			started(e, BaseConfig)
			c := e.Issuer.Standard(e.D.Now(), Resource, mcpScope)
			c["sub"], c["client_id"], c["jti"] = "forged-subject", "forged-client", "forged-jti"
			tok := e.Other.Mint("rsa-1", c, nil) // right kid and issuer, wrong key
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(tok), RequestID("req-forged")), mcpScope, "signature invalid")
			e.WantEvent(e.OneEvent("request_denied", "req-forged"), Event{
				"event": "request_denied", "request_id": "req-forged", "method": "POST", "path": "/mcp",
				"status": 401, "reason": "invalid_token", "cause": "signature", "description": "signature invalid", "provider": "example",
			})
			for _, claim := range []string{"forged-subject", "forged-client", "forged-jti"} {
				e.NoLogContains(claim)
			}
			e.NoSecretsLogged(tok)
		}},
		{"logs: the query string, which may carry a token, is never logged", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			e.Replied(e.Send("POST", "/mcp?x=1&access_token="+tok, RequestID("req-query")), 400)
			e.WantEvent(e.OneEvent("request_denied", "req-query"), Event{
				"event": "request_denied", "request_id": "req-query", "method": "POST", "path": "/mcp",
				"status": 400, "reason": "invalid_request", "description": "access tokens are accepted only in the Authorization header",
			})
			e.NoSecretsLogged(tok)
		}},
		{"logs: at the default level allowed requests write no line", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(tok), RequestID("req-ok")))
			e.Forwarded(e.Send("GET", "/healthz", RequestID("req-anon")))
			if got := e.Events("request_allowed"); len(got) != 0 {
				e.T.Fatalf("allowed requests logged at info: %v", got)
			}
			e.Replied(e.Send("POST", "/mcp", RequestID("req-missing")), 401)
			e.WantEvent(e.OneEvent("request_denied", "req-missing"), Event{
				"event": "request_denied", "request_id": "req-missing", "method": "POST", "path": "/mcp",
				"status": 401, "reason": "missing_token",
			})
			e.NoSecretsLogged(tok)
		}},
		{"logs: at log_level debug every allowed request is one line with the verified identity", func(e *Env) {
			started(e, withTop(`, "log_level": "debug"`))
			tok := e.Token("rsa-1", mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(tok), RequestID("req-ok")))
			e.WantEvent(e.OneEvent("request_allowed", "req-ok"), Event{
				"event": "request_allowed", "request_id": "req-ok", "method": "POST", "path": "/mcp",
				"reason": "allowed", "provider": "example", "sub": "user-123", "client_id": "client-abc", "jti": "jti-1",
			})
			e.Forwarded(e.Send("GET", "/healthz", RequestID("req-anon")))
			e.WantEvent(e.OneEvent("request_allowed", "req-anon"), Event{
				"event": "request_allowed", "request_id": "req-anon", "method": "GET", "path": "/healthz", "reason": "anonymous",
			})
			e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource/mcp", RequestID("req-meta")), 200)
			e.WantEvent(e.OneEvent("request_allowed", "req-meta"), Event{
				"event": "request_allowed", "request_id": "req-meta", "method": "GET", "path": "/.well-known/oauth-protected-resource/mcp", "reason": "metadata",
			})
			e.NoSecretsLogged(tok)
		}},
		{"logs: API-key requests are logged by key name and marked deprecated, never with the key", func(e *Env) {
			started(e, strings.Replace(migrationConfig(), `"forward_token": false`, `"forward_token": false, "log_level": "debug"`, 1))
			e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey), RequestID("req-key")))
			e.WantEvent(e.OneEvent("request_allowed", "req-key"), Event{
				"event": "request_allowed", "request_id": "req-key", "method": "POST", "path": "/mcp",
				"reason": "allowed", "api_key": "ci-bot", "deprecated": true,
			})
			e.Replied(e.Send("POST", "/mcp", APIKey(ReporterKey), RequestID("req-reporter")), 403)
			e.WantEvent(e.OneEvent("request_denied", "req-reporter"), Event{
				"event": "request_denied", "request_id": "req-reporter", "method": "POST", "path": "/mcp", "status": 403,
				"reason": "insufficient_scope", "description": "API key lacks the scopes this request needs", "api_key": "reporter", "deprecated": true,
			})
			e.Replied(e.Send("POST", "/mcp", APIKey(UnknownKey), RequestID("req-unknown")), 401)
			e.WantEvent(e.OneEvent("request_denied", "req-unknown"), Event{
				"event": "request_denied", "request_id": "req-unknown", "method": "POST", "path": "/mcp", "status": 401,
				"reason": "invalid_api_key", "description": "API key not recognised",
			})
			e.NoSecretsLogged(CIKey, ReporterKey, UnknownKey)
		}},
		{"logs: log_level warn keeps 503s and drops other denials", func(e *Env) {
			e.Start(withTop(`, "log_level": "warn"`))
			e.D.Respond(e.PendingCall(), 0, nil)
			e.Replied(e.Send("POST", "/mcp", RequestID("req-missing")), 401)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), RequestID("req-wait"))
			for i := 0; i < 6; i++ {
				e.AdvanceAndTick(time.Second)
				for _, c := range e.D.Calls() {
					e.D.Respond(c, 0, nil)
				}
			}
			e.Challenge(s, 503, "", "temporarily_unavailable")
			if got := e.Events("request_denied"); len(got) != 1 {
				e.T.Fatalf("want only the 503 logged at warn, have %v", got)
			}
			e.WantEvent(e.OneEvent("request_denied", "req-wait"), Event{
				"event": "request_denied", "request_id": "req-wait", "method": "POST", "path": "/mcp", "status": 503,
				"reason": "unavailable", "description": "signing keys are not available yet", "provider": "example",
			})
			e.LogContains("JWKS fetch failed")
			for _, l := range e.D.Logs() {
				if strings.Contains(l, "configured for resource") {
					e.T.Fatalf("info line written at log_level warn: %q", l)
				}
			}
		}},
		{"logs: one key_set_changed line per change of keys, none for a refresh that changes nothing", func(e *Env) {
			started(e, BaseConfig)
			first := e.Events("key_set_changed")
			if len(first) != 1 {
				e.T.Fatalf("want one key_set_changed line after the first fetch, have %d", len(first))
			}
			wantKeySet(e, first[0], 3, []any{"rsa-1", "ec-1", "ed-1"}, nil)
			e.AdvanceAndTick(301 * time.Second)
			e.ServeJWKS("ed-1", "rsa-1", "ec-1")
			if n := len(e.Events("key_set_changed")); n != 1 {
				e.T.Fatalf("a refresh with the same keys wrote a key_set_changed line (%d lines)", n)
			}
			e.AdvanceAndTick(301 * time.Second)
			e.ServeJWKS("rsa-1", "rsa-2")
			all := e.Events("key_set_changed")
			if len(all) != 2 {
				e.T.Fatalf("want a second key_set_changed line after rotation, have %d", len(all))
			}
			wantKeySet(e, all[1], 2, []any{"rsa-2"}, []any{"ed-1", "ec-1"}) // in the previous set's order
			if all[1]["version"].(float64) <= first[0]["version"].(float64) {
				e.T.Fatalf("version did not grow: %v then %v", first[0]["version"], all[1]["version"])
			}
		}},
	}
}

// wantKeySet checks a key_set_changed line; version is any positive number.
func wantKeySet(e *Env, ev Event, keys int, added, removed []any) {
	e.T.Helper()
	v, ok := ev["version"].(float64)
	if !ok || v <= 0 {
		e.T.Fatalf("key_set_changed version %v", ev["version"])
	}
	want := Event{"event": "key_set_changed", "provider": "example", "version": v, "keys": keys}
	if added != nil {
		want["added_kids"] = added
	}
	if removed != nil {
		want["removed_kids"] = removed
	}
	e.WantEvent(ev, want)
}

// LevelCase is a decision whose structured line must be written at one
// proxy log level. Drivers do not report levels, so the native and wasm
// tests check these against their host's own record.
type LevelCase struct {
	Name      string
	Level     string // debug, info, warn or error
	Event     string
	RequestID string // "" for lines that belong to no request
	Run       func(e *Env)
}

// LevelCases lists one decision per level the plugin logs at.
func LevelCases() []LevelCase {
	return []LevelCase{
		{"a denial is logged at info", "info", "request_denied", "lvl-denied", func(e *Env) {
			started(e, BaseConfig)
			e.Replied(e.Send("POST", "/mcp", RequestID("lvl-denied")), 401)
		}},
		{"an allowed request is logged at debug", "debug", "request_allowed", "lvl-allowed", func(e *Env) {
			started(e, withTop(`, "log_level": "debug"`))
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), RequestID("lvl-allowed")))
		}},
		{"a 503 is logged at warn", "warn", "request_denied", "lvl-503", func(e *Env) {
			e.Start(BaseConfig)
			e.D.Respond(e.PendingCall(), 0, nil)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)), RequestID("lvl-503"))
			for i := 0; i < 6; i++ {
				e.AdvanceAndTick(time.Second)
				for _, c := range e.D.Calls() {
					e.D.Respond(c, 0, nil)
				}
			}
			e.Challenge(s, 503, "", "temporarily_unavailable")
		}},
		{"a key-set change is logged at info", "info", "key_set_changed", "", func(e *Env) {
			started(e, BaseConfig)
		}},
	}
}

// Matches reports whether a log message is this case's structured line.
func (c LevelCase) Matches(message string) bool {
	if !strings.Contains(message, `{"event":"`+c.Event+`"`) {
		return false
	}
	return c.RequestID == "" || strings.Contains(message, `"request_id":"`+c.RequestID+`"`)
}

// MetricNames lists every metric a configuration in auth_mode both with
// the API keys "ci-bot" and "reporter" and the remote provider "example"
// defines (as in README "Metrics").
func MetricNames() []string {
	var names []string
	for name := range allMetricsAtZero() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
