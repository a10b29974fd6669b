package artifacts

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// k8sObject is the Kubernetes envelope of one manifest document; decoding
// it with unknown fields disallowed catches misspelt top-level keys.
type k8sObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
}

// splitYAMLDocuments splits a YAML stream at "---" lines and drops
// documents holding only comments and blank lines.
func splitYAMLDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur []string
	content := false
	flush := func() {
		if content {
			docs = append(docs, []byte(strings.Join(cur, "\n")))
		}
		cur, content = nil, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimRight(line, " \t\r") == "---" {
			flush()
			continue
		}
		cur = append(cur, line)
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			content = true
		}
	}
	flush()
	return docs
}

// decodeIstioSpec decodes a spec with protojson, rejecting unknown fields,
// and then requires every key to be the field's camelCase JSON name:
// protojson also accepts the proto name (image_pull_policy), which the
// Kubernetes API server does not.
func decodeIstioSpec(spec json.RawMessage, msg proto.Message) error {
	if len(spec) == 0 {
		return errors.New("no spec")
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(spec, msg); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(spec, &v); err != nil {
		return err
	}
	return checkJSONNames(v, msg.ProtoReflect().Descriptor(), "spec")
}

func checkJSONNames(v any, md protoreflect.MessageDescriptor, path string) error {
	// Well-known types (Struct, wrappers, Duration) have JSON forms of their
	// own; pluginConfig's keys in particular are the plugin's, not Istio's.
	if md.ParentFile().Package() == "google.protobuf" {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil // protojson has already checked the shape
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		at := path + "." + k
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			return fmt.Errorf("%s: not a camelCase field name", at)
		}
		var err error
		switch {
		case fd.IsMap():
			if vd := fd.MapValue().Message(); vd != nil {
				entries, _ := obj[k].(map[string]any)
				for _, ek := range sortedKeys(entries) {
					if err = checkJSONNames(entries[ek], vd, at+"."+ek); err != nil {
						break
					}
				}
			}
		case fd.IsList():
			if fd.Message() != nil {
				elems, _ := obj[k].([]any)
				for i, e := range elems {
					if err = checkJSONNames(e, fd.Message(), fmt.Sprintf("%s[%d]", at, i)); err != nil {
						break
					}
				}
			}
		case fd.Message() != nil:
			err = checkJSONNames(obj[k], fd.Message(), at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestSplitYAMLDocumentsDropsEmptyDocuments(t *testing.T) {
	in := "# header\n---\na: 1\n--- \n# only a comment\n---\nb: 2\n---\n"
	got := splitYAMLDocuments([]byte(in))
	want := []string{"a: 1", "b: 2"}
	if len(got) != len(want) {
		t.Fatalf("got %d documents %q, want %q", len(got), got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("document %d = %q, want %q", i, got[i], want[i])
		}
	}
}
