package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// Start errors.
var (
	// ErrConfig: the plugin configuration does not parse (checked natively
	// first, with the same package the plugin uses, for a readable error).
	ErrConfig = errors.New("invalid plugin configuration")
	// ErrUnmappedCluster: the configuration names a cluster with no address.
	ErrUnmappedCluster = errors.New("cluster has no address")
	// ErrPluginStart: the plugin refused to start in the host.
	ErrPluginStart = errors.New("the plugin did not start")
)

// DefaultUpstreamCluster is the route's cluster in envoy.yaml.
const DefaultUpstreamCluster = "mcp_upstream"

// Defaults of Options.
const (
	DefaultWorkers         = 2
	DefaultTickInterval    = 200 * time.Millisecond
	DefaultMaxRequestBytes = 8 << 20
	// maxDecisionWait bounds how long a handler waits for a paused
	// request: timeout_ms is at most 60 s, plus a tick.
	maxDecisionWait = 65 * time.Second
)

// Options configures a Server.
type Options struct {
	// Module is the compiled plugin (host.Compile); the caller closes it
	// after the server.
	Module *host.Module
	// PluginConfig is the plugin configuration JSON (config.json's format).
	PluginConfig []byte
	// Clusters maps cluster names to origins. Every remote_jwks cluster of
	// the configuration and the upstream cluster must be mapped.
	Clusters Clusters
	// UpstreamCluster receives the requests the plugin lets through
	// (default DefaultUpstreamCluster).
	UpstreamCluster string
	// Workers is the number of worker VMs streams are spread over, beside
	// the main-thread VM (default DefaultWorkers), as Envoy's --concurrency.
	Workers int
	// Log receives plugin log lines at or above LogLevel and the server's
	// own lines (nil discards them).
	Log      io.Writer
	LogLevel host.LogLevel
	// TickInterval is how often the virtual clock catches up with real time
	// and due timers fire (default DefaultTickInterval).
	TickInterval time.Duration
	// MaxRequestBytes bounds a buffered request body (default
	// DefaultMaxRequestBytes); larger requests get 413.
	MaxRequestBytes int64
}

// Server is the plugin behind a real HTTP listener.
type Server struct {
	opts     Options
	upstream *url.URL
	origins  map[string]*url.URL
	log      *logWriter
	loop     *loop
	http     *http.Server
	ln       net.Listener
	client   *http.Client    // dispatched calls
	proxy    *http.Transport // upstream requests

	callCtx    context.Context // cancelled at shutdown: ends dispatched calls
	cancelCall context.CancelFunc
	calls      sync.WaitGroup
	served     chan error
	closeOnce  sync.Once
	closeErr   error
}

// Start creates the host and its VMs, starts the plugin in each, and serves
// HTTP on ln until Close. It fails, with the plugin's own log line when
// there is one, if the plugin does not start.
func Start(ln net.Listener, opts Options) (*Server, error) {
	if opts.UpstreamCluster == "" {
		opts.UpstreamCluster = DefaultUpstreamCluster
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.TickInterval <= 0 {
		opts.TickInterval = DefaultTickInterval
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	origins, err := checkClusters(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, origins: origins, upstream: origins[opts.UpstreamCluster],
		log: newLogWriter(opts.Log, opts.LogLevel), ln: ln, served: make(chan error, 1)}
	s.callCtx, s.cancelCall = context.WithCancel(context.Background())
	s.client = &http.Client{
		Transport: newTransport(),
		// Envoy's async client does not follow redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.proxy = newTransport()

	h := host.New(context.Background(), opts.Module, host.Options{
		Clusters:  opts.Clusters.Names(),
		Dispatch:  s.dispatch,
		Start:     time.Now(),
		LogOutput: s.log,
	})
	s.loop = &loop{h: h, tick: opts.TickInterval, log: s.log, last: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	// The first VM plays Envoy's main thread: it ticks and fetches but
	// serves no stream. The others are the workers.
	for i := 0; i <= opts.Workers; i++ {
		vm, err := h.NewVM(host.VMConfig{
			VMID: "mcp-oauth-wasm", RootID: "mcp-oauth-wasm", PluginName: "mcp-oauth-wasm",
			PluginConfiguration: opts.PluginConfig,
		})
		if err != nil {
			s.cancelCall()
			_ = h.Close()
			s.calls.Wait()
			if lines := s.log.lastErrors(); len(lines) > 0 {
				return nil, fmt.Errorf("%w: %v; plugin log: %s", ErrPluginStart, err, strings.Join(lines, " | "))
			}
			return nil, fmt.Errorf("%w: %v", ErrPluginStart, err)
		}
		if i > 0 {
			s.loop.workers = append(s.loop.workers, vm)
		}
	}
	go s.loop.run()

	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// CheckClusters makes sure every cluster a configuration uses (each
// remote_jwks.cluster and the upstream cluster) has a valid address, so a
// typo fails at start rather than as a 503 later.
func CheckClusters(pluginConfig []byte, clusters Clusters, upstreamCluster string) error {
	cfg, err := config.Parse(pluginConfig)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	need := []string{upstreamCluster}
	for _, p := range cfg.Providers {
		if p.RemoteJWKS != nil {
			need = append(need, p.RemoteJWKS.Cluster)
		}
	}
	for _, name := range need {
		if _, ok := clusters[name]; !ok {
			return fmt.Errorf("%w: %q (map it with -cluster %s=http://127.0.0.1:PORT or in the -clusters file)", ErrUnmappedCluster, name, name)
		}
	}
	names := clusters.Names()
	sort.Strings(names)
	for _, name := range names {
		if err := checkCluster(name, clusters[name]); err != nil {
			return err
		}
	}
	return nil
}

func checkClusters(opts Options) (map[string]*url.URL, error) {
	if opts.Module == nil {
		return nil, errors.New("localrun: Options.Module is nil")
	}
	if err := CheckClusters(opts.PluginConfig, opts.Clusters, opts.UpstreamCluster); err != nil {
		return nil, err
	}
	origins := map[string]*url.URL{}
	for name, origin := range opts.Clusters {
		u, _ := url.Parse(origin)
		u.Path = ""
		origins[name] = u
	}
	return origins, nil
}

// newTransport talks to cluster addresses as Envoy does: directly, never
// through an HTTP proxy from the environment.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	return t
}

// URL is the front door's base URL, e.g. http://127.0.0.1:10000.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Shutdown stops accepting requests, lets the ones in flight finish until
// ctx ends (then cuts them), and stops the VMs.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		err := s.http.Shutdown(ctx)
		if err != nil {
			err = errors.Join(err, s.http.Close())
		}
		close(s.loop.stop)
		<-s.loop.done
		s.cancelCall()
		s.calls.Wait()
		s.client.CloseIdleConnections()
		s.proxy.CloseIdleConnections()
		if serveErr := <-s.served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		s.closeErr = err
	})
	return s.closeErr
}

// CloseGrace is how long Close lets requests in flight finish. Event
// streams never finish by themselves, so it is short.
const CloseGrace = 2 * time.Second

// Close is Shutdown with CloseGrace for requests in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), CloseGrace)
	defer cancel()
	return s.Shutdown(ctx)
}
