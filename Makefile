# wageproof: `make demo` runs the main job on embedded data; `make test` runs
# every test, installing what it needs first.
GO      ?= go
BIN     ?= bin/wageproof
PKGS    := ./...

.PHONY: all build demo test deps vet bench gobench fixtures clean solc browser

all: build

deps:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/wageproof

demo: deps
	$(GO) run ./cmd/wageproof demo

vet: deps
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# solcjs (npm solc, pinned by contracts/package-lock.json) for the EVM tests
# in verifier/evm, which fail without it.
solc:
	npm ci --prefix contracts --no-audit --no-fund

# Debian's Chromium and playwright-core (pinned by the lock file) for the
# dashboard's browser test in aggregate/service, which fails in CI without them.
browser:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	npm ci --prefix aggregate/service/browsertest --no-audit --no-fund

test: vet solc browser
	$(GO) test -count=1 -timeout 20m $(PKGS)

# The figures table (README, "Speed"): every circuit and backend, batch
# verification, aggregator ingest and query at 1M and 10M rows.
bench: deps
	$(GO) run ./cmd/wageproof bench

# Go benchmarks of the hot paths, for profiling (-short skips the 10M-row store).
gobench: deps solc
	$(GO) test -run '^$$' -bench . -benchmem -short $(PKGS)

# Regenerates the committed test vectors (new keys: commit them together).
fixtures: deps
	$(GO) run ./fixtures/gen

clean:
	rm -rf bin
