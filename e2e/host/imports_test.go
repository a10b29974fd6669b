package host

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// pathLink7 is a minimal module importing wasi_snapshot_preview1.path_link
// with wasip1's seven i32 parameters.
var pathLink7 = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x0c, 0x01, 0x60, 0x07, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
	0x02, 0x24, 0x01,
	0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1',
	0x09, 'p', 'a', 't', 'h', '_', 'l', 'i', 'n', 'k',
	0x00, 0x00,
}

// cpp-host after PR #533 declares path_link with six parameters, so a
// module importing the wasip1 signature fails to link; released Envoy does
// not have path_link at all.
func TestImportChecksMirrorEnvoyLink(t *testing.T) {
	m, err := Compile(context.Background(), pathLink7)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	err = CheckImports(m, WASICppHostPR533)
	if !errors.Is(err, ErrImportMismatch) || !strings.HasPrefix(err.Error(),
		"Failed to load Wasm module due to an import type mismatch: wasi_snapshot_preview1.path_link") {
		t.Fatalf("PR #533: %v", err)
	}
	if err := CheckImports(m, WASIReleasedEnvoy); !errors.Is(err, ErrMissingImport) {
		t.Fatalf("released Envoy: %v", err)
	}
}
