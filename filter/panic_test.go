package filter

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// capturingVM keeps the plugin context so a test can break it.
type capturingVM struct {
	vmContext
	plugin *pluginContext
}

func (c *capturingVM) NewPluginContext(id uint32) types.PluginContext {
	c.plugin = c.vmContext.NewPluginContext(id).(*pluginContext)
	return c.plugin
}

// startCapturing starts the base configuration in proxytest with the clock
// stopped at now and answers its JWKS fetch with jwks, returning the host,
// the plugin context and the emulator's reset function.
func startCapturing(tb testing.TB, now time.Time, jwks []byte) (proxytest.HostEmulator, *pluginContext, func()) {
	tb.Helper()
	vm := &capturingVM{vmContext: vmContext{now: func() time.Time { return now }}}
	opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(scenario.BaseConfig))
	host, reset := proxytest.NewHostEmulator(opt)
	if host.StartPlugin() != types.OnPluginStartStatusOK {
		reset()
		tb.Fatal("plugin did not start")
	}
	call := host.GetCalloutAttributesFromContext(proxytest.PluginContextID)[0]
	host.CallOnHttpCallResponse(call.CalloutID, [][2]string{{":status", "200"}}, nil, jwks)
	return host, vm.plugin, reset
}

// TestPanicFailsClosedAndVMKeepsServing breaks the plugin's key lookup so a
// request panics inside the callback: the request must get a 500 JSON reply,
// never reach the upstream, and the next request must be served normally.
func TestPanicFailsClosedAndVMKeepsServing(t *testing.T) {
	issuer, _ := scenario.NewIssuers(t)
	now := time.Unix(1_900_000_000, 0)
	host, plugin, reset := startCapturing(t, now, issuer.JWKS("rsa-1"))
	defer reset()

	token := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	headers := [][2]string{{":method", "POST"}, {":path", "/mcp"}, {"authorization", "Bearer " + token}}

	saved := plugin.remotes
	plugin.remotes = nil // KeySet now indexes out of range
	id := host.InitializeHttpContext()
	if action := host.CallOnRequestHeaders(id, headers, true); action != types.ActionPause {
		t.Fatalf("action after panic = %v, want pause", action)
	}
	reply := host.GetSentLocalResponse(id)
	if reply == nil || reply.StatusCode != 500 {
		t.Fatalf("want a 500 local reply after a panic, got %+v", reply)
	}
	var body map[string]string
	if err := json.Unmarshal(reply.Data, &body); err != nil || body["error"] != "server_error" {
		t.Fatalf("500 body = %s", reply.Data)
	}

	plugin.remotes = saved
	id = host.InitializeHttpContext()
	if action := host.CallOnRequestHeaders(id, headers, true); action != types.ActionContinue {
		t.Fatalf("VM did not keep serving: action %v, reply %+v", action, host.GetSentLocalResponse(id))
	}
}
