package filter

import (
	"time"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// NewVMContext returns the plugin's VM context. now is the clock: time.Now in
// the plugin, a controllable clock in tests.
func NewVMContext(now func() time.Time) types.VMContext {
	return &vmContext{now: now}
}

type vmContext struct {
	types.DefaultVMContext
	now func() time.Time
}

func (v *vmContext) NewPluginContext(contextID uint32) types.PluginContext {
	return &pluginContext{contextID: contextID, now: v.now}
}
