// Command testplugin is a tiny proxy-wasm plugin that exercises the host:
// dispatched calls with resume, shared data with CAS, local replies,
// metrics, logs and ticks. It is built by the host tests; it is not shipped.
package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func main() {}

func init() {
	proxywasm.SetVMContext(&vmContext{})
}

type vmContext struct {
	types.DefaultVMContext
}

func (*vmContext) NewPluginContext(contextID uint32) types.PluginContext {
	return &pluginContext{}
}

type pluginContext struct {
	types.DefaultPluginContext
	requests proxywasm.MetricCounter
	ticks    proxywasm.MetricGauge
	sizes    proxywasm.MetricHistogram
	tickN    int
}

func (p *pluginContext) OnPluginStart(configSize int) types.OnPluginStartStatus {
	cfg, err := proxywasm.GetPluginConfiguration()
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		proxywasm.LogErrorf("config: %v", err)
		return types.OnPluginStartStatusFailed
	}
	if string(cfg) == "fail" {
		return types.OnPluginStartStatusFailed
	}
	p.requests = proxywasm.DefineCounterMetric("testplugin_requests")
	p.ticks = proxywasm.DefineGaugeMetric("testplugin_ticks")
	p.sizes = proxywasm.DefineHistogramMetric("testplugin_sizes")
	if err := proxywasm.SetTickPeriodMilliSeconds(1000); err != nil {
		proxywasm.LogErrorf("tick: %v", err)
	}
	proxywasm.LogInfof("plugin started config=%q", string(cfg))
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) OnTick() {
	p.tickN++
	p.ticks.Add(1)
	// Count ticks across every VM in shared data: read, then write with the cas seen.
	for attempt := 0; attempt < 3; attempt++ {
		v, cas, err := proxywasm.GetSharedData("ticks")
		n := 0
		if err == nil {
			n, _ = strconv.Atoi(string(v))
		}
		if err := proxywasm.SetSharedData("ticks", []byte(strconv.Itoa(n+1)), cas); err == nil {
			break
		}
	}
	proxywasm.LogInfof("tick %d", p.tickN)
}

func (p *pluginContext) NewHttpContext(contextID uint32) types.HttpContext {
	return &httpContext{plugin: p, id: contextID}
}

type httpContext struct {
	types.DefaultHttpContext
	plugin *pluginContext
	id     uint32
}

func (h *httpContext) OnHttpRequestHeaders(numHeaders int, endOfStream bool) types.Action {
	h.plugin.requests.Increment(1)
	h.plugin.sizes.Record(uint64(numHeaders))
	path, _ := proxywasm.GetHttpRequestHeader(":path")
	switch {
	case path == "/local":
		_ = proxywasm.SendHttpResponse(403, [][2]string{{"x-reason", "denied"}}, []byte("forbidden"), -1)
		return types.ActionPause
	case path == "/local-twice":
		_ = proxywasm.SendHttpResponse(401, nil, []byte("first"), -1)
		_ = proxywasm.SendHttpResponse(500, nil, []byte("second"), -1)
		return types.ActionPause
	case path == "/panic":
		panic("boom")
	case strings.HasPrefix(path, "/dispatch"):
		return h.dispatch(path)
	case strings.HasPrefix(path, "/shared/"):
		// /shared/<key>/<value>/<cas>: set with the given cas, report status and the read-back.
		parts := strings.Split(strings.TrimPrefix(path, "/shared/"), "/")
		cas, _ := strconv.ParseUint(parts[2], 10, 32)
		err := proxywasm.SetSharedData(parts[0], []byte(parts[1]), uint32(cas))
		v, gotCas, gerr := proxywasm.GetSharedData(parts[0])
		_ = proxywasm.AddHttpRequestHeader("x-shared", errString(err)+"|"+string(v)+"|"+strconv.FormatUint(uint64(gotCas), 10)+"|"+errString(gerr))
		return types.ActionContinue
	}
	if id, err := proxywasm.GetProperty([]string{"request", "id"}); err == nil {
		_ = proxywasm.AddHttpRequestHeader("x-seen-request-id", string(id))
	}
	_ = proxywasm.AddHttpRequestHeader("x-plugin", "seen")
	proxywasm.LogInfof("request %s", path)
	return types.ActionContinue
}

func (h *httpContext) dispatch(path string) types.Action {
	hdrs := [][2]string{{":method", "GET"}, {":path", "/jwks"}, {":authority", "auth.example.com"}}
	cluster := "auth-cluster"
	switch path {
	case "/dispatch-unknown-cluster":
		cluster = "no-such-cluster"
	case "/dispatch-no-authority":
		hdrs = hdrs[:2]
	}
	_, err := proxywasm.DispatchHttpCall(cluster, hdrs, nil, nil, 5000, func(numHeaders, bodySize, numTrailers int) {
		status := "failed"
		if numHeaders > 0 {
			hs, _ := proxywasm.GetHttpCallResponseHeaders()
			for _, h := range hs {
				if h[0] == ":status" {
					status = h[1]
				}
			}
		}
		body, _ := proxywasm.GetHttpCallResponseBody(0, bodySize)
		_ = proxywasm.AddHttpRequestHeader("x-call", status+"|"+strconv.Itoa(numHeaders)+"|"+string(body))
		if status == "200" {
			_ = proxywasm.ResumeHttpRequest()
			return
		}
		_ = proxywasm.SendHttpResponse(503, nil, []byte("fetch "+status), -1)
	})
	if err != nil {
		_ = proxywasm.AddHttpRequestHeader("x-dispatch-error", err.Error())
		return types.ActionContinue
	}
	return types.ActionPause
}

func (h *httpContext) OnHttpResponseHeaders(numHeaders int, endOfStream bool) types.Action {
	status, _ := proxywasm.GetHttpResponseHeader(":status")
	_ = proxywasm.AddHttpResponseHeader("x-plugin-response", status)
	return types.ActionContinue
}

func (h *httpContext) OnHttpStreamDone() {
	proxywasm.LogInfof("stream %d done", h.id)
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
