package host

import "fmt"

// proxyLog: cpp-host src/exports.cc log rejects levels above Max (6);
// Envoy's Context::log then PANICs on level 6 ("off"), which the host
// records as a host error instead of crashing.
func proxyLog(vm *VM, s []uint64) {
	level := LogLevel(uint32(s[0]))
	if level > logOff {
		ret(s, StatusBadArgument)
		return
	}
	msg, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	if level == logOff {
		vm.h.errs = append(vm.h.errs, fmt.Errorf("proxy_log at level 6 (off): Envoy would PANIC: %q", msg))
		ret(s, StatusBadArgument)
		return
	}
	vm.log(level, msg)
	ret(s, StatusOK)
}

// proxyGetStatus: the root context's status, set to BrokenConnection
// "reset" during a failed call's callback (envoy context.cc
// Context::onHttpCallFailure; cpp-host exports.cc get_status).
func proxyGetStatus(vm *VM, s []uint64) {
	if !vm.writeU32(uint32(s[0]), vm.status) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, copyOut(vm, vm.statusMsg, uint32(s[1]), uint32(s[2])))
}
