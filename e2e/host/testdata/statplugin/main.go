// Command statplugin calls os.Stat so that Go ≥1.25 imports
// wasi_snapshot_preview1.path_filestat_get, which released Envoy lacks.
package main

import (
	"os"

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
	_, err := os.Stat("/etc/hostname")
	proxywasm.LogInfof("stat: %v", err)
	return types.OnPluginStartStatusOK
}
