// Command mcp-oauth-local serves the compiled plugin on a real HTTP port
// through the project's wazero proxy-wasm host (or, with -envoy, through
// real Envoy). With no arguments it runs a self-contained demo on loopback
// and prints curl commands to try. `make run` and `make run-envoy` run it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program, with its context (cancelled by SIGINT/SIGTERM)
// and output passed in so tests can drive it. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcp-oauth-local: %v\n", err)
		return 2
	}
	switch {
	case o.envoy:
		err = runEnvoyDemo(ctx, o, stdout, stderr)
	case o.peersOnly:
		err = runPeersOnly(ctx, o, stdout, stderr)
	case o.demo:
		err = runDemo(ctx, o, stdout, stderr)
	default:
		err = runConfig(ctx, o, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcp-oauth-local: %v\n", err)
		return 1
	}
	return 0
}
