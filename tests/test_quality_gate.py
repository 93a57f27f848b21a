"""A critical quality failure stops the publish: the published warehouse stays as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import expectations
from schoolwh.core.audit import CheckResult
from schoolwh.pipeline.load import EXIT_NOT_PUBLISHED, EXIT_OK, run_load

pytestmark = pytest.mark.dbt  # builds warehouses with dbt (tests/conftest.py: tiers)

FIXTURES = Path(__file__).parent / "fixtures"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_injected_critical_failure_keeps_the_published_warehouse(tmp_path, monkeypatch, capsys):
    wh = tmp_path / "warehouse.duckdb"
    assert run_load([FIXTURES / "two_batches" / "batch1"], wh) == EXIT_OK
    before = sha(wh)

    real = expectations.check_marts

    def failing(con, load_id):
        run = real(con, load_id)
        run.append(
            CheckResult(
                stage="marts",
                suite="marts.kpi_district",
                check_name="injected_for_test",
                target="marts.kpi_district",
                success=False,
                severity="critical",
                message="比率超出 [0, 1] / a ratio outside [0, 1] (injected)",
            )
        )
        return run

    monkeypatch.setattr(expectations, "check_marts", failing)
    code = run_load([FIXTURES / "two_batches" / "batch2"], wh)
    out = capsys.readouterr().out
    assert code == EXIT_NOT_PUBLISHED
    assert sha(wh) == before
    assert "NOT published" in out and "injected" in out
    assert not list(wh.parent.glob(".warehouse.duckdb.build*"))

    # Without the failure, the same files load and publish.
    monkeypatch.setattr(expectations, "check_marts", real)
    assert run_load([FIXTURES / "two_batches" / "batch2"], wh) == EXIT_OK
    assert sha(wh) != before
