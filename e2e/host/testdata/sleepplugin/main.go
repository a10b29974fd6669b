// Command sleepplugin calls time.Sleep in OnPluginStart: Go's runtime then
// needs poll_oneoff, which released Envoy stubs with ENOSYS.
package main

import (
	"time"

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

func (*vmContext) NewPluginContext(uint32) types.PluginContext {
	return &pluginContext{}
}

type pluginContext struct {
	types.DefaultPluginContext
}

func (*pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	time.Sleep(10 * time.Millisecond)
	proxywasm.LogInfo("slept")
	return types.OnPluginStartStatusOK
}
