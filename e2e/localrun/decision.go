package localrun

import (
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

type decisionKind int

const (
	decisionForward decisionKind = iota // send Upstream to the upstream cluster
	decisionLocal                       // write the local reply
	decisionReset                       // the plugin reset the stream: drop the connection
	decisionStalled                     // neither paused nor decided: a host/plugin fault
	decisionStopped                     // the server stopped first
)

// decision is what the plugin made of a request, copied out of the stream
// on the loop goroutine so the handler can use it on its own.
type decision struct {
	kind     decisionKind
	upstream host.Upstream
	status   int
	headers  [][2]string
	body     []byte
}

// decide reports the stream's decision once there is one. A paused stream
// is still waiting (for keys); so is a local reply whose response
// callbacks paused.
func decide(s *host.Stream) (decision, bool) {
	switch {
	case s.Reset():
		return decision{kind: decisionReset}, true
	case s.LocalReply() != nil:
		lr := s.LocalReply()
		if !lr.WasmFailure && s.DownstreamResponse() == nil {
			return decision{}, false
		}
		return decision{kind: decisionLocal, status: int(lr.Status), headers: lr.Headers, body: lr.Body}, true
	case s.Upstream() != nil:
		up := s.Upstream()
		return decision{kind: decisionForward, upstream: host.Upstream{Headers: up.Headers, Body: up.Body}}, true
	case s.Paused():
		return decision{}, false
	}
	return decision{kind: decisionStalled}, true
}
