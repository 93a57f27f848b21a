"""Shared, expensive fixtures (built once per test run) and the test tiers.

Every test falls in one tier, by marker (registered in pyproject.toml):
- `unit`: no dbt build, no browser, no Spark; `make test-quick` runs these;
- `dbt`: builds a warehouse with dbt (directly, through a load, or through a fixture);
- `e2e`: a browser, Spark, whole commands in their own processes, or the default-scale
  sample (what `make demo` writes).
A test module may say its tier with `pytestmark`; otherwise a test is `e2e` when marked
`browser` or `spark` or when it uses a fixture of E2E_FIXTURES, `dbt` when it uses one of
DBT_FIXTURES (directly or through another fixture), else `unit`. A `unit`
test that starts a dbt build fails and says to mark it, so the quick tier stays quick.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import shared_build

DEMO_SCHOOLS = 60  # small enough to build in seconds, large enough for every district

TIERS = ("unit", "dbt", "e2e")
E2E_MARKERS = ("browser", "spark")
# The default-scale sample, 1,300 schools (tests/test_generator.py): a minute to make.
E2E_FIXTURES = {"city", "city_data"}
# Fixtures that build a warehouse with dbt (a test using one, even indirectly, is `dbt`).
DBT_FIXTURES = {"demo_warehouse", "dash_warehouse", "hostile_warehouse"}


def pytest_configure(config: pytest.Config) -> None:
    # dbt and Streamlit write state under the home directory; keep tests to themselves.
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def tier_of(item: pytest.Item) -> str:
    for tier in TIERS:
        if item.get_closest_marker(tier):
            return tier
    fixtures = set(getattr(item, "fixturenames", ()))
    if any(item.get_closest_marker(m) for m in E2E_MARKERS) or E2E_FIXTURES & fixtures:
        return "e2e"
    if DBT_FIXTURES & fixtures:
        return "dbt"
    return "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(tier)


class UnitTierError(AssertionError):
    pass


def _refuse_dbt(*args, **kwargs):
    raise UnitTierError(
        "this test runs dbt: give it the `dbt` marker (or its module "
        "`pytestmark = pytest.mark.dbt`), see tests/conftest.py"
    )


@pytest.fixture(autouse=True)
def _unit_tier_builds_nothing(request: pytest.FixtureRequest, monkeypatch) -> None:
    """A `unit` test may not build with dbt, in this process or in a build process."""
    if request.node.get_closest_marker("unit") is None:
        return
    monkeypatch.setattr("schoolwh.pipeline.dbt_runner.run_dbt", _refuse_dbt)
    monkeypatch.setattr("schoolwh.pipeline.build_process.BuildProcess.__init__", _refuse_dbt)


@pytest.fixture(scope="session", autouse=True)
def _shared_build_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    mine = tmp_path_factory.getbasetemp()
    # pytest-xdist gives each worker <run>/popen-gwN: the run folder is shared by all
    run = mine.parent if os.environ.get("PYTEST_XDIST_WORKER") else mine
    shared_build.set_run_folder(run, mine)


@pytest.fixture(scope="session")
def demo_sample(tmp_path_factory):
    """The sample jurisdiction as bureau files (`schoolwh generate`, default messy mode)."""
    from schoolwh.generator import generate

    out = tmp_path_factory.mktemp("demo") / "inbox"
    return generate(out, schools=DEMO_SCHOOLS, seed=2025)


@pytest.fixture(scope="session")
def demo_folder(demo_sample) -> Path:
    return demo_sample.out_dir


@pytest.fixture(scope="session")
def demo_warehouse(demo_folder) -> Path:
    """A published warehouse built from `demo_folder` by the real `schoolwh load` (once per
    test run; each worker reads its own copy)."""
    from schoolwh.pipeline.load import EXIT_OK, run_load

    def build(folder: Path) -> None:
        code = run_load([demo_folder], folder / "warehouse.duckdb")
        assert code == EXIT_OK, f"the demo sample must load with exit 0, got {code}"

    return shared_build.built_once("demo_wh", build) / "warehouse.duckdb"


def require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def needs_browser() -> None:
    """Skip a test whose figures Chromium draws when Chromium or the CJK font is missing
    (fail under REQUIRE_BROWSER=1), saying what to install."""
    from schoolwh.briefing import export

    problem = export.missing_requirements()
    if problem is None:
        return
    if require_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but: {problem}")
    pytest.skip(problem)


def require_office() -> bool:
    """REQUIRE_OFFICE=1 (CI): the LibreOffice rendering tests fail instead of skipping."""
    return os.environ.get("REQUIRE_OFFICE") == "1"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
