# The plugin is built and unit-tested with a pinned Go: Go >= 1.25 output
# imports WASI functions released Envoy does not provide (README, "Toolchain").
PLUGIN_GO_VERSION := go1.24.13
GO      := GOTOOLCHAIN=$(PLUGIN_GO_VERSION) go
E2E_GO  := go
WASM    := build/plugin.wasm
FUZZTIME ?= 20s

.PHONY: build optimize run run-envoy test test-native test-wasm e2e-peers lint fuzz clean bench

# build compiles the plugin, then shrinks it with binaryen's wasm-opt
# (README, "Toolchain"): about 8% smaller, which keeps build/plugin.wasm
# within its 6 MB budget. wasm-opt takes about a minute, so it runs only
# when the Go output changed. Its features are pinned to what Go emits (MVP
# and bulk memory): newer instructions could fail in the proxy's runtime.
BINARYEN       := tools/binaryen
WASM_OPT       := $(BINARYEN)/node_modules/.bin/wasm-opt
WASM_OPT_FLAGS := -Oz --mvp-features --enable-bulk-memory-opt
GO_WASM_FLAGS  := -buildmode=c-shared -trimpath -ldflags='-s -w'

build: $(WASM_OPT)
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build $(GO_WASM_FLAGS) -o build/plugin.go.wasm .
	@$(MAKE) --no-print-directory optimize IN=build/plugin.go.wasm OUT=$(WASM)
	@ls -l build/plugin.go.wasm $(WASM)

# optimize runs wasm-opt on IN into OUT unless OUT was made from the same IN.
optimize:
	@if [ -f $(OUT) ] && cmp -s $(IN) $(OUT).from; then \
	  echo "wasm-opt: $(IN) unchanged, keeping $(OUT)"; \
	else \
	  echo "$(WASM_OPT) $(WASM_OPT_FLAGS) $(IN) -o $(OUT)"; \
	  $(WASM_OPT) $(WASM_OPT_FLAGS) $(IN) -o $(OUT).tmp && mv $(OUT).tmp $(OUT) && cp $(IN) $(OUT).from; \
	fi

$(WASM_OPT): $(BINARYEN)/package-lock.json
	cd $(BINARYEN) && npm ci --no-audit --no-fund
	@touch $@

# run serves the plugin on 127.0.0.1:10000 through the local wazero host with a
# self-contained demo (a development issuer and a small MCP server on loopback)
# and prints curl commands to try. ARGS are passed on, for example
# make run ARGS='-config config.json -cluster auth_server=https://auth.example.com -cluster mcp_upstream=http://127.0.0.1:8080'
run: build
	cd e2e && $(E2E_GO) build -o $(CURDIR)/build/mcp-oauth-local ./cmd/mcp-oauth-local
	./build/mcp-oauth-local -wasm $(WASM) $(ARGS)

# run-envoy runs the same demo in real Envoy, with a configuration generated
# from envoy.yaml (written to build/envoy-demo.yaml).
run-envoy:
	@command -v envoy >/dev/null 2>&1 || { echo "run-envoy: envoy is not on PATH; install Envoy >= 1.33, or run the same demo in the wazero host: make run" >&2; exit 1; }
	$(MAKE) build
	cd e2e && $(E2E_GO) build -o $(CURDIR)/build/mcp-oauth-local ./cmd/mcp-oauth-local
	./build/mcp-oauth-local -envoy -wasm $(WASM) $(ARGS)

# test builds the plugin first; a failed build or a failed wasm run fails it.
test: build test-native test-wasm

test-native:
	$(GO) test ./...

# test-wasm runs the e2e module against the compiled plugin; the peers
# package needs Node packages and Chromium and runs in `make e2e-peers`.
# -count=1: the tests read the plugin before go test starts watching the
# files they open, so a cached result could stand for another build.
test-wasm:
	cd e2e && PLUGIN_WASM=$(CURDIR)/$(WASM) $(E2E_GO) test -count=1 $$($(E2E_GO) list ./... | grep -v /peers)
	@command -v envoy >/dev/null 2>&1 || echo "test-wasm: SKIPPED TestEnvoyHTTPCases (e2e/localrun): envoy is not on PATH; the same cases ran in the wazero host"

# e2e-peers runs the interoperability tests (README, "Interoperability"): the
# plugin between oidc-provider, the official MCP TypeScript client and Go
# server, and headless Chromium. It installs the Node peers from the committed
# lockfile and Debian's chromium when /usr/bin/chromium is missing.
e2e-peers: build
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "e2e-peers: /usr/bin/chromium is missing: installing Debian's chromium (apt-get install -y chromium)"; \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "e2e-peers: FAILED: not root, cannot install chromium; run: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } || \
	    { echo "e2e-peers: FAILED: apt-get install -y chromium did not succeed" >&2; exit 1; }; \
	fi
	cd e2e/peers/node && npm ci --no-audit --no-fund
	cd e2e && PLUGIN_WASM=$(CURDIR)/$(WASM) $(E2E_GO) test -count=1 ./peers/...
	@command -v envoy >/dev/null 2>&1 || echo "e2e-peers: SKIPPED TestPeersEnvoy (e2e/peers): envoy is not on PATH; the same scenarios ran in the wazero host"

# lint: gofmt, go vet natively and for wasip1 (filter is left out of the
# wasip1 vet because its tests import proxytest, which does not build there;
# the plugin build compiles filter itself for wasip1), and the e2e module.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(GO) vet $$($(GO) list ./... | grep -v '/filter$$')
	cd e2e && $(E2E_GO) vet ./...

# fuzz runs every fuzz target for FUZZTIME on top of its seed corpus.
fuzz:
	@set -e; for pkg in ./config ./jwks ./jwt ./guard ./internal/base64url ./internal/memeq; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# bench measures every request kind natively and in wasm, memory over a
# million requests, JWKS fetching across VMs, size and start time; it writes
# BENCHMARKS.md and fails when a target of issue 5 is missed. It takes
# several minutes. PLUGIN_WASM and BENCH_OUT override what is measured and
# where the report goes.
BENCH_NATIVE := test -run '^$$' -bench . -benchmem -benchtime 500ms -count 3 ./filter
bench: build
	$(GO) $(BENCH_NATIVE) > build/bench-native.txt
	cd e2e/bench/verifier && GOOS=wasip1 GOARCH=wasm $(GO) build $(GO_WASM_FLAGS) -o $(CURDIR)/build/bench-verifier.go.wasm .
	@$(MAKE) --no-print-directory optimize IN=build/bench-verifier.go.wasm OUT=build/bench-verifier.wasm
	cd e2e && PLUGIN_WASM=$${PLUGIN_WASM:-$(CURDIR)/$(WASM)} VERIFIER_WASM=$(CURDIR)/build/bench-verifier.wasm \
	  $(E2E_GO) run ./bench/cmd/benchreport -benchtime 500ms -rounds 5 \
	  -native $(CURDIR)/build/bench-native.txt -native-go "$$($(GO) env GOVERSION)" -native-command "go $(BENCH_NATIVE)" \
	  -out $${BENCH_OUT:-$(CURDIR)/BENCHMARKS.md}

clean:
	rm -rf build
