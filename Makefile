# DOST — one command surface for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Python >= 3.12: the first usable python3.13/python3.12 on PATH, else pyenv's 3.13 (whose shim
# fails unless PYENV_VERSION is set, hence the direct path).
PYTHON ?= $(shell for p in python3.13 python3.12; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then echo $$p; exit 0; fi; \
	done; ls -d $$(pyenv root 2>/dev/null)/versions/3.1[23]*/bin/python3.1[23] 2>/dev/null | tail -n 1)
DEMO_PERSONS ?= 4000
HOST ?= 127.0.0.1
PORT ?= 8000

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/dost: pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found: install python3.13 (or set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/dost

install: $(BIN)/dost ## create the virtual environment and install DOST with its dev tools

# Browser tests drive Debian's Chromium through Playwright; never a browser download of its own.
/usr/bin/chromium:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else echo "Install Chromium at /usr/bin/chromium (Debian package 'chromium') for the browser tests."; exit 1; fi

browser: /usr/bin/chromium ## install Debian's Chromium for the browser tests (needs root)

demo: install ## set up an embedded demo (SQLite + synthetic population) and serve it on http://127.0.0.1:8000
	@mkdir -p var
	$(BIN)/dost migrate --noinput -v 0
	$(BIN)/dost demo --persons $(DEMO_PERSONS)
	$(BIN)/dost runserver $(HOST):$(PORT)

lint: install ## ruff, mypy and the missing-migrations check
	$(BIN)/ruff check dost bench scripts
	$(BIN)/mypy dost
	$(BIN)/dost makemigrations --check --dry-run -v 1

test: install browser lint ## install, then lint, types and the whole test suite
	$(BIN)/python -m pytest

# pip-audit asks PyPI's vulnerability API about every installed package (.ci/pip_audit.py):
# fails on a known vulnerability; says so plainly, and passes, when the service cannot answer.
audit: install ## dependency audit: known vulnerabilities of the installed packages (pip-audit)
	@test -x $(BIN)/pip-audit || $(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/python .ci/pip_audit.py

bench: install ## run the benchmarks (see docs/performance.md for sizes and figures)
	$(BIN)/python bench/run_all.py

screenshots: install browser ## screenshots of the main pages into docs/screenshots/ (fresh demo, Chromium)
	$(BIN)/python scripts/screenshots.py

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var

.PHONY: help install browser demo lint test audit bench screenshots clean
