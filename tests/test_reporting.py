"""上报情况 (issue #24): when files were received (`schoolwh load --received DATE`), who
has not reported, and the on-time share against each source's deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from schoolwh.cli import app

HEADER = "学校标识码,日期,午餐人数,课后服务人数\n"


def _participation(folder: Path, name: str, rows: list[tuple[str, str, int, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    body = "".join(f"{s},{d},{lunch},{after}\n" for s, d, lunch, after in rows)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_received_date_is_kept_for_files_loaded_late(tmp_path):
    wh = tmp_path / "data" / "warehouse.duckdb"
    files = _participation(tmp_path / "in", "日报.csv", [("4101020001", "2025-01-02", 100, 50)])
    runner = CliRunner()
    result = runner.invoke(
        app, ["load", str(files), "--no-build", "--received", "2025-01-06", "-w", str(wh)]
    )
    assert result.exit_code in (0, 1), result.output
    con = duckdb.connect(str(wh), read_only=True)
    try:
        received = con.execute("select received_at from audit.loads").fetchall()
    finally:
        con.close()
    assert received == [(dt.datetime(2025, 1, 6),)]


def test_received_date_is_checked(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(
        app, ["load", str(tmp_path), "--received", "2025-13-01", "-w", str(wh)]
    )
    assert result.exit_code == 4 and "不是日期" in result.output
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = CliRunner().invoke(app, ["load", str(tmp_path), "--received", tomorrow, "-w", str(wh)])
    assert result.exit_code == 4 and "不能晚于今天" in result.output
    assert not wh.exists()


# --- the page's queries and `schoolwh reporting` on a published warehouse -----------------
from schoolwh.core.settings import report_deadline  # noqa: E402
from schoolwh.reading import queries as q  # noqa: E402
from schoolwh.reading.connection import Warehouse  # noqa: E402
from tests.test_alerts import JINSHUI, ZHONGYUAN, make_warehouse  # noqa: E402


def test_deadlines_by_rule():
    friday, sunday, monday = dt.date(2025, 12, 5), dt.date(2025, 12, 7), dt.date(2025, 12, 8)
    assert report_deadline("week:1@12", friday) == dt.datetime(2025, 12, 8, 12)
    assert report_deadline("week:1@12", sunday) == dt.datetime(2025, 12, 8, 12)
    assert report_deadline("week:1@12", monday) == dt.datetime(2025, 12, 15, 12)
    assert report_deadline("month:5@24", dt.date(2025, 12, 31)) == dt.datetime(2026, 1, 6)
    assert report_deadline("month:5@24", dt.date(2025, 12, 1)) == dt.datetime(2026, 1, 6)


def _with_files(path: Path) -> Path:
    """The warehouse of test_alerts plus two landed participation files of 金水区 (one on
    time, one late) and one of 中原区."""
    make_warehouse(path)
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(
        "create table raw.participation (school_code varchar, date date, "
        "lunch_students integer, _load_id bigint, _file_hash varchar)"
    )
    con.executemany(
        "insert into raw.participation values (?, ?, 1, ?, ?)",
        [
            ("J1", dt.date(2025, 11, 28), 1, "h1"),  # due Mon 12-01 12:00
            ("J1", dt.date(2025, 12, 5), 2, "h2"),  # due Mon 12-08 12:00
            ("Z1", dt.date(2025, 12, 5), 2, "h3"),
        ],
    )
    con.execute("create schema audit")
    con.execute(
        "create table audit.loads (load_id bigint, started_at timestamp, "
        "submitted_by varchar, received_at timestamp)"
    )
    con.executemany(
        "insert into audit.loads values (?, ?, ?, ?)",
        [
            (1, dt.datetime(2025, 12, 1, 9), "jinshui-clerk", None),
            (2, dt.datetime(2025, 12, 20, 9), "bureau", dt.datetime(2025, 12, 9)),
        ],
    )
    con.execute(
        "create table audit.load_files (load_id bigint, file_hash varchar, file_name varchar, "
        "source varchar, status varchar, rows_landed bigint)"
    )
    con.executemany(
        "insert into audit.load_files values (?, ?, ?, 'participation', 'loaded', 1)",
        [(1, "h1", "/in/金水11月.csv"), (2, "h2", "/in/金水12月.csv"), (2, "h3", "/in/中原.csv")],
    )
    con.close()
    return path


def test_last_file_and_on_time_share_per_district_and_source(tmp_path):
    wh = Warehouse(_with_files(tmp_path / "warehouse.duckdb"))
    summary = q.reporting_summary(q.reporting_files(wh))
    wh.close()
    row = summary.set_index("district_code").loc[JINSHUI]
    assert row["file_name"] == "金水12月.csv"  # the name only, never the server's path
    assert row["received_at"] == dt.datetime(2025, 12, 9)  # --received, not the load time
    assert (row["files"], row["on_time"], row["on_time_share"]) == (2, 1, 0.5)
    assert str(row["last_day"])[:10] == "2025-12-05"
    # a later deadline set in the settings makes the late file on time
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    later = q.reporting_summary(q.reporting_files(wh), {"participation": "week:2@12"})
    wh.close()
    assert later.set_index("district_code").loc[JINSHUI]["on_time_share"] == 1.0


def test_missing_reports_by_district(tmp_path):
    wh = Warehouse(_with_files(tmp_path / "warehouse.duckdb"))
    everyone = q.reporting_missing(wh)
    mine = q.reporting_missing(wh, ZHONGYUAN)
    wh.close()
    assert list(everyone["school_code"]) == ["Z2"] and list(mine["school_code"]) == ["Z2"]
    assert mine.iloc[0]["missing_days"] == 3
    assert mine.iloc[0]["missing_dates"] == "12-03、12-04、12-05"
    text = q.missing_report_text(mine, "2025-12-05")
    assert "【中原区】" in text and "建设路中学：3 天（12-03、12-04、12-05）" in text


def test_reporting_command_shows_one_district_only(tmp_path):
    wh = _with_files(tmp_path / "data" / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["reporting", "--district", JINSHUI, "-w", str(wh)])
    assert result.exit_code == 0, result.output
    assert "金水区" in result.output and "按时 50%" in result.output
    assert "中原" not in result.output and "建设路中学" not in result.output
    result = CliRunner().invoke(app, ["reporting", "--district", "999999", "-w", str(wh)])
    assert result.exit_code == 2 and "999999" in result.output


def test_a_bad_deadline_rule_is_named(tmp_path):
    wh = _with_files(tmp_path / "data" / "warehouse.duckdb")
    (wh.parent / "alerts.toml").write_text('[deadlines]\nparticipation = "weekly"\n')
    result = CliRunner().invoke(app, ["reporting", "-w", str(wh)])
    assert result.exit_code == 2 and "[deadlines] participation" in result.output


# --- the 上报情况 page ---------------------------------------------------------------------
@pytest.fixture
def _loopback():
    from streamlit import config as st_config

    previous = st_config.get_option("server.address")
    yield
    st_config.set_option("server.address", previous)


def _open_page(monkeypatch, warehouse: Path, lang: str | None = None):
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT

    st_config.set_option("server.address", "127.0.0.1")  # the open dashboard, no accounts
    monkeypatch.setenv(ENV_WAREHOUSE, str(warehouse))
    # the page itself (the shell's first page, 总览, needs every KPI mart)
    at = AppTest.from_file(
        str(PROJECT_ROOT / "dashboard" / "views" / "reporting.py"), default_timeout=60
    )
    if lang:
        at.session_state["lang"] = lang
    return at.run()


def test_reporting_page_lists_who_has_not_reported(tmp_path, monkeypatch, _loopback):
    wh = _with_files(tmp_path / "data" / "warehouse.duckdb")
    con = duckdb.connect(str(wh))
    con.execute(
        "update marts.dim_school set school_name = '<b>坏</b>建设路中学' where school_code = 'Z2'"
    )
    con.close()
    at = _open_page(monkeypatch, wh)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "上报情况"
    sources = at.dataframe[0].value
    assert list(sources["区县"]) == ["中原区", "金水区"]
    assert list(sources["按时上报率"]) == ["0.0%", "50.0%"] and list(sources["文件数"]) == [
        "1",
        "2",
    ]
    missing = at.dataframe[1].value
    assert list(missing["未上报日期"]) == ["12-03、12-04、12-05"]
    # the copy box: the list as plain text, the hostile name as text
    box = at.code[0].value
    assert box.startswith("最近两周未上报就餐人数的学校") and "<b>坏</b>建设路中学：3 天" in box
    assert "次周周一 12:00 前" in "\n".join(c.value for c in at.caption)
    # one district chosen: nothing of the other
    at.selectbox(key="f_reporting_district").set_value(JINSHUI).run()
    assert not at.exception
    assert list(at.dataframe[0].value["区县"]) == ["金水区"]
    assert "建设路中学" not in "\n".join(c.value for c in at.code)
    assert "所有供餐学校均已上报" in "\n".join(c.value for c in at.caption)


def test_reporting_page_in_english(tmp_path, monkeypatch, _loopback):
    wh = _with_files(tmp_path / "data" / "warehouse.duckdb")
    at = _open_page(monkeypatch, wh, lang="en")
    assert not at.exception and at.title[0].value == "Reporting"
    assert "On-time share" in at.dataframe[0].value.columns
    assert "by Monday 12:00 of the next week" in "\n".join(c.value for c in at.caption)


def test_a_district_extract_keeps_what_its_files_covered(tmp_path):
    from schoolwh.pipeline.extracts import ensure_extract

    wh_path = _with_files(tmp_path / "data" / "warehouse.duckdb")
    extract = ensure_extract(wh_path, (JINSHUI,))
    assert extract is not None
    wh = Warehouse(extract)
    assert not wh.has_table("raw", "participation")  # a district reads no raw rows
    summary = q.reporting_summary(q.reporting_files(wh))
    missing = q.reporting_missing(wh)
    wh.close()
    assert list(summary["district_name"]) == ["金水区"]
    row = summary.iloc[0]
    assert (row["files"], row["on_time_share"]) == (2, 0.5)
    assert str(row["first_day"])[:10] == "2025-12-05" and row["file_name"] == "金水12月.csv"
    assert missing.empty  # 金水区's schools all reported; 中原区's are not in its file
