package bench

import (
	"slices"
	"testing"
)

func TestDiffHeaders(t *testing.T) {
	base := [][2]string{{":path", "/mcp"}, {"accept", "application/json"}}
	with := func(extra ...[2]string) [][2]string { return append(slices.Clone(base), extra...) }
	auth := [2]string{"authorization", "Bearer t"}
	sub, client := [2]string{"x-mcp-subject", "user-123"}, [2]string{"x-mcp-client", "client-abc"}
	for _, tc := range []struct {
		name              string
		request, upstream [][2]string
		wantRemove        []string
		wantSet           [][2]string
	}{
		{"no edit", with(auth), with(auth), nil, nil},
		{"a cache hit's edits", with(auth), with(sub, client), []string{"authorization"}, [][2]string{sub, client}},
		{"a value replaced", with(sub), with([2]string{"x-mcp-subject", "other"}), nil, [][2]string{{"x-mcp-subject", "other"}}},
		{"a repeated header removed is one removal", with(auth, auth), base, []string{"authorization"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffHeaders(tc.request, tc.upstream)
			if !slices.Equal(got.remove, tc.wantRemove) || !slices.Equal(got.set, tc.wantSet) {
				t.Fatalf("diffHeaders = %+v, want remove %v, set %v", got, tc.wantRemove, tc.wantSet)
			}
		})
	}
}
