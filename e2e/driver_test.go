package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// wasmDriver is scenario.Driver over the wazero host: build/plugin.wasm in
// one VM (like one Envoy worker), with Envoy's WASI and shared data.
type wasmDriver struct {
	t    testing.TB
	h    *host.Host
	vm   *host.VM
	logs *bytes.Buffer // every plugin log line, also those of a VM that failed to start
}

func newWasmDriver(t testing.TB) *wasmDriver {
	logs := &bytes.Buffer{}
	h := host.New(context.Background(), plugin, host.Options{
		Clusters:  []string{scenario.Cluster, "mcp_upstream"},
		Start:     time.Unix(1_900_000_000, 0),
		LogOutput: logs,
	})
	t.Cleanup(func() { h.Close() })
	return &wasmDriver{t: t, h: h, logs: logs}
}

func (d *wasmDriver) Start(cfg []byte) error {
	vm, err := d.h.NewVM(vmConfig(cfg))
	if err != nil {
		if !errors.Is(err, host.ErrStartFailed) {
			d.t.Fatalf("the plugin could not be loaded: %v", err)
		}
		return err
	}
	d.vm = vm
	return nil
}

func vmConfig(cfg []byte) host.VMConfig {
	return host.VMConfig{VMID: "mcp-oauth-wasm", RootID: "mcp-oauth-wasm", PluginName: "mcp-oauth-wasm", PluginConfiguration: cfg}
}

func (d *wasmDriver) Now() time.Time           { return d.h.Now() }
func (d *wasmDriver) Advance(dt time.Duration) { d.h.Advance(dt) }

// Tick runs what Envoy's event loop would at this time: call timeouts,
// then the VM's tick if its period elapsed.
func (d *wasmDriver) Tick() {
	if err := d.h.Tick(); err != nil {
		d.t.Fatalf("tick: %v", err)
	}
}

func (d *wasmDriver) Send(headers [][2]string) scenario.Stream {
	return &wasmStream{d: d, s: d.vm.Request(headers, nil)}
}

func (d *wasmDriver) Calls() []scenario.Call {
	var out []scenario.Call
	for _, c := range d.h.PendingCalls() {
		out = append(out, scenario.Call{ID: c.Token, Cluster: c.Cluster, Headers: c.Headers, Timeout: c.TimeoutAfter}.WithHandle(c))
	}
	return out
}

func (d *wasmDriver) Respond(c scenario.Call, status int, body []byte) {
	call := c.Handle().(*host.HTTPCall)
	var err error
	if status == 0 {
		err = call.Fail()
	} else {
		err = call.Respond(status, [][2]string{{"content-type", "application/json"}}, body)
	}
	if err != nil {
		d.t.Fatalf("answering call %d: %v", call.Token, err)
	}
}

func (d *wasmDriver) Logs() []string {
	return strings.Split(strings.TrimRight(d.logs.String(), "\n"), "\n")
}

// Metric reads a metric from the host, which counts a histogram's samples.
func (d *wasmDriver) Metric(name string) (uint64, bool) { return d.h.Metric(name) }

type wasmStream struct {
	d *wasmDriver
	s *host.Stream
}

func (w *wasmStream) Result() scenario.Result {
	var r scenario.Result
	if lr := w.s.LocalReply(); lr != nil {
		r.Reply = &scenario.Reply{Status: int(lr.Status), Headers: lr.Headers, Body: lr.Body}
		return r
	}
	if up := w.s.Upstream(); up != nil {
		r.Forwarded, r.Upstream = true, up.Headers
		return r
	}
	r.Paused = w.s.Paused()
	return r
}

func (w *wasmStream) Done() {
	if err := w.s.Done(); err != nil {
		w.d.t.Fatalf("stream done: %v", err)
	}
}

func (w *wasmStream) Respond(headers [][2]string) [][2]string {
	if err := w.s.Response(headers, nil); err != nil {
		w.d.t.Fatalf("upstream response: %v", err)
	}
	if r := w.s.DownstreamResponse(); r != nil {
		return r.Headers
	}
	return nil
}
