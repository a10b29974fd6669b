package artifacts

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"sigs.k8s.io/yaml"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
)

// What envoy.yaml promises: the listener clients use, and the module the
// Makefile builds (build/plugin.wasm, relative to Envoy's working directory).
const (
	envoyListenerPort = 10000
	wasmFilterName    = "envoy.filters.http.wasm"
	wasmRuntimeV8     = "envoy.wasm.runtime.v8"
	pluginWasmPath    = "build/plugin.wasm"
)

var (
	errEnvoyParse          = errors.New("not an Envoy v3 bootstrap")
	errEnvoyInvalid        = errors.New("violates Envoy's validation rules")
	errEnvoyTypedConfig    = errors.New("typed_config does not resolve or is invalid")
	errPluginConfigFile    = errors.New("config.json is not a valid plugin configuration")
	errListener            = errors.New("listener")
	errPathNormalisation   = errors.New("path normalisation")
	errWasmFilter          = errors.New("wasm filter")
	errPluginConfiguration = errors.New("wasm plugin configuration does not match config.json")
	errRoute               = errors.New("route")
	errJWKSCluster         = errors.New("JWKS cluster")
)

// parseEnvoyBootstrap decodes envoy.yaml strictly: unknown fields and
// typed_config types that are not linked in fail.
func parseEnvoyBootstrap(yamlBytes []byte) (*bootstrapv3.Bootstrap, error) {
	js, err := yaml.YAMLToJSON(yamlBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errEnvoyParse, err)
	}
	var bs bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(js, &bs); err != nil {
		return nil, fmt.Errorf("%w: %v", errEnvoyParse, err)
	}
	return &bs, nil
}

// checkEnvoyConfig reports every way the Envoy bootstrap in yamlBytes fails
// to deploy the plugin configured by configJSON, joined into one error.
func checkEnvoyConfig(yamlBytes, configJSON []byte) error {
	bs, err := parseEnvoyBootstrap(yamlBytes)
	if err != nil {
		return err
	}
	if err := bs.ValidateAll(); err != nil {
		return fmt.Errorf("%w: %v", errEnvoyInvalid, err)
	}
	if _, err := resolveAnys(bs.ProtoReflect()); err != nil {
		return fmt.Errorf("%w: %v", errEnvoyTypedConfig, err)
	}
	plugin, err := config.Parse(configJSON)
	if err != nil {
		return fmt.Errorf("%w: %v", errPluginConfigFile, err)
	}
	want, err := decodeJSON(configJSON)
	if err != nil {
		return fmt.Errorf("%w: %v", errPluginConfigFile, err)
	}
	hcm, err := listenerHCM(bs)
	if err != nil {
		return err
	}
	clusters := make(map[string]*clusterv3.Cluster)
	for _, c := range bs.GetStaticResources().GetClusters() {
		clusters[c.GetName()] = c
	}
	var jwksClusters []string
	for _, p := range plugin.Providers {
		if p.RemoteJWKS != nil {
			jwksClusters = append(jwksClusters, p.RemoteJWKS.Cluster)
		}
	}
	return errors.Join(
		checkPathNormalisation(hcm),
		checkWasmFilter(hcm, want),
		checkRoutes(hcm, clusters, jwksClusters),
		checkJWKSClusters(plugin, clusters),
	)
}

// listenerHCM returns the HTTP connection manager of the listener on
// envoyListenerPort, requiring exactly one of each.
func listenerHCM(bs *bootstrapv3.Bootstrap) (*hcmv3.HttpConnectionManager, error) {
	var hcms []*hcmv3.HttpConnectionManager
	listeners := 0
	for _, l := range bs.GetStaticResources().GetListeners() {
		if l.GetAddress().GetSocketAddress().GetPortValue() != envoyListenerPort {
			continue
		}
		listeners++
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				var hcm hcmv3.HttpConnectionManager
				if f.GetTypedConfig().MessageIs(&hcm) {
					if err := f.GetTypedConfig().UnmarshalTo(&hcm); err != nil {
						return nil, fmt.Errorf("%w: %v", errEnvoyTypedConfig, err)
					}
					hcms = append(hcms, &hcm)
				}
			}
		}
	}
	if listeners != 1 || len(hcms) != 1 {
		return nil, fmt.Errorf("%w: want one listener on port %d with one HTTP connection manager, found %d listeners and %d managers",
			errListener, envoyListenerPort, listeners, len(hcms))
	}
	return hcms[0], nil
}

// checkPathNormalisation: the plugin matches rules on the path Envoy hands
// it and refuses paths that are not normalised, so Envoy must normalise
// them (RFC 3986 dot segments, repeated slashes) and reject encoded slashes.
func checkPathNormalisation(hcm *hcmv3.HttpConnectionManager) error {
	var errs []error
	if !hcm.GetNormalizePath().GetValue() {
		errs = append(errs, fmt.Errorf("%w: normalize_path must be true", errPathNormalisation))
	}
	if !hcm.GetMergeSlashes() {
		errs = append(errs, fmt.Errorf("%w: merge_slashes must be true", errPathNormalisation))
	}
	if a := hcm.GetPathWithEscapedSlashesAction(); a != hcmv3.HttpConnectionManager_REJECT_REQUEST {
		errs = append(errs, fmt.Errorf("%w: path_with_escaped_slashes_action is %v, want REJECT_REQUEST", errPathNormalisation, a))
	}
	return errors.Join(errs...)
}

// checkWasmFilter finds the one wasm HTTP filter, requires it to run before
// the router, load the plugin from pluginWasmPath in V8, fail closed, and
// carry config.json (want, decoded) as its configuration.
func checkWasmFilter(hcm *hcmv3.HttpConnectionManager, want any) error {
	filters := hcm.GetHttpFilters()
	var wasmAt []int
	for i, f := range filters {
		if f.GetTypedConfig().MessageIs(&wasmfilterv3.Wasm{}) {
			wasmAt = append(wasmAt, i)
		}
	}
	if len(wasmAt) != 1 {
		return fmt.Errorf("%w: want exactly one HTTP filter of type Wasm, found %d", errWasmFilter, len(wasmAt))
	}
	at := wasmAt[0]
	f := filters[at]
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{errWasmFilter}, args...)...))
	}
	if f.GetName() != wasmFilterName {
		fail("name is %q, want %q", f.GetName(), wasmFilterName)
	}
	if f.GetDisabled() || f.GetIsOptional() {
		fail("must be neither disabled nor optional (is_optional skips it when Envoy lacks wasm)")
	}
	if last := len(filters) - 1; at == last || !filters[last].GetTypedConfig().MessageIs(&routerv3.Router{}) {
		fail("the router must be the last HTTP filter, after the wasm filter")
	}
	var w wasmfilterv3.Wasm
	if err := f.GetTypedConfig().UnmarshalTo(&w); err != nil {
		fail("%v", err)
		return errors.Join(errs...)
	}
	pc := w.GetConfig()
	if rt := pc.GetVmConfig().GetRuntime(); rt != wasmRuntimeV8 {
		fail("vm_config.runtime is %q, want %q", rt, wasmRuntimeV8)
	}
	if fn := pc.GetVmConfig().GetCode().GetLocal().GetFilename(); fn != pluginWasmPath {
		fail("vm_config.code.local.filename is %q, want %q", fn, pluginWasmPath)
	}
	// fail_open is what Envoy 1.33 knows; failure_policy supersedes it later.
	if pc.GetFailOpen() {
		fail("fail_open must be false")
	}
	if fp := pc.GetFailurePolicy(); fp != wasmv3.FailurePolicy_UNSPECIFIED && fp != wasmv3.FailurePolicy_FAIL_CLOSED {
		fail("failure_policy is %v, want unset or FAIL_CLOSED", fp)
	}
	if err := checkPluginConfiguration(pc, want); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkPluginConfiguration(pc *wasmv3.PluginConfig, want any) error {
	var sv wrapperspb.StringValue
	if !pc.GetConfiguration().MessageIs(&sv) {
		return fmt.Errorf("%w: configuration is %q, want a google.protobuf.StringValue", errPluginConfiguration, pc.GetConfiguration().GetTypeUrl())
	}
	if err := pc.GetConfiguration().UnmarshalTo(&sv); err != nil {
		return fmt.Errorf("%w: %v", errPluginConfiguration, err)
	}
	got, err := decodeJSON([]byte(sv.GetValue()))
	if err != nil {
		return fmt.Errorf("%w: not JSON: %v", errPluginConfiguration, err)
	}
	if d := jsonDifference(got, want, "$"); d != "" {
		return fmt.Errorf("%w: %s", errPluginConfiguration, d)
	}
	// Equal as JSON values can still differ as text (a duplicate member);
	// what the plugin will parse is the text.
	if _, err := config.Parse([]byte(sv.GetValue())); err != nil {
		return fmt.Errorf("%w: the plugin rejects it: %v", errPluginConfiguration, err)
	}
	return nil
}

// checkRoutes requires every route to forward to a defined cluster that is
// the upstream, not one of the JWKS clusters.
func checkRoutes(hcm *hcmv3.HttpConnectionManager, clusters map[string]*clusterv3.Cluster, jwksClusters []string) error {
	rc := hcm.GetRouteConfig()
	if rc == nil {
		return fmt.Errorf("%w: want an inline route_config", errRoute)
	}
	var errs []error
	targets := 0
	for _, vh := range rc.GetVirtualHosts() {
		for i, r := range vh.GetRoutes() {
			at := fmt.Sprintf("virtual host %q route %d", vh.GetName(), i)
			target := r.GetRoute().GetCluster()
			switch {
			case target == "":
				errs = append(errs, fmt.Errorf("%w: %s does not forward to a single named cluster", errRoute, at))
			case clusters[target] == nil:
				errs = append(errs, fmt.Errorf("%w: %s targets cluster %q, which is not defined", errRoute, at, target))
			case slices.Contains(jwksClusters, target):
				errs = append(errs, fmt.Errorf("%w: %s targets the JWKS cluster %q instead of the upstream", errRoute, at, target))
			default:
				targets++
			}
		}
	}
	if targets == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%w: no route forwards to the upstream", errRoute))
	}
	return errors.Join(errs...)
}

// checkJWKSClusters requires, for every provider with remote_jwks, the named
// cluster to exist, point at the authority's host and speak TLS to it with
// that SNI and a CA to verify the certificate against.
func checkJWKSClusters(plugin *config.Config, clusters map[string]*clusterv3.Cluster) error {
	var errs []error
	for _, p := range plugin.Providers {
		if p.RemoteJWKS == nil {
			continue
		}
		name := p.RemoteJWKS.Cluster
		c := clusters[name]
		if c == nil {
			errs = append(errs, fmt.Errorf("%w: provider %q names cluster %q, which is not defined", errJWKSCluster, p.Name, name))
			continue
		}
		host := authorityHost(p.RemoteJWKS.Authority)
		endpoints := 0
		for _, le := range c.GetLoadAssignment().GetEndpoints() {
			for _, lb := range le.GetLbEndpoints() {
				endpoints++
				if addr := lb.GetEndpoint().GetAddress().GetSocketAddress().GetAddress(); addr != host {
					errs = append(errs, fmt.Errorf("%w: cluster %q endpoint %q is not the authority's host %q", errJWKSCluster, name, addr, host))
				}
			}
		}
		if endpoints == 0 {
			errs = append(errs, fmt.Errorf("%w: cluster %q has no endpoints", errJWKSCluster, name))
		}
		var tls tlsv3.UpstreamTlsContext
		if err := c.GetTransportSocket().GetTypedConfig().UnmarshalTo(&tls); err != nil {
			errs = append(errs, fmt.Errorf("%w: cluster %q does not originate TLS: %v", errJWKSCluster, name, err))
			continue
		}
		if tls.GetSni() != host {
			errs = append(errs, fmt.Errorf("%w: cluster %q sends SNI %q, want %q", errJWKSCluster, name, tls.GetSni(), host))
		}
		vc := tls.GetCommonTlsContext().GetValidationContext()
		if vc.GetTrustedCa() == nil {
			errs = append(errs, fmt.Errorf("%w: cluster %q does not verify the server certificate (no validation_context.trusted_ca)", errJWKSCluster, name))
		}
		if v := vc.GetTrustChainVerification(); v != tlsv3.CertificateValidationContext_VERIFY_TRUST_CHAIN {
			errs = append(errs, fmt.Errorf("%w: cluster %q sets trust_chain_verification %v", errJWKSCluster, name, v))
		}
	}
	return errors.Join(errs...)
}

// authorityHost is the host part of an HTTP authority (host[:port]).
func authorityHost(authority string) string {
	if h, _, err := net.SplitHostPort(authority); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(authority, "["), "]")
}

func TestEnvoyConfigDeploysThePluginConfig(t *testing.T) {
	if err := checkEnvoyConfig(readRepoFile(t, "envoy.yaml"), readRepoFile(t, "config.json")); err != nil {
		t.Fatalf("envoy.yaml: %v", err)
	}
}

func TestEnvoyConfigResolvesEveryTypedConfig(t *testing.T) {
	bs, err := parseEnvoyBootstrap(readRepoFile(t, "envoy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := resolveAnys(bs.ProtoReflect())
	if err != nil {
		t.Fatal(err)
	}
	// The walk must reach the Anys nested inside other Anys (the wasm filter
	// inside the HCM, its StringValue inside the wasm filter).
	want := []string{
		"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
		"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
		"type.googleapis.com/google.protobuf.StringValue",
		"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
		"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
	}
	if !slices.Equal(got, want) {
		t.Errorf("typed_config types = %q, want %q", got, want)
	}
}

func TestEnvoyConfigCheckerReportsBrokenVariants(t *testing.T) {
	envoyYAML := string(readRepoFile(t, "envoy.yaml"))
	configJSON := string(readRepoFile(t, "config.json"))
	const (
		wasmFilter   = "          - name: envoy.filters.http.wasm\n"
		routerFilter = "          - name: envoy.filters.http.router\n" +
			"            typed_config:\n" +
			"              \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n"
		trustedCA = "trusted_ca: { filename: /etc/ssl/certs/ca-certificates.crt }"
	)
	tests := []struct {
		name       string
		yamlEdits  []edit
		jsonEdits  []edit
		wantErr    error
		wantDetail string
	}{
		{name: "configuration member changed",
			yamlEdits: []edit{{`"clock_skew_s": 60`, `"clock_skew_s": 30`}},
			wantErr:   errPluginConfiguration, wantDetail: "$.providers[0].clock_skew_s: got 30, want 60"},
		{name: "configuration member added",
			yamlEdits: []edit{{`"forward_token": false`, `"forward_token": false, "max_token_bytes": 4096`}},
			wantErr:   errPluginConfiguration, wantDetail: "$.max_token_bytes: unexpected member"},
		{name: "configuration not JSON",
			yamlEdits: []edit{{`"forward_token": false`, `"forward_token": false,`}},
			wantErr:   errPluginConfiguration, wantDetail: "not JSON"},
		{name: "configuration with a duplicate member the plugin refuses",
			yamlEdits: []edit{{`"forward_token": false`, `"forward_token": true, "forward_token": false`}},
			wantErr:   errPluginConfiguration, wantDetail: "the plugin rejects it"},
		{name: "configuration as a Struct",
			yamlEdits: []edit{{"type.googleapis.com/google.protobuf.StringValue", "type.googleapis.com/google.protobuf.Struct"}, {"value: |\n", "value:\n"}},
			wantErr:   errPluginConfiguration, wantDetail: "want a google.protobuf.StringValue"},
		{name: "config.json differs from the embedded configuration",
			jsonEdits: []edit{{`"forward_token": false`, `"forward_token": true`}},
			wantErr:   errPluginConfiguration, wantDetail: "$.forward_token: got false, want true"},
		{name: "config.json invalid",
			jsonEdits: []edit{{`"clock_skew_s": 60`, `"clock_skew_s": 600`}},
			wantErr:   errPluginConfigFile},
		{name: "JWKS cluster renamed",
			yamlEdits: []edit{{"  - name: auth_server\n", "  - name: auth\n"}},
			wantErr:   errJWKSCluster, wantDetail: `names cluster "auth_server", which is not defined`},
		{name: "config.json names another JWKS cluster",
			jsonEdits: []edit{{`"cluster": "auth_server"`, `"cluster": "jwks"`}},
			wantErr:   errJWKSCluster, wantDetail: `names cluster "jwks", which is not defined`},
		{name: "JWKS cluster points elsewhere",
			yamlEdits: []edit{{"address: auth.example.com, port_value: 443", "address: evil.example.net, port_value: 443"}},
			wantErr:   errJWKSCluster, wantDetail: `endpoint "evil.example.net"`},
		{name: "JWKS cluster SNI differs",
			yamlEdits: []edit{{"sni: auth.example.com", "sni: other.example.com"}},
			wantErr:   errJWKSCluster, wantDetail: `SNI "other.example.com"`},
		{name: "JWKS cluster without a CA",
			yamlEdits: []edit{{trustedCA, "trust_chain_verification: VERIFY_TRUST_CHAIN"}},
			wantErr:   errJWKSCluster, wantDetail: "no validation_context.trusted_ca"},
		{name: "JWKS cluster accepting untrusted certificates",
			yamlEdits: []edit{{trustedCA, trustedCA + "\n            trust_chain_verification: ACCEPT_UNTRUSTED"}},
			wantErr:   errJWKSCluster, wantDetail: "ACCEPT_UNTRUSTED"},
		{name: "upstream cluster renamed",
			yamlEdits: []edit{{"  - name: mcp_upstream\n", "  - name: upstream\n"}},
			wantErr:   errRoute, wantDetail: `targets cluster "mcp_upstream", which is not defined`},
		{name: "route targets the JWKS cluster",
			yamlEdits: []edit{{"cluster: mcp_upstream\n", "cluster: auth_server\n"}},
			wantErr:   errRoute, wantDetail: "targets the JWKS cluster"},
		{name: "listener port changed",
			yamlEdits: []edit{{"port_value: 10000", "port_value: 10001"}},
			wantErr:   errListener},
		{name: "normalize_path off",
			yamlEdits: []edit{{"normalize_path: true", "normalize_path: false"}},
			wantErr:   errPathNormalisation, wantDetail: "normalize_path must be true"},
		{name: "merge_slashes off",
			yamlEdits: []edit{{"merge_slashes: true", "merge_slashes: false"}},
			wantErr:   errPathNormalisation, wantDetail: "merge_slashes must be true"},
		{name: "escaped slashes kept",
			yamlEdits: []edit{{"path_with_escaped_slashes_action: REJECT_REQUEST", "path_with_escaped_slashes_action: KEEP_UNCHANGED"}},
			wantErr:   errPathNormalisation, wantDetail: "KEEP_UNCHANGED"},
		{name: "wasm filter renamed",
			yamlEdits: []edit{{wasmFilter, "          - name: mcp-oauth\n"}},
			wantErr:   errWasmFilter, wantDetail: `name is "mcp-oauth"`},
		{name: "wasm filter optional",
			yamlEdits: []edit{{wasmFilter, wasmFilter + "            is_optional: true\n"}},
			wantErr:   errWasmFilter, wantDetail: "optional"},
		{name: "other runtime",
			yamlEdits: []edit{{"runtime: envoy.wasm.runtime.v8", "runtime: envoy.wasm.runtime.wamr"}},
			wantErr:   errWasmFilter, wantDetail: `runtime is "envoy.wasm.runtime.wamr"`},
		{name: "other module path",
			yamlEdits: []edit{{"filename: build/plugin.wasm", "filename: plugin.wasm"}},
			wantErr:   errWasmFilter, wantDetail: `filename is "plugin.wasm"`},
		{name: "fails open",
			yamlEdits: []edit{{"fail_open: false", "fail_open: true"}},
			wantErr:   errWasmFilter, wantDetail: "fail_open must be false"},
		{name: "failure policy open",
			yamlEdits: []edit{{"fail_open: false", "failure_policy: FAIL_OPEN"}},
			wantErr:   errWasmFilter, wantDetail: "failure_policy is FAIL_OPEN"},
		{name: "router before the wasm filter",
			yamlEdits: []edit{{routerFilter, ""}, {wasmFilter, routerFilter + wasmFilter}},
			wantErr:   errWasmFilter, wantDetail: "router must be the last"},
		{name: "misspelled field",
			yamlEdits: []edit{{"merge_slashes: true", "merge_slash: true"}},
			wantErr:   errEnvoyParse},
		{name: "unknown typed_config type",
			yamlEdits: []edit{{"router.v3.Router", "router.v3.Routr"}},
			wantErr:   errEnvoyParse},
		{name: "validation rule broken",
			yamlEdits: []edit{{"connect_timeout: 1s", "connect_timeout: 0s"}},
			wantErr:   errEnvoyInvalid, wantDetail: "ConnectTimeout"},
		{name: "validation rule broken inside a typed_config",
			yamlEdits: []edit{{"stat_prefix: mcp", `stat_prefix: ""`}},
			wantErr:   errEnvoyTypedConfig, wantDetail: "StatPrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := applyEdits(t, envoyYAML, tt.yamlEdits)
			c := applyEdits(t, configJSON, tt.jsonEdits)
			err := checkEnvoyConfig([]byte(y), []byte(c))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("checkEnvoyConfig error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantDetail) {
				t.Errorf("checkEnvoyConfig error = %v, want it to mention %q", err, tt.wantDetail)
			}
			t.Log(err)
		})
	}
}
