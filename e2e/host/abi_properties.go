package host

import "strings"

// property looks a path up: the stream's properties, then the VM's, then
// the plugin attributes Envoy always has (envoy context.cc
// Context::findValue: plugin_name, plugin_root_id, plugin_vm_id). String
// values are returned as raw bytes, as serializeValue does for kString.
func (vm *VM) property(c *pctx, path string) (string, bool) {
	if c.stream != nil {
		if v, ok := c.stream.props[path]; ok {
			return v, true
		}
	}
	if v, ok := vm.cfg.Properties[path]; ok {
		return v, true
	}
	switch path {
	case "plugin_name":
		return vm.cfg.PluginName, true
	case "plugin_root_id":
		return vm.cfg.RootID, true
	case "plugin_vm_id":
		return vm.cfg.VMID, true
	}
	return "", false
}

// proxyGetProperty: the path's parts are NUL-separated (the SDK's
// SerializePropertyPath); a missing value is NotFound.
func proxyGetProperty(vm *VM, s []uint64) {
	raw, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	v, found := vm.property(vm.ctx(), strings.ReplaceAll(raw, "\x00", "."))
	if !found {
		ret(s, StatusNotFound)
		return
	}
	ret(s, copyOut(vm, v, uint32(s[2]), uint32(s[3])))
}

// proxySetProperty stores filter state on the stream; a root context has
// no stream info, so it is NotFound (envoy Context::setProperty).
func proxySetProperty(vm *VM, s []uint64) {
	raw, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	v, ok2 := vm.readString(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	c := vm.ctx()
	if c.stream == nil {
		ret(s, StatusNotFound)
		return
	}
	c.stream.props[strings.ReplaceAll(raw, "\x00", ".")] = v
	ret(s, StatusOK)
}
