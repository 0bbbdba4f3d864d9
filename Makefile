# MaintainUK — the two commands are `make run` and `make test`; the rest is for developers.
GO      ?= go
BIN     := bin/maintainuk
TOOL    := $(GO) tool -modfile=tools/go.mod
PKGS    := ./...

.PHONY: run test build lint vet fmt-check staticcheck generate check-generated docs clean

## run: build and start everything locally (private PostgreSQL under ./.data, demo org, :8080)
run: build
	./$(BIN) dev

## build: compile the binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/maintainuk

## test: lint, then the whole suite against a throwaway PostgreSQL the binary starts itself
test: build lint
	./$(BIN) with-postgres -- $(GO) test -count=1 $(TESTFLAGS) $(PKGS)

## lint: go vet, gofmt and staticcheck
lint: vet fmt-check staticcheck

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

staticcheck:
	$(TOOL) staticcheck $(PKGS)

## generate: compile SQL with sqlc and regenerate docs/configuration.md
generate:
	$(TOOL) sqlc generate
	$(GO) run ./cmd/maintainuk config-doc > docs/configuration.md

## check-generated: fail if generated code or docs are stale
check-generated: generate
	git diff --exit-code -- '*db/*.go' docs/configuration.md

clean:
	rm -rf bin
