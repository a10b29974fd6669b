# The plugin is built and unit-tested with a pinned Go: Go >= 1.25 output
# imports WASI functions released Envoy does not provide (README, "Toolchain").
PLUGIN_GO_VERSION := go1.24.13
GO      := GOTOOLCHAIN=$(PLUGIN_GO_VERSION) go
E2E_GO  := go
WASM    := build/plugin.wasm
FUZZTIME ?= 20s

.PHONY: build test test-native test-wasm lint fuzz clean

build:
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -ldflags='-s -w' -o $(WASM) .
	@ls -l $(WASM)

# test builds the plugin first; a failed build or a failed wasm run fails it.
test: build test-native test-wasm

test-native:
	$(GO) test ./...

test-wasm:
	cd e2e && PLUGIN_WASM=$(CURDIR)/$(WASM) $(E2E_GO) test ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./...
	cd e2e && $(E2E_GO) vet ./...

# fuzz runs every fuzz target for FUZZTIME on top of its seed corpus.
fuzz:
	@set -e; for pkg in ./config ./jwks ./jwt ./guard; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf build
