// Package artifacts holds the tests that keep the deployment artifacts at
// the repository root, envoy.yaml and istio/wasmplugin.yaml, valid against
// the Envoy and Istio APIs and consistent with config.json. It has no code
// of its own: everything lives in the test files.
package artifacts
