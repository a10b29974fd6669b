package host

// Status is a proxy-wasm WasmResult (proxy-wasm-cpp-sdk proxy_wasm_common.h;
// the SDK's internal/abi_enums.go lists the subset it decodes).
type Status uint32

// Proxy-wasm status codes.
const (
	StatusOK                  Status = 0
	StatusNotFound            Status = 1
	StatusBadArgument         Status = 2
	StatusSerializationFailed Status = 3
	StatusParseFailure        Status = 4
	StatusInvalidMemoryAccess Status = 6
	StatusEmpty               Status = 7
	StatusCasMismatch         Status = 8
	StatusInternalFailure     Status = 10
	StatusBrokenConnection    Status = 11
	StatusUnimplemented       Status = 12
)

// Header map types (WasmHeaderMapType; MAX is 7).
const (
	mapRequestHeaders       = 0
	mapRequestTrailers      = 1
	mapResponseHeaders      = 2
	mapResponseTrailers     = 3
	mapGrpcInitialMetadata  = 4
	mapGrpcTrailingMetadata = 5
	mapCallResponseHeaders  = 6
	mapCallResponseTrailers = 7
	mapMax                  = 7
)

// Buffer types (WasmBufferType; MAX is 8).
const (
	bufRequestBody      = 0
	bufResponseBody     = 1
	bufDownstreamData   = 2
	bufUpstreamData     = 3
	bufCallResponseBody = 4
	bufGrpcReceive      = 5
	bufVMConfiguration  = 6
	bufPluginConfig     = 7
	bufCallData         = 8
	bufMax              = 8
)

// Stream types (WasmStreamType; MAX is 3).
const (
	streamRequest    = 0
	streamResponse   = 1
	streamDownstream = 2
	streamUpstream   = 3
	streamMax        = 3
)

// LogLevel is a proxy-wasm log level (trace=0 … critical=5).
type LogLevel uint32

// Proxy-wasm log levels.
const (
	LogTrace    LogLevel = 0
	LogDebug    LogLevel = 1
	LogInfo     LogLevel = 2
	LogWarn     LogLevel = 3
	LogError    LogLevel = 4
	LogCritical LogLevel = 5
	logOff      LogLevel = 6
)

func (l LogLevel) String() string {
	switch l {
	case LogTrace:
		return "trace"
	case LogDebug:
		return "debug"
	case LogInfo:
		return "info"
	case LogWarn:
		return "warn"
	case LogError:
		return "error"
	case LogCritical:
		return "critical"
	}
	return "invalid"
}

// MetricType is a proxy-wasm metric type.
type MetricType uint32

// Proxy-wasm metric types; Envoy encodes the type in the low two bits of a
// metric id (envoy source/extensions/common/wasm/wasm.h kMetricTypeMask).
const (
	MetricCounter   MetricType = 0
	MetricGauge     MetricType = 1
	MetricHistogram MetricType = 2
	metricTypeMask             = 0x3
	metricIDStep               = 0x4
)

// WASI errno values used by cpp-host's stubs.
const (
	errnoSuccess  = 0
	errnoBadf     = 8
	errnoFault    = 21
	errnoInval    = 28
	errnoNoent    = 44
	errnoNosys    = 52
	errnoNotdir   = 20
	errnoNotsup   = 58
	randomGetMax  = 64 * 1024 // cpp-host include/proxy-wasm/limits.h
	pairsMaxCount = 1024      // cpp-host limits.h PROXY_WASM_HOST_PAIRS_MAX_COUNT
	pairsMaxBytes = 1 << 20   // cpp-host limits.h PROXY_WASM_HOST_PAIRS_MAX_BYTES
)
