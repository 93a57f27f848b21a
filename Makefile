# schoolwh — two commands do everything: `make demo` and `make test`.
# Bootstraps from a bare Python 3.11+: uv comes from a local venv (.tools/) when absent.

PYTHON ?= python3
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
BIN := $(VENV)/bin
# Optional extras for the test environment: `make test EXTRAS=spark` (what CI runs) adds
# what the DuckDB/Spark parity test needs.
EXTRAS ?=
# pytest-xdist workers for `make test` and `make test-quick`
WORKERS ?= 2

# Bytecode for what every load imports (Great Expectations, dbt: seconds each to compile
# where PYTHONDONTWRITEBYTECODE is set), and only that: compiling every package would
# add ~200 MB to the venv.
PRECOMPILE = PYTHONDONTWRITEBYTECODE= $(BIN)/python -W ignore -c \
	"import great_expectations, dbt.cli.main, dbt.adapters.duckdb" >/dev/null 2>&1 || true

empty :=
space := $(empty) $(empty)
TEST_ENV := $(VENV)/.synced-test$(subst $(space),,$(addprefix -,$(sort $(EXTRAS))))

.PHONY: setup test-env demo test test-quick bench lint format docs clean

# What the product needs and no more: no test tools, no Spark. `--inexact` keeps the test
# tools of an earlier `make test` (a newcomer's venv holds exactly the product).
setup: $(VENV)/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact
	$(PRECOMPILE)
	touch $@

# The product, the dev group (pytest, ruff, ...) and EXTRAS, exactly.
test-env: $(TEST_ENV)

$(TEST_ENV): pyproject.toml uv.lock | $(UV)
	rm -f $(VENV)/.synced-test*
	$(UV) sync --frozen $(foreach extra,$(EXTRAS),--extra $(extra))
	$(PRECOMPILE)
	touch $@ $(VENV)/.synced

demo: setup
	$(BIN)/schoolwh demo

# Everything CI checks: lint, import layers, then every test tier on $(WORKERS) workers
# (one file per worker at a time, so module fixtures build once).
test: test-env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt/models dbt/tests dbt/macros
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(WORKERS) --dist loadfile --durations=15

# The unit tier only (no dbt build, no browser, no Spark): well under a minute.
test-quick: test-env
	$(BIN)/pytest -m unit -n $(WORKERS) --timeout 120 -q

bench: setup
	$(BIN)/python bench/run.py

lint: test-env
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt/models dbt/tests dbt/macros
	$(BIN)/lint-imports

format: test-env
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: setup
	$(BIN)/schoolwh docs

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache dbt/target dbt/logs
