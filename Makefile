# zonage — build, import, test. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
DATA ?= $(if $(ZONAGE_DATA),$(ZONAGE_DATA),../shared/data)
SNAPSHOT := data/build/zonage.snap
BIN := bin/zonage
GOFILES := $(shell find . -name '*.go' -not -path './node_modules/*')

.PHONY: help build quickstart snapshot test lint bench clean

help:
	@echo "make build       build the snapshot from $(DATA) and the zonage binary with it embedded"
	@echo "make quickstart  build, then look up Paris 6e by coordinates"
	@echo "make test        gofmt, go vet and every test with the race detector"
	@echo "make bench       the lookup and snapshot-load benchmarks"

$(BIN).noembed: $(GOFILES) go.mod go.sum
	@mkdir -p bin
	$(GO) build -o $@ ./cmd/zonage

$(SNAPSHOT): $(BIN).noembed
	./$(BIN).noembed import --data $(DATA) --snapshot $(SNAPSHOT)

snapshot: $(SNAPSHOT)

# The binary embeds the snapshot so it answers from anywhere with no file beside it.
$(BIN): $(SNAPSHOT) $(GOFILES)
	$(GO) build -tags embedsnapshot -o $@ ./cmd/zonage

build: $(BIN)

quickstart: build
	./$(BIN) lookup --lat 48.8493 --lon 2.3325

lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: lint
	ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -race -count=1 ./...

bench:
	ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -run '^$$' -bench . -benchmem ./geo ./importer

clean:
	rm -rf bin data/build
