# IoT Backend, local-first. `make` alone lists the targets.
# Every target installs dependencies first when they are missing or stale, so on a
# fresh machine `make up` and `make test` are the only two commands you need.

SHELL := /bin/bash
.DEFAULT_GOAL := help

TARGET ?= embedded
STACK ?= iot-backend
REGION ?= us-east-1
export TARGET STACK REGION
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

TSX := node_modules/.bin/tsx
MOCHA := node_modules/.bin/mocha --import=tsx --timeout 60000 --reporter $(if $(CI),dot,spec)
DEPS := node_modules/.deps-installed

.PHONY: help deps build typecheck test test-unit test-integration e2e test-browser up down \
        deploy deploy-aws destroy destroy-aws simulate logs bench soak localcloud iam-report clean

help: ## Show this help
	@echo "IoT Backend reference architecture — local-first. Targets:"
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-17s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: TARGET=embedded|localstack|endpoint|aws  STACK=$(STACK)  REGION=$(REGION)"

# npm ci when node_modules is missing or older than the lockfile.
$(DEPS): package-lock.json package.json
	@command -v node >/dev/null || { echo "Node.js 20 or newer is required: https://nodejs.org/"; exit 1; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "Node.js 20 or newer is required (found $$(node --version))"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

deps: $(DEPS) ## Install dependencies (npm ci) if missing or stale

build: $(DEPS) ## Bundle the three functions into deterministic zips in dist/functions/ (and the local cloud)
	@$(TSX) harness/build/cli.ts
	@node bin/localcloud.js --prepare

typecheck: $(DEPS) ## TypeScript strict check of the whole project
	@node_modules/.bin/tsc -p . --noEmit

test: $(DEPS) ## Everything CI runs: typecheck, unit, integration, e2e (embedded), browser, quick bench, quick soak
	@$(MAKE) --no-print-directory typecheck
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory e2e TARGET=embedded
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory bench QUICK=1
	@$(MAKE) --no-print-directory soak QUICK=1

test-unit: $(DEPS) ## Unit tests (pure logic, templates, build determinism)
	@$(MOCHA) 'test/unit/**/*.test.ts'

test-integration: $(DEPS) ## localcloud service tests with the real AWS SDK clients over HTTP
	@$(MOCHA) 'test/integration/**/*.test.ts'

e2e: $(DEPS) ## End-to-end ingestion tests against a fresh target (TARGET=embedded|localstack|endpoint)
	@$(MOCHA) 'test/e2e/**/*.test.ts'

test-browser: $(DEPS) ## The test page in headless Chromium (skipped with a reason where none is installed)
	@if ls test/browser/*.test.ts >/dev/null 2>&1; then $(MOCHA) 'test/browser/**/*.test.ts'; else echo "test-browser: no browser tests yet"; fi

up: $(DEPS) ## Local cloud + stack + test page, in the foreground, reloading saved changes (WATCH=0: off; DEBUG=1 or DEBUG=<logical id>,...: Node inspector per function; Ctrl-C stops)
	@$(TSX) harness/cli.ts up

down: $(DEPS) ## Stop what `make up` started (DESTROY=1 also deletes the stack)
	@$(TSX) harness/cli.ts down

deploy: $(DEPS) ## Deploy (or update) the stack on TARGET
	@$(TSX) harness/cli.ts deploy

destroy: $(DEPS) ## Empty the archive bucket, delete the stack and its log groups on TARGET
	@$(TSX) harness/cli.ts destroy

deploy-aws: $(DEPS) ## Deploy to real AWS (STACK, REGION, CODE_BUCKET; standard credential chain)
	@$(TSX) harness/cli.ts deploy --target aws

destroy-aws: $(DEPS) ## Remove the stack from real AWS
	@$(TSX) harness/cli.ts destroy --target aws

logs: $(DEPS) ## Follow the stack's function logs (FUNCTION=<logical id>,... SINCE=10m FILTER=<CloudWatch filter pattern>)
	@$(TSX) harness/cli.ts logs

simulate: $(DEPS) ## Send simulated sensor events (SENSORS, RATE, DURATION, BAD_RATIO)
	@$(TSX) harness/cli.ts simulate

bench: $(DEPS) ## Benchmark report: cold start, deploy, throughput, latency, memory (QUICK=1: fast)
	@if [ -f harness/bench/cli.ts ]; then $(TSX) harness/bench/cli.ts $(if $(QUICK),--quick,); else echo "bench: not built yet"; fi

soak: $(DEPS) ## Soak report: garbage fuzz, mixed load, kill -9, long run, deploy memory (QUICK=1: invariants only, ~1 min)
	@$(TSX) harness/soak/cli.ts $(if $(QUICK),--quick,)

# The test page (make up, PAGE_PORT) calls the cloud from the browser, so its origins are allowed.
PAGE_PORT ?= 8080
localcloud: $(DEPS) ## Run only the embedded local cloud on :4566 (foreground)
	@node bin/localcloud.js start --state .localcloud/state \
		--allow-origin 'http://127.0.0.1:$(PAGE_PORT)' --allow-origin 'http://localhost:$(PAGE_PORT)' --allow-origin 'http://[::1]:$(PAGE_PORT)'

iam-report: $(DEPS) ## IAM usage per principal of the running cloud: actions used, denials, least-privilege policy, unused grants (JSON=1 for JSON)
	@node bin/localcloud.js iam report --endpoint $${ENDPOINT_URL:-http://127.0.0.1:$${PORT:-4566}} $(if $(JSON),--json,)

clean: ## Remove build output, local cloud state and test output
	rm -rf dist .localcloud test-output bench/results
