package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// API keys the operations scenarios present. Their SHA-256 goes into the
// configuration; the keys themselves must never show up in a log line.
const (
	CIKey       = "ci-bot-key-J7d9Qx2LmP4s"    // "ci-bot", scope mcp:tools:read
	ReporterKey = "reporter-key-Vn3Kt8Wq1Zr6"  // "reporter", no scope
	UnknownKey  = "unknown-key-Hb5Gc0Yf2Xe9Pa" // configured nowhere
)

// Deprecation headers of migrationConfig.
const (
	DeprecationDate = "2026-07-01T00:00:00Z"
	Deprecation     = "@1782864000"
	SunsetDate      = "2026-12-31T23:59:59Z"
	Sunset          = "Thu, 31 Dec 2026 23:59:59 GMT"
	MigrationGuide  = "https://docs.example.com/mcp/oauth-migration"
)

// MetricNamespace starts every metric the plugin defines (Envoy adds
// "wasmcustom." in front of it).
const MetricNamespace = "mcp_oauth."

// keyDigest is what an operator puts in api_keys[].sha256.
func keyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// apiKeyConfig is BaseConfig in auth_mode mode with the keys "ci-bot" and
// "reporter", plus extra top-level members (each starting with ", ").
func apiKeyConfig(mode, extra string) string {
	return withReplace(`"forward_token": false`, fmt.Sprintf(`"forward_token": false, "auth_mode": %q, "api_keys": [
    {"name": "ci-bot", "sha256": %q, "scopes": ["mcp:tools:read"]},
    {"name": "reporter", "sha256": %q}
  ]`, mode, keyDigest(CIKey), keyDigest(ReporterKey))+extra)
}

// migrationConfig is auth_mode both with every deprecation header set.
func migrationConfig() string {
	return apiKeyConfig("both", fmt.Sprintf(`, "deprecation_date": %q, "sunset_date": %q, "deprecation_link": %q`,
		DeprecationDate, SunsetDate, MigrationGuide))
}

// withTop adds top-level members (each starting with ", ") to BaseConfig.
func withTop(extra string) string {
	return withReplace(`"forward_token": false`, `"forward_token": false`+extra)
}

// APIKey is the default API key header carrying key.
func APIKey(key string) [2]string { return [2]string{"x-api-key", key} }

// RequestID is the x-request-id header Envoy sets on every request.
func RequestID(id string) [2]string { return [2]string{"x-request-id", id} }

// WantMetrics requires each named metric (without the "wasmcustom." Envoy
// adds) to exist with exactly the value given.
func (e *Env) WantMetrics(want map[string]uint64) {
	e.T.Helper()
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	var bad []string
	for _, name := range names {
		got, ok := e.D.Metric(name)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: not defined, want %d", name, want[name]))
		case got != want[name]:
			bad = append(bad, fmt.Sprintf("%s = %d, want %d", name, got, want[name]))
		}
	}
	if len(bad) > 0 {
		e.T.Fatalf("metrics:\n  %s", strings.Join(bad, "\n  "))
	}
}

// NoMetric requires that no metric has this name.
func (e *Env) NoMetric(name string) {
	e.T.Helper()
	if v, ok := e.D.Metric(name); ok {
		e.T.Fatalf("metric %s is defined (= %d), want none", name, v)
	}
}

// Event is one structured (JSON) log line.
type Event map[string]any

// Events returns the structured log lines whose "event" is name, in the
// order written (per level natively). A line is recognised by its JSON
// object starting with {"event": wherever the host's prefix ends.
func (e *Env) Events(name string) []Event {
	e.T.Helper()
	var out []Event
	for _, line := range e.D.Logs() {
		i := strings.Index(line, `{"event":`)
		if i < 0 {
			continue
		}
		var ev Event
		if err := json.Unmarshal([]byte(line[i:]), &ev); err != nil {
			e.T.Fatalf("a structured log line is not one JSON object: %q: %v", line, err)
		}
		if ev["event"] == name {
			out = append(out, ev)
		}
	}
	return out
}

// OneEvent requires exactly one structured line named name with this
// request_id and returns it.
func (e *Env) OneEvent(name, requestID string) Event {
	e.T.Helper()
	var found []Event
	for _, ev := range e.Events(name) {
		if ev["request_id"] == requestID {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		e.T.Fatalf("want one %s line for request %q, have %d; logs:\n%s", name, requestID, len(found), strings.Join(e.D.Logs(), "\n"))
	}
	return found[0]
}

// WantEvent requires ev to have exactly these members (numbers as JSON
// numbers, lists as []any), nothing more.
func (e *Env) WantEvent(ev Event, want Event) {
	e.T.Helper()
	got, _ := json.Marshal(ev)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		e.T.Fatalf("log line:\n got %s\nwant %s", got, exp)
	}
}

// NoSecretsLogged requires that no log line holds any of the secrets, nor
// their last 16 bytes (a truncated token is still token material), nor an
// API key's digest.
func (e *Env) NoSecretsLogged(secrets ...string) {
	e.T.Helper()
	for _, s := range secrets {
		e.NoLogContains(s)
		if len(s) > 16 {
			e.NoLogContains(s[len(s)-16:])
		}
		e.NoLogContains(keyDigest(s))
	}
}

// ErrorBody decodes an error reply's JSON body.
func ErrorBody(e *Env, rep *Reply) (code, description string) {
	e.T.Helper()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(rep.Body, &body); err != nil {
		e.T.Fatalf("error body is not JSON: %q", rep.Body)
	}
	return body.Error, body.Description
}

// HeaderValues returns every value of name, in order.
func HeaderValues(headers [][2]string, name string) []string {
	var out []string
	for _, kv := range headers {
		if kv[0] == name {
			out = append(out, kv[1])
		}
	}
	return out
}

// upstreamResponse is a minimal response from the MCP server.
func upstreamResponse(extra ...[2]string) [][2]string {
	return append([][2]string{{":status", "200"}, {"content-type", "application/json"}}, extra...)
}
