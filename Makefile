# Scalingo Database API toolkit. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
GO ?= go
GINKGO := $(GO) run github.com/onsi/ginkgo/v2/ginkgo $(if $(CI)$(NO_COLOR),--no-color)
REPORTS := reports
# golangci-lint is built into bin/ at this version by `make lint` (not a go.mod dependency).
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := bin/golangci-lint
GOLANGCI_LINT_STAMP := bin/.golangci-lint-$(GOLANGCI_LINT_VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: generate
generate: ## Regenerate gen/dbapi from openapi.yaml.
	$(GO) generate ./gen/...

.PHONY: check-generated
check-generated: ## Regenerate and fail if gen/ differs from what is committed.
	@$(GO) generate ./gen/...
	@if ! git diff --quiet --exit-code -- gen/ || [ -n "$$(git ls-files --others --exclude-standard gen/)" ]; then \
		echo "gen/ is stale: run 'make generate' and commit the result" >&2; \
		git --no-pager diff --stat -- gen/ >&2; exit 1; \
	fi

.PHONY: check-tracked
check-tracked: ## Fail on a tracked binary executable, or a tracked file over 1 MiB outside testdata/.
	@scripts/check-tracked-files.sh

.PHONY: lint
lint: $(GOLANGCI_LINT_STAMP) ## golangci-lint (.golangci.yml), go mod tidy -diff and spec validation.
	$(GOLANGCI_LINT) run ./...
	$(GO) mod tidy -diff
	$(GO) test -count=1 -run 'TestSpec' .

$(GOLANGCI_LINT_STAMP):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@rm -f bin/.golangci-lint-*
	@touch $@

.PHONY: test
test: ## Run every test (unit, spec, mock, client, contract-suite proofs).
	$(GO) test -count=1 ./...

.PHONY: test-race
# The packages whose code runs goroutines: the client, the mock, the checker, the load generator
# and the suite's harness. Left out: the suite's own package (Ginkgo runs its specs one at a time
# in a process; compiling Ginkgo and Gomega under -race costs 2 minutes on a cold 2-core machine),
# and contract/compiled and contract/drift, which run the suite as child processes the race
# detector does not see into.
test-race: ## Run the tests of the packages that run goroutines under the race detector.
	$(GO) test -race -count=1 ./pkg/... ./internal/... ./contract/internal/...

# REPORTS is the one reports folder (JUnit, coverage JSON and table, HTML, summary.txt); the
# suite reads it as DBAPI_REPORTS_DIR.
CONTRACT_ENV := DBAPI_REPORTS_DIR=$(abspath $(REPORTS))
# The verdict of a failed run (exit code 1 contract broken, 3 settings wrong, 4 unreachable) from
# summary.txt: ginkgo -p itself exits 1 whatever broke.
CONTRACT_VERDICT = { s=$$?; f=$(REPORTS)/summary.txt; [ -f "$$f" ] || exit $$s; \
	echo "--- $$f"; cat "$$f"; c=$$(sed -n '1s/.*(exit code \([0-9]*\)).*/\1/p' "$$f"); exit $${c:-$$s}; }

.PHONY: contract
contract: ## Run the contract suite against the built-in mock (the main job).
	@rm -f $(REPORTS)/summary.txt
	@env -u DBAPI_BASE_URL -u DB_BEARER_TOKEN -u DBAPI_DATABASE_ID -u DBAPI_ES_DATABASE_ID -u DBAPI_ALLOW_WRITES -u DBAPI_BASE_PATH \
		$(CONTRACT_ENV) $(GINKGO) -p --randomize-all --ldflags='$(CONTRACT_LDFLAGS)' ./contract || $(CONTRACT_VERDICT)

.PHONY: contract-live
contract-live: ## Run the contract suite against DBAPI_BASE_URL (read-only unless DBAPI_ALLOW_WRITES=1); on failure, REPORTS/summary.txt.
	@test -n "$$DBAPI_BASE_URL" || { echo "set DBAPI_BASE_URL (with /api), DB_BEARER_TOKEN and DBAPI_DATABASE_ID; optional: DBAPI_ES_DATABASE_ID, DBAPI_ALLOW_WRITES=1" >&2; exit 3; }
	@rm -f $(REPORTS)/summary.txt
	@$(CONTRACT_ENV) $(GINKGO) -p --randomize-all --ldflags='$(CONTRACT_LDFLAGS)' $(if $(LABELS),--label-filter='$(LABELS)') ./contract || $(CONTRACT_VERDICT)

# The suite's version and commit, which --version and every report print with the spec's version.
HARNESS_PKG := github.com/scalingodb/dbapi-go/contract/internal/harness
CONTRACT_LDFLAGS = -X $(HARNESS_PKG).suiteVersion=$(CLI_VERSION) -X $(HARNESS_PKG).suiteCommit=$(shell git rev-parse HEAD 2>/dev/null || echo unknown)

.PHONY: contract-binary
contract-binary: ## Build bin/scalingodb-contract, the compiled suite with the spec embedded (runs from any folder).
	@mkdir -p bin
	$(GO) test -c -ldflags "$(CONTRACT_LDFLAGS)" -o bin/scalingodb-contract ./contract
	@ln -f bin/scalingodb-contract bin/scalingodb-contract.test # the name ginkgo -p takes

.PHONY: report-shots
report-shots: ## Screenshots of a passing, a failing and a settings-wrong HTML report into docs/report (needs chromium; not in CI).
	scripts/report-shots.sh

CLI_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: cli
cli: ## Build the command-line tool into bin/scalingodb: a static binary (no cgo), which starts faster.
	CGO_ENABLED=0 $(GO) build -ldflags "-X github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli.Version=$(CLI_VERSION)" -o bin/scalingodb ./cmd/scalingodb

.PHONY: docs-cli
docs-cli: ## Regenerate docs/cli, the Markdown reference of every command of the CLI (cobra/doc).
	$(GO) run ./cmd/scalingodb/gendocs -dir docs/cli

.PHONY: check-docs-cli
check-docs-cli: ## Regenerate docs/cli and fail if it differs from what is committed.
	@$(GO) run ./cmd/scalingodb/gendocs -q -dir docs/cli
	@if ! git diff --quiet --exit-code -- docs/cli || [ -n "$$(git ls-files --others --exclude-standard docs/cli)" ]; then \
		echo "docs/cli is stale: run 'make docs-cli' and commit the result" >&2; \
		git --no-pager diff --stat -- docs/cli >&2; exit 1; \
	fi

.PHONY: bench
bench: ## Run the benchmarks and print the ratios the issues set as goals.
	@mkdir -p $(REPORTS)
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/... ./cmd/scalingodb/... | tee $(REPORTS)/bench.txt
	@awk -f scripts/bench-summary.awk $(REPORTS)/bench.txt

# The soak test of the mock (issue #25): SOAK_DURATION of mixed traffic with faults, through the
# client, against bin/scalingodb-mock run as a process of its own. Not in CI: it takes 30 minutes.
# SOAK_FLAGS go to scripts/soak (-workers, -rate, -error-rate, -reset-rate, -rate-limit-rate…;
# `go run ./scripts/soak -h` lists them). The table and summary also go to REPORTS/soak.txt, the
# mock's own output to REPORTS/soak-mock.log.
SOAK_DURATION ?= 30m
SOAK_FLAGS ?=

.PHONY: soak
soak: ## Soak the mock for SOAK_DURATION (30m) with faults: req/s, p50, p99, RSS, live heap, fds a minute, then PASS/FAIL.
	@mkdir -p bin $(REPORTS)
	$(GO) build -o bin/scalingodb-mock ./cmd/scalingodb-mock
	$(GO) build -o bin/scalingodb-soak ./scripts/soak
	bin/scalingodb-soak -mock bin/scalingodb-mock -mock-log $(REPORTS)/soak-mock.log -duration $(SOAK_DURATION) $(SOAK_FLAGS) | tee $(REPORTS)/soak.txt

# ---- The spec's gates: lint, breaking changes, docs, third-party tools ----------------------
# Every tool is pinned and installed into the project: npm tools in tools/node_modules (from
# tools/package-lock.json), oasdiff in bin/. Nothing is installed globally.
NPM_BIN := tools/node_modules/.bin
OASDIFF_VERSION := v1.37.0
OASDIFF := bin/oasdiff
# The spec breaking changes are measured against: the last released info.version, so that the
# gate guards everything released. Release step (each release of openapi.yaml, breaking or not):
# write the version's section of spec/CHANGELOG.md (make spec-changelog prints the changes), copy
# openapi.yaml to spec/baseline/openapi-<its info.version>.yaml, name that copy here, delete the
# old one, and empty spec/oasdiff-accepted.txt. Between releases, a change oasdiff rates breaking
# that is intended is listed in spec/oasdiff-accepted.txt (one line per change, as oasdiff
# prints it: "METHOD /path text") with its reason in spec/CHANGELOG.md.
# spec/oasdiff-levels.txt raises rules (one "rule-id level" a line, no comments): a removed
# optional response property, and a removed optional response header (downloadBackup's ETag,
# Last-Modified and Accept-Ranges, which a resumed download depends on).
SPEC_BASELINE := spec/baseline/openapi-2.1.0.yaml
SPEC_ACCEPTED := spec/oasdiff-accepted.txt
SPEC ?= openapi.yaml
# The tools must not phone home: CI reaches only the Go proxy, Debian and npm.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

$(NPM_BIN)/redocly: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(OASDIFF): Makefile
	GOBIN=$(CURDIR)/bin $(GO) install github.com/oasdiff/oasdiff@$(OASDIFF_VERSION)
	@touch $@

.PHONY: tools
tools: $(NPM_BIN)/redocly $(OASDIFF) ## Install the pinned spec tools into tools/node_modules and bin/.

.PHONY: lint-spec
lint-spec: $(NPM_BIN)/redocly ## Lint openapi.yaml: Redocly recommended-strict and Spectral spectral:oas, 0 errors, 0 warnings.
	$(NPM_BIN)/redocly lint --config redocly.yaml $(SPEC)
	$(NPM_BIN)/spectral lint --ruleset .spectral.yaml --fail-severity=hint $(SPEC)

.PHONY: breaking
breaking: $(OASDIFF) ## Fail on a breaking change (error or warning) of openapi.yaml against the last release (SPEC= another copy); the release step is in the Makefile.
	$(OASDIFF) breaking $(SPEC_BASELINE) $(SPEC) --fail-on WARN --severity-levels spec/oasdiff-levels.txt \
		--err-ignore $(SPEC_ACCEPTED) --warn-ignore $(SPEC_ACCEPTED) --color never

.PHONY: breaking-fixtures
breaking-fixtures: $(OASDIFF) ## Prove make breaking passes the spec and fails each edit of spec/breaking-fixtures.
	@scripts/breaking-fixtures.sh

.PHONY: spec-changelog
spec-changelog: $(OASDIFF) ## Print the changes of openapi.yaml since the baseline, for spec/CHANGELOG.md.
	$(OASDIFF) changelog $(SPEC_BASELINE) $(SPEC) -f markdown --severity-levels spec/oasdiff-levels.txt

# The reference works offline: Redoc's standalone bundle (shipped in @redocly/cli) is inlined
# (--inlineBundle), the Redocly logo the bundle would fetch from its CDN is replaced by an empty
# inline image, and scripts/offlinecheck fails on any other reference the page loads from
# another host (links to follow, such as the license, are listed, not fetched).
REDOC_LOGO_URL := https://cdn\.redoc\.ly/redoc/logo-mini\(-full\)\?\.svg
EMPTY_SVG := data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E

.PHONY: docs
docs: $(NPM_BIN)/redocly ## Build the single-file HTML reference, which needs no network, into reports/api-reference.html (not committed).
	@mkdir -p $(REPORTS)
	$(NPM_BIN)/redocly build-docs --config redocly.yaml $(SPEC) --inlineBundle -o $(REPORTS)/api-reference.html
	sed -i -e 's#$(REDOC_LOGO_URL)#$(EMPTY_SVG)#g' $(REPORTS)/api-reference.html
	$(GO) run ./scripts/offlinecheck $(REPORTS)/api-reference.html

.PHONY: specmatic
specmatic: $(NPM_BIN)/redocly ## Run Specmatic against the mock process: the examples (>= 95% pass), then its negative tests (100%).
	@scripts/specmatic.sh

.PHONY: prism-proxy
prism-proxy: $(NPM_BIN)/redocly ## Check that Prism, as a validating proxy in front of the mock, flags a wrong answer of every operation.
	@scripts/prism-proxy.sh
