// Package peers runs the compiled plugin against software nobody here
// wrote: oidc-provider as the authorization server, the official MCP Go SDK
// as the upstream MCP server, the official MCP TypeScript SDK as the client,
// and headless Chromium as a browser. Everything listens on 127.0.0.1 with
// ephemeral ports; each test starts and stops its own processes and prints
// their logs when it fails.
//
// The Node peers live in node/ (package.json with a committed lockfile):
// run `make e2e-peers`, which installs them with `npm ci` and runs this
// package. Without node_modules (or chromium for the browser test) the tests
// skip with the command to run, and fail when CI is set.
package peers
