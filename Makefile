# MaintainUK — the two commands are `make run` and `make test`; the rest is for developers.
GO      ?= go
BIN     := bin/maintainuk
TOOL    := $(GO) tool -modfile=tools/go.mod
PKGS    := ./...

.PHONY: run test build lint vet fmt-check staticcheck gosec openapi-lint generate check-generated docs clean bench bench-api bench-queue bench-micro

## run: build and start everything locally (private PostgreSQL under ./.data, demo org, :8080)
run: build
	./$(BIN) dev

## build: compile the binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/maintainuk

## test: lint, then the whole suite against a throwaway PostgreSQL the binary starts itself
## (or, when TEST_DATABASE_URL is given, against that server: a superuser URL),
## then about a minute of fuzzing (Go runs one -fuzz target per invocation): the text checks
## and request decoding, contact validation, webhook signatures (ours, Twilio's, Stripe's),
## the AI redactor and the AI answers' decoder, FUZZTIME each (docs/security.md)
FUZZTIME ?= 3s
TEST_ENV := MAILPIT_BIN=$(CURDIR)/bin/mailpit STRIPE_MOCK_BIN=$(CURDIR)/bin/stripe-mock AXE_JS=$(CURDIR)/bin/axe.min.js CHROMIUM_BIN=$(CHROMIUM)
test: build lint bin/mailpit bin/stripe-mock bin/axe.min.js chromium
ifdef TEST_DATABASE_URL
	$(TEST_ENV) TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(GO) test -count=1 $(TESTFLAGS) $(PKGS)
else
	$(TEST_ENV) ./$(BIN) with-postgres -- $(GO) test -count=1 $(TESTFLAGS) $(PKGS)
endif
	$(GO) test -run='^$$' -fuzz='^FuzzText$$' -fuzztime=8s ./internal/validate/
	$(GO) test -run='^$$' -fuzz='^FuzzCreateTicketBody$$' -fuzztime=10s ./internal/httpapi/
	@for target in FuzzEmail:validate FuzzPhone:validate FuzzPostcode:validate FuzzJSONText:validate \
		FuzzSign:webhooks FuzzValidSignature:messaging/twilio FuzzVerifyWebhook:billing/payments/stripe \
		FuzzRedact:ai/redact FuzzDecode:ai/schema; do \
		echo "fuzz $${target%%:*} for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$${target%%:*}\$$" -fuzztime=$(FUZZTIME) ./internal/$${target#*:}/ || exit 1; \
	done

## bin/mailpit: a real SMTP server (pinned in tools/go.mod) for the email tests
bin/mailpit: tools/go.mod tools/go.sum
	$(GO) build -modfile=tools/go.mod -o bin/mailpit github.com/axllent/mailpit

## chromium: Debian's Chromium, which the web UI's browser tests drive (installed with
## apt-get when missing)
CHROMIUM ?= /usr/bin/chromium
.PHONY: chromium screenshots
chromium:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
		apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; }

## bin/axe.min.js: axe-core, the accessibility checker the browser tests inject into each
## page (from the npm registry, pinned)
AXE_VERSION := 4.10.3
bin/axe.min.js:
	mkdir -p bin/.axe && cd bin/.axe && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
		tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js ../axe.min.js
	rm -rf bin/.axe

## screenshots: the browser tests again, saving the main pages to docs/screenshots/
screenshots: build bin/mailpit bin/stripe-mock bin/axe.min.js chromium
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(TEST_ENV) ./$(BIN) with-postgres -- $(GO) test -count=1 -run '^TestBrowser' ./internal/web/

## bin/stripe-mock: Stripe's official mock API server (pinned in tools/go.mod) for the
## payment-provider tests
bin/stripe-mock: tools/go.mod tools/go.sum
	$(GO) build -modfile=tools/go.mod -o bin/stripe-mock github.com/stripe/stripe-mock

## bench: the whole performance picture in one run (docs/benchmarks.md): the API beside a
## pgbench baseline of the same SQL on 1,000 organisations and 200,000 tickets, then the job
## queue. Reports, never asserts. BENCH_DURATION, BENCH_CLIENTS, BENCH_SCENARIOS tune it.
bench: bench-api bench-queue

## bench-api: only the API beside its SQL baseline, ~10 min; MAINTAINUK_BIN=path measures
## another build of the server (an earlier commit's, for before and after)
MAINTAINUK_BIN ?= $(CURDIR)/$(BIN)
bench-api: build bin/mailpit
	BENCH_API=1 MAINTAINUK_BIN=$(MAINTAINUK_BIN) MAILPIT_BIN=$(CURDIR)/bin/mailpit ./$(BIN) with-postgres -- \
		$(GO) test -count=1 -timeout 90m -run '^TestAPIBenchmark$$' -v ./internal/apibench/

## bench-queue: River beside the seed's 5 s polled outbox; the app's client: dispatch at 500/s, event → webhook,
## 10,000-job drain beside bare River clients; ~4 min (docs/benchmarks.md)
bench-queue: build
	BENCH_QUEUE=1 ./$(BIN) with-postgres -- $(GO) test -count=1 -timeout 10m -run '^TestQueueBenchmark$$' -v ./internal/jobs/

## bench-micro: the in-process hot paths (JWT verify, create-ticket decode and validate with
## checkText's body walk, a page of tickets encoded, SLA due time), BENCH_COUNT runs each (default 6), summarised
## by benchstat; BENCH_BASE=file compares with an earlier run's output (docs/benchmarks-micro.md)
BENCH_COUNT ?= 6
MICRO_PKGS  := ./internal/identity/ ./internal/httpapi/ ./internal/validate/ ./internal/tickets/

bench-micro:
	@mkdir -p bin
	@echo "go test -bench, $(BENCH_COUNT) runs of each benchmark (about $(BENCH_COUNT)0 s); raw output in bin/bench-micro.txt"
	@$(GO) test -run='^$$' -bench=. -benchmem -count=$(BENCH_COUNT) $(MICRO_PKGS) > bin/bench-micro.txt || { cat bin/bench-micro.txt; exit 1; }
	$(TOOL) benchstat $(BENCH_BASE) bin/bench-micro.txt

## lint: go vet, gofmt, staticcheck, gosec and Redocly's recommended rules on the OpenAPI document
lint: vet fmt-check staticcheck gosec openapi-lint

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

staticcheck:
	$(TOOL) staticcheck $(PKGS)

## gosec: the security linter (pinned in tools/go.mod); a new finding fails make test. Each
## exception is a `// #nosec G### -- reason` on its line. Left out everywhere, with reasons:
##   G104 (unchecked errors): the unchecked calls are Close and Remove while cleaning up
##        after an earlier error, which is the error returned;
##   G115 (integer conversions): page sizes, counts and bounded settings converted to the
##        int32 parameters sqlc generates, and seeds; each is bounded before it is converted;
##   generated code (sqlc's queries hold column names like password_hash that G101 reads
##        as credentials).
gosec:
	$(TOOL) gosec -quiet -exclude-generated -exclude=G104,G115 $(PKGS)

## openapi-lint: Redocly CLI (pinned in tools/node/package-lock.json, installed once with
## npm ci) lints the document `maintainuk openapi` prints; the lint itself uses no network
REDOCLY := tools/node/node_modules/.bin/redocly

$(REDOCLY): tools/node/package.json tools/node/package-lock.json
	cd tools/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

openapi-lint: build $(REDOCLY)
	./$(BIN) openapi > bin/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --extends=recommended --format=stylish bin/openapi.json

## generate: compile SQL with sqlc and regenerate docs/configuration.md
generate:
	$(TOOL) sqlc generate
	$(GO) run ./cmd/maintainuk config-doc > docs/configuration.md

## check-generated: fail if generated code or docs are stale
check-generated: generate
	git diff --exit-code -- '*db/*.go' docs/configuration.md

clean:
	rm -rf bin
