# hqd — the two commands a newcomer needs are `make demo` and `make test`.
# Every target creates or reuses .venv and installs what it needs (Debian packages via apt-get).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test test-fast bench lint lock clean

# The Python packages come from requirements.lock (every version pinned, every file's hash checked); hqd itself
# is installed on top without touching them. `make lock` regenerates the lock files from pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) system-deps

# Debian packages the later stages need; installed only where missing: the JVM that pyspark starts
# (hqd compute --engine spark), Chromium for the browser tests, Noto CJK for Chinese in PDF reports, pango for
# WeasyPrint.
HQD_APT_PACKAGES ?= openjdk-17-jre-headless chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
export HQD_APT_PACKAGES

system-deps:
	@bash scripts/system-deps.sh

demo: setup
	$(BIN)/hqd demo

test: setup
	$(BIN)/pytest -q -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/pytest -q -n 2 --dist loadgroup -m "not slow"

bench: setup
	$(BIN)/pip install --quiet -r requirements-bench.lock
	$(BIN)/python bench/run_all.py

# pip-audit needs the advisory database online; where it cannot be reached it says so in one line and skips.
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python scripts/audit_deps.py requirements.lock requirements-bench.lock

# After a change of dependencies in pyproject.toml: `make lock`, then commit both lock files (UPGRADE=1: newest).
lock:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	BIN=$(BIN) UPGRADE=$(UPGRADE) bash scripts/lock.sh

clean:
	rm -rf $(VENV) demo-data hqd.duckdb hqd.duckdb.wal .pytest_cache
