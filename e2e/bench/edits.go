package bench

import (
	"fmt"
	"slices"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// headerEdits are the request header edits a filter made: the names it
// removed and the headers it set.
type headerEdits struct {
	remove []string
	set    [][2]string
}

// diffHeaders is what turned request into upstream: the names of request
// absent from upstream, and the headers of upstream absent from request.
func diffHeaders(request, upstream [][2]string) headerEdits {
	var e headerEdits
	for _, kv := range request {
		if !slices.ContainsFunc(upstream, func(u [2]string) bool { return u[0] == kv[0] }) && !slices.Contains(e.remove, kv[0]) {
			e.remove = append(e.remove, kv[0])
		}
	}
	for _, kv := range upstream {
		if !slices.Contains(request, kv) {
			e.set = append(e.set, kv)
		}
	}
	return e
}

// pluginEdits sends request once through a fresh plugin VM (the benchmark
// configuration, keys served) and returns the edits it made on the way
// upstream: for a valid token, removing Authorization and setting the
// identity headers, as on every cache hit.
func (f *Fixture) pluginEdits(request [][2]string) (headerEdits, error) {
	p, err := f.newPluginProxy(1, scenario.BaseConfig, true)
	if err != nil {
		return headerEdits{}, err
	}
	defer p.Close()
	e, err := editsBy(p.VMs[0], request)
	if err == nil && len(e.remove)+len(e.set) == 0 {
		err = fmt.Errorf("the plugin edited no header of the request")
	}
	return e, err
}

// madeBy checks that one request through vm reaches upstream edited as e
// says.
func (e headerEdits) madeBy(vm *host.VM, request [][2]string) error {
	got, err := editsBy(vm, request)
	if err != nil {
		return err
	}
	if !slices.Equal(got.remove, e.remove) || !slices.Equal(got.set, e.set) {
		return fmt.Errorf("edits made: %v, want %v", got, e)
	}
	return nil
}

// editsBy runs one whole stream through vm and returns the edits that
// turned request into what reached upstream.
func editsBy(vm *host.VM, request [][2]string) (headerEdits, error) {
	s := vm.Request(request, nil)
	u := s.Upstream()
	if err := s.Done(); err != nil {
		return headerEdits{}, err
	}
	if u == nil {
		return headerEdits{}, fmt.Errorf("request not forwarded: %v (vm: %v)", s, s.Err())
	}
	return diffHeaders(request, u.Headers), nil
}
