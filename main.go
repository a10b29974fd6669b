// Command plugin is the mcp-oauth-wasm proxy-wasm module.
package main

import (
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/filter"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

func main() {}

// init only registers the VM context: most host calls are not allowed
// during _initialize (PITFALLS 3).
func init() {
	proxywasm.SetVMContext(filter.NewVMContext(time.Now))
}
