package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrEnvoyNotReady: Envoy exited or did not become ready in time.
var ErrEnvoyNotReady = errors.New("envoy did not become ready")

// EnvoyReadyTimeout bounds the wait for Envoy to load the plugin (V8
// compiles the module at start) and open its listener.
const EnvoyReadyTimeout = 60 * time.Second

// EnvoyOptions say how to run Envoy on a generated configuration.
type EnvoyOptions struct {
	Binary     string // default "envoy" on PATH
	ConfigPath string
	// AdminPort and ListenPort are the generated configuration's ports,
	// polled for readiness.
	AdminPort, ListenPort int
	// Concurrency is the number of worker threads (default DefaultWorkers).
	Concurrency int
	// LogLevel is the level of the wasm component, where plugin lines go
	// ("debug", "info", "warning", …); Envoy's own lines are at warning.
	LogLevel string
	// Output receives Envoy's stdout and stderr (nil discards them).
	Output io.Writer
}

// Envoy is a running Envoy process.
type Envoy struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
	tail   *tailBuffer
}

// StartEnvoy starts Envoy and waits until its admin endpoint reports ready
// and the listener accepts connections.
func StartEnvoy(ctx context.Context, o EnvoyOptions) (*Envoy, error) {
	if o.Binary == "" {
		o.Binary = "envoy"
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultWorkers
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	tail := &tailBuffer{max: 4096}
	out := io.Writer(tail)
	if o.Output != nil {
		out = io.MultiWriter(o.Output, tail)
	}
	cmd := exec.Command(o.Binary, "-c", o.ConfigPath,
		"--concurrency", strconv.Itoa(o.Concurrency),
		// Several Envoys (tests, a demo) may run at once.
		"--use-dynamic-base-id",
		"--log-level", "warning",
		"--component-log-level", "wasm:"+o.LogLevel)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting envoy: %w", err)
	}
	e := &Envoy{cmd: cmd, exited: make(chan struct{}), tail: tail}
	go func() {
		e.err = cmd.Wait()
		close(e.exited)
	}()
	if err := e.waitReady(ctx, o); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *Envoy) waitReady(ctx context.Context, o EnvoyOptions) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, EnvoyReadyTimeout)
	defer cancel()
	ready := fmt.Sprintf("http://127.0.0.1:%d/ready", o.AdminPort)
	client := &http.Client{Timeout: time.Second, Transport: newTransport()}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-e.exited:
			return fmt.Errorf("%w: it exited (%v): %s", ErrEnvoyNotReady, e.err, e.tail.String())
		case <-ctx.Done():
			if parent.Err() != nil {
				return parent.Err() // interrupted while waiting
			}
			return fmt.Errorf("%w within %v: %s", ErrEnvoyNotReady, EnvoyReadyTimeout, e.tail.String())
		case <-tick.C:
		}
		resp, err := client.Get(ready)
		if err != nil {
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			continue
		}
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", o.ListenPort), time.Second)
		if err == nil {
			_ = conn.Close()
			return nil
		}
	}
}

// Exited is closed when the process ends.
func (e *Envoy) Exited() <-chan struct{} { return e.exited }

// Stop asks Envoy to exit (SIGTERM), then kills it after ten seconds.
func (e *Envoy) Stop() error {
	select {
	case <-e.exited:
		return nil
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.exited
	}
	return nil
}

// FreePort returns a loopback port that was free a moment ago (for the
// ports handed to Envoy, which cannot report the ones it picked).
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last bytes written, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}
