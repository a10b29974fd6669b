package host

// metric is one Envoy stat. Envoy keeps stats in the process-wide store
// (prefixed "wasmcustom."), so every VM defining the same name shares it
// (envoy source/extensions/common/wasm/context.cc Context::defineMetric).
type metric struct {
	kind    MetricType
	name    string
	value   uint64
	samples []uint64
}

// metricStore holds a Host's stats by type and name.
type metricStore struct {
	byName map[MetricType]map[string]*metric
}

func newMetricStore() *metricStore {
	return &metricStore{byName: map[MetricType]map[string]*metric{
		MetricCounter: {}, MetricGauge: {}, MetricHistogram: {},
	}}
}

func (s *metricStore) get(kind MetricType, name string) *metric {
	m := s.byName[kind][name]
	if m == nil {
		m = &metric{kind: kind, name: name}
		s.byName[kind][name] = m
	}
	return m
}

// Metric returns a counter's or gauge's value, or a histogram's number of
// recorded samples, by the name the plugin defined.
func (h *Host) Metric(name string) (uint64, bool) {
	for _, k := range []MetricType{MetricCounter, MetricGauge} {
		if m, ok := h.metrics.byName[k][name]; ok {
			return m.value, true
		}
	}
	if m, ok := h.metrics.byName[MetricHistogram][name]; ok {
		return uint64(len(m.samples)), true
	}
	return 0, false
}

// HistogramSamples returns the values recorded into a histogram.
func (h *Host) HistogramSamples(name string) []uint64 {
	if m, ok := h.metrics.byName[MetricHistogram][name]; ok {
		return append([]uint64(nil), m.samples...)
	}
	return nil
}
