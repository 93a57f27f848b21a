"""Issue 18, item 1: a clerk's scope is judged against the published registry, never
against the district column a row carries. A registry row that would move another
district's school into the clerk's district, and a fact row naming a foreign school, are
quarantined `out_of_scope` by the dry run (`schoolwh check`), by a load, and by the
upload path (a `schoolwh load --scope` child process); only a bureau-level load (no
scope) may move a school between districts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from schoolwh.pipeline import uploads
from schoolwh.pipeline.check import check_file
from schoolwh.pipeline.load import load
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv
from tests.test_templates import registry
from tests.test_upload import schoolwh

A, B = "410105", "410122"  # the clerk's district (金水区) and another one
FOREIGN = "4101220001"  # a school the registry places in B
OWN = "4101050001"  # a school the registry places in A
PUBLISHED = {FOREIGN: B, OWN: A, "4101050002": A}

BUDGET_HEADER = ["指标文号", "年度", "区县代码", "学校代码", "项目", "金额"]
SPEND_HEADER = ["凭证号", "日期", "区县代码", "学校代码", "项目", "金额"]


def takeover(tmp_path: Path) -> Path:
    """A registry file of clerk A: a new school of A, and B's school moved into A."""
    rows = [SCHOOLS_HEADER_ZH, school_row("4101050077", A), school_row(FOREIGN, A)]
    return write_csv(tmp_path / "学校.csv", rows)


def reasons(check) -> list[tuple[int, str, str, str]]:
    frame = check.problems()
    return list(
        zip(
            frame["row_number"].to_list(),
            frame["column_name"].to_list(),
            frame["raw_value"].to_list(),
            frame["reason"].to_list(),
            strict=True,
        )
    )


def test_a_registry_row_moving_a_foreign_school_in_is_out_of_scope(tmp_path):
    checked = check_file(takeover(tmp_path), scope=(A,), schools=dict(PUBLISHED))
    assert reasons(checked) == [(3, "学校代码", FOREIGN, "out_of_scope")]
    assert checked.outcomes[0].rows_landed == 1  # the new school of A
    assert checked.outcomes[0].reasons["out_of_scope"] == 1


def test_a_registry_row_moving_an_own_school_out_is_out_of_scope(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [SCHOOLS_HEADER_ZH, school_row(OWN, B)])
    checked = check_file(path, scope=(A,), schools=dict(PUBLISHED))
    assert reasons(checked) == [(2, "区县代码", B, "out_of_scope")]


def test_a_clerk_of_two_districts_may_not_move_a_school_between_them(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [SCHOOLS_HEADER_ZH, school_row(OWN, B)])
    checked = check_file(path, scope=(A, B), schools=dict(PUBLISHED))
    assert reasons(checked) == [(2, "区县代码", B, "school_move")]
    assert "市级账号" in checked.problems()["message"][0]


def test_a_new_school_joins_the_registry_for_the_files_after_it(tmp_path):
    schools = dict(PUBLISHED)
    check_file(takeover(tmp_path), scope=(A,), schools=schools)
    assert schools["4101050077"] == A
    assert schools[FOREIGN] == B  # the hostile row did not re-place the school


def test_funding_rows_naming_a_foreign_school_are_out_of_scope(tmp_path):
    budget = write_csv(
        tmp_path / "预算.csv",
        [
            BUDGET_HEADER,
            ["豫财教〔2025〕1号", 2025, A, OWN, "午餐补助", 1000],
            ["豫财教〔2025〕2号", 2025, A, FOREIGN, "午餐补助", 1000],
            ["豫财教〔2025〕3号", 2025, A, "", "午餐补助", 1000],  # a district-level line
        ],
    )
    spend = write_csv(
        tmp_path / "支出.csv",
        [
            SPEND_HEADER,
            ["P1", "2025-09-03", A, OWN, "午餐补助", 10],
            ["P2", "2025-09-03", A, FOREIGN, "午餐补助", 10],
            ["P3", "2025-09-03", A, "4109990001", "午餐补助", 10],  # a school nobody knows
        ],
    )
    assert reasons(check_file(budget, scope=(A,), schools=dict(PUBLISHED))) == [
        (3, "学校代码", FOREIGN, "out_of_scope")
    ]
    assert reasons(check_file(spend, scope=(A,), schools=dict(PUBLISHED))) == [
        (3, "学校代码", FOREIGN, "out_of_scope"),
        (4, "学校代码", "4109990001", "out_of_scope"),
    ]


def test_the_dry_run_command_says_out_of_scope(tmp_path):
    wh = registry(tmp_path / "warehouse.duckdb")
    path = takeover(tmp_path)
    r = schoolwh("check", str(path), "--district", A, "-w", str(wh), cwd=tmp_path)
    assert "out_of_scope" in r.stdout, r.stdout + r.stderr
    assert "第3行「学校代码」" in r.stdout and FOREIGN in r.stdout


def _registry_rows(wh: Path) -> dict[str, str]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return dict(con.execute("select school_code, district_code from raw.schools").fetchall())
    finally:
        con.close()


def _quarantine(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(
            "select row_number, column_name, raw_value, reason from audit.quarantine"
        ).fetchall()
    finally:
        con.close()


def test_an_upload_of_a_takeover_row_is_quarantined(tmp_path):
    """Through the upload path: the page saves the file and runs `schoolwh load --scope`."""
    wh = registry(tmp_path / "warehouse.duckdb")
    saved = uploads.save_uploads(wh, [("学校.csv", takeover(tmp_path).read_bytes())])
    job = uploads.submit(wh, saved, user="clerk_a", scope=(A,), build=False)
    assert uploads.wait_for(job, 120), job.state
    assert job.state == "published", job.report
    assert "out_of_scope" in job.report
    assert _registry_rows(wh) == {"4101050077": A}
    assert _quarantine(wh) == [(3, "学校代码", FOREIGN, "out_of_scope")]


def test_a_bureau_level_load_may_move_a_school(tmp_path):
    wh = registry(tmp_path / "warehouse.duckdb")
    result = load([takeover(tmp_path)], wh, build=False, submitted_by="admin", scope=None)
    assert result.published
    assert _registry_rows(wh) == {"4101050077": A, FOREIGN: A}
    assert _quarantine(wh) == []
