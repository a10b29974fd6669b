package host

import (
	"crypto/rand"
	"encoding/binary"
	"sort"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// WASIFlavour selects which WASI functions the host provides.
type WASIFlavour int

const (
	// WASIReleasedEnvoy is WASI as released Envoy (≥1.33, Istio ≥1.25)
	// provides it: cpp-host PR #427, FOR_ALL_WASI_FUNCTIONS in
	// include/proxy-wasm/exports.h before PR #533.
	WASIReleasedEnvoy WASIFlavour = iota
	// WASICppHostPR533 is cpp-host after PR #533 (2026-04, commit 94091cd):
	// the rest of wasip1 as stubs, and poll_oneoff returning success.
	// No released Envoy has it yet (envoy #44526).
	WASICppHostPR533
)

func (f WASIFlavour) String() string {
	if f == WASICppHostPR533 {
		return "cpp-host PR #533"
	}
	return "released Envoy"
}

// wasiModules are the two module names cpp-host registers every WASI
// function under (src/wasm.cc WasmBase::registerCallbacks).
var wasiModules = []string{"wasi_snapshot_preview1", "wasi_unstable"}

// releasedWASI is FOR_ALL_WASI_FUNCTIONS before PR #533.
var releasedWASI = []string{
	"fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "fd_fdstat_set_flags",
	"environ_get", "environ_sizes_get", "args_get", "args_sizes_get", "clock_time_get",
	"random_get", "sched_yield", "poll_oneoff", "proc_exit", "path_open",
	"fd_prestat_get", "fd_prestat_dir_name",
}

// pr533WASI are the functions PR #533 added to FOR_ALL_WASI_FUNCTIONS.
var pr533WASI = []string{
	"fd_fdstat_set_rights", "clock_res_get", "fd_advise", "fd_allocate", "fd_datasync",
	"fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_pwrite", "fd_readdir",
	"fd_renumber", "fd_sync", "fd_tell", "path_create_directory", "path_filestat_set_times",
	"path_link", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
	"path_unlink_file", "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
	"path_filestat_get", "fd_filestat_get",
}

// WASIFunctions lists the WASI function names (without module) a flavour provides.
func WASIFunctions(f WASIFlavour) []string {
	out := append([]string(nil), releasedWASI...)
	if f == WASICppHostPR533 {
		out = append(out, pr533WASI...)
	}
	sort.Strings(out)
	return out
}

// wasiProfile is what a flavour provides and allows.
type wasiProfile struct {
	flavour      WASIFlavour
	provided     map[string]bool // "module.name"
	initAllowed  map[string]bool // host calls allowed during _initialize
	allocAllowed map[string]bool // host calls allowed during proxy_on_memory_allocate
}

func qualify(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		if strings.HasPrefix(n, "env.") {
			out[n] = true
			continue
		}
		for _, m := range wasiModules {
			out[m+"."+n] = true
		}
	}
	return out
}

func newWASIProfile(f WASIFlavour) *wasiProfile {
	p := &wasiProfile{flavour: f, provided: qualify(WASIFunctions(f)...)}
	if f == WASICppHostPR533 {
		// cpp-host src/wasm.cc WasmBase::startVm after PR #533: every WASI
		// stub is allowed during _initialize.
		p.initAllowed = qualify(append([]string{"env.emscripten_notify_memory_growth", "env.proxy_log"},
			WASIFunctions(f)...)...)
		// include/proxy-wasm/wasm.h WasmBase::allocMemory after PR #533.
		p.allocAllowed = qualify("env.proxy_log", "fd_write", "clock_time_get", "poll_oneoff")
		delete(p.initAllowed, "wasi_snapshot_preview1.proc_exit")
		delete(p.initAllowed, "wasi_unstable.proc_exit")
		delete(p.initAllowed, "wasi_snapshot_preview1.path_open")
		delete(p.initAllowed, "wasi_unstable.path_open")
		delete(p.initAllowed, "wasi_snapshot_preview1.fd_read")
		delete(p.initAllowed, "wasi_unstable.fd_read")
		delete(p.initAllowed, "wasi_snapshot_preview1.fd_seek")
		delete(p.initAllowed, "wasi_unstable.fd_seek")
		delete(p.initAllowed, "wasi_snapshot_preview1.fd_close")
		delete(p.initAllowed, "wasi_unstable.fd_close")
		delete(p.initAllowed, "wasi_snapshot_preview1.sched_yield")
		delete(p.initAllowed, "wasi_unstable.sched_yield")
		return p
	}
	// cpp-host src/wasm.cc WasmBase::startVm before PR #533.
	p.initAllowed = qualify("env.emscripten_notify_memory_growth", "env.proxy_log",
		"fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get",
		"fd_prestat_get", "fd_prestat_dir_name", "clock_time_get", "random_get",
		"fd_fdstat_get", "fd_fdstat_set_flags")
	// include/proxy-wasm/wasm.h WasmBase::allocMemory before PR #533.
	p.allocAllowed = qualify("env.proxy_log", "fd_write", "clock_time_get")
	return p
}

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

func sig(s string) []api.ValueType {
	out := make([]api.ValueType, 0, len(s))
	for _, c := range s {
		if c == 'L' {
			out = append(out, i64)
		} else {
			out = append(out, i32)
		}
	}
	return out
}

// wasiFuncs returns the superset of WASI host functions with cpp-host's
// signatures (include/proxy-wasm/exports.h; Word is i32). Note that after
// PR #533 cpp-host declares path_link with 6 and path_symlink with 4
// parameters, one fewer than wasip1: a module importing them fails to link
// with an import type mismatch, which the import check reproduces.
func wasiFuncs() []hostFunc {
	type def struct {
		name, params, results string
		fn                    func(vm *VM, s []uint64)
	}
	ret := func(v uint32) func(*VM, []uint64) { return func(_ *VM, s []uint64) { s[0] = uint64(v) } }
	onlyStdio := func(v uint32) func(*VM, []uint64) {
		return func(_ *VM, s []uint64) {
			if fd := uint32(s[0]); fd != 1 && fd != 2 {
				s[0] = errnoBadf
				return
			}
			s[0] = uint64(v)
		}
	}
	defs := []def{
		{"fd_write", "IIII", "I", wasiFdWrite},
		{"fd_read", "IIII", "I", ret(errnoNosys)},
		{"fd_seek", "ILII", "I", func(vm *VM, s []uint64) { vm.hostError("wasi_unstable fd_seek"); s[0] = 0 }},
		{"fd_close", "I", "I", func(vm *VM, s []uint64) { vm.hostError("wasi_unstable fd_close"); s[0] = 0 }},
		{"fd_fdstat_get", "II", "I", wasiFdstatGet},
		{"fd_fdstat_set_flags", "II", "I", ret(errnoNosys)},
		{"environ_get", "II", "I", wasiEnvironGet},
		{"environ_sizes_get", "II", "I", wasiEnvironSizesGet},
		{"args_get", "II", "I", ret(errnoSuccess)},
		{"args_sizes_get", "II", "I", func(vm *VM, s []uint64) {
			if !vm.writeU32(uint32(s[0]), 0) || !vm.writeU32(uint32(s[1]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = 0
		}},
		{"clock_time_get", "ILI", "I", wasiClockTimeGet},
		{"random_get", "II", "I", wasiRandomGet},
		{"sched_yield", "", "I", ret(errnoSuccess)},
		{"poll_oneoff", "IIII", "I", wasiPollOneoff},
		{"proc_exit", "I", "", func(vm *VM, _ []uint64) { vm.hostError("wasi_unstable proc_exit") }},
		{"path_open", "IIIIILLII", "I", ret(errnoNoent)},
		{"fd_prestat_get", "II", "I", ret(errnoBadf)},
		{"fd_prestat_dir_name", "III", "I", ret(errnoNosys)},
		// PR #533 additions (src/exports.cc after 94091cd).
		{"fd_fdstat_set_rights", "ILL", "I", onlyStdio(0)},
		{"clock_res_get", "II", "I", func(vm *VM, s []uint64) {
			if id := uint32(s[0]); id > 1 {
				s[0] = errnoNotsup
				return
			}
			if !vm.writeU64(uint32(s[1]), 1) {
				s[0] = errnoFault
				return
			}
			s[0] = 0
		}},
		{"fd_advise", "ILLI", "I", ret(errnoSuccess)},
		{"fd_allocate", "ILL", "I", onlyStdio(0)},
		{"fd_datasync", "I", "I", onlyStdio(0)},
		{"fd_filestat_set_size", "IL", "I", onlyStdio(0)},
		{"fd_filestat_set_times", "ILLI", "I", onlyStdio(0)},
		{"fd_pread", "IIILI", "I", ret(errnoNosys)},
		{"fd_pwrite", "IIILI", "I", func(vm *VM, s []uint64) {
			fd := uint32(s[0])
			if fd != 1 && fd != 2 {
				s[0] = errnoBadf
				return
			}
			n, errno := vm.writev(fd, uint32(s[1]), uint32(s[2]))
			if errno == 0 && !vm.writeU32(uint32(s[4]), n) {
				errno = errnoFault
			}
			s[0] = uint64(errno)
		}},
		{"fd_readdir", "IIILI", "I", func(vm *VM, s []uint64) {
			if !vm.writeU32(uint32(s[4]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = errnoNotdir
		}},
		{"fd_renumber", "II", "I", func(_ *VM, s []uint64) {
			fd, to := uint32(s[0]), uint32(s[1])
			if (fd != 1 && fd != 2) || (to != 1 && to != 2) {
				s[0] = errnoBadf
				return
			}
			s[0] = errnoNotsup
		}},
		{"fd_sync", "I", "I", onlyStdio(0)},
		{"fd_tell", "II", "I", func(vm *VM, s []uint64) {
			if fd := uint32(s[0]); fd != 1 && fd != 2 {
				s[0] = errnoBadf
				return
			}
			if !vm.writeU64(uint32(s[1]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = 0
		}},
		{"path_create_directory", "III", "I", ret(errnoNotsup)},
		{"path_filestat_set_times", "IIIILLI", "I", ret(errnoNotsup)},
		{"path_link", "IIIIII", "I", ret(errnoNotsup)},
		{"path_readlink", "IIIIII", "I", func(vm *VM, s []uint64) {
			if !vm.writeU32(uint32(s[5]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = errnoNotsup
		}},
		{"path_remove_directory", "III", "I", ret(errnoNotsup)},
		{"path_rename", "IIIIII", "I", ret(errnoNotsup)},
		{"path_symlink", "IIII", "I", ret(errnoNotsup)},
		{"path_unlink_file", "III", "I", ret(errnoNotsup)},
		{"sock_accept", "III", "I", func(vm *VM, s []uint64) {
			if !vm.writeU64(uint32(s[2]), 0) { // setDatatype(retptr0, 0UL) writes 8 bytes
				s[0] = errnoFault
				return
			}
			s[0] = errnoNotsup
		}},
		{"sock_recv", "IIIIII", "I", func(vm *VM, s []uint64) {
			if !vm.writeU32(uint32(s[4]), 0) || !vm.write(uint32(s[5]), []byte{0, 0}) {
				s[0] = errnoFault
				return
			}
			s[0] = errnoNotsup
		}},
		{"sock_send", "IIIII", "I", func(vm *VM, s []uint64) {
			if !vm.writeU32(uint32(s[4]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = errnoNotsup
		}},
		{"sock_shutdown", "II", "I", ret(errnoNotsup)},
		{"path_filestat_get", "IIIII", "I", ret(errnoNotsup)},
		{"fd_filestat_get", "II", "I", ret(errnoBadf)},
	}
	var out []hostFunc
	for _, m := range wasiModules {
		for _, d := range defs {
			out = append(out, hostFunc{module: m, name: d.name, params: sig(d.params), results: sig(d.results), fn: d.fn})
		}
	}
	return out
}

// wasiFdWrite: cpp-host src/exports.cc wasi_unstable_fd_write/writevImpl.
func wasiFdWrite(vm *VM, s []uint64) {
	n, errno := vm.writev(uint32(s[0]), uint32(s[1]), uint32(s[2]))
	if errno == 0 && !vm.writeU32(uint32(s[3]), n) {
		errno = errnoFault
	}
	s[0] = uint64(errno)
}

// writev sends stdout to the log at info and stderr at error, dropping one
// trailing newline (cpp-host src/exports.cc writevImpl); other fds are EBADF.
func (vm *VM) writev(fd, iovs, iovsLen uint32) (uint32, uint32) {
	var level LogLevel
	switch fd {
	case 1:
		level = LogInfo
	case 2:
		level = LogError
	default:
		return 0, errnoBadf
	}
	var sb strings.Builder
	for i := uint32(0); i < iovsLen; i++ {
		iov, ok := vm.read(iovs+8*i, 8)
		if !ok {
			return 0, errnoFault
		}
		ptr, size := binary.LittleEndian.Uint32(iov), binary.LittleEndian.Uint32(iov[4:])
		if size == 0 {
			continue
		}
		b, ok := vm.read(ptr, size)
		if !ok {
			return 0, errnoFault
		}
		sb.Write(b)
	}
	msg := sb.String()
	if fd == 2 && vm.callLog.Len() < 4096 {
		vm.callLog.WriteString(msg)
	}
	if msg != "" {
		vm.log(level, strings.TrimSuffix(msg, "\n"))
	}
	return uint32(len(msg)), 0
}

// wasiFdstatGet: only stdout and stderr, 24 bytes with rights_base=FD_WRITE
// (cpp-host src/exports.cc wasi_unstable_fd_fdstat_get).
func wasiFdstatGet(vm *VM, s []uint64) {
	if fd := uint32(s[0]); fd != 1 && fd != 2 {
		s[0] = errnoBadf
		return
	}
	var st [24]byte
	binary.LittleEndian.PutUint64(st[8:], 64)
	vm.write(uint32(s[1]), st[:]) // cpp-host ignores a failed write here
	s[0] = 0
}

func (vm *VM) environ() []string {
	keys := make([]string, 0, len(vm.cfg.Env))
	for k := range vm.cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+vm.cfg.Env[k]+"\x00")
	}
	return out
}

// wasiEnvironGet: cpp-host src/exports.cc wasi_unstable_environ_get; the
// variables are Envoy's vm_config.environment_variables (VMConfig.Env).
func wasiEnvironGet(vm *VM, s []uint64) {
	arr, buf := uint32(s[0]), uint32(s[1])
	for _, e := range vm.environ() {
		if !vm.writeU32(arr, buf) || !vm.write(buf, []byte(e)) {
			s[0] = errnoFault
			return
		}
		arr += 4
		buf += uint32(len(e))
	}
	s[0] = 0
}

func wasiEnvironSizesGet(vm *VM, s []uint64) {
	env := vm.environ()
	size := 0
	for _, e := range env {
		size += len(e)
	}
	if !vm.writeU32(uint32(s[0]), uint32(len(env))) || !vm.writeU32(uint32(s[1]), uint32(size)) {
		s[0] = errnoFault
		return
	}
	s[0] = 0
}

// wasiClockTimeGet reads the host's virtual clock: realtime and monotonic
// only (cpp-host src/exports.cc wasi_unstable_clock_time_get).
func wasiClockTimeGet(vm *VM, s []uint64) {
	var v uint64
	switch uint32(s[0]) {
	case 0:
		v = uint64(vm.h.clock.now.UnixNano())
	case 1:
		v = vm.h.clock.monotonic()
	default:
		s[0] = errnoNotsup
		return
	}
	if !vm.writeU64(uint32(s[2]), v) {
		s[0] = errnoFault
		return
	}
	s[0] = 0
}

// wasiRandomGet: at most 64 KiB per call (cpp-host limits.h).
func wasiRandomGet(vm *VM, s []uint64) {
	n := uint32(s[1])
	if n > randomGetMax {
		s[0] = errnoInval
		return
	}
	if n == 0 {
		s[0] = 0
		return
	}
	b := make([]byte, n)
	_, _ = rand.Read(b)
	if !vm.write(uint32(s[0]), b) {
		s[0] = errnoFault
		return
	}
	s[0] = 0
}

// wasiPollOneoff: released Envoy returns ENOSYS, on which Go's runtime
// aborts (golang/go #78513). After PR #533 cpp-host writes nevents=0 and
// returns success at once; Go then busy-waits on the clock until its timer
// is due. The real clock advances during that wait; the virtual clock does
// not, so here the host advances it to the earliest clock subscription's
// deadline, which is the same outcome without spinning forever.
func wasiPollOneoff(vm *VM, s []uint64) {
	if vm.h.wasi.flavour != WASICppHostPR533 {
		s[0] = errnoNosys
		return
	}
	in, nsubs, neventsPtr := uint32(s[0]), uint32(s[2]), uint32(s[3])
	var wait time.Duration = -1
	for i := uint32(0); i < nsubs; i++ {
		sub, ok := vm.read(in+48*i, 48)
		if !ok || sub[8] != 0 { // tag 0 = clock
			continue
		}
		timeout := binary.LittleEndian.Uint64(sub[24:])
		flags := binary.LittleEndian.Uint16(sub[40:])
		d := time.Duration(timeout)
		if flags&1 != 0 { // absolute time on the subscription's clock
			d = time.Duration(timeout) - time.Duration(vm.h.clock.monotonic())
			if binary.LittleEndian.Uint32(sub[16:]) == 0 {
				d = time.Duration(int64(timeout) - vm.h.clock.now.UnixNano())
			}
		}
		if d < 0 {
			d = 0
		}
		if wait < 0 || d < wait {
			wait = d
		}
	}
	if wait > 0 {
		vm.h.clock.advance(wait)
	}
	if !vm.writeU32(neventsPtr, 0) {
		s[0] = errnoFault
		return
	}
	s[0] = 0
}
