package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// pluginPath is build/plugin.wasm (PLUGIN_WASM when set). A missing plugin
// fails: these tests are part of `make test`.
func pluginPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PLUGIN_WASM")
	if path == "" {
		path = filepath.Join("..", "..", "..", "build", "plugin.wasm")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the plugin is missing (run `make build` or `make test`): %v", err)
	}
	return path
}

// lockedBuffer is written by the program and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// started runs the program until the test ends and waits for marker in
// its output.
func started(t *testing.T, args []string, marker string) (stdout, stderr *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, args, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("exit status %d after the interrupt; stderr:\n%s", code, stderr)
			}
		case <-time.After(15 * time.Second):
			t.Error("the program did not stop within 15s of the interrupt")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), marker) {
		select {
		case code := <-exited:
			t.Fatalf("exited with %d before %q; stderr:\n%s", code, marker, stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within 30s; stdout:\n%s\nstderr:\n%s", marker, stdout, stderr)
		}
	}
	return stdout, stderr
}

// TestDemoPrintsCurlCommandsThatWork starts the demo as `make run` does
// (on a free port) and runs the curl commands it prints, as a newcomer
// would paste them.
func TestDemoPrintsCurlCommandsThatWork(t *testing.T) {
	stdout, _ := started(t, []string{"-listen", "127.0.0.1:0", "-wasm", pluginPath(t), "-log-level", "info"}, "Ctrl-C stops everything.")
	out := stdout.String()
	front := regexp.MustCompile(`serves (http://127\.0\.0\.1:[0-9]+) through`).FindStringSubmatch(out)
	if front == nil {
		t.Fatalf("no front door address in:\n%s", out)
	}
	var curls []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "curl ") {
			curls = append(curls, line)
		}
	}
	md := front[1] + "/.well-known/oauth-protected-resource/mcp"
	// What each printed command must show, in order.
	want := [][]string{
		{"HTTP/1.1 401 ", `WWW-Authenticate: Bearer scope="mcp:tools:read", resource_metadata="` + md + `"`},
		{`{"resource":"` + front[1] + `/mcp","authorization_servers":["http://127.0.0.1:`},
		{"HTTP/1.1 403 ", `error="insufficient_scope"`, `scope="mcp:tools:read"`, `resource_metadata="` + md + `"`},
		{"HTTP/1.1 200 ", "X-Demo-Seen-Authorization: absent", "X-Demo-Seen-Subject: demo-user", "event: message", `hello (called by \"demo-user\"`},
		{`"access_token":"eyJ`, `"token_type":"Bearer"`},
	}
	if len(curls) != len(want) {
		t.Fatalf("%d curl commands printed, want %d:\n%s", len(curls), len(want), out)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not on PATH: checked the printed commands' shape only")
	}
	for i, line := range curls {
		cmd := exec.Command("sh", "-c", line)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		got := strings.ReplaceAll(string(b), "\r\n", "\n")
		for _, w := range want[i] {
			if !strings.Contains(got, w) {
				t.Errorf("command %d (%.60s…) output lacks %q:\n%s", i+1, line, w, got)
			}
		}
	}
}

// TestConfigModeServesAUserConfiguration runs config.json with its
// clusters mapped by flags: the 401 points at config.json's resource.
func TestConfigModeServesAUserConfiguration(t *testing.T) {
	peers, err := localrun.StartPeers(localrun.PeersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer peers.Close()
	stdout, _ := started(t, []string{
		"-listen", "127.0.0.1:0", "-wasm", pluginPath(t), "-config", filepath.Join("..", "..", "..", "config.json"),
		"-cluster", "auth_server=" + peers.Issuer.URL(), "-cluster", "mcp_upstream=" + peers.Upstream.URL(),
	}, "Ctrl-C stops it.")
	front := regexp.MustCompile(`serves (http://127\.0\.0\.1:[0-9]+) with`).FindStringSubmatch(stdout.String())
	if front == nil {
		t.Fatalf("no front door address in:\n%s", stdout)
	}
	resp, err := http.Post(front[1]+"/mcp", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	want := `Bearer scope="mcp:tools:read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
		t.Errorf("%d %q, want 401 %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
	}
	resp, err = http.Get(front[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(localrun.SeenAuthorizationHeader) != "absent" {
		t.Errorf("anonymous /healthz through mcp_upstream: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestRunRefusesWithOneClearLine(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantLine string
	}{
		{"envoy absent", []string{"-envoy", "-envoy-bin", "no-such-envoy-binary"}, 1, "envoy is not on PATH"},
		{"unmapped cluster", []string{"-listen", "127.0.0.1:0", "-config", filepath.Join("..", "..", "..", "config.json"),
			"-cluster", "mcp_upstream=http://127.0.0.1:8080"}, 1, `cluster has no address: "auth_server"`},
		{"missing plugin", []string{"-listen", "127.0.0.1:0", "-wasm", "no/such/plugin.wasm"}, 1, "make build writes build/plugin.wasm"},
		{"demo off loopback", []string{"-listen", "0.0.0.0:0"}, 1, "the demo listens on loopback only"},
		{"cluster with the demo", []string{"-cluster", "a=http://127.0.0.1:1"}, 2, "-cluster and -clusters go with -config"},
		{"stray argument", []string{"serve"}, 2, `unexpected argument "serve"`},
		{"bad cluster", []string{"-config", "x.json", "-cluster", "a=b"}, 2, "cluster address must be an http:// or https:// origin"},
		{"bad level", []string{"-log-level", "loud"}, 2, `unknown log level "loud"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantLine) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantLine)
			}
		})
	}
}

func TestFlagsChooseTheMode(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "clusters.json")
	if err := os.WriteFile(file, []byte(`{"auth_server": "https://auth.example.com", "mcp_upstream": "http://127.0.0.1:8080"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		demo     bool
		config   string
		clusters localrun.Clusters
	}{
		{"no arguments: the demo", nil, true, "", localrun.Clusters{}},
		{"-config: that configuration", []string{"-config", "my.json"}, false, "my.json", localrun.Clusters{}},
		{"-demo=false: config.json", []string{"-demo=false"}, false, "config.json", localrun.Clusters{}},
		{"flags override the clusters file", []string{"-config", "c.json", "-clusters", file, "-cluster", "mcp_upstream=http://127.0.0.1:9090"},
			false, "c.json", localrun.Clusters{"auth_server": "https://auth.example.com", "mcp_upstream": "http://127.0.0.1:9090"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.demo != tt.demo || o.config != tt.config || !reflect.DeepEqual(o.clusters, tt.clusters) {
				t.Errorf("demo %v config %q clusters %v, want %v %q %v", o.demo, o.config, o.clusters, tt.demo, tt.config, tt.clusters)
			}
		})
	}
}

// TestPeersOnlyWritesTheEnvoyConfiguration: -peers-only starts the issuer
// and upstream and writes an Envoy configuration that points at them.
func TestPeersOnlyWritesTheEnvoyConfiguration(t *testing.T) {
	out := filepath.Join(t.TempDir(), "envoy-demo.yaml")
	stdout, _ := started(t, []string{"-peers-only", "-listen", "127.0.0.1:0", "-admin-port", "0", "-wasm", pluginPath(t),
		"-envoy-base", filepath.Join("..", "..", "..", "envoy.yaml"), "-envoy-out", out}, "Ctrl-C stops everything.")
	m := regexp.MustCompile(`serves http://127\.0\.0\.1:([0-9]+) through Envoy once you run: envoy -c (\S+) --concurrency 2`).FindStringSubmatch(stdout.String())
	if m == nil || m[2] != out {
		t.Fatalf("no envoy command for %s in:\n%s", out, stdout)
	}
	issuer := regexp.MustCompile(`issuer +http://127\.0\.0\.1:([0-9]+)`).FindStringSubmatch(stdout.String())
	if issuer == nil {
		t.Fatalf("no issuer in:\n%s", stdout)
	}
	y, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"port_value: " + m[1] + "\n", "port_value: " + issuer[1] + "\n", "name: dev_issuer", "name: mcp_upstream"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("%s lacks %q", out, want)
		}
	}
	resp, err := http.Get("http://127.0.0.1:" + issuer[1] + "/.well-known/jwks.json")
	if err != nil {
		t.Fatalf("the issuer is not serving: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("JWKS status %d", resp.StatusCode)
	}
}
