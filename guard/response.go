package guard

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Response is a local reply the filter sends instead of forwarding.
type Response struct {
	Status  int
	Headers [][2]string
	Body    []byte
}

// errorBody is the RFC 6749 §5.2 style JSON body of every error response.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Respond turns an OAuth error into the HTTP response: the one place that does.
// Every error carries a JSON body and cache-control: no-store; 400, 401 and
// 403 carry a Bearer challenge with resource_metadata (RFC 9728 §5.1) so MCP
// clients can discover the authorization server, and scope when the rule
// needs scopes (MCP 2025-11-25 step-up).
func (g *Guard) Respond(e *Error) Response {
	code := e.Code
	switch {
	case code != "":
	case e.bodyCode != "":
		code = e.bodyCode // body only, as below
	default:
		code = "unauthorized" // body only; the challenge has no error attribute (RFC 6750 §3.1)
	}
	body, _ := json.Marshal(errorBody{Error: code, Description: e.Description})
	headers := [][2]string{
		{"content-type", "application/json"},
		{"cache-control", "no-store"},
		// Browser MCP clients read the challenge cross-origin.
		{"access-control-allow-origin", "*"},
		{"access-control-expose-headers", "WWW-Authenticate, Retry-After"},
	}
	switch e.Status {
	case 400, 401, 403:
		headers = append(headers, [2]string{"www-authenticate", g.challenge(e)})
	case 503:
		headers = append(headers, [2]string{"retry-after", strconv.Itoa(e.RetryAfter)})
	}
	return Response{Status: e.Status, Headers: headers, Body: body}
}

// challenge renders the WWW-Authenticate value (RFC 6750 §3). Descriptions
// and scopes are fixed strings from configuration and code, already within
// the quoted-string charset RFC 6750 allows, so no escaping is needed.
func (g *Guard) challenge(e *Error) string {
	if e.Code == "" && e.Scope == "" {
		return g.bareChallenge
	}
	var b strings.Builder
	b.Grow(len(g.bareChallenge) + len(e.Description) + len(e.Scope) + 64)
	b.WriteString("Bearer ")
	if e.Code != "" {
		b.WriteString(`error="`)
		b.WriteString(e.Code)
		b.WriteString(`", `)
		if e.Description != "" {
			b.WriteString(`error_description="`)
			b.WriteString(e.Description)
			b.WriteString(`", `)
		}
	}
	if e.Scope != "" {
		b.WriteString(`scope="`)
		b.WriteString(e.Scope)
		b.WriteString(`", `)
	}
	b.WriteString(`resource_metadata="`)
	b.WriteString(g.metadataURL)
	b.WriteString(`"`)
	return b.String()
}
