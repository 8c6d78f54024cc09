# hqd — the two commands a newcomer needs are `make demo` and `make test`.
# Every target creates or reuses .venv and installs what it needs (Debian packages via apt-get).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test test-fast bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
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
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) demo-data hqd.duckdb hqd.duckdb.wal .pytest_cache
