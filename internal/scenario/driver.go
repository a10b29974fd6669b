// Package scenario is the filter's behaviour table, written once and run by
// two drivers: natively through the SDK's proxytest emulator (filter tests)
// and against the compiled build/plugin.wasm in the project's wazero host
// (e2e tests). A scenario only talks to a Driver, so both runs assert the
// same things.
package scenario

import "time"

// Driver runs one plugin instance (one VM) in some host.
type Driver interface {
	// Start configures the plugin; a non-nil error means OnPluginStart failed.
	Start(pluginConfig []byte) error
	// Now is the host's clock, which the plugin reads.
	Now() time.Time
	// Advance moves the clock forward without ticking.
	Advance(d time.Duration)
	// Tick runs the plugin's tick callback once.
	Tick()
	// Send runs the request-headers callback for a new stream.
	Send(headers [][2]string) Stream
	// Calls lists dispatched HTTP calls that have not been answered yet.
	Calls() []Call
	// Respond delivers a response to a pending call; status 0 delivers a
	// failure with zero headers, as Envoy does when the call fails.
	Respond(c Call, status int, body []byte)
	// Logs returns every log line the plugin wrote so far, with its level.
	Logs() []string
	// Metric reads a metric the plugin defined, by the name it defined it
	// with: a counter's or gauge's value; for a histogram, 0 until a sample
	// was recorded and positive after (the wasm host counts samples, the
	// SDK emulator keeps the last one, and the plugin never records 0).
	// ok is false when no metric has that name.
	Metric(name string) (value uint64, ok bool)
}

// Stream is one request as the host saw it.
type Stream interface {
	// Result is the stream's state now: it may change while it is paused.
	Result() Result
	// Done ends the stream (the client went away or it completed).
	Done()
	// Respond runs the upstream's response headers through the plugin's
	// response callback and returns the headers the client receives. The
	// stream must have been forwarded.
	Respond(headers [][2]string) [][2]string
}

// Result is what happened to a request.
type Result struct {
	Paused    bool        // waiting in the plugin
	Forwarded bool        // continued upstream
	Upstream  [][2]string // request headers as the upstream received them
	Reply     *Reply      // local reply, if one was sent
}

// Reply is a local reply sent by the plugin.
type Reply struct {
	Status  int
	Headers [][2]string
	Body    []byte
}

// Call is a dispatched HTTP call.
type Call struct {
	ID      uint32
	Cluster string
	Headers [][2]string
	Timeout time.Duration
	handle  any // driver-specific
}

// WithHandle returns a copy of c carrying a driver's private handle.
func (c Call) WithHandle(h any) Call { c.handle = h; return c }

// Handle returns the driver's private handle.
func (c Call) Handle() any { return c.handle }

// Header returns the first value of name in headers.
func Header(headers [][2]string, name string) (string, bool) {
	for _, kv := range headers {
		if kv[0] == name {
			return kv[1], true
		}
	}
	return "", false
}
