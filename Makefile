# schoolwh — two commands do everything: `make demo` and `make test`.
# Bootstraps from a bare Python 3.11+: uv comes from a local venv (.tools/) when absent.

PYTHON ?= python3
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
BIN := $(VENV)/bin

.PHONY: setup demo test bench lint format docs clean

setup: $(VENV)/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

demo: setup
	$(BIN)/schoolwh demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt/models dbt/tests dbt/macros
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt/models dbt/tests dbt/macros

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: setup
	$(BIN)/schoolwh docs

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache dbt/target dbt/logs
