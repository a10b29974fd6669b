package localrun

import (
	"fmt"
	"io"
	"strings"
)

// Instructions is what the demo prints: where things run and copy-paste
// curl commands for each answer the filter gives.
type Instructions struct {
	Front       string // front door origin, e.g. http://127.0.0.1:10000
	Via         string // what serves it, e.g. "the wazero proxy-wasm host (2 worker VMs)"
	Resource    string // the protected resource (MCP endpoint URL)
	MetadataURL string // its RFC 9728 metadata URL
	Issuer      string // development issuer origin
	Upstream    string // MCP upstream origin
	ReadToken   string // a token with ReadScope
	OtherToken  string // a valid token without ReadScope
	OtherScope  string // OtherToken's scope
}

// Write prints the instructions.
func (in Instructions) Write(w io.Writer) error {
	path := strings.TrimPrefix(in.Resource, in.Front)
	if path == in.Resource || path == "" {
		path = "/mcp"
	}
	endpoint := in.Front + path
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`
	_, err := fmt.Fprintf(w, `
mcp-oauth-local: the plugin serves %[1]s through %[2]s

  protected resource     %[3]s
  MCP server (upstream)  %[4]s   (cluster %[5]s)
  issuer                 %[6]s   (cluster %[7]s)
    !! DEVELOPMENT ISSUER: it signs a token for anyone who asks. Loopback only; never expose it.

The tokens below are valid for one hour. Try:

# 1. No token: 401; WWW-Authenticate carries resource_metadata, where clients discover the issuer
curl -i -X POST %[8]s

# 2. The protected resource metadata document (RFC 9728)
curl -s %[9]s

# 3. A valid token whose scope is %[10]q, not %[11]s: 403 insufficient_scope with scope="%[11]s"
curl -i -X POST %[8]s -H 'Authorization: Bearer %[12]s'

# 4. A token with %[11]s: 200 from the MCP server. Its X-Demo-Seen-* headers show what reached it:
#    the subject in x-mcp-subject, and no Authorization header (the filter removes it)
curl -i -X POST %[8]s -H 'Authorization: Bearer %[13]s' -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '%[14]s'

# More tokens from the development issuer (form fields: scope, sub, resource):
curl -s -X POST %[6]s/token -d 'scope=%[11]s' -d 'sub=alice'

Ctrl-C stops everything.
`, in.Front, in.Via, in.Resource, in.Upstream, DefaultUpstreamCluster, in.Issuer, DefaultJWKSCluster,
		endpoint, in.MetadataURL, in.OtherScope, ReadScope, in.OtherToken, in.ReadToken, call)
	return err
}
