package config

import (
	"encoding/json"
	"testing"
)

// edit changes the minimal valid configuration before it is encoded.
type edit func(doc map[string]any)

// minimal returns testdata/minimal.json as a fresh map.
func minimal() map[string]any {
	return map[string]any{
		"resource":              "https://mcp.example.com/mcp",
		"authorization_servers": []any{"https://auth.example.com"},
		"providers": []any{map[string]any{
			"name":   "example",
			"issuer": "https://auth.example.com",
			"remote_jwks": map[string]any{
				"cluster":   "auth_server",
				"authority": "auth.example.com",
				"path":      "/.well-known/jwks.json",
			},
		}},
	}
}

func build(t testing.TB, e edit) []byte {
	t.Helper()
	doc := minimal()
	e(doc)
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// set puts value under key, or removes key when value is nil.
func set(m map[string]any, key string, value any) {
	if value == nil {
		delete(m, key)
		return
	}
	m[key] = value
}

func setTop(key string, value any) edit {
	return func(doc map[string]any) { set(doc, key, value) }
}

func provider(doc map[string]any) map[string]any {
	return doc["providers"].([]any)[0].(map[string]any)
}

func setProvider(key string, value any) edit {
	return func(doc map[string]any) { set(provider(doc), key, value) }
}

func setRemote(key string, value any) edit {
	return func(doc map[string]any) { set(provider(doc)["remote_jwks"].(map[string]any), key, value) }
}

// addProvider appends a copy of the first provider with some members changed.
func addProvider(changes map[string]any) edit {
	return func(doc map[string]any) {
		second := map[string]any{}
		for k, v := range provider(doc) {
			second[k] = v
		}
		for k, v := range changes {
			set(second, k, v)
		}
		doc["providers"] = append(doc["providers"].([]any), second)
	}
}

func setRules(rules ...map[string]any) edit {
	list := make([]any, len(rules))
	for i, r := range rules {
		list[i] = r
	}
	return setTop("rules", list)
}

func setClaimHeader(claim, header string) edit {
	return setTop("claim_to_headers", []any{map[string]any{"claim": claim, "header": header}})
}

func editAll(edits ...edit) edit {
	return func(doc map[string]any) {
		for _, e := range edits {
			e(doc)
		}
	}
}

// Valid SHA-256 digests for API keys in tests.
const (
	hashA = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae" // sha256("foo")
	hashB = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9" // sha256("bar")
)

func apiKey(name, sha string) map[string]any {
	return map[string]any{"name": name, "sha256": sha}
}

// withKeys sets auth_mode and api_keys.
func withKeys(mode string, keys ...map[string]any) edit {
	list := make([]any, len(keys))
	for i, k := range keys {
		list[i] = k
	}
	return editAll(setTop("auth_mode", mode), setTop("api_keys", list))
}
