package scenario

import (
	"strings"
	"time"
)

// Metric names as the plugin defines them; Envoy shows them with
// "wasmcustom." in front, and envoy.yaml's stats_tags turn the
// ".<label>.<value>" segments into tags.
const (
	mRequests   = MetricNamespace + "requests"
	mExample    = mRequests + ".provider.example.outcome."
	mNoProvider = mRequests + ".outcome."
	mFetchOK    = MetricNamespace + "jwks_fetches.provider.example.outcome.success"
	mFetchFail  = MetricNamespace + "jwks_fetches.provider.example.outcome.failure"
	mKeys       = MetricNamespace + "jwks_keys.provider.example"
	mAge        = MetricNamespace + "jwks_age_seconds.provider.example"
	mHits       = MetricNamespace + "token_cache.hits"
	mMisses     = MetricNamespace + "token_cache.misses"
	mEvictions  = MetricNamespace + "token_cache.evictions"
	mValidation = MetricNamespace + "validation_time_us"
)

// The documented label values (README "Metrics"), written out here rather
// than taken from the code, so that a renamed label fails a test.
var (
	unattributedReasons = []string{"metadata", "preflight", "anonymous", "missing_token", "invalid_request", "internal_error"}
	providerReasons     = []string{"allowed", "insufficient_scope", "unavailable"}
	apiKeyReasons       = []string{"allowed", "insufficient_scope"}
	invalidTokenCauses  = []string{"malformed", "algorithm", "critical_header", "token_type", "issuer", "key_not_found",
		"no_unique_key", "signature", "expired", "not_yet_valid", "issued_in_future", "audience", "lifetime",
		"missing_claim", "invalid_claim", "other"}
)

// allMetricsAtZero lists every metric migrationConfig defines, each 0.
func allMetricsAtZero() map[string]uint64 {
	want := map[string]uint64{}
	for _, r := range append(unattributedReasons, "invalid_api_key") {
		want[mNoProvider+r] = 0
	}
	for _, r := range providerReasons {
		want[mExample+r] = 0
	}
	for _, c := range invalidTokenCauses {
		want[mNoProvider+"invalid_token.cause."+c] = 0
		want[mExample+"invalid_token.cause."+c] = 0
	}
	for _, k := range []string{"ci-bot", "reporter"} {
		for _, r := range apiKeyReasons {
			want[mRequests+".api_key."+k+".outcome."+r] = 0
		}
	}
	for _, name := range []string{mFetchOK, mFetchFail, mKeys, mAge, mHits, mMisses, mEvictions, mValidation} {
		want[name] = 0
	}
	return want
}

// WantSampled requires a histogram to have recorded at least one sample.
func (e *Env) WantSampled(name string) {
	e.T.Helper()
	if v, ok := e.D.Metric(name); !ok || v == 0 {
		e.T.Fatalf("histogram %s: defined %t, value %d; want a recorded sample", name, ok, v)
	}
}

func metricScenarios() []Scenario {
	return []Scenario{
		{"metrics: every metric is defined at plugin start, at zero", func(e *Env) {
			e.Start(migrationConfig())
			e.WantMetrics(allMetricsAtZero())
			e.NoMetric(mRequests + ".api_key.ci-bot.outcome.invalid_token.cause.expired")
		}},
		{"metrics: each decision is counted once, by provider, reason and cause", func(e *Env) {
			started(e, BaseConfig)
			tok := e.Token("rsa-1", mcpScope)
			e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource/mcp"), 200)
			e.Forwarded(e.Send("OPTIONS", "/mcp", [2]string{"access-control-request-method", "POST"}))
			e.Forwarded(e.Send("GET", "/healthz"))
			e.Replied(e.Send("POST", "/mcp"), 401)
			e.Replied(e.Send("POST", "/mcp", Bearer(tok), Bearer(tok)), 400)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(tok)))
			e.Forwarded(e.Send("POST", "/mcp", Bearer(tok)))
			e.Replied(e.Send("GET", "/admin/x", Bearer(tok)), 403)
			expired := e.Issuer.Standard(e.D.Now().Add(-3*time.Hour), Resource, mcpScope)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", expired, nil))), mcpScope, "token expired")
			foreign := e.Issuer.Standard(e.D.Now(), "https://other.example.com/mcp", mcpScope)
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", foreign, nil))), mcpScope, "audience not accepted")
			parts, forged := strings.Split(tok, "."), strings.Split(e.Other.Mint("rsa-1", e.Issuer.Standard(e.D.Now(), Resource, mcpScope), nil), ".")
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(parts[0]+"."+parts[1]+"."+forged[2])), mcpScope, "signature invalid")
			e.InvalidToken(e.Send("POST", "/mcp", Bearer("not.a.jwt")), mcpScope, "malformed token")
			evil := e.Issuer.Standard(e.D.Now(), Resource, mcpScope)
			evil["iss"] = "https://evil.example.com"
			e.InvalidToken(e.Send("POST", "/mcp", Bearer(e.Issuer.Mint("rsa-1", evil, nil))), mcpScope, "issuer not accepted")
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-2", mcpScope))) // unknown kid: one early refresh
			e.ServeJWKS("rsa-1")
			e.InvalidToken(s, mcpScope, "signing key not found")
			e.WantMetrics(map[string]uint64{
				mNoProvider + "metadata":                       1,
				mNoProvider + "preflight":                      1,
				mNoProvider + "anonymous":                      1,
				mNoProvider + "missing_token":                  1,
				mNoProvider + "invalid_request":                1,
				mNoProvider + "internal_error":                 0,
				mNoProvider + "invalid_token.cause.malformed":  1,
				mNoProvider + "invalid_token.cause.issuer":     1,
				mNoProvider + "invalid_token.cause.expired":    0,
				mExample + "allowed":                           2,
				mExample + "insufficient_scope":                1,
				mExample + "unavailable":                       0,
				mExample + "invalid_token.cause.expired":       1,
				mExample + "invalid_token.cause.audience":      1,
				mExample + "invalid_token.cause.signature":     1,
				mExample + "invalid_token.cause.key_not_found": 1,
				mExample + "invalid_token.cause.malformed":     0,
				mFetchOK:   2,
				mFetchFail: 0,
			})
			e.WantSampled(mValidation)
			e.NoMetric(mNoProvider + "invalid_api_key") // oauth mode: no API keys
		}},
		{"metrics: API-key requests are counted per key name, apart from tokens", func(e *Env) {
			started(e, migrationConfig())
			e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey)))
			e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey)))
			e.Replied(e.Send("POST", "/mcp", APIKey(ReporterKey)), 403)
			e.Replied(e.Send("POST", "/mcp", APIKey(UnknownKey)), 401)
			e.Replied(e.Send("POST", "/mcp", APIKey(CIKey), Bearer(e.Token("rsa-1", mcpScope))), 400)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope))))
			e.WantMetrics(map[string]uint64{
				mRequests + ".api_key.ci-bot.outcome.allowed":              2,
				mRequests + ".api_key.ci-bot.outcome.insufficient_scope":   0,
				mRequests + ".api_key.reporter.outcome.allowed":            0,
				mRequests + ".api_key.reporter.outcome.insufficient_scope": 1,
				mNoProvider + "invalid_api_key":                            1,
				mNoProvider + "invalid_request":                            1,
				mExample + "allowed":                                       1,
			})
			e.NoSecretsLogged(CIKey, ReporterKey, UnknownKey)
		}},
		{"metrics: validation time is recorded for requests that present a credential only", func(e *Env) {
			started(e, migrationConfig())
			e.Forwarded(e.Send("GET", "/healthz"))
			e.Replied(e.Send("POST", "/mcp"), 401)
			e.Replied(e.Send("GET", "/.well-known/oauth-protected-resource"), 200)
			e.WantMetrics(map[string]uint64{mValidation: 0})
			e.Forwarded(e.Send("POST", "/mcp", APIKey(CIKey)))
			e.WantSampled(mValidation)
		}},
		{"metrics: JWKS fetch outcomes, keys held and seconds since the last good fetch", func(e *Env) {
			e.Start(BaseConfig)
			e.WantMetrics(map[string]uint64{mFetchOK: 0, mFetchFail: 0, mKeys: 0, mAge: 0})
			e.D.Respond(e.PendingCall(), 500, []byte("down"))
			e.AdvanceAndTick(3 * time.Second) // no success yet: age counts from the plugin's start
			e.WantMetrics(map[string]uint64{mFetchOK: 0, mFetchFail: 1, mKeys: 0, mAge: 3})
			e.ServeJWKS("rsa-1", "ec-1")
			e.WantMetrics(map[string]uint64{mFetchOK: 1, mFetchFail: 1, mKeys: 2, mAge: 0})
			e.AdvanceAndTick(10 * time.Second)
			e.WantMetrics(map[string]uint64{mKeys: 2, mAge: 10})
			e.AdvanceAndTick(291 * time.Second) // the periodic refresh fails: the keys stay
			e.D.Respond(e.PendingCall(), 0, nil)
			e.AdvanceAndTick(time.Second)
			e.WantMetrics(map[string]uint64{mFetchOK: 1, mFetchFail: 2, mKeys: 2, mAge: 302})
		}},
		{"metrics: a request that waited in vain is counted unavailable for its provider", func(e *Env) {
			e.Start(BaseConfig)
			e.D.Respond(e.PendingCall(), 0, nil)
			s := e.Send("POST", "/mcp", Bearer(e.Token("rsa-1", mcpScope)))
			e.Paused(s)
			for i := 0; i < 6; i++ {
				e.AdvanceAndTick(time.Second)
				for _, c := range e.D.Calls() {
					e.D.Respond(c, 0, nil)
				}
			}
			e.Challenge(s, 503, "", "temporarily_unavailable")
			e.WantMetrics(map[string]uint64{mExample + "unavailable": 1, mExample + "allowed": 0})
		}},
		{"metrics: validated-token cache hits, misses and evictions, summed on each tick", func(e *Env) {
			started(e, withTop(`, "token_cache": {"max_entries": 1}`))
			a, b := e.Token("rsa-1", mcpScope), e.Token("ec-1", mcpScope)
			e.Forwarded(e.Send("POST", "/mcp", Bearer(a))) // miss
			e.Forwarded(e.Send("POST", "/mcp", Bearer(a))) // hit
			e.Forwarded(e.Send("POST", "/mcp", Bearer(b))) // miss, evicts a
			e.Forwarded(e.Send("POST", "/mcp", Bearer(a))) // miss, evicts b
			e.WantMetrics(map[string]uint64{mHits: 0, mMisses: 0, mEvictions: 0})
			e.AdvanceAndTick(time.Second)
			e.WantMetrics(map[string]uint64{mHits: 1, mMisses: 3, mEvictions: 2})
			e.Forwarded(e.Send("POST", "/mcp", Bearer(a))) // hit
			e.AdvanceAndTick(time.Second)
			e.WantMetrics(map[string]uint64{mHits: 2, mMisses: 3, mEvictions: 2})
		}},
		{"metrics: a local_jwks provider has its keys gauge and no fetch metrics", func(e *Env) {
			e.Start(localConfig(e.Issuer.JWKS("rsa-1", "ec-1", "ed-1")))
			e.WantMetrics(map[string]uint64{mKeys: 3})
			e.NoMetric(mFetchOK)
			e.NoMetric(mAge)
		}},
		{"metrics: each provider has its own counters", func(e *Env) {
			started(e, twoProviderConfig(e.Other.JWKS("ec-1")))
			e.Forwarded(e.Send("POST", "/mcp", Bearer(e.Other.Mint("ec-1", e.Other.Standard(e.D.Now(), Resource, mcpScope), nil))))
			e.WantMetrics(map[string]uint64{
				mRequests + ".provider.other.outcome.allowed": 1,
				mExample + "allowed":                          0,
				MetricNamespace + "jwks_keys.provider.other":  1,
			})
			e.NoMetric(MetricNamespace + "jwks_fetches.provider.other.outcome.success")
		}},
	}
}
