package localrun_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/localrun"
)

func TestParseCluster(t *testing.T) {
	tests := []struct {
		spec      string
		name, url string
		wantErr   error
	}{
		{spec: "auth_server=https://auth.example.com", name: "auth_server", url: "https://auth.example.com"},
		{spec: "mcp_upstream=http://127.0.0.1:8080/", name: "mcp_upstream", url: "http://127.0.0.1:8080"},
		{spec: "outbound|443||auth.example.com=https://auth.example.com:8443", name: "outbound|443||auth.example.com", url: "https://auth.example.com:8443"},
		{spec: "auth_server", wantErr: localrun.ErrClusterSpec},
		{spec: "=https://auth.example.com", wantErr: localrun.ErrClusterName},
		{spec: "auth server=https://auth.example.com", wantErr: localrun.ErrClusterName},
		{spec: "auth_server=auth.example.com", wantErr: localrun.ErrClusterURL},
		{spec: "auth_server=ftp://auth.example.com", wantErr: localrun.ErrClusterURL},
		{spec: "auth_server=https://auth.example.com/jwks", wantErr: localrun.ErrClusterURL},
		{spec: "auth_server=https://auth.example.com?x=1", wantErr: localrun.ErrClusterURL},
		{spec: "auth_server=https://user@auth.example.com", wantErr: localrun.ErrClusterURL},
		{spec: "auth_server=https://", wantErr: localrun.ErrClusterURL},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			name, url, err := localrun.ParseCluster(tt.spec)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseCluster(%q) error %v, want %v", tt.spec, err, tt.wantErr)
			}
			if name != tt.name || url != tt.url {
				t.Errorf("ParseCluster(%q) = %q, %q, want %q, %q", tt.spec, name, url, tt.name, tt.url)
			}
		})
	}
}

func TestParseClustersFile(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    localrun.Clusters
		wantErr error
	}{
		{
			name: "two clusters",
			data: `{"auth_server": "https://auth.example.com", "mcp_upstream": "http://127.0.0.1:8080"}`,
			want: localrun.Clusters{"auth_server": "https://auth.example.com", "mcp_upstream": "http://127.0.0.1:8080"},
		},
		{name: "empty object", data: `{}`, want: localrun.Clusters{}},
		{name: "array", data: `["a"]`, wantErr: localrun.ErrClustersFile},
		{name: "number value", data: `{"a": 1}`, wantErr: localrun.ErrClustersFile},
		{name: "duplicate", data: `{"a": "http://127.0.0.1:1", "a": "http://127.0.0.1:2"}`, wantErr: localrun.ErrClusterDuplicate},
		{name: "bad url", data: `{"a": "127.0.0.1:1"}`, wantErr: localrun.ErrClusterURL},
		{name: "trailing data", data: `{} {}`, wantErr: localrun.ErrClustersFile},
		{name: "truncated", data: `{"a": "http://127.0.0.1:1"`, wantErr: localrun.ErrClustersFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := localrun.ParseClustersFile([]byte(tt.data))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseCluster(f *testing.F) {
	for _, s := range []string{"a=http://127.0.0.1:1", "auth_server=https://auth.example.com/", "=", "a=b=c", "a=http://[::1]:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		name, url, err := localrun.ParseCluster(spec)
		if err != nil {
			return
		}
		// What was accepted is accepted again, unchanged.
		name2, url2, err := localrun.ParseCluster(name + "=" + url)
		if err != nil || name2 != name || url2 != url {
			t.Fatalf("%q → %q=%q does not round-trip: %q=%q, %v", spec, name, url, name2, url2, err)
		}
	})
}

func FuzzParseClustersFile(f *testing.F) {
	for _, s := range []string{`{"a": "http://127.0.0.1:1"}`, `{}`, `{"a": 1}`, `[]`, `{"a": "http://x", "a": "http://y"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := localrun.ParseClustersFile(data)
		if err != nil {
			return
		}
		for name, url := range got {
			if _, _, err := localrun.ParseCluster(name + "=" + url); err != nil {
				t.Fatalf("file accepted %q=%q that the flag refuses: %v", name, url, err)
			}
		}
	})
}
