package filter

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// TestMain silences proxytest's own log.Printf of every dispatched call.
func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// TestScenarios runs the whole behaviour table natively through proxytest.
// The e2e module runs the same table against build/plugin.wasm.
func TestScenarios(t *testing.T) {
	scenario.Run(t, scenario.All(), newNativeScenarioDriver, nil)
}

// newNativeScenarioDriver is the driver factory for scenario.Run.
func newNativeScenarioDriver(t *testing.T) scenario.Driver {
	d := newNativeDriver()
	t.Cleanup(d.Close)
	return d
}

// nativeDriver is scenario.Driver over the SDK's proxytest emulator.
type nativeDriver struct {
	now      time.Time
	host     proxytest.HostEmulator
	reset    func()
	contexts []uint32 // http contexts created, to find calls they dispatched
	answered map[string]bool
}

func newNativeDriver() *nativeDriver {
	return &nativeDriver{now: time.Unix(1_900_000_000, 0), answered: map[string]bool{}}
}

func (d *nativeDriver) Close() {
	if d.reset != nil {
		d.reset()
	}
}

func (d *nativeDriver) Start(cfg []byte) error {
	opt := proxytest.NewEmulatorOption().
		WithVMContext(NewVMContext(func() time.Time { return d.now })).
		WithPluginConfiguration(cfg)
	d.host, d.reset = proxytest.NewHostEmulator(opt)
	if st := d.host.StartVM(); st != types.OnVMStartStatusOK {
		return errors.New("vm start failed")
	}
	if st := d.host.StartPlugin(); st != types.OnPluginStartStatusOK {
		return errors.New("plugin start failed")
	}
	return nil
}

func (d *nativeDriver) Now() time.Time           { return d.now }
func (d *nativeDriver) Advance(dt time.Duration) { d.now = d.now.Add(dt) }
func (d *nativeDriver) Tick()                    { d.host.Tick() }

func (d *nativeDriver) Send(headers [][2]string) scenario.Stream {
	id := d.host.InitializeHttpContext()
	d.contexts = append(d.contexts, id)
	action := d.host.CallOnRequestHeaders(id, headers, true)
	return &nativeStream{d: d, id: id, firstAction: action}
}

func (d *nativeDriver) Calls() []scenario.Call {
	var calls []scenario.Call
	for _, ctx := range append([]uint32{proxytest.PluginContextID}, d.contexts...) {
		for i, a := range d.host.GetCalloutAttributesFromContext(ctx) {
			key := fmt.Sprintf("%d/%d", ctx, i)
			if d.answered[key] {
				continue
			}
			calls = append(calls, scenario.Call{ID: a.CalloutID, Cluster: a.Upstream, Headers: a.Headers}.WithHandle(key))
		}
	}
	return calls
}

func (d *nativeDriver) Respond(c scenario.Call, status int, body []byte) {
	d.answered[c.Handle().(string)] = true
	if status == 0 {
		d.host.CallOnHttpCallResponse(c.ID, nil, nil, nil)
		return
	}
	d.host.CallOnHttpCallResponse(c.ID, [][2]string{{":status", fmt.Sprint(status)}}, nil, body)
}

func (d *nativeDriver) Logs() []string {
	var out []string
	for _, l := range [][]string{d.host.GetTraceLogs(), d.host.GetDebugLogs(), d.host.GetInfoLogs(),
		d.host.GetWarnLogs(), d.host.GetErrorLogs(), d.host.GetCriticalLogs()} {
		out = append(out, l...)
	}
	return out
}

// Metric reads a counter, gauge or histogram from the emulator, which
// keeps a histogram's last sample.
func (d *nativeDriver) Metric(name string) (uint64, bool) {
	for _, get := range []func(string) (uint64, error){d.host.GetCounterMetric, d.host.GetGaugeMetric, d.host.GetHistogramMetric} {
		if v, err := get(name); err == nil {
			return v, true
		}
	}
	return 0, false
}

type nativeStream struct {
	d           *nativeDriver
	id          uint32
	firstAction types.Action
	done        bool
}

func (s *nativeStream) Result() scenario.Result {
	h := s.d.host
	var r scenario.Result
	if lr := h.GetSentLocalResponse(s.id); lr != nil {
		r.Reply = &scenario.Reply{Status: int(lr.StatusCode), Headers: lr.Headers, Body: lr.Data}
		return r
	}
	if s.done {
		return r
	}
	if h.GetCurrentHttpStreamAction(s.id) == types.ActionContinue {
		r.Forwarded = true
		r.Upstream = h.GetCurrentRequestHeaders(s.id)
		return r
	}
	r.Paused = true
	return r
}

func (s *nativeStream) Done() {
	s.done = true
	s.d.host.CompleteHttpContext(s.id)
}

func (s *nativeStream) Respond(headers [][2]string) [][2]string {
	s.d.host.CallOnResponseHeaders(s.id, headers, false)
	return s.d.host.GetCurrentResponseHeaders(s.id)
}
