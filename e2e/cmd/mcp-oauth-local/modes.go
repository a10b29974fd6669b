package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

// otherScope is the scope of the demo token that gets 403.
const otherScope = "profile"

// runDemo: issuer and upstream on loopback, the demo configuration, the
// plugin in the wazero host on -listen, and the instructions.
func runDemo(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	ln, err := listenLoopback(o.listen)
	if err != nil {
		return err
	}
	front := "http://" + ln.Addr().String()
	resource := front + "/mcp"
	peers, err := localrun.StartPeers(localrun.PeersOptions{Resource: resource})
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer peers.Close()
	srv, mod, err := startServer(ctx, ln, o, peers.Config(resource).JSON(), peers.Clusters(), stderr)
	if err != nil {
		return err
	}
	defer mod.Close(context.Background())
	defer srv.Close()
	via := fmt.Sprintf("the wazero proxy-wasm host (%s, %d worker VMs)", o.wasm, o.workers)
	if err := printInstructions(stdout, peers, front, resource, via); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "mcp-oauth-local: stopping")
	return nil
}

// runConfig serves a user configuration with user cluster addresses.
func runConfig(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(o.config)
	if err != nil {
		return err
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", o.config, err)
	}
	if err := localrun.CheckClusters(data, o.clusters, o.upstreamCluster); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	srv, mod, err := startServer(ctx, ln, o, data, o.clusters, stderr)
	if err != nil {
		return err
	}
	defer mod.Close(context.Background())
	defer srv.Close()
	names := o.clusters.Names()
	sort.Strings(names)
	fmt.Fprintf(stdout, "\nmcp-oauth-local: the plugin serves %s with %s through the wazero proxy-wasm host (%d worker VMs)\n\n", srv.URL(), o.config, o.workers)
	for _, n := range names {
		fmt.Fprintf(stdout, "  cluster %-20s %s\n", n, o.clusters[n])
	}
	fmt.Fprintf(stdout, "\n  resource %s (metadata %s)\n\n", cfg.Resource, cfg.MetadataURL())
	fmt.Fprintf(stdout, "curl -i -X POST %s%s\ncurl -s %s%s\n\nCtrl-C stops it.\n", srv.URL(), pathOf(cfg.Resource), srv.URL(), cfg.MetadataPath())
	<-ctx.Done()
	fmt.Fprintln(stderr, "mcp-oauth-local: stopping")
	return nil
}

// startServer compiles the plugin and starts it behind ln.
func startServer(ctx context.Context, ln net.Listener, o *options, pluginConfig []byte, clusters localrun.Clusters, stderr io.Writer) (*localrun.Server, *host.Module, error) {
	mod, err := compile(ctx, o.wasm)
	if err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	srv, err := localrun.Start(ln, localrun.Options{
		Module: mod, PluginConfig: pluginConfig, Clusters: clusters,
		UpstreamCluster: o.upstreamCluster, Workers: o.workers,
		Log: stderr, LogLevel: o.logLevel,
	})
	if err != nil {
		_ = ln.Close()
		_ = mod.Close(context.Background())
		return nil, nil, err
	}
	return srv, mod, nil
}

func compile(ctx context.Context, path string) (*host.Module, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the plugin (make build writes build/plugin.wasm): %w", err)
	}
	mod, err := host.Compile(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mod, nil
}

// listenLoopback listens for the demo, which must stay on loopback: its
// issuer signs tokens for anyone, and the resource URL is http.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("the demo listens on loopback only (-listen 127.0.0.1:PORT), not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w (another `make run` still running? choose a port with -listen 127.0.0.1:PORT)", err)
	}
	return ln, nil
}

// printInstructions mints the sample tokens and prints the curl commands.
func printInstructions(w io.Writer, peers *localrun.Peers, front, resource, via string) error {
	read, err := peers.Issuer.Mint(localrun.TokenRequest{Scope: localrun.ReadScope})
	if err != nil {
		return err
	}
	other, err := peers.Issuer.Mint(localrun.TokenRequest{Scope: otherScope})
	if err != nil {
		return err
	}
	cfg, err := config.Parse(peers.Config(resource).JSON())
	if err != nil {
		return err
	}
	return localrun.Instructions{
		Front: front, Via: via, Resource: resource, MetadataURL: cfg.MetadataURL(),
		Issuer: peers.Issuer.URL(), Upstream: peers.Upstream.URL(),
		ReadToken: read, OtherToken: other, OtherScope: otherScope,
	}.Write(w)
}

// envoySetup starts the peers and writes the Envoy configuration for them.
func envoySetup(o *options) (peers *localrun.Peers, listenPort, adminPort int, front string, err error) {
	host, port, err := net.SplitHostPort(o.listen)
	if err != nil {
		return nil, 0, 0, "", err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return nil, 0, 0, "", fmt.Errorf("the Envoy demo listens on 127.0.0.1 only, not %q", o.listen)
	}
	if listenPort, err = strconv.Atoi(port); err != nil {
		return nil, 0, 0, "", fmt.Errorf("-listen %q: %w", o.listen, err)
	}
	if listenPort == 0 {
		if listenPort, err = localrun.FreePort(); err != nil {
			return nil, 0, 0, "", err
		}
	}
	adminPort = o.adminPort
	if adminPort == 0 {
		if adminPort, err = localrun.FreePort(); err != nil {
			return nil, 0, 0, "", err
		}
	}
	wasm, err := filepath.Abs(o.wasm)
	if err != nil {
		return nil, 0, 0, "", err
	}
	if _, err := os.Stat(wasm); err != nil {
		return nil, 0, 0, "", fmt.Errorf("cannot read the plugin (make build writes build/plugin.wasm): %w", err)
	}
	base, err := os.ReadFile(o.envoyBase)
	if err != nil {
		return nil, 0, 0, "", err
	}
	front = fmt.Sprintf("http://127.0.0.1:%d", listenPort)
	peers, err = localrun.StartPeers(localrun.PeersOptions{Resource: front + "/mcp"})
	if err != nil {
		return nil, 0, 0, "", err
	}
	yaml, err := localrun.EnvoyConfig(localrun.EnvoyConfigOptions{
		Base: base, ListenPort: listenPort, AdminPort: adminPort, WasmPath: wasm,
		PluginConfig: peers.Config(front + "/mcp").JSON(), Clusters: peers.Clusters(),
	})
	if err == nil {
		err = os.MkdirAll(filepath.Dir(o.envoyOut), 0o755)
	}
	if err == nil {
		err = os.WriteFile(o.envoyOut, yaml, 0o644)
	}
	if err != nil {
		return nil, 0, 0, "", errors.Join(err, peers.Close())
	}
	return peers, listenPort, adminPort, front, nil
}

// runEnvoyDemo runs the demo with real Envoy in front.
func runEnvoyDemo(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	bin, err := lookEnvoy(o.envoyBin)
	if err != nil {
		return err
	}
	peers, listenPort, adminPort, front, err := envoySetup(o)
	if err != nil {
		return err
	}
	defer peers.Close()
	fmt.Fprintf(stderr, "mcp-oauth-local: starting %s -c %s\n", bin, o.envoyOut)
	e, err := localrun.StartEnvoy(ctx, localrun.EnvoyOptions{
		Binary: bin, ConfigPath: o.envoyOut, AdminPort: adminPort, ListenPort: listenPort,
		Concurrency: o.workers, LogLevel: envoyLogLevel(o.logLevel), Output: stderr,
	})
	if err != nil {
		return err
	}
	defer e.Stop()
	via := fmt.Sprintf("Envoy (%s -c %s, admin http://127.0.0.1:%d)", bin, o.envoyOut, adminPort)
	if err := printInstructions(stdout, peers, front, front+"/mcp", via); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "mcp-oauth-local: stopping Envoy")
		return nil
	case <-e.Exited():
		return errors.New("envoy exited")
	}
}

// runPeersOnly starts the demo peers and writes the Envoy configuration for
// someone who runs Envoy by hand.
func runPeersOnly(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	peers, _, _, front, err := envoySetup(o)
	if err != nil {
		return err
	}
	defer peers.Close()
	via := fmt.Sprintf("Envoy once you run: envoy -c %s --concurrency %d", o.envoyOut, o.workers)
	if err := printInstructions(stdout, peers, front, front+"/mcp", via); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "mcp-oauth-local: stopping")
	return nil
}

// lookEnvoy finds the Envoy binary, with one clear line when it is absent.
func lookEnvoy(name string) (string, error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("envoy is not on PATH (%s); install Envoy >= 1.33, or use `make run` for the same demo in the wazero host", name)
	}
	return bin, nil
}

func pathOf(resource string) string {
	u, err := url.Parse(resource)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.EscapedPath()
}
