package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestOperations runs the migration and operations table (API keys,
// deprecation headers, metrics, structured logs) natively; the e2e module
// runs it against build/plugin.wasm.
func TestOperations(t *testing.T) {
	scenario.Run(t, scenario.Operations(), newNativeScenarioDriver, nil)
}

// TestOperationsLogLevels checks the proxy log level of each kind of
// structured line, which the scenario driver does not report.
func TestOperationsLogLevels(t *testing.T) {
	issuer, other := scenario.NewIssuers(t)
	for _, c := range scenario.LevelCases() {
		t.Run(c.Name, func(t *testing.T) {
			d := newNativeDriver()
			defer d.Close()
			c.Run(&scenario.Env{T: t, D: d, Issuer: issuer, Other: other})
			byLevel := map[string][]string{
				"debug": d.host.GetDebugLogs(), "info": d.host.GetInfoLogs(),
				"warn": d.host.GetWarnLogs(), "error": d.host.GetErrorLogs(),
			}
			for level, lines := range byLevel {
				n := 0
				for _, l := range lines {
					if c.Matches(l) {
						n++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[level == c.Level]; n != want {
					t.Errorf("%d %s line(s) at %s, want %d", n, c.Event, level, want)
				}
			}
		})
	}
}

// TestInternalErrorCountedAndLogged breaks the plugin as
// TestPanicFailsClosedAndVMKeepsServing does: the 500 is counted and
// written as an error-level line. (The wasm run cannot provoke a panic from
// outside; it checks the counter exists at zero.)
func TestInternalErrorCountedAndLogged(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	now := time.Unix(1_900_000_000, 0)
	host, plugin, reset := startCapturing(t, now, issuer.JWKS("rsa-1"))
	defer reset()
	token := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	plugin.remotes = nil // KeySet now indexes out of range
	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, [][2]string{{":method", "POST"}, {":path", "/mcp"}, {"x-request-id", "req-500"}, {"authorization", "Bearer " + token}}, true)
	if v, err := host.GetCounterMetric("mcp_oauth.requests.outcome.internal_error"); err != nil || v != 1 {
		t.Fatalf("internal_error counter = %d (%v), want 1", v, err)
	}
	want := `{"event":"request_denied","request_id":"req-500","method":"POST","path":"/mcp","status":500,"reason":"internal_error","description":"internal error in the authorization filter"}`
	found := false
	for _, l := range host.GetErrorLogs() {
		found = found || l == want
		if strings.Contains(l, token[len(token)-16:]) {
			t.Fatalf("token material logged: %q", l)
		}
	}
	if !found {
		t.Fatalf("no error line %s; error logs: %q", want, host.GetErrorLogs())
	}
}
