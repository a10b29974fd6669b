package bench

import (
	"context"
	"sync"
	"testing"
)

// fixture is loaded on first use, so `go test ./...` without -bench does
// not build or compile anything.
var fixture = sync.OnceValues(func() (*Fixture, error) {
	ctx := context.Background()
	plugin, verifier, err := Paths(ctx)
	if err != nil {
		return nil, err
	}
	return Load(ctx, plugin, verifier)
})

func load(b *testing.B) *Fixture {
	b.Helper()
	f, err := fixture()
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkRequest is each kind of request through build/plugin.wasm.
func BenchmarkRequest(b *testing.B) {
	for _, c := range load(b).RequestCases() {
		b.Run(c.Name, c.Run)
	}
}

// BenchmarkVerify is bare signature verification in the verifier module.
func BenchmarkVerify(b *testing.B) {
	for _, c := range load(b).VerifierCases() {
		b.Run(c.Name, c.Run)
	}
}
