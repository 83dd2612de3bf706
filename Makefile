# Aurora: two commands on a fresh clone with only Python 3.11 present.
#   make demo   the main job on the embedded warehouse (DuckDB): simulator -> ingest -> dbt -> statements
#   make test   the whole test suite: lint, types, pytest (dbt builds on DuckDB and PostgreSQL)
# Each target creates .venv and installs the pinned dependencies first (requirements.lock).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
AURORA := $(VENV)/bin/aurora
TARGET ?= duckdb

.PHONY: demo run docs test lint typecheck sqllint pytest postgres clean install

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

postgres:
	bash .ci/postgres-setup

lint: $(STAMP)
	$(VENV)/bin/ruff check ingest tests benchmarks
	$(VENV)/bin/ruff format --check ingest tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

sqllint: $(STAMP)
	cp profiles.example.yml profiles.yml
	mkdir -p data
	AURORA_DUCKDB_PATH=data/lint.duckdb $(VENV)/bin/sqlfluff lint dbt_project tests/singular --processes 2

pytest: $(STAMP) postgres
	$(VENV)/bin/pytest

test: $(STAMP) postgres lint typecheck sqllint pytest

clean:
	rm -rf data target_duckdb target_postgres logs profiles.yml
