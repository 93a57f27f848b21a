"""Issue 14, "one mistyped date rewrites the marts": whole loads on the worked example.

A 1925 or 2052 date is quarantined and the published KPIs do not move; with the floor
lowered so that 1925 lands, no published period loses a KPI; an as-of date leaping
further than the set span is not published, and the message names the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from schoolwh.core.settings import ENV_DATE_FLOOR, ENV_MAX_AS_OF_JUMP
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.load import load
from schoolwh.pipeline.result import EXIT_NOT_PUBLISHED

pytestmark = pytest.mark.dbt  # builds with dbt (tests/conftest.py: tiers)

WORKED = Path(__file__).parent / "fixtures" / "worked_example"
SURVEY_HEADER = ["问卷编号", "学校代码", "填写日期", "填写人身份", "总体满意度"]


def rows(wh: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def kpis(wh: Path) -> list[tuple]:
    return rows(
        wh,
        "select period_type, period, kpi, numerator, denominator, value, status "
        "from marts.kpi_overall order by all",
    )


def as_of(wh: Path):
    return rows(wh, "select as_of_date from marts.build_info")[0][0]


def write(path: Path, table: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(table)
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    wh = tmp_path_factory.mktemp("worked") / "warehouse.duckdb"
    result = load([WORKED], wh)
    assert result.published, result.failure
    return wh


@pytest.fixture
def wh(published, tmp_path) -> Path:
    copy = tmp_path / "wh" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(published, copy)
    return copy


def ledger_with(wh: Path, extra: dict[str, str]) -> list[list]:
    """The published issue ledger sent again (same rows, same values) plus one row."""
    columns = SOURCES["issues"].columns
    names = ", ".join(c.name for c in columns)
    current = rows(
        wh,
        f"select {names} from raw.issues "
        "qualify row_number() over (partition by issue_id order by _batch_seq desc) = 1 "
        "order by issue_id",
    )
    table = [[c.zh for c in columns]]
    table += [["" if v is None else str(v) for v in r] for r in current]
    table.append([extra.get(c.name, "") for c in columns])
    return table


BAD_ISSUE = {
    "issue_id": "Q1925",
    "school_code": "4101050001",
    "found_date": "1925-03-01",
    "category": "食品安全",
    "severity": "一般",
    "deadline": "1925-03-15",
    "status": "未整改",
}


def test_a_1925_or_2052_date_is_quarantined_and_the_kpis_do_not_move(wh, tmp_path):
    before, as_of_before = kpis(wh), as_of(wh)
    inbox = tmp_path / "inbox"
    ledger = ledger_with(wh, BAD_ISSUE)
    write(inbox / "问题整改台账（补报）.csv", ledger)
    write(
        inbox / "满意度（补录）.csv",
        [SURVEY_HEADER, ["R2052", "4101050001", "2052-06-03", "家长", "5"]],
    )
    result = load([inbox], wh)
    assert result.published, result.failure
    assert kpis(wh) == before
    assert as_of(wh) == as_of_before
    found = rows(
        wh,
        "select file_name, sheet, row_number, column_name, raw_value, reason "
        "from audit.quarantine order by reason, column_name",
    )
    n = len(ledger)  # the added row is the last one
    assert [(Path(f).name, s, r, c, v, why) for f, s, r, c, v, why in found] == [
        ("问题整改台账（补报）.csv", None, n, "发现日期", "1925-03-01", "date_before_floor"),
        ("问题整改台账（补报）.csv", None, n, "整改期限", "1925-03-15", "date_before_floor"),
        ("满意度（补录）.csv", None, 2, "填写日期", "2052-06-03", "date_in_future"),
    ]
    assert rows(wh, "select count(*) from raw.issues where found_date < date '2000-01-01'") == [
        (0,)
    ]


def test_a_1925_row_that_lands_removes_no_period(wh, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DATE_FLOOR, "1900-01-01")
    before = {k[:3] for k in kpis(wh)}
    columns = SOURCES["issues"].columns
    write(
        tmp_path / "inbox" / "台账.csv",
        [[c.zh for c in columns], [BAD_ISSUE.get(c.name, "") for c in columns]],
    )
    result = load([tmp_path / "inbox"], wh)
    assert result.published, result.failure
    after = {k[:3] for k in kpis(wh)}
    assert before <= after  # every published (period, KPI) is still there
    periods = {p for _, p, _ in after}
    assert {"1925", "2025"} <= periods
    assert not {str(y) for y in range(1926, 2025)} & periods  # only years holding data
    gate = [c for c in result.checks if c.suite == "publish_gate"]
    assert {c.check_name for c in gate} == {"kpi_periods_kept", "as_of_date_step"}
    assert all(c.success for c in gate)


def test_an_as_of_leap_is_not_published_and_names_the_row(wh, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_MAX_AS_OF_JUMP, "30")
    digest = hashlib.sha256(wh.read_bytes()).hexdigest()
    leap = as_of(wh).replace(month=11, day=27)  # two months on: within any load date
    write(
        tmp_path / "inbox" / "满意度.csv",
        [SURVEY_HEADER, ["R1", "4101050001", leap.isoformat(), "家长", "5"]],
    )
    result = load([tmp_path / "inbox"], wh)
    assert not result.published
    assert result.exit_code == EXIT_NOT_PUBLISHED
    assert hashlib.sha256(wh.read_bytes()).hexdigest() == digest
    assert "as_of_date_step" in result.failure
    assert "满意度.csv 第 2 行 row 2 列 column 日期 (survey.date)" in result.failure
    assert leap.isoformat() in result.failure and "30" in result.failure


def test_an_as_of_carried_by_one_typo_row_is_not_published(wh, tmp_path):
    """Issue 18: a typo year within the 400-day jump (a survey of the next year among
    this term's) moves the as-of date of every page: the load is not published and the
    message names the row and how to proceed."""
    digest = hashlib.sha256(wh.read_bytes()).hexdigest()
    typo = as_of(wh).replace(year=as_of(wh).year + 1) - dt.timedelta(days=60)
    write(
        tmp_path / "inbox" / "满意度.csv",
        [
            SURVEY_HEADER,
            ["R1", "4101050001", as_of(wh).isoformat(), "家长", "5"],
            ["R2", "4101050001", typo.isoformat(), "家长", "4"],
        ],
    )
    result = load([tmp_path / "inbox"], wh)
    assert not result.published and result.exit_code == EXIT_NOT_PUBLISHED
    assert hashlib.sha256(wh.read_bytes()).hexdigest() == digest
    assert "as_of_date_step" in result.failure
    assert "满意度.csv 第 3 行 row 3 列 column 日期 (survey.date)" in result.failure
    assert "第 2 行" not in result.failure
    assert "SCHOOLWH_AS_OF_GAP_DAYS=0" in result.failure
