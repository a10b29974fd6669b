package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// errUsage: flags that do not go together.
var errUsage = errors.New("usage")

// options are the parsed flags.
type options struct {
	wasm, config, listen   string
	clusters               localrun.Clusters
	upstreamCluster        string
	workers                int
	logLevel               host.LogLevel
	logLevelName           string
	demo, envoy, peersOnly bool
	envoyBin, envoyBase    string
	envoyOut               string
	adminPort              int
	demoSet                bool
}

const usageHead = `mcp-oauth-local serves the mcp-oauth-wasm plugin on a real HTTP port through
the project's wazero proxy-wasm host, which models Envoy: the plugin's dispatched
JWKS fetches become real HTTP requests, and requests it lets through are proxied
to the upstream cluster (responses, SSE included, are streamed back).

Usage:
  mcp-oauth-local                         the demo (default): a development issuer and a
                                          small MCP server on loopback, the demo plugin
                                          configuration, and curl commands to try
  mcp-oauth-local -config config.json -cluster auth_server=https://auth.example.com \
                  -cluster mcp_upstream=http://127.0.0.1:8080
                                          your configuration; every cluster it names
                                          (remote_jwks.cluster, and the upstream) needs
                                          an address
  mcp-oauth-local -envoy                  the demo in real Envoy (envoy on PATH) with a
                                          configuration generated from envoy.yaml
  mcp-oauth-local -peers-only             only the demo's issuer and MCP server, plus the
                                          generated Envoy configuration, to run Envoy yourself

Cluster addresses are origins (http://host:port or https://host[:port]), given as
repeated -cluster name=url flags or a JSON file for -clusters:
  {"auth_server": "https://auth.example.com", "mcp_upstream": "http://127.0.0.1:8080"}
Flags override the file.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{clusters: localrun.Clusters{}}
	fs := flag.NewFlagSet("mcp-oauth-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	var clusterSpecs []string
	var clustersFile string
	fs.StringVar(&o.wasm, "wasm", "build/plugin.wasm", "the compiled plugin")
	fs.StringVar(&o.config, "config", "", "plugin configuration JSON (config.json's format); without it the demo runs")
	fs.BoolVar(&o.demo, "demo", false, "run the self-contained demo (the default when -config is absent; -demo=false uses config.json)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:10000", "front door address")
	fs.Func("cluster", "map a cluster to an origin, `name=url` (repeatable)", func(v string) error {
		if _, _, err := localrun.ParseCluster(v); err != nil {
			return err
		}
		clusterSpecs = append(clusterSpecs, v)
		return nil
	})
	fs.StringVar(&clustersFile, "clusters", "", "JSON `file` mapping cluster names to origins")
	fs.StringVar(&o.upstreamCluster, "upstream-cluster", localrun.DefaultUpstreamCluster, "the cluster allowed requests go to (envoy.yaml's route)")
	fs.IntVar(&o.workers, "workers", localrun.DefaultWorkers, "worker VMs (Envoy --concurrency); streams are spread over them")
	fs.StringVar(&o.logLevelName, "log-level", "debug", "plugin log level: trace, debug, info, warn, error, critical")
	fs.BoolVar(&o.envoy, "envoy", false, "run the demo in real Envoy instead of the wazero host")
	fs.BoolVar(&o.peersOnly, "peers-only", false, "start only the demo issuer and MCP server and write the Envoy configuration")
	fs.StringVar(&o.envoyBin, "envoy-bin", "envoy", "Envoy binary for -envoy")
	fs.StringVar(&o.envoyBase, "envoy-base", "envoy.yaml", "Envoy configuration the demo's is generated from")
	fs.StringVar(&o.envoyOut, "envoy-out", "build/envoy-demo.yaml", "where the generated Envoy configuration is written")
	fs.IntVar(&o.adminPort, "admin-port", 9901, "Envoy admin port on 127.0.0.1 (0: any free port)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q (see -h)", errUsage, fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "demo" {
			o.demoSet = true
		}
	})
	if !o.demoSet {
		o.demo = o.config == ""
	}
	if !o.demo && o.config == "" {
		o.config = "config.json"
	}
	level, err := localrun.ParseLogLevel(o.logLevelName)
	if err != nil {
		return nil, err
	}
	o.logLevel = level
	if o.workers < 1 || o.workers > 64 {
		return nil, fmt.Errorf("%w: -workers must be 1 to 64", errUsage)
	}
	if o.envoy && o.peersOnly {
		return nil, fmt.Errorf("%w: -envoy and -peers-only exclude each other", errUsage)
	}
	if (o.envoy || o.peersOnly) && !o.demo {
		return nil, fmt.Errorf("%w: -envoy and -peers-only run the demo; for your own configuration run envoy -c envoy.yaml", errUsage)
	}
	if o.demo && o.config != "" {
		return nil, fmt.Errorf("%w: -demo and -config exclude each other", errUsage)
	}
	if o.demo && (len(clusterSpecs) > 0 || clustersFile != "") {
		return nil, fmt.Errorf("%w: the demo maps its own clusters; -cluster and -clusters go with -config", errUsage)
	}
	if clustersFile != "" {
		data, err := os.ReadFile(clustersFile)
		if err != nil {
			return nil, err
		}
		file, err := localrun.ParseClustersFile(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", clustersFile, err)
		}
		o.clusters = file
	}
	for _, spec := range clusterSpecs {
		name, origin, _ := localrun.ParseCluster(spec)
		o.clusters[name] = origin
	}
	return o, nil
}

// envoyLogLevel names a host log level as Envoy's --component-log-level does.
func envoyLogLevel(l host.LogLevel) string {
	if l == host.LogWarn {
		return "warning"
	}
	return strings.ToLower(l.String())
}
