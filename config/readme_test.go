package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestReadmeMigrationStagesParse keeps README "Migrating from API keys"
// exact: every JSON block there, laid over config.json, must be a valid
// configuration, and the stages must walk api_key → both → both → oauth.
func TestReadmeMigrationStagesParse(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join("..", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "\n## Migrating from API keys\n")
	if start < 0 {
		t.Fatal(`README has no "## Migrating from API keys" section`)
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var modes []AuthMode
	for _, block := range strings.Split(section, "```json\n")[1:] {
		block = block[:strings.Index(block, "```")]
		doc := map[string]json.RawMessage{}
		if err := json.Unmarshal(base, &doc); err != nil {
			t.Fatal(err)
		}
		stage := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(block), &stage); err != nil {
			t.Fatalf("README block is not a JSON object: %v\n%s", err, block)
		}
		for k, v := range stage {
			doc[k] = v
		}
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(data)
		if err != nil {
			t.Fatalf("README stage configuration refused: %v\n%s", err, block)
		}
		modes = append(modes, c.AuthMode)
	}
	if want := []AuthMode{AuthModeAPIKey, AuthModeBoth, AuthModeBoth, AuthModeOAuth}; !reflect.DeepEqual(modes, want) {
		t.Fatalf("README migration stages have modes %q, want %q", modes, want)
	}
}
