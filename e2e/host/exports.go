package host

import "github.com/tetratelabs/wazero/api"

// exportCache holds one api.Function per export of the VM's current module
// instance, as a proxy-wasm host resolves its callbacks once per VM
// (cpp-host WasmBase::getFunctions) and calls them on the worker's own
// stack. wazero gives each api.Function a call stack of its own, created
// at 10 KiB and grown by copying when a deep call needs more: looking the
// export up for every call started each callback on a new stack, and a
// signature check deep in a request grew it again on every request.
type exportCache struct {
	mod api.Module
	fns map[string]*export
}

type export struct {
	fn   api.Function // nil when the module does not export the name
	busy bool         // a call is running on fn's stack
}

// exported returns the export name (nil when absent) and a function to
// call once the call returns. A re-entrant call of an export that is
// already running gets a function of its own: an api.Function's stack
// serves one call at a time.
func (vm *VM) exported(name string) (api.Function, func()) {
	if vm.exports.mod != vm.mod {
		vm.exports = exportCache{mod: vm.mod, fns: map[string]*export{}}
	}
	e := vm.exports.fns[name]
	if e == nil {
		e = &export{fn: vm.mod.ExportedFunction(name)}
		vm.exports.fns[name] = e
	}
	switch {
	case e.fn == nil:
		return nil, func() {}
	case e.busy:
		return vm.mod.ExportedFunction(name), func() {}
	}
	e.busy = true
	return e.fn, func() { e.busy = false }
}
