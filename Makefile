# AOS developer commands. `make run` starts the whole system; `make test` proves it.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := .tools/bin/kustomize
PY := .venv/bin/python
STACK := $(PY) deploy/local/stack.py


.PHONY: agent-dist bench-tools browser web-install web-build web-check openapi k8s-tools k8s-check
.PHONY: help install stack-up stack-down stack-status gates lint typecheck imports proto proto-check test test-unit run bench format clean

help: ## list the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	@echo "installing uv $(UV_VERSION) into .tools (once)"
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv) ## install Python packages from uv.lock into .venv
	$(UV) sync --all-packages --frozen --quiet

stack-up: install ## start (or reuse) the local PostgreSQL and Kafka
	$(STACK) up

stack-down: ## stop the local PostgreSQL and Kafka started by this project
	$(STACK) down

stack-status:
	$(STACK) status

lint: install ## ruff lint and format check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install ## mypy strict on libs/, services/ (the VCI agent for Windows too), the gateway and deploy/local
	.venv/bin/mypy libs/servicekit/src/servicekit contracts/src/aos_contracts gateway/src/gateway services/*/src/*
	.venv/bin/mypy --platform win32 --cache-dir .mypy_cache/win32 services/vci-agent/src/vci_agent
	cd deploy/local && ../../.venv/bin/mypy --strict stack.py run.py demo_agent.py
	.venv/bin/mypy --strict scripts

imports: install ## import boundaries (import-linter)
	.venv/bin/lint-imports --no-cache

proto: install ## regenerate Python code from proto/
	$(PY) scripts/gen_proto.py

proto-check: install
	$(PY) scripts/gen_proto.py --check

gates: lint typecheck imports proto-check ## every static gate

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

agent-dist: install ## the VCI agent as one executable (PyInstaller): dist/aos-vci-agent-<version>-<platform> and its .sha256
	$(PY) scripts/agent_dist.py

web-install: ## npm packages of the web portal, from web/package-lock.json
	@command -v npm >/dev/null || { echo "the web portal needs Node.js >= 20.19 with npm: install them (Debian: apt-get install nodejs npm, or from nodejs.org)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error

web-build: web-install ## build the web portal into web/dist (the gateway serves it at /)
	cd web && npm run build

web-check: install web-install ## portal gates: API client fresh, typecheck, lint, unit tests, build
	$(PY) scripts/export_openapi.py --check
	cd web && npm run check:api && npm run typecheck && npm run lint && npm test && npm run build

openapi: install web-install ## regenerate web/openapi.json and the portal's API types (commit them)
	$(PY) scripts/export_openapi.py
	cd web && npm run gen:api

browser: ## Debian's Chromium and poppler's pdftoppm for the browser tests (installed with apt-get when missing and root)
	@if [ -z "$${AOS_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium with apt-get (once; Playwright drives it, no browser download)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "the browser tests need Chromium: apt-get install chromium, or set AOS_CHROMIUM to its executable"; exit 1; \
	  fi; \
	fi
	@if ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's poppler-utils with apt-get (once; the journey renders an invoice PDF to an image)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else \
	    echo "the browser tests need pdftoppm: apt-get install poppler-utils"; exit 1; \
	  fi; \
	fi

k8s-tools: # kustomize, built from source with Go into .tools/bin (once per version)
	@if [ "$$($(KUSTOMIZE) version 2>/dev/null)" != "$(KUSTOMIZE_VERSION)" ]; then \
	  command -v go >/dev/null || { echo "building kustomize needs Go 1.24 or later (https://go.dev/dl/): install it, or set KUSTOMIZE to a kustomize $(KUSTOMIZE_VERSION) binary"; exit 1; }; \
	  echo "installing kustomize $(KUSTOMIZE_VERSION) into $(dir $(KUSTOMIZE)) with go install (once)"; \
	  GOBIN="$(abspath $(dir $(KUSTOMIZE)))" go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); \
	fi

k8s-check: install k8s-tools ## build deploy/k8s (dev, prod) with kustomize and validate it offline, strictly
	AOS_KUSTOMIZE="$(abspath $(KUSTOMIZE))" $(PY) scripts/pytest_run.py tests/tooling/test_k8s_manifests.py

# The test suite may run PostgreSQL without fsync (its data is recreated); `make run` never does.
test: export AOS_POSTGRES_FAST := 1
test: export AOS_KUSTOMIZE := $(abspath $(KUSTOMIZE))
test: gates web-check browser stack-up k8s-tools ## gates, then the whole suite (incl. the portal in Chromium) against real PostgreSQL and Kafka
	$(PY) scripts/pytest_run.py

run: stack-up web-build ## start everything and print how to try it (Ctrl-C stops it)
	$(PY) deploy/local/run.py

bench: install bench-tools ## benchmarks: gateway vs direct vs nginx; flash throughput vs the bus; AIR search; event latency billing -> air; idle agents per replica; 50 flashes at once
	$(PY) tests/bench/gateway_bench.py
	$(PY) tests/bench/flash_bench.py --stock-doipclient
	$(PY) tests/bench/agent_swarm_bench.py --agents 10000
	$(PY) tests/bench/concurrent_flash_bench.py --flashes 50 --replicas 2
	$(PY) tests/bench/air_search_bench.py --requests 100
	$(PY) tests/bench/event_latency_bench.py --writer other
	$(PY) tests/bench/event_latency_bench.py --writer other --rate 100
	$(PY) tests/bench/event_latency_bench.py --writer relay --rate 100

bench-tools: # wrk and nginx from Debian's packages, when missing and we may install them
	@if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing wrk and nginx with apt-get (once)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; \
	  else \
	    echo "make bench needs wrk and nginx: install them (Debian: apt-get install wrk nginx)"; exit 1; \
	  fi; \
	fi

clean: stack-down ## stop the stack and delete local state
	rm -rf .local
