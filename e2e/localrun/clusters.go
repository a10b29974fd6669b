package localrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Cluster map errors.
var (
	// ErrClusterSpec: a -cluster value is not name=url.
	ErrClusterSpec = errors.New("cluster must be written name=url")
	// ErrClusterName: the name is not one Envoy accepts for a cluster here.
	ErrClusterName = errors.New("invalid cluster name")
	// ErrClusterURL: the address is not an http or https origin.
	ErrClusterURL = errors.New("cluster address must be an http:// or https:// origin (scheme, host, optional port; no path, query or user)")
	// ErrClustersFile: the clusters file is not a JSON object of strings.
	ErrClustersFile = errors.New(`clusters file must be a JSON object {"name": "url", ...}`)
	// ErrClusterDuplicate: the same name was mapped twice.
	ErrClusterDuplicate = errors.New("cluster mapped twice")
)

// Clusters maps Envoy cluster names (what the plugin passes to
// proxy_http_call, and the route's upstream) to the origin that answers for
// them, e.g. "auth_server" → "https://auth.example.com".
type Clusters map[string]string

// clusterName accepts the names Envoy configurations use, Istio's
// "outbound|443||auth.example.com" included.
var clusterName = regexp.MustCompile(`^[A-Za-z0-9_.|:-]{1,200}$`)

// ParseCluster reads one -cluster flag value, "name=url".
func ParseCluster(spec string) (name, origin string, err error) {
	name, origin, ok := strings.Cut(spec, "=")
	if !ok {
		return "", "", fmt.Errorf("%w: %q", ErrClusterSpec, spec)
	}
	if err := checkCluster(name, origin); err != nil {
		return "", "", err
	}
	return name, strings.TrimSuffix(origin, "/"), nil
}

// ParseClustersFile reads a clusters file: one JSON object mapping names to
// origins, {"auth_server": "https://auth.example.com"}.
func ParseClustersFile(data []byte) (Clusters, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, ErrClustersFile
	}
	out := Clusters{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrClustersFile, err)
		}
		name, _ := tok.(string)
		var origin string
		if err := dec.Decode(&origin); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrClustersFile, name, err)
		}
		if err := out.Add(name, origin); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrClustersFile, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("%w: data after the object", ErrClustersFile)
	}
	return out, nil
}

// Add maps a cluster, refusing a second mapping of the same name.
func (c Clusters) Add(name, origin string) error {
	if err := checkCluster(name, origin); err != nil {
		return err
	}
	if _, dup := c[name]; dup {
		return fmt.Errorf("%w: %q", ErrClusterDuplicate, name)
	}
	c[name] = strings.TrimSuffix(origin, "/")
	return nil
}

// Names returns the mapped cluster names.
func (c Clusters) Names() []string {
	out := make([]string, 0, len(c))
	for n := range c {
		out = append(out, n)
	}
	return out
}

func checkCluster(name, origin string) error {
	if !clusterName.MatchString(name) {
		return fmt.Errorf("%w: %q", ErrClusterName, name)
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("%w: %s=%q", ErrClusterURL, name, origin)
	}
	return nil
}
