package localrun_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"sigs.k8s.io/yaml"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// TestEnvoyHTTPCases runs the HTTP case table against real Envoy with the
// configuration generated from envoy.yaml, when envoy is installed.
func TestEnvoyHTTPCases(t *testing.T) {
	bin, err := exec.LookPath("envoy")
	if err != nil {
		t.Skip("envoy not on PATH: skipping the real-Envoy run; the same cases ran against the local wazero host")
	}
	runHTTPCases(t, envoyDoor(bin))
}

// envoyDoor runs Envoy on free loopback ports with the generated
// configuration.
func envoyDoor(bin string) frontDoor {
	return func(t *testing.T, build func(front string) ([]byte, localrun.Clusters)) string {
		t.Helper()
		listen, err := localrun.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		admin, err := localrun.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		front := fmt.Sprintf("http://127.0.0.1:%d", listen)
		cfg, clusters := build(front)
		y, err := localrun.EnvoyConfig(localrun.EnvoyConfigOptions{
			Base: readEnvoyYAML(t), ListenPort: listen, AdminPort: admin, WasmPath: wasmPath,
			PluginConfig: cfg, Clusters: clusters,
		})
		if err != nil {
			t.Fatalf("EnvoyConfig: %v", err)
		}
		path := filepath.Join(t.TempDir(), "envoy.yaml")
		if err := os.WriteFile(path, y, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := localrun.StartEnvoy(context.Background(), localrun.EnvoyOptions{
			Binary: bin, ConfigPath: path, AdminPort: admin, ListenPort: listen,
			LogLevel: "info", Output: testLog{t: t},
		})
		if err != nil {
			t.Fatalf("StartEnvoy: %v", err)
		}
		t.Cleanup(func() { _ = e.Stop() })
		return front
	}
}

func readEnvoyYAML(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "envoy.yaml"))
	if err != nil {
		t.Fatalf("reading envoy.yaml: %v", err)
	}
	return b
}

// TestEnvoyConfigKeepsEnvoyYAMLAndReplacesTheLocalParts checks, in every
// run (Envoy or not), that the generated configuration is a valid Envoy
// bootstrap that keeps envoy.yaml's filter chain and carries the demo's
// plugin configuration, ports and cluster endpoints.
func TestEnvoyConfigKeepsEnvoyYAMLAndReplacesTheLocalParts(t *testing.T) {
	pluginConfig := localrun.DemoConfig{Resource: "http://127.0.0.1:10000/mcp", Issuer: "http://127.0.0.1:40001"}.JSON()
	y, err := localrun.EnvoyConfig(localrun.EnvoyConfigOptions{
		Base: readEnvoyYAML(t), ListenPort: 10000, AdminPort: 9901, WasmPath: "/abs/build/plugin.wasm",
		PluginConfig: pluginConfig,
		Clusters: localrun.Clusters{
			"dev_issuer":   "http://127.0.0.1:40001",
			"mcp_upstream": "http://127.0.0.1:40002",
			"auth_server":  "https://auth.example.com",
		},
	})
	if err != nil {
		t.Fatalf("EnvoyConfig: %v", err)
	}
	js, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatalf("generated YAML: %v", err)
	}
	var bs bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &bs); err != nil {
		t.Fatalf("not an Envoy bootstrap: %v\n%s", err, y)
	}
	if err := bs.ValidateAll(); err != nil {
		t.Fatalf("fails Envoy's validation: %v", err)
	}
	if got := bs.GetAdmin().GetAddress().GetSocketAddress(); got.GetAddress() != "127.0.0.1" || got.GetPortValue() != 9901 {
		t.Errorf("admin address %v, want 127.0.0.1:9901", got)
	}
	listeners := bs.GetStaticResources().GetListeners()
	if len(listeners) != 1 {
		t.Fatalf("%d listeners, want 1", len(listeners))
	}
	if got := listeners[0].GetAddress().GetSocketAddress(); got.GetAddress() != "127.0.0.1" || got.GetPortValue() != 10000 {
		t.Errorf("listener address %v, want 127.0.0.1:10000", got)
	}
	var hcm hcmv3.HttpConnectionManager
	if err := listeners[0].GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(&hcm); err != nil {
		t.Fatalf("http connection manager: %v", err)
	}
	if err := hcm.ValidateAll(); err != nil {
		t.Fatalf("http connection manager fails validation: %v", err)
	}
	if !hcm.GetNormalizePath().GetValue() || !hcm.GetMergeSlashes() ||
		hcm.GetPathWithEscapedSlashesAction() != hcmv3.HttpConnectionManager_REJECT_REQUEST {
		t.Error("path normalisation settings of envoy.yaml were lost")
	}
	route := hcm.GetRouteConfig().GetVirtualHosts()[0].GetRoutes()[0].GetRoute()
	if route.GetCluster() != "mcp_upstream" || route.GetTimeout().AsDuration() != 0 {
		t.Errorf("route to %q with timeout %v, want mcp_upstream with none (SSE)", route.GetCluster(), route.GetTimeout().AsDuration())
	}
	var wasm wasmfilterv3.Wasm
	filters := hcm.GetHttpFilters()
	if len(filters) != 2 || filters[0].GetName() != "envoy.filters.http.wasm" || filters[1].GetName() != "envoy.filters.http.router" {
		t.Fatalf("http filters %v, want wasm then router", filters)
	}
	if err := filters[0].GetTypedConfig().UnmarshalTo(&wasm); err != nil {
		t.Fatal(err)
	}
	pc := wasm.GetConfig()
	if got := pc.GetVmConfig().GetCode().GetLocal().GetFilename(); got != "/abs/build/plugin.wasm" {
		t.Errorf("vm_config code %q, want the absolute plugin path", got)
	}
	if pc.GetVmConfig().GetRuntime() != "envoy.wasm.runtime.v8" || pc.GetFailOpen() || pc.GetRootId() != "mcp-oauth-wasm" {
		t.Errorf("plugin settings of envoy.yaml were lost: %v", pc)
	}
	var value wrapperspb.StringValue
	if err := pc.GetConfiguration().UnmarshalTo(&value); err != nil {
		t.Fatalf("configuration is not a StringValue: %v", err)
	}
	if value.GetValue() != string(pluginConfig) {
		t.Errorf("plugin configuration %s, want the demo's %s", value.GetValue(), pluginConfig)
	}

	type endpoint struct {
		kind     clusterv3.Cluster_DiscoveryType
		addr     string
		port     uint32
		sni      string
		connectS float64
	}
	want := map[string]endpoint{
		"auth_server":  {clusterv3.Cluster_LOGICAL_DNS, "auth.example.com", 443, "auth.example.com", 2},
		"dev_issuer":   {clusterv3.Cluster_STATIC, "127.0.0.1", 40001, "", 2},
		"mcp_upstream": {clusterv3.Cluster_STATIC, "127.0.0.1", 40002, "", 1}, // envoy.yaml's connect_timeout kept
	}
	clusters := bs.GetStaticResources().GetClusters()
	if len(clusters) != len(want) {
		t.Fatalf("%d clusters, want %d", len(clusters), len(want))
	}
	for _, c := range clusters {
		w, ok := want[c.GetName()]
		if !ok {
			t.Errorf("unexpected cluster %q", c.GetName())
			continue
		}
		sa := c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress()
		got := endpoint{c.GetType(), sa.GetAddress(), sa.GetPortValue(), "", c.GetConnectTimeout().AsDuration().Seconds()}
		if ts := c.GetTransportSocket(); ts != nil {
			var tlsCtx tlsv3.UpstreamTlsContext
			if err := ts.GetTypedConfig().UnmarshalTo(&tlsCtx); err != nil {
				t.Fatalf("cluster %s TLS: %v", c.GetName(), err)
			}
			got.sni = tlsCtx.GetSni()
		}
		if got != w {
			t.Errorf("cluster %s = %+v, want %+v", c.GetName(), got, w)
		}
	}
}

func TestEnvoyConfigRefusesAnUnexpectedBase(t *testing.T) {
	tests := []struct {
		name string
		base string
	}{
		{"not YAML", "{"},
		{"no static resources", "admin: {}\n"},
		{"no wasm filter", strings.ReplaceAll(string(readEnvoyYAML(t)), "envoy.filters.http.wasm", "envoy.filters.http.other")},
		{"two wasm listeners", strings.Replace(string(readEnvoyYAML(t)), "  listeners:\n", "  listeners:\n"+wasmListenerCopy(t), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := localrun.EnvoyConfig(localrun.EnvoyConfigOptions{Base: []byte(tt.base),
				Clusters: localrun.Clusters{"mcp_upstream": "http://127.0.0.1:1"}})
			if !errors.Is(err, localrun.ErrEnvoyBase) {
				t.Fatalf("EnvoyConfig: %v, want ErrEnvoyBase", err)
			}
		})
	}
}

// wasmListenerCopy is envoy.yaml's listener block, to list it twice.
func wasmListenerCopy(t *testing.T) string {
	s := string(readEnvoyYAML(t))
	start := strings.Index(s, "  - name: mcp\n    address:")
	end := strings.Index(s, "\n  clusters:")
	if start < 0 || end < 0 {
		t.Fatal("envoy.yaml changed shape: update wasmListenerCopy")
	}
	return s[start : end+1]
}
