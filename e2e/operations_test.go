package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	metricsv3 "github.com/envoyproxy/go-control-plane/envoy/config/metrics/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// TestOperationsWasm runs the migration and operations table (API keys,
// deprecation headers, metrics, structured logs) against build/plugin.wasm;
// the filter package runs it natively.
func TestOperationsWasm(t *testing.T) {
	scenario.Run(t, scenario.Operations(), newWasmScenarioDriver, checkHostHealthy)
}

// TestOperationsLogLevelsWasm checks the proxy log level of each kind of
// structured line, as the host recorded it.
func TestOperationsLogLevelsWasm(t *testing.T) {
	issuer, other := scenario.NewIssuers(t)
	levels := map[host.LogLevel]string{host.LogDebug: "debug", host.LogInfo: "info", host.LogWarn: "warn", host.LogError: "error"}
	for _, c := range scenario.LevelCases() {
		t.Run(c.Name, func(t *testing.T) {
			d := newWasmDriver(t)
			c.Run(&scenario.Env{T: t, D: d, Issuer: issuer, Other: other})
			var got []string
			for _, l := range d.vm.Logs() {
				if !l.Host && c.Matches(l.Message) {
					got = append(got, levels[l.Level])
				}
			}
			if len(got) != 1 || got[0] != c.Level {
				t.Fatalf("%s lines at levels %q, want one at %s", c.Event, got, c.Level)
			}
		})
	}
}

// TestValidationTimeSkipsCacheHits: the validation-time histogram gets one
// sample per validated credential; a token served from the cache adds none
// (the native emulator keeps only a histogram's last sample, so this runs
// in wasm only).
func TestValidationTimeSkipsCacheHits(t *testing.T) {
	issuer, other := scenario.NewIssuers(t)
	d := newWasmDriver(t)
	e := &scenario.Env{T: t, D: d, Issuer: issuer, Other: other}
	e.Start(scenario.BaseConfig)
	e.ServeJWKS("rsa-1")
	name := "mcp_oauth.validation_time_us"
	tok := e.Token("rsa-1", "mcp:tools:read")
	for i, want := range []int{1, 1, 1} { // a miss, then two hits
		e.Forwarded(e.Send("POST", "/mcp", scenario.Bearer(tok)))
		if got := len(d.h.HistogramSamples(name)); got != want {
			t.Fatalf("after request %d: %d samples, want %d", i+1, got, want)
		}
	}
	e.Forwarded(e.Send("POST", "/mcp", scenario.Bearer(e.Token("rsa-1", "mcp:tools:read mcp:tools:write"))))
	if got := len(d.h.HistogramSamples(name)); got != 2 {
		t.Fatalf("a second token: %d samples, want 2", got)
	}
}

// TestEnvoyStatsTagsLabelEveryMetric applies envoy.yaml's stats_tags the
// way Envoy's tag extractors do (each regex on the full name; the first
// group is removed from the name, the second is the value) to every metric
// the plugin defines, and requires the Prometheus series the README
// documents. Each name is read from the wasm host first, so the list is
// what the plugin really defines.
func TestEnvoyStatsTagsLabelEveryMetric(t *testing.T) {
	tags := envoyStatsTags(t)
	d := newWasmDriver(t)
	issuer, other := scenario.NewIssuers(t)
	e := &scenario.Env{T: t, D: d, Issuer: issuer, Other: other}
	e.Start(migrationConfigForTags)

	families := map[string][]string{
		"mcp_oauth_requests":              {"outcome", "provider", "api_key", "cause"},
		"mcp_oauth_jwks_fetches":          {"outcome", "provider"},
		"mcp_oauth_jwks_keys":             {"provider"},
		"mcp_oauth_jwks_age_seconds":      {"provider"},
		"mcp_oauth_token_cache_hits":      nil,
		"mcp_oauth_token_cache_misses":    nil,
		"mcp_oauth_token_cache_evictions": nil,
		"mcp_oauth_validation_time_us":    nil,
	}
	for _, name := range scenario.MetricNames() {
		if _, ok := d.Metric(name); !ok {
			t.Fatalf("the plugin does not define %s", name)
		}
		series, labels := extractTags(tags, "wasmcustom."+name)
		allowed, known := families[series]
		if !known {
			t.Errorf("%s: becomes the unknown series %s %v", name, series, labels)
			continue
		}
		for label := range labels {
			if !hasString(allowed, label) {
				t.Errorf("%s: label %s not expected on %s", name, label, series)
			}
		}
		if rebuilt := rebuildName(series, labels); rebuilt != name {
			t.Errorf("%s: the labels %v do not give the name back (%s)", name, labels, rebuilt)
		}
	}

	for _, tt := range []struct {
		name   string
		series string
		labels map[string]string
	}{
		{"mcp_oauth.requests.provider.example.outcome.invalid_token.cause.expired", "mcp_oauth_requests",
			map[string]string{"provider": "example", "outcome": "invalid_token", "cause": "expired"}},
		{"mcp_oauth.requests.outcome.invalid_token.cause.malformed", "mcp_oauth_requests",
			map[string]string{"outcome": "invalid_token", "cause": "malformed"}},
		{"mcp_oauth.requests.api_key.ci-bot.outcome.allowed", "mcp_oauth_requests",
			map[string]string{"api_key": "ci-bot", "outcome": "allowed"}},
		{"mcp_oauth.requests.outcome.missing_token", "mcp_oauth_requests", map[string]string{"outcome": "missing_token"}},
		// Names that are also segment keywords stay unambiguous.
		{"mcp_oauth.requests.provider.outcome.outcome.allowed", "mcp_oauth_requests",
			map[string]string{"provider": "outcome", "outcome": "allowed"}},
		{"mcp_oauth.requests.api_key.provider.outcome.insufficient_scope", "mcp_oauth_requests",
			map[string]string{"api_key": "provider", "outcome": "insufficient_scope"}},
		{"mcp_oauth.requests.provider.cause.outcome.invalid_token.cause.other", "mcp_oauth_requests",
			map[string]string{"provider": "cause", "outcome": "invalid_token", "cause": "other"}},
		{"mcp_oauth.jwks_fetches.provider.idp-eu_1.outcome.failure", "mcp_oauth_jwks_fetches",
			map[string]string{"provider": "idp-eu_1", "outcome": "failure"}},
		{"mcp_oauth.jwks_age_seconds.provider.example", "mcp_oauth_jwks_age_seconds", map[string]string{"provider": "example"}},
		{"mcp_oauth.token_cache.evictions", "mcp_oauth_token_cache_evictions", map[string]string{}},
	} {
		series, labels := extractTags(tags, "wasmcustom."+tt.name)
		if series != tt.series || !reflect.DeepEqual(labels, tt.labels) {
			t.Errorf("%s:\n got %s %v\nwant %s %v", tt.name, series, labels, tt.series, tt.labels)
		}
	}
}

// migrationConfigForTags defines the metrics scenario.MetricNames lists.
var migrationConfigForTags = strings.Replace(scenario.BaseConfig, `"forward_token": false`, `"forward_token": false, "auth_mode": "both", "api_keys": [
  {"name": "ci-bot", "sha256": "`+strings.Repeat("a", 64)+`"}, {"name": "reporter", "sha256": "`+strings.Repeat("b", 64)+`"}]`, 1)

type statsTag struct {
	name string
	re   *regexp.Regexp
}

// envoyStatsTags reads stats_config.stats_tags from envoy.yaml. The
// regexes use only syntax ECMAScript (Envoy's std::regex) and RE2 share.
func envoyStatsTags(t *testing.T) []statsTag {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "envoy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		StatsConfig json.RawMessage `json:"stats_config"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var sc metricsv3.StatsConfig
	if err := protojson.Unmarshal(doc.StatsConfig, &sc); err != nil {
		t.Fatalf("envoy.yaml stats_config: %v", err)
	}
	var tags []statsTag
	for _, spec := range sc.GetStatsTags() {
		tags = append(tags, statsTag{spec.GetTagName(), regexp.MustCompile(spec.GetRegex())})
	}
	if len(tags) == 0 {
		t.Fatal("envoy.yaml has no stats_config.stats_tags")
	}
	return tags
}

// extractTags is Envoy's TagProducer for these tags: every regex runs on
// the original name, the first group's span is removed, the second group
// is the tag's value. Prometheus then drops the "wasmcustom." namespace and
// turns dots into underscores.
func extractTags(tags []statsTag, name string) (series string, labels map[string]string) {
	labels = map[string]string{}
	remove := make([]bool, len(name))
	for _, tag := range tags {
		m := tag.re.FindStringSubmatchIndex(name)
		if m == nil || len(m) < 4 {
			continue
		}
		value := name[m[2]:m[3]]
		if len(m) >= 6 && m[4] >= 0 {
			value = name[m[4]:m[5]]
		}
		labels[tag.name] = value
		for i := m[2]; i < m[3]; i++ {
			remove[i] = true
		}
	}
	var b strings.Builder
	for i := range name {
		if !remove[i] {
			b.WriteByte(name[i])
		}
	}
	return strings.ReplaceAll(strings.TrimPrefix(b.String(), "wasmcustom."), ".", "_"), labels
}

// rebuildName puts labels back in the documented order of segments.
func rebuildName(series string, labels map[string]string) string {
	family := strings.TrimPrefix(series, "mcp_oauth_")
	if strings.HasPrefix(family, "token_cache_") {
		family = "token_cache." + strings.TrimPrefix(family, "token_cache_")
	}
	name := "mcp_oauth." + family
	for _, label := range []string{"provider", "api_key", "outcome", "cause"} {
		if v, ok := labels[label]; ok {
			name += "." + label + "." + v
		}
	}
	return name
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestOperationsAcrossVMs runs one proxy with a main-thread VM and three
// workers: a JWKS fetch is counted once and its key-set change logged once
// for the whole proxy; the gauges, which every VM sets, agree; per-VM
// decisions add up in the shared counters.
func TestOperationsAcrossVMs(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	p := newProxy(t, 4, scenario.BaseConfig)
	if n := p.serve(issuer.JWKS("rsa-1", "ec-1")); n != 1 {
		t.Fatalf("%d JWKS fetches at start, want 1", n)
	}
	p.step()
	token := issuer.Mint("rsa-1", issuer.Standard(p.h.Now(), scenario.Resource, "mcp:tools:read"), nil)
	for i := range p.vms {
		p.requireForwarded(i, token)
	}
	p.step()
	for name, want := range map[string]uint64{
		"mcp_oauth.jwks_fetches.provider.example.outcome.success": 1,
		"mcp_oauth.jwks_keys.provider.example":                    2,
		"mcp_oauth.jwks_age_seconds.provider.example":             2,
		"mcp_oauth.requests.provider.example.outcome.allowed":     4,
		"mcp_oauth.token_cache.misses":                            4, // one per VM: each VM has its own cache
	} {
		if got, ok := p.h.Metric(name); !ok || got != want {
			t.Errorf("%s = %d (defined %t), want %d", name, got, ok, want)
		}
	}
	changes := 0
	for _, vm := range p.vms {
		for _, m := range vm.LogMessages(host.LogInfo) {
			if strings.Contains(m, `"event":"key_set_changed"`) {
				changes++
			}
		}
	}
	if changes != 1 {
		t.Fatalf("%d key_set_changed lines across the VMs, want 1", changes)
	}
}
