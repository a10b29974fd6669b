package host

// envFuncs are the env.* host functions: every proxy_* function cpp-host
// registers for ABI 0.2.0 (include/proxy-wasm/exports.h
// FOR_ALL_HOST_FUNCTIONS plus continue_stream and close_stream, src/wasm.cc
// WasmBase::registerCallbacks), with cpp-host's signatures, plus the two
// emscripten helpers it always registers.
func envFuncs() []hostFunc {
	type def struct {
		name, params, results string
		fn                    func(vm *VM, s []uint64)
	}
	defs := []def{
		{"proxy_log", "III", "I", proxyLog},
		{"proxy_get_status", "III", "I", proxyGetStatus},
		{"proxy_set_property", "IIII", "I", proxySetProperty},
		{"proxy_get_property", "IIII", "I", proxyGetProperty},
		{"proxy_send_local_response", "IIIIIIII", "I", proxySendLocalResponse},
		{"proxy_get_shared_data", "IIIII", "I", proxyGetSharedData},
		{"proxy_set_shared_data", "IIIII", "I", proxySetSharedData},
		{"proxy_register_shared_queue", "III", "I", proxyRegisterSharedQueue},
		{"proxy_resolve_shared_queue", "IIIII", "I", proxyResolveSharedQueue},
		{"proxy_dequeue_shared_queue", "III", "I", proxyDequeueSharedQueue},
		{"proxy_enqueue_shared_queue", "III", "I", proxyEnqueueSharedQueue},
		{"proxy_get_header_map_value", "IIIII", "I", proxyGetHeaderMapValue},
		{"proxy_add_header_map_value", "IIIII", "I", proxyAddHeaderMapValue},
		{"proxy_replace_header_map_value", "IIIII", "I", proxyReplaceHeaderMapValue},
		{"proxy_remove_header_map_value", "III", "I", proxyRemoveHeaderMapValue},
		{"proxy_get_header_map_pairs", "III", "I", proxyGetHeaderMapPairs},
		{"proxy_set_header_map_pairs", "III", "I", proxySetHeaderMapPairs},
		{"proxy_get_header_map_size", "II", "I", proxyGetHeaderMapSize},
		{"proxy_get_buffer_status", "III", "I", proxyGetBufferStatus},
		{"proxy_get_buffer_bytes", "IIIII", "I", proxyGetBufferBytes},
		{"proxy_set_buffer_bytes", "IIIII", "I", proxySetBufferBytes},
		{"proxy_http_call", "IIIIIIIIII", "I", proxyHTTPCall},
		{"proxy_grpc_call", "IIIIIIIIIIII", "I", proxyGrpcCall},
		{"proxy_grpc_stream", "IIIIIIIII", "I", proxyGrpcStream},
		{"proxy_grpc_close", "I", "I", proxyGrpcToken},
		{"proxy_grpc_cancel", "I", "I", proxyGrpcToken},
		{"proxy_grpc_send", "IIII", "I", proxyGrpcToken},
		{"proxy_set_tick_period_milliseconds", "I", "I", proxySetTickPeriod},
		{"proxy_get_current_time_nanoseconds", "I", "I", proxyGetCurrentTime},
		{"proxy_define_metric", "IIII", "I", proxyDefineMetric},
		{"proxy_increment_metric", "IL", "I", proxyIncrementMetric},
		{"proxy_record_metric", "IL", "I", proxyRecordMetric},
		{"proxy_get_metric", "II", "I", proxyGetMetric},
		{"proxy_set_effective_context", "I", "I", proxySetEffectiveContext},
		{"proxy_done", "", "I", proxyDone},
		{"proxy_call_foreign_function", "IIIIII", "I", proxyCallForeignFunction},
		{"proxy_continue_stream", "I", "I", proxyContinueStream},
		{"proxy_close_stream", "I", "I", proxyCloseStream},
		{"emscripten_notify_memory_growth", "I", "", func(*VM, []uint64) {}},
		{"pthread_equal", "II", "I", func(_ *VM, s []uint64) { s[0] = b2u(uint32(s[0]) == uint32(s[1])) }},
	}
	out := make([]hostFunc, 0, len(defs))
	for _, d := range defs {
		out = append(out, hostFunc{module: "env", name: d.name, params: sig(d.params), results: sig(d.results), fn: d.fn})
	}
	return out
}

func ret(s []uint64, st Status) { s[0] = uint64(st) }
