package localrun_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// TestLocalHostHTTPCases runs the HTTP case table against the plugin in
// the local wazero host, over real HTTP on loopback.
func TestLocalHostHTTPCases(t *testing.T) {
	runHTTPCases(t, localDoor)
}

// localDoor serves the plugin with localrun.Start on an ephemeral port.
func localDoor(t *testing.T, build func(front string) ([]byte, localrun.Clusters)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + ln.Addr().String()
	cfg, clusters := build(front)
	srv, err := localrun.Start(ln, localrun.Options{
		Module: plugin, PluginConfig: cfg, Clusters: clusters,
		Log: testLog{t: t}, LogLevel: host.LogInfo,
	})
	if err != nil {
		_ = ln.Close()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if srv.URL() != front {
		t.Fatalf("URL() = %q, want %q", srv.URL(), front)
	}
	return front
}

// testLog sends log lines to t.Log (shown on failure or with -v).
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStartRefusesWhatCannotRun(t *testing.T) {
	demo := localrun.DemoConfig{Resource: "http://127.0.0.1:1/mcp", Issuer: "http://127.0.0.1:2"}.JSON()
	both := localrun.Clusters{"dev_issuer": "http://127.0.0.1:2", "mcp_upstream": "http://127.0.0.1:3"}
	tests := []struct {
		name     string
		config   []byte
		clusters localrun.Clusters
		upstream string
		wantErr  error
		wantText string
	}{
		{
			name: "JWKS cluster not mapped", config: demo,
			clusters: localrun.Clusters{"mcp_upstream": "http://127.0.0.1:3"},
			wantErr:  localrun.ErrUnmappedCluster, wantText: `"dev_issuer"`,
		},
		{
			name: "upstream cluster not mapped", config: demo,
			clusters: localrun.Clusters{"dev_issuer": "http://127.0.0.1:2"},
			wantErr:  localrun.ErrUnmappedCluster, wantText: `"mcp_upstream"`,
		},
		{
			name: "another upstream cluster named but not mapped", config: demo, clusters: both, upstream: "backend",
			wantErr: localrun.ErrUnmappedCluster, wantText: `"backend"`,
		},
		{
			name: "configuration the plugin would refuse", clusters: both,
			config:  []byte(`{"resource": "http://mcp.example.com/mcp"}`),
			wantErr: localrun.ErrConfig, wantText: "must use https",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			srv, err := localrun.Start(ln, localrun.Options{Module: plugin, PluginConfig: tt.config,
				Clusters: tt.clusters, UpstreamCluster: tt.upstream})
			if err == nil {
				_ = srv.Close()
				t.Fatal("Start succeeded")
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Start: %v, want %v mentioning %s", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

// TestRequestBodyOverTheLimitIs413 bounds what the front door buffers.
func TestRequestBodyOverTheLimitIs413(t *testing.T) {
	peers, err := localrun.StartPeers(localrun.PeersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer peers.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + ln.Addr().String()
	logs := &syncBuffer{}
	srv, err := localrun.Start(ln, localrun.Options{Module: plugin, PluginConfig: peers.Config(front + "/mcp").JSON(),
		Clusters: peers.Clusters(), MaxRequestBytes: 1024, Workers: 1, Log: logs, LogLevel: host.LogInfo})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Post(front+"/mcp", "application/json", strings.NewReader(strings.Repeat("x", 2048)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	// One worker plus the main thread: the plugin started in both VMs.
	if got := strings.Count(logs.String(), "configured for resource "+front+"/mcp"); got != 2 {
		t.Errorf("plugin configured %d times, want 2 (main thread + 1 worker); log:\n%s", got, logs)
	}
}

// TestCloseCutsOpenRequestsAndLeavesNoGoroutines closes the server while a
// request is open: one waiting for keys that never come, or an event
// stream being proxied. Close returns within its grace period, the client
// sees its request end, and every goroutine ends.
func TestCloseCutsOpenRequestsAndLeavesNoGoroutines(t *testing.T) {
	tests := []struct {
		name        string
		holdKeys    bool
		method      string
		accept      string
		wantHeaders bool // the response started before Close
	}{
		{name: "request waiting for keys", holdKeys: true, method: "POST"},
		{name: "event stream being proxied", method: "GET", accept: "text/event-stream", wantHeaders: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			gate := make(chan struct{})
			opts := localrun.PeersOptions{}
			if tt.holdKeys {
				opts.HoldJWKS = gate // never opened before Close: keys never arrive
			}
			peers, err := localrun.StartPeers(opts)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			front := "http://" + ln.Addr().String()
			srv, err := localrun.Start(ln, localrun.Options{Module: plugin, PluginConfig: peers.Config(front + "/mcp").JSON(),
				Clusters: peers.Clusters()})
			if err != nil {
				t.Fatal(err)
			}
			token, err := peers.Issuer.Mint(localrun.TokenRequest{Scope: localrun.ReadScope, Audience: front + "/mcp"})
			if err != nil {
				t.Fatal(err)
			}
			transport := &http.Transport{}
			client := &http.Client{Transport: transport, Timeout: 20 * time.Second}
			headers := make(chan *http.Response, 1)
			ended := make(chan struct{})
			go func() {
				defer close(ended)
				req, _ := http.NewRequest(tt.method, front+"/mcp", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				if tt.accept != "" {
					req.Header.Set("Accept", tt.accept)
				}
				resp, err := client.Do(req)
				if err != nil {
					return
				}
				headers <- resp
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}()
			if tt.wantHeaders {
				select {
				case resp := <-headers:
					if resp.StatusCode != 200 {
						t.Fatalf("stream status %d", resp.StatusCode)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("the event stream did not start")
				}
			} else {
				time.Sleep(300 * time.Millisecond) // let the request reach the plugin and park
			}
			start := time.Now()
			if err := srv.Close(); err != nil {
				t.Logf("Close: %v (requests were cut)", err)
			}
			if took := time.Since(start); took > localrun.CloseGrace+3*time.Second {
				t.Errorf("Close took %v, want about %v", took, localrun.CloseGrace)
			}
			select {
			case <-ended:
			case <-time.After(5 * time.Second):
				t.Fatal("the open request did not end after Close")
			}
			close(gate)
			if err := peers.Close(); err != nil {
				t.Fatal(err)
			}
			transport.CloseIdleConnections()
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before {
				if time.Now().After(deadline) {
					buf := make([]byte, 1<<16)
					t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
