package artifacts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// readRepoFile reads a file relative to the repository root, two levels up
// from this package. The artifacts are part of the repository, so a missing
// file is a failure, never a skip.
func readRepoFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	path := filepath.Join(append([]string{"..", ".."}, elem...)...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return data
}

// decodeJSON decodes one JSON value into the generic form (maps, slices,
// float64, string, bool, nil) so that two documents compare by meaning, not
// by layout.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// jsonDifference names the first place where two decoded JSON values
// differ, or returns "" when they are equal.
func jsonDifference(got, want any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want an object", path, got)
		}
		for _, k := range unionKeys(g, w) {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				return fmt.Sprintf("%s.%s: missing", path, k)
			case !wok:
				return fmt.Sprintf("%s.%s: unexpected member", path, k)
			}
			if d := jsonDifference(gv, wv, path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want an array", path, got)
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: got %d elements, want %d", path, len(g), len(w))
		}
		for i := range w {
			if d := jsonDifference(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		return ""
	}
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// edit replaces the one occurrence of old by new in an artifact's text.
type edit struct{ old, new string }

// applyEdits applies the edits in order, failing the test unless each old
// text occurs exactly once: a broken variant that silently equals the
// original would let its row pass for the wrong reason.
func applyEdits(t *testing.T, s string, edits []edit) string {
	t.Helper()
	for _, e := range edits {
		if n := strings.Count(s, e.old); n != 1 {
			t.Fatalf("edit: %q occurs %d times, want exactly once", e.old, n)
		}
		s = strings.Replace(s, e.old, e.new, 1)
	}
	return s
}

func TestJSONDifferenceNamesFirstMismatch(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
		diff      string
	}{
		{"equal despite layout", `{"a":[1,{"b":true}],"c":"x"}`, `{"c":"x", "a":[1, {"b": true}]}`, ""},
		{"changed scalar", `{"a":{"b":1}}`, `{"a":{"b":2}}`, "$.a.b: got 1, want 2"},
		{"missing member", `{"a":{}}`, `{"a":{"b":1}}`, "$.a.b: missing"},
		{"extra member", `{"a":{"b":1,"c":2}}`, `{"a":{"b":1}}`, "$.a.c: unexpected member"},
		{"shorter array", `{"a":[1]}`, `{"a":[1,2]}`, "$.a: got 1 elements, want 2"},
		{"array element", `[1,"x"]`, `[1,"y"]`, `$[1]: got "x", want "y"`},
		{"type change", `{"a":"1"}`, `{"a":1}`, `$.a: got "1", want 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeJSON([]byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeJSON([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if d := jsonDifference(got, want, "$"); d != tt.diff {
				t.Errorf("jsonDifference = %q, want %q", d, tt.diff)
			}
		})
	}
}
