package filter

import (
	"encoding/json"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// logger writes the plugin's log lines at or above the configured
// log_level. The proxy filters again by its own level for the wasm
// component (Envoy: --component-log-level wasm:debug to see debug lines).
// Lines before the configuration is parsed bypass it.
type logger struct{ min config.LogLevel }

func (l logger) debugf(format string, args ...any) {
	if l.min <= config.LogDebug {
		proxywasm.LogDebugf(format, args...)
	}
}

func (l logger) infof(format string, args ...any) {
	if l.min <= config.LogInfo {
		proxywasm.LogInfof(format, args...)
	}
}

func (l logger) warnf(format string, args ...any) {
	if l.min <= config.LogWarn {
		proxywasm.LogWarnf(format, args...)
	}
}

func (l logger) errorf(format string, args ...any) {
	if l.min <= config.LogError {
		proxywasm.LogErrorf(format, args...)
	}
}

// event writes v as one line of JSON. Structured lines are those operators
// search and alert on: request decisions and key-set changes.
func (l logger) event(level config.LogLevel, v any) {
	if level < l.min {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return // the events are plain structs of strings and numbers
	}
	switch level {
	case config.LogDebug:
		proxywasm.LogDebug(string(b))
	case config.LogInfo:
		proxywasm.LogInfo(string(b))
	case config.LogWarn:
		proxywasm.LogWarn(string(b))
	default:
		proxywasm.LogError(string(b))
	}
}

// requestEvent is the line for one decided request. It never holds the
// token, the API key or anything read from an unverified token: sub,
// client_id and jti are only set after the signature was verified.
type requestEvent struct {
	Event       string `json:"event"` // request_denied or request_allowed
	RequestID   string `json:"request_id,omitempty"`
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"` // without the query, which may carry an access_token
	Status      int    `json:"status,omitempty"`
	Reason      string `json:"reason"`
	Cause       string `json:"cause,omitempty"`
	Description string `json:"description,omitempty"`
	Provider    string `json:"provider,omitempty"`
	APIKey      string `json:"api_key,omitempty"` // the configured key's name
	Deprecated  bool   `json:"deprecated,omitempty"`
	Subject     string `json:"sub,omitempty"`
	ClientID    string `json:"client_id,omitempty"`
	TokenID     string `json:"jti,omitempty"`
}

// logDecision writes the line of a final decision: denials at info (503 at
// warn, 500 at error), everything allowed only at debug.
func (l logger) logDecision(h *httpContext, o *guard.Outcome) {
	level := config.LogDebug
	ev := requestEvent{Event: "request_allowed"}
	if o.Kind == guard.Reply && o.Response.Status >= 400 { // the metadata document is a 200 reply
		ev.Event, ev.Status, ev.Description = "request_denied", o.Response.Status, o.Description
		switch {
		case o.Reason == guard.ReasonInternalError:
			level = config.LogError
		case o.Response.Status >= 500:
			level = config.LogWarn
		default:
			level = config.LogInfo
		}
	}
	if level < l.min {
		return
	}
	ev.RequestID, ev.Method, ev.Path = bounded(h.requestID), bounded(h.method), bounded(h.path)
	ev.Reason, ev.Cause, ev.Provider, ev.APIKey, ev.Deprecated = o.Reason, o.Cause, o.ProviderName, o.APIKey, o.Deprecated
	ev.Subject, ev.ClientID, ev.TokenID = bounded(o.Subject), bounded(o.ClientID), bounded(o.TokenID)
	l.event(level, ev)
}

// keySetEvent is the line written when a provider's keys change: by the VM
// whose fetch brought the change, once per proxy.
type keySetEvent struct {
	Event    string   `json:"event"` // key_set_changed
	Provider string   `json:"provider"`
	Version  uint64   `json:"version"`
	Keys     int      `json:"keys"`
	Added    []string `json:"added_kids,omitempty"`
	Removed  []string `json:"removed_kids,omitempty"`
}

// maxLoggedValue bounds each client- or issuer-chosen string in a line.
const maxLoggedValue = 256

// bounded shortens s for a log line; JSON encoding escapes the rest.
func bounded(s string) string {
	if len(s) <= maxLoggedValue {
		return s
	}
	return s[:maxLoggedValue] + "..."
}
