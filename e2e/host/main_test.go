package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Plugins built and compiled once by TestMain, keyed by directory name.
var (
	pluginWasm    = map[string][]byte{}
	pluginModules = map[string]*Module{}
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "host-test-plugins")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"testplugin", "statplugin", "sleepplugin"} {
		out := filepath.Join(dir, name+".wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/"+name)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			// A failed build fails the tests: never skip.
			fmt.Fprintf(os.Stderr, "building %s failed: %v\n%s", name, err, b)
			return 1
		}
		b, err := os.ReadFile(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		pluginWasm[name] = b
		mod, err := Compile(context.Background(), b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "compiling %s failed: %v\n", name, err)
			return 1
		}
		defer mod.Close(context.Background())
		pluginModules[name] = mod
	}
	return m.Run()
}

// compiled returns the named plugin, compiled once per test process.
func compiled(t *testing.T, name string) *Module {
	t.Helper()
	m, ok := pluginModules[name]
	if !ok {
		t.Fatalf("plugin %s was not built", name)
	}
	return m
}

// newHost starts a host running testplugin with one VM.
func newHost(t *testing.T, opts Options) (*Host, *VM) {
	t.Helper()
	if opts.Clusters == nil {
		opts.Clusters = []string{"auth-cluster"}
	}
	h := New(context.Background(), compiled(t, "testplugin"), opts)
	vm, err := h.NewVM(VMConfig{VMID: "vm", RootID: "root", PluginName: "test", PluginConfiguration: []byte("cfg")})
	if err != nil {
		t.Fatalf("NewVM: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h, vm
}

func reqHeaders(path string) [][2]string {
	return [][2]string{{":method", "GET"}, {":path", path}, {":authority", "mcp.example.com"}, {":scheme", "https"}}
}
