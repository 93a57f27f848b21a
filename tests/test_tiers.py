"""The test tiers of tests/conftest.py: one tier per test, and the unit tier builds nothing."""

from __future__ import annotations

import pytest

from tests.conftest import TIERS


def test_every_collected_test_is_in_exactly_one_tier(request: pytest.FixtureRequest) -> None:
    wrong = {
        item.nodeid: tiers
        for item in request.session.items
        if len(tiers := {m.name for m in item.iter_markers() if m.name in TIERS}) != 1
    }
    assert not wrong


def test_a_unit_test_that_builds_with_dbt_is_told_to_say_so(tmp_path) -> None:
    from schoolwh.pipeline import dbt_runner
    from schoolwh.pipeline.build_process import BuildProcess

    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.touch()
    with pytest.raises(AssertionError, match="give it the `dbt` marker"):
        dbt_runner.build(warehouse)
    with pytest.raises(AssertionError, match="give it the `dbt` marker"):
        BuildProcess()


@pytest.mark.dbt
def test_a_dbt_test_may_build() -> None:
    from schoolwh.pipeline import dbt_runner
    from schoolwh.pipeline.build_process import BuildProcess

    assert dbt_runner.run_dbt.__name__ == "run_dbt"
    assert BuildProcess.__init__.__qualname__ == "BuildProcess.__init__"
