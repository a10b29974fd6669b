package filter

import (
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// Metric names. Labels are encoded in the name as ".<label>.<value>"
// segments after a family name, and envoy.yaml's stats_tags turn them back
// into tags (Envoy prefixes every plugin metric with "wasmcustom."):
//
//	mcp_oauth.requests[.provider.<p>|.api_key.<k>].outcome.<reason>[.cause.<cause>]
//	mcp_oauth.jwks_fetches.provider.<p>.outcome.<success|failure>
//	mcp_oauth.jwks_keys.provider.<p>            gauge
//	mcp_oauth.jwks_age_seconds.provider.<p>     gauge
//	mcp_oauth.token_cache.<hits|misses|evictions>
//	mcp_oauth.validation_time_us                histogram
//
// Provider and key names use ^[a-z0-9][a-z0-9_-]{0,62}$ (config), so a
// value never contains the "." that separates segments.
const (
	metricPrefix         = "mcp_oauth."
	metricRequests       = metricPrefix + "requests"
	metricJWKSFetches    = metricPrefix + "jwks_fetches"
	metricJWKSKeys       = metricPrefix + "jwks_keys"
	metricJWKSAge        = metricPrefix + "jwks_age_seconds"
	metricCacheHits      = metricPrefix + "token_cache.hits"
	metricCacheMisses    = metricPrefix + "token_cache.misses"
	metricCacheEvictions = metricPrefix + "token_cache.evictions"
	metricValidationTime = metricPrefix + "validation_time_us"
)

// Outcomes counted per label kind: what can happen to a request with no
// provider or key known (invalid_token apart, counted by cause), with a
// token's provider, with an API key.
func unattributedOutcomes(apiKeys bool) []string {
	out := []string{guard.ReasonMetadata, guard.ReasonPreflight, guard.ReasonAnonymous,
		guard.ReasonMissingToken, guard.ReasonInvalidRequest, guard.ReasonInternalError}
	if apiKeys {
		out = append(out, guard.ReasonInvalidAPIKey)
	}
	return out
}

func providerOutcomes() []string {
	return []string{guard.ReasonAllowed, guard.ReasonInsufficientScope, guard.ReasonUnavailable}
}

func apiKeyOutcomes() []string { return []string{guard.ReasonAllowed, guard.ReasonInsufficientScope} }

// outcomeKey finds the counter of a decision.
type outcomeKey struct {
	provider, apiKey, reason, cause string
}

// metrics holds this VM's metric ids. Every metric is defined once, at
// plugin start: a metric that exists at zero is what a dashboard needs to
// tell "nothing happened" from "not configured", and defining per request
// would cost a host call each time.
type metrics struct {
	requests   map[outcomeKey]proxywasm.MetricCounter
	fetches    [][2]proxywasm.MetricCounter // by provider index: success, failure; remote providers only
	keys       []proxywasm.MetricGauge      // by provider index
	age        []proxywasm.MetricGauge      // by provider index; remote providers only
	remote     []bool                       // by provider index: fetches keys (ids may be 0, so they cannot tell)
	cacheHits  proxywasm.MetricCounter
	cacheMiss  proxywasm.MetricCounter
	cacheEvict proxywasm.MetricCounter
	validation proxywasm.MetricHistogram
	reported   guard.CacheStats // cache counters already added to the metrics

	// The counter of the last outcome counted: most requests end like the
	// one before, and comparing four strings is much cheaper in wasm than
	// hashing them for the map.
	lastKey     outcomeKey
	lastCounter proxywasm.MetricCounter
	haveLast    bool
}

// newMetrics defines every metric of a configuration. remote[i] says whether
// provider i fetches its keys.
func newMetrics(g *guard.Guard, remote []bool) *metrics {
	m := &metrics{requests: map[outcomeKey]proxywasm.MetricCounter{}, remote: remote}
	causes := guard.InvalidTokenCauses()
	count := func(k outcomeKey) {
		name := metricRequests
		switch {
		case k.provider != "":
			name += ".provider." + k.provider
		case k.apiKey != "":
			name += ".api_key." + k.apiKey
		}
		name += ".outcome." + k.reason
		if k.cause != "" {
			name += ".cause." + k.cause
		}
		m.requests[k] = proxywasm.DefineCounterMetric(name)
	}
	for _, reason := range unattributedOutcomes(g.AcceptsAPIKeys()) {
		count(outcomeKey{reason: reason})
	}
	for _, cause := range causes {
		count(outcomeKey{reason: guard.ReasonInvalidToken, cause: cause})
	}
	for i := 0; i < g.ProviderCount(); i++ {
		p := g.ProviderName(i)
		for _, reason := range providerOutcomes() {
			count(outcomeKey{provider: p, reason: reason})
		}
		for _, cause := range causes {
			count(outcomeKey{provider: p, reason: guard.ReasonInvalidToken, cause: cause})
		}
	}
	for _, k := range g.APIKeyNames() {
		for _, reason := range apiKeyOutcomes() {
			count(outcomeKey{apiKey: k, reason: reason})
		}
	}
	m.fetches = make([][2]proxywasm.MetricCounter, g.ProviderCount())
	m.keys = make([]proxywasm.MetricGauge, g.ProviderCount())
	m.age = make([]proxywasm.MetricGauge, g.ProviderCount())
	for i := range m.keys {
		label := ".provider." + g.ProviderName(i)
		m.keys[i] = proxywasm.DefineGaugeMetric(metricJWKSKeys + label)
		if remote[i] {
			m.fetches[i] = [2]proxywasm.MetricCounter{
				proxywasm.DefineCounterMetric(metricJWKSFetches + label + ".outcome.success"),
				proxywasm.DefineCounterMetric(metricJWKSFetches + label + ".outcome.failure"),
			}
			m.age[i] = proxywasm.DefineGaugeMetric(metricJWKSAge + label)
		}
	}
	m.cacheHits = proxywasm.DefineCounterMetric(metricCacheHits)
	m.cacheMiss = proxywasm.DefineCounterMetric(metricCacheMisses)
	m.cacheEvict = proxywasm.DefineCounterMetric(metricCacheEvictions)
	m.validation = proxywasm.DefineHistogramMetric(metricValidationTime)
	return m
}

// outcome counts one final decision.
func (m *metrics) outcome(o *guard.Outcome) {
	if m == nil {
		return
	}
	k := outcomeKey{reason: o.Reason, cause: o.Cause}
	switch {
	case o.APIKey != "":
		k.apiKey = o.APIKey
	case o.ProviderName != "":
		k.provider = o.ProviderName
	}
	if m.haveLast && k.reason == m.lastKey.reason && k.cause == m.lastKey.cause &&
		k.provider == m.lastKey.provider && k.apiKey == m.lastKey.apiKey {
		increment(m.lastCounter, 1)
		return
	}
	if c, ok := m.requests[k]; ok {
		m.lastKey, m.lastCounter, m.haveLast = k, c, true
		increment(c, 1)
	}
}

// fetched counts a JWKS fetch that ended, by the VM that made it.
func (m *metrics) fetched(provider int, ok bool) {
	if m == nil {
		return
	}
	if ok {
		increment(m.fetches[provider][0], 1)
	} else {
		increment(m.fetches[provider][1], 1)
	}
}

// validated records the time a credential took to decide, in whole
// microseconds rounded up, so a sample is never 0.
func (m *metrics) validated(d time.Duration) {
	if m == nil {
		return
	}
	us := uint64((d + time.Microsecond - 1) / time.Microsecond)
	if d < 0 || us == 0 {
		us = 1
	}
	defer func() { _ = recover() }() // a stat must never fail a request
	m.validation.Record(us)
}

// keysHeld sets the number of usable keys held for provider i.
func (m *metrics) keysHeld(i, n int) {
	if m != nil {
		setGauge(m.keys[i], uint64(n))
	}
}

// keysAge sets the time since provider i's last successful fetch, in
// whole seconds (remote providers only).
func (m *metrics) keysAge(i int, age time.Duration) {
	if m != nil && m.remote[i] {
		setGauge(m.age[i], uint64(max(age, 0)/time.Second))
	}
}

// cache adds what the validated-token cache counted since the last call.
// The cache counts per VM; Envoy sums the counters of all VMs.
func (m *metrics) cache(s guard.CacheStats) {
	if m == nil {
		return
	}
	increment(m.cacheHits, s.Hits-m.reported.Hits)
	increment(m.cacheMiss, s.Misses-m.reported.Misses)
	increment(m.cacheEvict, s.Evictions-m.reported.Evictions)
	m.reported = s
}

// increment adds n to a counter; Envoy refuses an increment of 0.
func increment(c proxywasm.MetricCounter, n uint64) {
	if n == 0 {
		return
	}
	defer func() { _ = recover() }() // a stat must never fail a request
	c.Increment(n)
}

// setGauge sets a gauge with proxy_record_metric, which on a gauge id sets
// its value (Envoy Context::recordMetric). The SDK only exposes that call
// for histograms; an add of the difference would race between VMs, which
// share the gauge.
func setGauge(g proxywasm.MetricGauge, v uint64) {
	defer func() { _ = recover() }() // a stat must never fail a request
	proxywasm.MetricHistogram(g).Record(v)
}
