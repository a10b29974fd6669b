package host

// proxyDefineMetric: type > Histogram is BadArgument; ids carry the type in
// their low two bits and step by 4 per VM (envoy context.cc
// Context::defineMetric, wasm.h next*MetricId).
func proxyDefineMetric(vm *VM, s []uint64) {
	t := MetricType(uint32(s[0]))
	if t > MetricHistogram {
		ret(s, StatusBadArgument)
		return
	}
	name, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	vm.nextMetric[t] += metricIDStep
	id := vm.nextMetric[t]
	vm.metricIDs[id] = vm.h.metrics.get(t, name)
	if !vm.writeU32(uint32(s[3]), id) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxyIncrementMetric: counters only accept a positive offset (else
// BadArgument), gauges add or subtract, histograms are BadArgument (envoy
// Context::incrementMetric).
func proxyIncrementMetric(vm *VM, s []uint64) {
	id, offset := uint32(s[0]), int64(s[1])
	m := vm.metricIDs[id]
	switch MetricType(id & metricTypeMask) {
	case MetricCounter:
		if m == nil {
			ret(s, StatusNotFound)
			return
		}
		if offset <= 0 {
			ret(s, StatusBadArgument)
			return
		}
		m.value += uint64(offset)
	case MetricGauge:
		if m == nil {
			ret(s, StatusNotFound)
			return
		}
		m.value += uint64(offset) // two's complement: a negative offset subtracts
	default:
		ret(s, StatusBadArgument)
		return
	}
	ret(s, StatusOK)
}

// proxyRecordMetric: counters add, gauges set, histograms record (envoy
// Context::recordMetric); an unknown id is NotFound.
func proxyRecordMetric(vm *VM, s []uint64) {
	id, v := uint32(s[0]), s[1]
	m := vm.metricIDs[id]
	if m == nil || MetricType(id&metricTypeMask) > MetricHistogram {
		ret(s, StatusNotFound)
		return
	}
	switch m.kind {
	case MetricCounter:
		m.value += v
	case MetricGauge:
		m.value = v
	case MetricHistogram:
		m.samples = append(m.samples, v)
	}
	ret(s, StatusOK)
}

// proxyGetMetric: counters and gauges only; histograms are BadArgument
// (envoy Context::getMetric).
func proxyGetMetric(vm *VM, s []uint64) {
	id := uint32(s[0])
	t := MetricType(id & metricTypeMask)
	if t != MetricCounter && t != MetricGauge {
		ret(s, StatusBadArgument)
		return
	}
	m := vm.metricIDs[id]
	if m == nil {
		ret(s, StatusNotFound)
		return
	}
	if !vm.writeU64(uint32(s[1]), m.value) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}
