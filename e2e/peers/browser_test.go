package peers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// browserReport is what the page found out, posted back to its own origin.
type browserReport struct {
	MetadataStatus  int            `json:"metadata_status"`
	Metadata        map[string]any `json:"metadata"`
	MetadataError   string         `json:"metadata_error"`
	MCPStatus       int            `json:"mcp_status"`
	WWWAuthenticate string         `json:"www_authenticate"`
	MCPBody         map[string]any `json:"mcp_body"`
	MCPError        string         `json:"mcp_error"`
}

// browserPage fetches the metadata document and POSTs an unauthenticated
// MCP initialize (application/json: a CORS preflight first), as a browser
// MCP client such as the MCP Inspector does, then reports what it could read.
const browserPage = `<!doctype html>
<html><head><title>pending</title></head><body><pre id="out">pending</pre>
<script>
(async () => {
  const out = {};
  try {
    const r = await fetch(%s);
    out.metadata_status = r.status;
    out.metadata = await r.json();
  } catch (e) { out.metadata_error = String(e); }
  try {
    const r = await fetch(%s, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18'},
      body: %s,
    });
    out.mcp_status = r.status;
    out.www_authenticate = r.headers.get('WWW-Authenticate');
    out.mcp_body = await r.json();
  } catch (e) { out.mcp_error = String(e); }
  document.getElementById('out').textContent = JSON.stringify(out);
  document.title = 'done';
  await fetch('/report', {method: 'POST', body: JSON.stringify(out)});
})();
</script></body></html>`

func jsString(v string) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// Scenario 6: headless Chromium loads a page from another loopback origin
// that reads the metadata document and the WWW-Authenticate of an
// unauthenticated POST to /mcp: CORS lets it (the plugin's replies carry
// Access-Control-Allow-Origin and expose WWW-Authenticate; the preflight
// passes through the plugin to the upstream, which answers it).
func TestPeersBrowserCORS(t *testing.T) {
	chromium := chromiumPath(t)
	s := newStack(t, stackOptions{})
	browserLog := newPeerLog("chromium")
	dumpOnFailure(t, browserLog)

	reports := make(chan browserReport, 1)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, browserPage, jsString(s.prmURL()), jsString(s.resource), jsString(initializeBody))
		case "/report":
			data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			browserLog.add("report: " + string(data))
			var rep browserReport
			if err := json.Unmarshal(data, &rep); err != nil {
				browserLog.add("bad report: " + err.Error())
			}
			select {
			case reports <- rep:
			default:
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(page.Close)
	if strings.TrimPrefix(page.URL, "http://") == s.addr {
		t.Fatal("the page must come from another origin than the plugin")
	}

	proc := startProcess(t, "chromium", browserLog, t.TempDir(), nil, nil, nil,
		chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), page.URL+"/")
	var rep browserReport
	select {
	case rep = <-reports:
	case <-proc.done:
		t.Fatalf("chromium exited before the page reported: %v", proc.err)
	case <-time.After(60 * time.Second):
		t.Fatal("the page did not report within 60s")
	}
	proc.stop()

	if rep.MetadataError != "" || rep.MetadataStatus != 200 {
		t.Errorf("the page could not read the metadata document: status %d, error %q", rep.MetadataStatus, rep.MetadataError)
	}
	if rep.Metadata["resource"] != s.resource || !reflect.DeepEqual(rep.Metadata["authorization_servers"], []any{s.as.issuer}) {
		t.Errorf("the page read metadata %v, want resource %s and authorization_servers [%s]", rep.Metadata, s.resource, s.as.issuer)
	}
	if rep.MCPError != "" || rep.MCPStatus != 401 {
		t.Fatalf("the page's POST /mcp: status %d, error %q; want a readable 401", rep.MCPStatus, rep.MCPError)
	}
	want := fmt.Sprintf(`Bearer scope="%s", resource_metadata="%s"`, scopeRead, s.prmURL())
	if rep.WWWAuthenticate != want {
		t.Errorf("the page read WWW-Authenticate %q, want %q", rep.WWWAuthenticate, want)
	}
	if rep.MCPBody["error"] != "unauthorized" {
		t.Errorf("the page read body %v, want error unauthorized", rep.MCPBody)
	}

	// The preflight reached the upstream through the plugin; the
	// unauthenticated POST did not.
	reqs := s.up.requests()
	preflights := 0
	for _, r := range reqs {
		if r.Method == "OPTIONS" && r.Path == "/mcp" && r.Header.Get("Access-Control-Request-Method") == "POST" {
			preflights++
		}
	}
	if preflights != 1 {
		t.Errorf("the upstream got %d preflight(s) for POST /mcp, want 1", preflights)
	}
	if n := countUpstream(reqs, "POST", "/mcp"); n != 0 {
		t.Errorf("the upstream got %d POST /mcp from an unauthenticated page", n)
	}
}
