"""Shared, expensive fixtures: built once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEMO_SCHOOLS = 60  # small enough to build in seconds, large enough for every district


def pytest_configure(config: pytest.Config) -> None:
    # dbt and Streamlit write state under the home directory; keep tests to themselves.
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


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
def demo_warehouse(tmp_path_factory, demo_folder) -> Path:
    """A published warehouse built from `demo_folder` by the real `schoolwh load`."""
    from schoolwh.pipeline.load import EXIT_OK, run_load

    wh = tmp_path_factory.mktemp("demo_wh") / "warehouse.duckdb"
    code = run_load([demo_folder], wh)
    assert code == EXIT_OK, f"the demo sample must load with exit 0, got {code}"
    return wh


def require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
