package artifacts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	extensionsv1alpha1 "istio.io/api/extensions/v1alpha1"
	networkingv1 "istio.io/api/networking/v1"
	typev1beta1 "istio.io/api/type/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
)

// What istio/wasmplugin.yaml promises: the plugin on the MCP server pods
// (label app: mcp-server) in their namespace, mcp.
const (
	wasmPluginName      = "mcp-oauth-wasm"
	workloadNamespace   = "mcp"
	workloadLabel       = "app"
	workloadLabelValue  = "mcp-server"
	wasmPluginAPI       = "extensions.istio.io/v1alpha1"
	networkingAPI       = "networking.istio.io/v1"
	istioOutbound       = "outbound"
	serviceEntryName    = "auth-example-com"
	destinationRuleName = "auth-example-com"
)

var (
	errIstioDocuments    = errors.New("Istio manifest documents")
	errIstioSchema       = errors.New("Istio spec does not match the API")
	errWasmPlugin        = errors.New("WasmPlugin")
	errIstioPluginConfig = errors.New("WasmPlugin pluginConfig")
	errServiceEntry      = errors.New("ServiceEntry")
	errDestinationRule   = errors.New("DestinationRule")
)

// istioManifests is the decoded content of istio/wasmplugin.yaml.
type istioManifests struct {
	objects map[string]k8sObject // by kind
	plugin  *extensionsv1alpha1.WasmPlugin
	entry   *networkingv1.ServiceEntry
	rule    *networkingv1.DestinationRule
}

// jwksTarget is the Istio cluster a provider's remote_jwks names, taken
// apart: outbound|<port>|<subset>|<host>.
type jwksTarget struct {
	provider  string
	cluster   string
	host      string
	port      uint32
	authority string
}

// checkIstioManifests reports every way the manifests in yamlBytes fail to
// deploy the plugin configured by configJSON in Istio, joined into one error.
func checkIstioManifests(yamlBytes, configJSON []byte) error {
	m, err := parseIstioManifests(yamlBytes)
	if err != nil {
		return err
	}
	if _, err := config.Parse(configJSON); err != nil {
		return fmt.Errorf("%w: %v", errPluginConfigFile, err)
	}
	want, err := decodeJSON(configJSON)
	if err != nil {
		return fmt.Errorf("%w: %v", errPluginConfigFile, err)
	}
	targets, pcErr := checkIstioPluginConfig(m.plugin, want)
	return errors.Join(
		checkWasmPlugin(m),
		pcErr,
		checkServiceEntry(m, targets),
		checkDestinationRule(m, targets),
	)
}

// parseIstioManifests splits the YAML stream, requires exactly one
// WasmPlugin, ServiceEntry and DestinationRule at the expected API versions,
// and decodes each spec strictly into the istio.io/api type.
func parseIstioManifests(yamlBytes []byte) (*istioManifests, error) {
	apiVersions := map[string]string{
		"WasmPlugin":      wasmPluginAPI,
		"ServiceEntry":    networkingAPI,
		"DestinationRule": networkingAPI,
	}
	m := &istioManifests{
		objects: make(map[string]k8sObject),
		plugin:  &extensionsv1alpha1.WasmPlugin{},
		entry:   &networkingv1.ServiceEntry{},
		rule:    &networkingv1.DestinationRule{},
	}
	specs := map[string]proto.Message{"WasmPlugin": m.plugin, "ServiceEntry": m.entry, "DestinationRule": m.rule}
	for i, doc := range splitYAMLDocuments(yamlBytes) {
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %v", errIstioDocuments, i, err)
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		var obj k8sObject
		if err := dec.Decode(&obj); err != nil {
			return nil, fmt.Errorf("%w: document %d: %v", errIstioDocuments, i, err)
		}
		want, known := apiVersions[obj.Kind]
		switch {
		case !known:
			return nil, fmt.Errorf("%w: document %d: unexpected kind %q", errIstioDocuments, i, obj.Kind)
		case obj.APIVersion != want:
			return nil, fmt.Errorf("%w: %s has apiVersion %q, want %q", errIstioDocuments, obj.Kind, obj.APIVersion, want)
		}
		if _, dup := m.objects[obj.Kind]; dup {
			return nil, fmt.Errorf("%w: more than one %s", errIstioDocuments, obj.Kind)
		}
		m.objects[obj.Kind] = obj
		if err := decodeIstioSpec(obj.Spec, specs[obj.Kind]); err != nil {
			return nil, fmt.Errorf("%w: %s %q: %v", errIstioSchema, obj.Kind, obj.Metadata.Name, err)
		}
	}
	for kind := range apiVersions {
		if _, ok := m.objects[kind]; !ok {
			return nil, fmt.Errorf("%w: no %s", errIstioDocuments, kind)
		}
	}
	return m, nil
}

// checkWasmPlugin checks how the plugin is attached: to the MCP server's
// inbound traffic, before authorization, from an OCI image, failing closed.
func checkWasmPlugin(m *istioManifests) error {
	meta := m.objects["WasmPlugin"].Metadata
	p := m.plugin
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{errWasmPlugin}, args...)...))
	}
	if meta.Name != wasmPluginName || meta.Namespace != workloadNamespace {
		fail("is %s/%s, want %s/%s", meta.Namespace, meta.Name, workloadNamespace, wasmPluginName)
	}
	if !isWorkloadSelector(p.GetSelector()) {
		fail("selector.matchLabels is %v, want exactly %s: %s", p.GetSelector().GetMatchLabels(), workloadLabel, workloadLabelValue)
	}
	if len(p.GetTargetRefs()) > 0 || p.GetTargetRef() != nil {
		fail("targetRef(s) must not be set: the selector picks the pods")
	}
	if u, err := url.Parse(p.GetUrl()); err != nil || u.Scheme != "oci" || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		fail("url %q is not an oci://registry/repository reference", p.GetUrl())
	}
	if p.GetImagePullPolicy() != extensionsv1alpha1.PullPolicy_IfNotPresent {
		fail("imagePullPolicy is %v, want IfNotPresent", p.GetImagePullPolicy())
	}
	if p.GetPhase() != extensionsv1alpha1.PluginPhase_AUTHN {
		fail("phase is %v, want AUTHN", p.GetPhase())
	}
	if p.GetFailStrategy() != extensionsv1alpha1.FailStrategy_FAIL_CLOSE {
		fail("failStrategy is %v, want FAIL_CLOSE", p.GetFailStrategy())
	}
	if t := p.GetType(); t != extensionsv1alpha1.PluginType_UNSPECIFIED_PLUGIN_TYPE && t != extensionsv1alpha1.PluginType_HTTP {
		fail("type is %v, want HTTP", t)
	}
	// With no match the filter runs on outbound traffic too and would demand
	// tokens on the MCP server's own calls.
	if len(p.GetMatch()) == 0 {
		fail("match must select mode SERVER (inbound) only")
	}
	for i, ts := range p.GetMatch() {
		if ts.GetMode() != typev1beta1.WorkloadMode_SERVER {
			fail("match[%d].mode is %v, want SERVER", i, ts.GetMode())
		}
	}
	return errors.Join(errs...)
}

func isWorkloadSelector(s *typev1beta1.WorkloadSelector) bool {
	labels := s.GetMatchLabels()
	return len(labels) == 1 && labels[workloadLabel] == workloadLabelValue
}

// checkIstioPluginConfig requires pluginConfig to equal config.json (want)
// except that every remote_jwks.cluster names an Istio outbound cluster for
// the authority's host; it returns those clusters taken apart.
func checkIstioPluginConfig(p *extensionsv1alpha1.WasmPlugin, want any) ([]jwksTarget, error) {
	if p.GetPluginConfig() == nil {
		return nil, fmt.Errorf("%w: missing", errIstioPluginConfig)
	}
	// Istio hands the plugin this JSON rendering of the Struct.
	js, err := protojson.Marshal(p.GetPluginConfig())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errIstioPluginConfig, err)
	}
	plugin, err := config.Parse(js)
	if err != nil {
		return nil, fmt.Errorf("%w: the plugin rejects it: %v", errIstioPluginConfig, err)
	}
	got, err := decodeJSON(js)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errIstioPluginConfig, err)
	}
	var errs []error
	var targets []jwksTarget
	for i, prov := range plugin.Providers {
		if prov.RemoteJWKS == nil {
			continue
		}
		// The one documented difference: put config.json's cluster back
		// before comparing the rest.
		if err := setJWKSCluster(got, want, i); err != nil {
			errs = append(errs, fmt.Errorf("%w: %v", errIstioPluginConfig, err))
		}
		t, err := parseOutboundCluster(prov.RemoteJWKS.Cluster)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: providers[%d].remote_jwks.cluster: %v", errIstioPluginConfig, i, err))
			continue
		}
		t.provider, t.authority = prov.Name, prov.RemoteJWKS.Authority
		if h := authorityHost(t.authority); h != t.host {
			errs = append(errs, fmt.Errorf("%w: providers[%d]: cluster host %q differs from the authority's host %q", errIstioPluginConfig, i, t.host, h))
		}
		targets = append(targets, t)
	}
	if d := jsonDifference(got, want, "$"); d != "" {
		errs = append(errs, fmt.Errorf("%w: differs from config.json beyond remote_jwks.cluster: %s", errIstioPluginConfig, d))
	}
	return targets, errors.Join(errs...)
}

// parseOutboundCluster takes apart Istio's name for the outbound cluster of
// a service port, outbound|<port>|<subset>|<host>, with no subset.
func parseOutboundCluster(name string) (jwksTarget, error) {
	parts := strings.Split(name, "|")
	if len(parts) != 4 || parts[0] != istioOutbound || parts[2] != "" || parts[3] == "" {
		return jwksTarget{}, fmt.Errorf("%q is not an Istio cluster name outbound|<port>||<host>", name)
	}
	port, err := strconv.ParseUint(parts[1], 10, 16)
	if err != nil || port == 0 {
		return jwksTarget{}, fmt.Errorf("%q has no valid port", name)
	}
	return jwksTarget{cluster: name, host: parts[3], port: uint32(port)}, nil
}

// setJWKSCluster copies providers[i].remote_jwks.cluster from want into got.
func setJWKSCluster(got, want any, i int) error {
	jwks := func(v any) (map[string]any, bool) {
		root, _ := v.(map[string]any)
		providers, _ := root["providers"].([]any)
		if i >= len(providers) {
			return nil, false
		}
		prov, _ := providers[i].(map[string]any)
		r, ok := prov["remote_jwks"].(map[string]any)
		return r, ok
	}
	g, gok := jwks(got)
	w, wok := jwks(want)
	if !gok || !wok {
		return fmt.Errorf("providers[%d].remote_jwks is not in both configurations", i)
	}
	g["cluster"] = w["cluster"]
	return nil
}

// checkServiceEntry requires the ServiceEntry to define, for the plugin's
// namespace, the external service behind every JWKS cluster.
func checkServiceEntry(m *istioManifests, targets []jwksTarget) error {
	meta := m.objects["ServiceEntry"].Metadata
	se := m.entry
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{errServiceEntry}, args...)...))
	}
	if meta.Name != serviceEntryName {
		fail("name is %q, want %q", meta.Name, serviceEntryName)
	}
	if !visibleTo(meta.Namespace, se.GetExportTo(), workloadNamespace) {
		fail("exportTo %q from namespace %q hides it from namespace %q", se.GetExportTo(), meta.Namespace, workloadNamespace)
	}
	if se.GetLocation() != networkingv1.ServiceEntry_MESH_EXTERNAL {
		fail("location is %v, want MESH_EXTERNAL", se.GetLocation())
	}
	if se.GetResolution() != networkingv1.ServiceEntry_DNS {
		fail("resolution is %v, want DNS", se.GetResolution())
	}
	for _, t := range targets {
		if !slices.Contains(se.GetHosts(), t.host) {
			fail("hosts %q lack %q, the host of cluster %q", se.GetHosts(), t.host, t.cluster)
		}
		i := slices.IndexFunc(se.GetPorts(), func(p *networkingv1.ServicePort) bool { return p.GetNumber() == t.port })
		if i < 0 {
			fail("no port %d, the port of cluster %q", t.port, t.cluster)
			continue
		}
		if proto := se.GetPorts()[i].GetProtocol(); proto != "HTTPS" && proto != "TLS" {
			fail("port %d has protocol %q, want HTTPS or TLS", t.port, proto)
		}
	}
	return errors.Join(errs...)
}

// checkDestinationRule requires a rule that makes every JWKS cluster
// originate verified TLS to its host, applied to the plugin's pods.
func checkDestinationRule(m *istioManifests, targets []jwksTarget) error {
	meta := m.objects["DestinationRule"].Metadata
	dr := m.rule
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{errDestinationRule}, args...)...))
	}
	if meta.Name != destinationRuleName {
		fail("name is %q, want %q", meta.Name, destinationRuleName)
	}
	if !visibleTo(meta.Namespace, dr.GetExportTo(), workloadNamespace) {
		fail("exportTo %q from namespace %q hides it from namespace %q", dr.GetExportTo(), meta.Namespace, workloadNamespace)
	}
	// A workload selector only applies within the rule's own namespace.
	if ws := dr.GetWorkloadSelector(); ws != nil && (meta.Namespace != workloadNamespace || !isWorkloadSelector(ws)) {
		fail("workloadSelector %v in namespace %q does not select the plugin's pods", ws.GetMatchLabels(), meta.Namespace)
	}
	for _, t := range targets {
		if dr.GetHost() != t.host {
			fail("host is %q, want %q, the host of cluster %q", dr.GetHost(), t.host, t.cluster)
			continue
		}
		tls := dr.GetTrafficPolicy().GetTls()
		for _, pl := range dr.GetTrafficPolicy().GetPortLevelSettings() {
			if pl.GetPort().GetNumber() == t.port && pl.GetTls() != nil {
				tls = pl.GetTls()
			}
		}
		switch {
		case tls.GetMode() != networkingv1.ClientTLSSettings_SIMPLE:
			fail("TLS mode for port %d is %v, want SIMPLE", t.port, tls.GetMode())
		case tls.GetSni() != t.host:
			fail("TLS sni is %q, want %q", tls.GetSni(), t.host)
		case !slices.Contains(tls.GetSubjectAltNames(), t.host):
			fail("TLS subjectAltNames %q lack %q", tls.GetSubjectAltNames(), t.host)
		case tls.GetInsecureSkipVerify().GetValue():
			fail("TLS insecureSkipVerify must not be true")
		}
	}
	return errors.Join(errs...)
}

// visibleTo reports whether a namespaced Istio object with the given
// exportTo list is visible to workloads in namespace ns.
func visibleTo(objNamespace string, exportTo []string, ns string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		if e == "*" || e == ns || (e == "." && objNamespace == ns) {
			return true
		}
	}
	return false
}

func TestIstioManifestsDeployThePluginConfig(t *testing.T) {
	if err := checkIstioManifests(readRepoFile(t, "istio", "wasmplugin.yaml"), readRepoFile(t, "config.json")); err != nil {
		t.Fatalf("istio/wasmplugin.yaml: %v", err)
	}
}

func TestIstioPluginConfigNamesTheServiceEntryCluster(t *testing.T) {
	m, err := parseIstioManifests(readRepoFile(t, "istio", "wasmplugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeJSON(readRepoFile(t, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := checkIstioPluginConfig(m.plugin, want)
	if err != nil {
		t.Fatal(err)
	}
	wantTargets := []jwksTarget{{provider: "example", cluster: "outbound|443||auth.example.com", host: "auth.example.com", port: 443, authority: "auth.example.com"}}
	if !slices.Equal(targets, wantTargets) {
		t.Errorf("JWKS targets = %+v, want %+v", targets, wantTargets)
	}
}

func TestIstioManifestCheckerReportsBrokenVariants(t *testing.T) {
	manifests := string(readRepoFile(t, "istio", "wasmplugin.yaml"))
	configJSON := string(readRepoFile(t, "config.json"))
	ruleDocument := manifests[strings.LastIndex(manifests, "---\n"):]
	if !strings.Contains(ruleDocument, "kind: DestinationRule") {
		t.Fatal("the DestinationRule is no longer the last document; update this test")
	}
	const (
		pluginSelector = "  selector:\n    matchLabels:\n      app: mcp-server\n"
		ruleSelector   = "  workloadSelector:\n    matchLabels:\n      app: mcp-server\n"
		pluginCluster  = "cluster: outbound|443||auth.example.com"
		seHosts        = "  hosts:\n  - auth.example.com\n"
		seExport       = "  exportTo:\n  - \".\"\n  location: MESH_EXTERNAL\n"
		drExport       = "  exportTo:\n  - \".\"\n  workloadSelector:\n"
		seName         = "  name: auth-example-com\n  namespace: mcp\nspec:\n  hosts:"
	)
	tests := []struct {
		name       string
		yamlEdits  []edit
		jsonEdits  []edit
		wantErr    error
		wantDetail string
	}{
		{name: "plugin in another namespace",
			yamlEdits: []edit{{"  name: mcp-oauth-wasm\n  namespace: mcp\n", "  name: mcp-oauth-wasm\n  namespace: default\n"}},
			wantErr:   errWasmPlugin, wantDetail: "is default/mcp-oauth-wasm"},
		{name: "plugin selects other pods",
			yamlEdits: []edit{{pluginSelector, "  selector:\n    matchLabels:\n      app: other\n"}},
			wantErr:   errWasmPlugin, wantDetail: "selector.matchLabels"},
		{name: "plugin attached by target reference",
			yamlEdits: []edit{{pluginSelector, pluginSelector + "  targetRefs:\n  - kind: Service\n    name: mcp-server\n"}},
			wantErr:   errWasmPlugin, wantDetail: "targetRef(s) must not be set"},
		{name: "plugin fetched over https",
			yamlEdits: []edit{{"url: oci://ghcr.io/", "url: https://ghcr.io/"}},
			wantErr:   errWasmPlugin, wantDetail: "not an oci://"},
		{name: "plugin pulled always",
			yamlEdits: []edit{{"imagePullPolicy: IfNotPresent", "imagePullPolicy: Always"}},
			wantErr:   errWasmPlugin, wantDetail: "imagePullPolicy is Always"},
		{name: "plugin after authorization",
			yamlEdits: []edit{{"phase: AUTHN", "phase: AUTHZ"}},
			wantErr:   errWasmPlugin, wantDetail: "phase is AUTHZ"},
		{name: "plugin fails open",
			yamlEdits: []edit{{"failStrategy: FAIL_CLOSE", "failStrategy: FAIL_OPEN"}},
			wantErr:   errWasmPlugin, wantDetail: "failStrategy is FAIL_OPEN"},
		{name: "plugin on outbound traffic",
			yamlEdits: []edit{{"- mode: SERVER", "- mode: CLIENT"}},
			wantErr:   errWasmPlugin, wantDetail: "match[0].mode is CLIENT"},
		{name: "plugin on all traffic",
			yamlEdits: []edit{{"  match:\n  - mode: SERVER\n", ""}},
			wantErr:   errWasmPlugin, wantDetail: "match must select"},
		{name: "plugin as a network filter",
			yamlEdits: []edit{{"phase: AUTHN", "phase: AUTHN\n  type: NETWORK"}},
			wantErr:   errWasmPlugin, wantDetail: "type is NETWORK"},
		{name: "misspelt field",
			yamlEdits: []edit{{"failStrategy: FAIL_CLOSE", "failStratgy: FAIL_CLOSE"}},
			wantErr:   errIstioSchema, wantDetail: "failStratgy"},
		{name: "proto field name instead of camelCase",
			yamlEdits: []edit{{"failStrategy: FAIL_CLOSE", "fail_strategy: FAIL_CLOSE"}},
			wantErr:   errIstioSchema, wantDetail: "spec.fail_strategy: not a camelCase field name"},
		{name: "nested proto field name instead of camelCase",
			yamlEdits: []edit{{"      subjectAltNames:", "      subject_alt_names:"}},
			wantErr:   errIstioSchema, wantDetail: "spec.trafficPolicy.tls.subject_alt_names"},
		{name: "unknown enum value",
			yamlEdits: []edit{{"resolution: DNS", "resolution: DYNAMIC"}},
			wantErr:   errIstioSchema},
		{name: "unknown metadata key",
			yamlEdits: []edit{{"  name: mcp-oauth-wasm\n", "  name: mcp-oauth-wasm\n  namspace: mcp\n"}},
			wantErr:   errIstioDocuments, wantDetail: "namspace"},
		{name: "older networking API version",
			yamlEdits: []edit{{"apiVersion: networking.istio.io/v1\nkind: ServiceEntry", "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry"}},
			wantErr:   errIstioDocuments, wantDetail: "v1alpha3"},
		{name: "kind misspelt",
			yamlEdits: []edit{{"kind: DestinationRule", "kind: DestinationRules"}},
			wantErr:   errIstioDocuments, wantDetail: "DestinationRules"},
		{name: "destination rule missing",
			yamlEdits: []edit{{ruleDocument, ""}},
			wantErr:   errIstioDocuments, wantDetail: "no DestinationRule"},
		{name: "two service entries",
			yamlEdits: []edit{{"kind: DestinationRule", "kind: ServiceEntry"}},
			wantErr:   errIstioDocuments, wantDetail: "more than one ServiceEntry"},
		{name: "plugin config keeps the Envoy cluster name",
			yamlEdits: []edit{{pluginCluster, "cluster: auth_server"}},
			wantErr:   errIstioPluginConfig, wantDetail: `"auth_server" is not an Istio cluster name`},
		{name: "plugin config cluster with a subset",
			yamlEdits: []edit{{pluginCluster, "cluster: outbound|443|v1|auth.example.com"}},
			wantErr:   errIstioPluginConfig, wantDetail: "not an Istio cluster name"},
		{name: "plugin config cluster for another host",
			yamlEdits: []edit{{pluginCluster, "cluster: outbound|443||login.example.com"}},
			wantErr:   errIstioPluginConfig, wantDetail: `cluster host "login.example.com" differs from the authority's host "auth.example.com"`},
		{name: "plugin config cluster for another port",
			yamlEdits: []edit{{pluginCluster, "cluster: outbound|8443||auth.example.com"}},
			wantErr:   errServiceEntry, wantDetail: "no port 8443"},
		{name: "plugin config member changed",
			yamlEdits: []edit{{"clock_skew_s: 60", "clock_skew_s: 30"}},
			wantErr:   errIstioPluginConfig, wantDetail: "$.providers[0].clock_skew_s: got 30, want 60"},
		{name: "plugin config number as a string",
			yamlEdits: []edit{{"timeout_ms: 5000", `timeout_ms: "5000"`}},
			wantErr:   errIstioPluginConfig, wantDetail: "the plugin rejects it"},
		{name: "plugin config missing a rule",
			yamlEdits: []edit{{"    - path_prefix: /healthz\n      allow_anonymous: true\n", ""}},
			wantErr:   errIstioPluginConfig, wantDetail: "$.rules: got 1 elements, want 2"},
		{name: "config.json differs",
			jsonEdits: []edit{{`"forward_token": false`, `"forward_token": true`}},
			wantErr:   errIstioPluginConfig, wantDetail: "$.forward_token: got false, want true"},
		{name: "config.json invalid",
			jsonEdits: []edit{{`"clock_skew_s": 60`, `"clock_skew_s": 600`}},
			wantErr:   errPluginConfigFile},
		{name: "service entry for another host",
			yamlEdits: []edit{{seHosts, "  hosts:\n  - login.example.com\n"}},
			wantErr:   errServiceEntry, wantDetail: `lack "auth.example.com"`},
		{name: "service entry renamed",
			yamlEdits: []edit{{seName, "  name: auth\n  namespace: mcp\nspec:\n  hosts:"}},
			wantErr:   errServiceEntry, wantDetail: `name is "auth"`},
		{name: "service entry exported elsewhere",
			yamlEdits: []edit{{seExport, "  exportTo:\n  - istio-system\n  location: MESH_EXTERNAL\n"}},
			wantErr:   errServiceEntry, wantDetail: `hides it from namespace "mcp"`},
		{name: "service entry port plain HTTP",
			yamlEdits: []edit{{"protocol: HTTPS", "protocol: HTTP"}},
			wantErr:   errServiceEntry, wantDetail: `protocol "HTTP"`},
		{name: "service entry inside the mesh",
			yamlEdits: []edit{{"location: MESH_EXTERNAL", "location: MESH_INTERNAL"}},
			wantErr:   errServiceEntry, wantDetail: "location is MESH_INTERNAL"},
		{name: "service entry without DNS resolution",
			yamlEdits: []edit{{"resolution: DNS", "resolution: NONE"}},
			wantErr:   errServiceEntry, wantDetail: "resolution is NONE"},
		{name: "destination rule for another host",
			yamlEdits: []edit{{"  host: auth.example.com\n", "  host: login.example.com\n"}},
			wantErr:   errDestinationRule, wantDetail: `host is "login.example.com"`},
		{name: "destination rule exported elsewhere",
			yamlEdits: []edit{{drExport, "  exportTo:\n  - istio-system\n  workloadSelector:\n"}},
			wantErr:   errDestinationRule, wantDetail: `hides it from namespace "mcp"`},
		{name: "destination rule selects other pods",
			yamlEdits: []edit{{ruleSelector, "  workloadSelector:\n    matchLabels:\n      app: other\n"}},
			wantErr:   errDestinationRule, wantDetail: "does not select the plugin's pods"},
		{name: "destination rule without TLS",
			yamlEdits: []edit{{"mode: SIMPLE", "mode: DISABLE"}},
			wantErr:   errDestinationRule, wantDetail: "TLS mode for port 443 is DISABLE"},
		{name: "destination rule port setting disables TLS",
			yamlEdits: []edit{{"  trafficPolicy:\n", "  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: 443\n      tls:\n        mode: DISABLE\n"}},
			wantErr:   errDestinationRule, wantDetail: "TLS mode for port 443 is DISABLE"},
		{name: "destination rule with another SNI",
			yamlEdits: []edit{{"sni: auth.example.com", "sni: other.example.com"}},
			wantErr:   errDestinationRule, wantDetail: `sni is "other.example.com"`},
		{name: "destination rule without the SAN",
			yamlEdits: []edit{{"      subjectAltNames:\n      - auth.example.com\n", ""}},
			wantErr:   errDestinationRule, wantDetail: "subjectAltNames"},
		{name: "destination rule skipping verification",
			yamlEdits: []edit{{"      sni: auth.example.com\n", "      sni: auth.example.com\n      insecureSkipVerify: true\n"}},
			wantErr:   errDestinationRule, wantDetail: "insecureSkipVerify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := applyEdits(t, manifests, tt.yamlEdits)
			c := applyEdits(t, configJSON, tt.jsonEdits)
			err := checkIstioManifests([]byte(y), []byte(c))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("checkIstioManifests error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantDetail) {
				t.Errorf("checkIstioManifests error = %v, want it to mention %q", err, tt.wantDetail)
			}
			t.Log(err)
		})
	}
}
