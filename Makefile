# zonage — build, import, run, test. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
DATA ?= $(if $(ZONAGE_DATA),$(ZONAGE_DATA),../shared/data)
SNAPSHOT := data/build/zonage.snap
BIN := bin/zonage
ADDR ?= :8080
GOFILES := $(shell find . -name '*.go' -not -path './node_modules/*')
EMBEDDED := $(shell find . -path ./node_modules -prune -o \( -name '*.yaml' -o -name '*.json' \) -print | grep -v '^./node_modules')
# Fuzz targets run a few seconds each in `make test`: package:target.
FUZZ_TARGETS := ./geo/csvbatch:FuzzRun
FUZZTIME ?= 5s

.PHONY: help build run quickstart snapshot test lint fuzz bench clean

help:
	@echo "make run         import the sources, build bin/zonage with the snapshot embedded, serve on $(ADDR)"
	@echo "make test        gofmt, go vet, every test with the race detector, then the fuzz targets ($(FUZZTIME) each)"
	@echo "make build       only build bin/zonage with the embedded snapshot"
	@echo "make quickstart  build, then look up Paris 6e by coordinates"
	@echo "make bench       the benchmarks quoted in the README"

$(BIN).noembed: $(GOFILES) $(EMBEDDED) go.mod go.sum
	@mkdir -p bin
	$(GO) build -o $@ ./cmd/zonage

$(SNAPSHOT): $(BIN).noembed
	./$(BIN).noembed import --data $(DATA) --snapshot $(SNAPSHOT)

snapshot: $(SNAPSHOT)

# The binary embeds the snapshot so it answers from anywhere with no file beside it.
$(BIN): $(SNAPSHOT) $(GOFILES) $(EMBEDDED)
	$(GO) build -tags embedsnapshot -o $@ ./cmd/zonage

build: $(BIN)

run: build
	./$(BIN) serve --addr $(ADDR)

quickstart: build
	./$(BIN) lookup --lat 48.8493 --lon 2.3325

lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The tests run against the real PostgreSQL/PostGIS: .ci/postgres.sh starts it (and
# installs it on a fresh machine when run as root) and prints its DSN.
test: lint
	dsn=$$(.ci/postgres.sh) && \
	ZONAGE_TEST_POSTGRES="$$dsn" ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -race -count=1 -timeout 30m ./...
	$(MAKE) fuzz

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	  ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

bench:
	ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -run '^$$' -bench . -benchmem ./geo ./geo/csvbatch ./importer

clean:
	rm -rf bin data/build
