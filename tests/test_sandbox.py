"""The ad hoc SQL box: results, formats, caps, refusals, timeouts.

Every refusal is checked to carry DuckDB's own message (its "... Error:" wording), and
the warehouse file is checked to be byte-for-byte unchanged after all of them.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from schoolwh.cli import app
from schoolwh.core.settings import STORAGE_VERSION
from schoolwh.sandbox import (
    SqlError,
    SqlResult,
    display_width,
    format_result,
    limits,
    list_tables,
    run_sql,
    runner,
)

SCHOOLS = [
    ("410102001", "郑州市第一中学", "中原区", dt.date(1952, 9, 1), Decimal("1234.50")),
    ("410105002", "金水区文化路小学", "金水区", dt.date(1987, 3, 15), Decimal("88.00")),
    ("410103003", "Erqi School", "二七区", None, Decimal("-7.25")),
]


def build_warehouse(path: Path, schools: list[tuple] = SCHOOLS) -> Path:
    """A tiny warehouse in the published file's storage format."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS wh (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute("USE wh")
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE SCHEMA audit")
    con.execute(
        """CREATE TABLE marts.dim_school (
            school_code VARCHAR, school_name VARCHAR, district_name VARCHAR,
            opened_date DATE, budget_wan DECIMAL(12, 2))"""
    )
    con.executemany("INSERT INTO marts.dim_school VALUES (?, ?, ?, ?, ?)", schools)
    con.execute(
        "CREATE TABLE audit.dq_results (check_name VARCHAR, passed BOOLEAN, checked_at TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO audit.dq_results VALUES ('就餐人数不超过在校生', true, '2025-09-01 08:30:00')"
    )
    con.execute("CHECKPOINT wh")
    con.close()
    return path


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def warehouse_hash(warehouse: Path) -> str:
    return file_hash(warehouse)


@pytest.fixture(scope="session")
def cli() -> CliRunner:
    return CliRunner()


SCHOOL_QUERY = (
    "select school_code, school_name, district_name, opened_date, budget_wan "
    "from marts.dim_school order by school_code"
)


# --- results and formats ---------------------------------------------------------


def test_query_returns_rows_with_types(warehouse: Path) -> None:
    result = run_sql(warehouse, SCHOOL_QUERY)
    assert result.columns == [
        "school_code", "school_name", "district_name", "opened_date", "budget_wan",
    ]  # fmt: skip
    assert result.types == ["VARCHAR", "VARCHAR", "VARCHAR", "DATE", "DECIMAL(12,2)"]
    assert result.rows == sorted(SCHOOLS)
    assert result.truncated is False
    assert 0 <= result.elapsed < 5


def test_table_aligns_chinese_text(warehouse: Path) -> None:
    text = format_result(run_sql(warehouse, SCHOOL_QUERY), "table")
    lines = text.splitlines()
    assert lines[-1] == "3 rows"
    body = lines[:-1]
    assert len(body) == 2 + len(SCHOOLS)  # header, rule, rows
    assert "郑州市第一中学" in text and "金水区文化路小学" in text
    assert "NULL" in next(line for line in body if "Erqi" in line)  # no opened_date

    # Every column separator sits at the same terminal column on every line.
    def separator_columns(line: str) -> list[int]:
        return [display_width(line[:i]) for i, char in enumerate(line) if char in "|+"]

    assert len(separator_columns(body[0])) == 4
    assert {tuple(separator_columns(line)) for line in body} == {tuple(separator_columns(body[0]))}
    # Numbers are right-aligned: the decimal points line up.
    points = {display_width(line[: line.rindex(".")]) for line in body[2:]}
    assert len(points) == 1


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("郑州") == 4
    assert display_width("ＡＢ") == 4  # full-width Latin
    assert display_width("e\u0301") == 1  # combining accent takes no column


def test_table_footer_and_escapes() -> None:
    result = SqlResult(["n", "note"], ["INTEGER", "VARCHAR"], [(1, "a\nb")], False, 0.0)
    text = format_result(result, "table")
    assert "a\\nb" in text
    assert text.splitlines()[-1] == "1 row"
    cut = SqlResult(["n"], ["BIGINT"], [(i,) for i in range(10_000)], True, 0.0)
    assert format_result(cut, "table").splitlines()[-1] == (
        "showing first 10,000 rows; more were cut"
    )


def test_csv_has_header_and_rows(warehouse: Path) -> None:
    text = format_result(run_sql(warehouse, SCHOOL_QUERY), "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "school_code", "school_name", "district_name", "opened_date", "budget_wan",
    ]  # fmt: skip
    assert rows[1] == ["410102001", "郑州市第一中学", "中原区", "1952-09-01", "1234.50"]
    assert rows[2] == ["410103003", "Erqi School", "二七区", "", "-7.25"]
    assert len(rows) == 4


def test_json_is_an_array_of_row_objects(warehouse: Path) -> None:
    text = format_result(run_sql(warehouse, SCHOOL_QUERY), "json")
    assert "郑州市第一中学" in text  # not \\u-escaped
    rows = json.loads(text, parse_float=Decimal)
    assert rows[0] == {
        "school_code": "410102001",
        "school_name": "郑州市第一中学",
        "district_name": "中原区",
        "opened_date": "1952-09-01",
        "budget_wan": Decimal("1234.50"),
    }
    assert rows[1]["opened_date"] is None
    assert rows[1]["budget_wan"] == Decimal("-7.25")
    assert len(rows) == 3


def test_json_of_other_types(warehouse: Path) -> None:
    result = run_sql(
        warehouse,
        "select checked_at, passed, [1, 2] as l, {'k': '值'} as s, 1 as a, 2 as a, "
        "'nan'::double as f, 123456789012345678901234567.891::decimal(38,3) as big "
        "from audit.dq_results",
    )
    [row] = json.loads(format_result(result, "json"), parse_float=Decimal)
    assert row == {
        "checked_at": "2025-09-01T08:30:00",
        "passed": True,
        "l": [1, 2],
        "s": {"k": "值"},
        "a": 1,
        "a_1": 2,
        "f": None,
        "big": Decimal("123456789012345678901234567.891"),
    }
    assert format_result(SqlResult(["x"], ["INTEGER"], [], False, 0.0), "json") == "[]\n"


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown format"):
        format_result(SqlResult([], [], [], False, 0.0), "xml")


def test_list_tables(warehouse: Path) -> None:
    tables = list_tables(warehouse)
    assert ("marts", "dim_school", "school_name", "VARCHAR") in tables
    assert ("audit", "dq_results", "checked_at", "TIMESTAMP") in tables
    school_columns = [column for schema, table, column, _ in tables if table == "dim_school"]
    assert school_columns == [
        "school_code", "school_name", "district_name", "opened_date", "budget_wan",
    ]  # fmt: skip
    assert {schema for schema, *_ in tables} == {"audit", "marts"}


# --- caps and settings -----------------------------------------------------------


def test_rows_are_capped(warehouse: Path) -> None:
    capped = run_sql(warehouse, "select * from range(25)", max_rows=10)
    assert capped.rows == [(i,) for i in range(10)]
    assert capped.truncated is True
    exact = run_sql(warehouse, "select * from range(25)", max_rows=25)
    assert len(exact.rows) == 25 and exact.truncated is False


def test_huge_result_is_never_materialised(warehouse: Path) -> None:
    started = time.monotonic()
    result = run_sql(warehouse, "select * from range(100000000000)", max_rows=5, timeout=10)
    assert result.rows == [(i,) for i in range(5)] and result.truncated
    assert time.monotonic() - started < 5


def test_connection_is_locked_down(warehouse: Path) -> None:
    result = run_sql(
        warehouse,
        "select current_setting('threads'), current_setting('enable_external_access'), "
        "current_setting('lock_configuration'), current_setting('autoload_known_extensions'), "
        "current_setting('autoinstall_known_extensions'), "
        "current_setting('allow_community_extensions'), current_setting('access_mode')",
    )
    assert result.rows == [(limits.THREADS, False, True, False, False, False, "read_only")]


# --- refusals ----------------------------------------------------------------------

# (statement, DuckDB's wording). {tmp} is a folder holding a real CSV file, secret.csv.
REFUSALS = [
    ("COPY marts.dim_school TO '{tmp}/out.csv'", "Permission Error"),
    ("COPY marts.dim_school TO '{warehouse}.wal'", "Permission Error"),
    ("COPY marts.dim_school TO '{warehouse}' (USE_TMP_FILE false)", "Permission Error"),
    ("EXPLAIN ANALYZE COPY marts.dim_school TO '{warehouse}.wal'", "Permission Error"),
    ("EXPORT DATABASE '{tmp}/export'", "Permission Error"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "Permission Error"),
    ("INSTALL httpfs", "Permission Error"),
    ("LOAD httpfs", "Permission Error: Loading external extensions is disabled"),
    ("select * from read_csv('{tmp}/secret.csv')", "Permission Error"),
    ("select * from '{tmp}/secret.csv'", "Permission Error"),
    ("select * from read_text('/etc/passwd')", "Permission Error"),
    ("CREATE TABLE marts.x (a INTEGER)", "read-only mode"),
    ("INSERT INTO marts.dim_school (school_code) VALUES ('x')", "read-only mode"),
    ("UPDATE marts.dim_school SET school_name = 'x'", "read-only mode"),
    ("DELETE FROM marts.dim_school", "read-only mode"),
    ("DROP TABLE marts.dim_school", "read-only mode"),
    ("SET threads = 8", "the configuration has been locked"),
    ("RESET memory_limit", "the configuration has been locked"),
    ("SET lock_configuration = false", "the configuration has been locked"),
    ("SET disabled_filesystems = ''", "the configuration has been locked"),
    ("PRAGMA threads = 8", "the configuration has been locked"),
    ("PRAGMA enable_profiling", "the configuration has been locked"),
]


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.csv").write_text("secret\nhidden-value\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("statement", "duckdb_says"), REFUSALS)
def test_refusal_carries_duckdb_message(
    warehouse: Path,
    warehouse_hash: str,
    outside: Path,
    cli: CliRunner,
    statement: str,
    duckdb_says: str,
) -> None:
    """Through the command line, which prints the SqlError's text and exits 1."""
    query = statement.format(tmp=outside.as_posix(), warehouse=warehouse.as_posix())
    outcome = cli.invoke(app, ["sql", "--warehouse", str(warehouse), query])
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("查询被拒绝 / Query refused: ")
    assert duckdb_says in outcome.stderr
    assert "hidden-value" not in outcome.output
    assert outcome.stdout == ""

    assert sorted(path.name for path in outside.iterdir()) == ["secret.csv"]
    assert sorted(path.name for path in warehouse.parent.iterdir()) == ["warehouse.duckdb"]
    assert file_hash(warehouse) == warehouse_hash


@pytest.mark.parametrize(("statement", "duckdb_says"), REFUSALS[::4])
def test_refusal_raises_sql_error(
    warehouse: Path, outside: Path, statement: str, duckdb_says: str
) -> None:
    """What the dashboard sees: an SqlError with the same text."""
    query = statement.format(tmp=outside.as_posix(), warehouse=warehouse.as_posix())
    with pytest.raises(SqlError) as caught:
        run_sql(warehouse, query)
    assert str(caught.value).startswith("查询被拒绝 / Query refused: ")
    assert duckdb_says in str(caught.value)


def test_multiple_statements_are_refused(warehouse: Path, cli: CliRunner) -> None:
    with pytest.raises(SqlError, match="one statement per call; this text holds 2 statements"):
        run_sql(warehouse, "select 1; select 2")
    outcome = cli.invoke(
        app, ["sql", "-w", str(warehouse), "select 1; drop table marts.dim_school"]
    )
    assert outcome.exit_code == 1
    assert "one statement per call" in outcome.stderr
    # A trailing semicolon is still one statement.
    assert run_sql(warehouse, "select 42 as answer;").rows == [(42,)]


def test_harmless_statements_leave_nothing_behind(warehouse: Path, warehouse_hash: str) -> None:
    """Statements DuckDB allows on a read-only file change nothing that outlives the call."""
    for statement in ("FORCE CHECKPOINT", "CREATE TEMP TABLE scratch AS SELECT 1 AS a"):
        run_sql(warehouse, statement)
    with pytest.raises(SqlError, match="Catalog Error"):
        run_sql(warehouse, "select * from scratch")
    assert file_hash(warehouse) == warehouse_hash
    assert sorted(path.name for path in warehouse.parent.iterdir()) == ["warehouse.duckdb"]


# --- errors --------------------------------------------------------------------------


def test_query_errors_carry_duckdb_message(warehouse: Path, cli: CliRunner) -> None:
    with pytest.raises(SqlError, match=r"^Query failed: Parser Error: syntax error"):
        run_sql(warehouse, "selec 1")
    with pytest.raises(SqlError, match=r"^Query failed: Catalog Error: .*nope does not exist"):
        run_sql(warehouse, "select * from marts.nope")
    outcome = cli.invoke(app, ["sql", "-w", str(warehouse), "select * from marts.nope"])
    assert outcome.exit_code == 1
    assert "Catalog Error" in outcome.stderr
    assert "Traceback" not in outcome.output


def test_empty_query(warehouse: Path) -> None:
    for query in ("", "   ", ";", "-- just a comment"):
        with pytest.raises(SqlError, match="No query given"):
            run_sql(warehouse, query)


def test_out_of_memory_message(warehouse: Path) -> None:
    with pytest.raises(SqlError) as caught:
        run_sql(warehouse, "select string_agg(repeat('x', 1000), '') from range(2000000)")
    message = str(caught.value)
    assert message.startswith(f"查询所需内存超过上限 {limits.MEMORY_LIMIT}")
    assert " / Query failed: Out of Memory Error" in message
    assert f"allows {limits.MEMORY_LIMIT} of memory" in message
    assert "SET memory_limit" not in message  # DuckDB's advice cannot apply here


def test_missing_warehouse(tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SqlError) as caught:
        run_sql(Path("data/warehouse.duckdb"), "select 1")
    assert str(caught.value) == (
        "No warehouse at data/warehouse.duckdb: run `schoolwh load FOLDER` first."
    )
    (tmp_path / "folder.duckdb").mkdir()
    with pytest.raises(SqlError, match="it is a folder"):
        run_sql(tmp_path / "folder.duckdb", "select 1")

    outcome = cli.invoke(app, ["sql", "--warehouse", str(tmp_path / "none.duckdb"), "select 1"])
    assert outcome.exit_code == 1
    assert "No warehouse at" in outcome.stderr and "schoolwh load" in outcome.stderr
    assert "Traceback" not in outcome.output


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    bogus = tmp_path / "warehouse.duckdb"
    bogus.write_text("not a database", encoding="utf-8")
    with pytest.raises(SqlError, match=r"^Cannot open the warehouse at .*: IO Error"):
        run_sql(bogus, "select 1")


def test_bad_arguments(warehouse: Path) -> None:
    with pytest.raises(SqlError, match="Timeout must be more than 0"):
        run_sql(warehouse, "select 1", timeout=0)
    with pytest.raises(SqlError, match="0 or more"):
        run_sql(warehouse, "select 1", max_rows=-1)


# --- timeouts and the worker ----------------------------------------------------------


def test_runaway_query_stops_at_timeout(warehouse: Path) -> None:
    started = time.monotonic()
    with pytest.raises(SqlError) as caught:
        run_sql(warehouse, "select count(*) from range(100000000000) a", timeout=1)
    took = time.monotonic() - started
    assert str(caught.value) == "Query stopped after 1 s (timeout)."
    assert 1 <= took < 1 + limits.HARD_KILL_GRACE


def test_cli_stops_a_runaway_cross_join(warehouse: Path, cli: CliRunner) -> None:
    cross_join = (
        "select count(*) from range(1000000) a, range(1000000) b where a.range + b.range = 7"
    )
    started = time.monotonic()
    outcome = cli.invoke(app, ["sql", "-w", str(warehouse), "--timeout", "1.5", cross_join])
    assert time.monotonic() - started < 1.5 + limits.HARD_KILL_GRACE
    assert outcome.exit_code == 1
    assert outcome.stderr == "Query stopped after 1.5 s (timeout).\n"


def test_unresponsive_worker_is_killed(
    tmp_path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    sleeper = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    monkeypatch.setattr(runner, "_worker_argv", lambda: [sys.executable, "-c", sleeper])
    monkeypatch.setattr(limits, "HARD_KILL_GRACE", 0.5)
    started = time.monotonic()
    with pytest.raises(SqlError, match=r"Query stopped after 0.5 s \(timeout\)"):
        run_sql(warehouse, "select 1", timeout=0.5)
    assert time.monotonic() - started < 5
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_crashed_worker_is_reported(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crash = "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"
    monkeypatch.setattr(runner, "_worker_argv", lambda: [sys.executable, "-c", crash])
    with pytest.raises(SqlError, match="stopped with exit code 3 before answering: boom"):
        run_sql(warehouse, "select 1")


def test_worker_gets_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLWH_TEST_TOKEN", "s3cr3t")
    assert "SCHOOLWH_TEST_TOKEN" not in runner._worker_env()


def test_reader_sees_a_republished_file(tmp_path: Path) -> None:
    """A load publishes by atomic rename; the next query reads the new file."""
    published = build_warehouse(tmp_path / "warehouse.duckdb")
    assert run_sql(published, "select count(*) from marts.dim_school").rows == [(3,)]
    build = build_warehouse(tmp_path / "build.duckdb", SCHOOLS[:1])
    os.replace(build, published)
    assert run_sql(published, "select count(*) from marts.dim_school").rows == [(1,)]


def test_cli_formats(warehouse: Path, cli: CliRunner) -> None:
    query = "select school_name, budget_wan from marts.dim_school order by school_code"
    as_json = cli.invoke(app, ["sql", "-w", str(warehouse), "-f", "json", query])
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout)[0] == {"school_name": "郑州市第一中学", "budget_wan": 1234.5}
    as_csv = cli.invoke(app, ["sql", "-w", str(warehouse), "--format", "csv", query])
    assert as_csv.stdout.splitlines()[:2] == ["school_name,budget_wan", "郑州市第一中学,1234.50"]
    as_table = cli.invoke(app, ["sql", "-w", str(warehouse), query])
    assert as_table.stdout.splitlines()[-1] == "3 rows"


# --- issue 14: bounded results, raw free text, the dashboard's shared result --------------

BOMB_300MB = "select repeat('x', 300000) as x from range(1000)"  # 300 MB in one column
BOMB_3GB = "select repeat('x', 300000) as x from range(10000)"


def _cli_in_child(warehouse: Path, query: str) -> tuple[float, int, str]:
    """Run `schoolwh sql` in a fresh process tree: (seconds, peak RSS in MB of the CLI and
    its worker, what it printed)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run([sys.executable, '-m', 'schoolwh.cli', 'sql', '-w', sys.argv[1], "
        "sys.argv[2]], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
        "print(time.monotonic() - t, peak, p.returncode)\n"
        "print(p.stdout[:2000] + p.stderr[-2000:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(warehouse), query],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    first, _, rest = done.stdout.partition("\n")
    seconds, peak, code = first.split()
    assert code == "1", done.stdout  # refused: the CLI's error exit
    return float(seconds), int(peak), rest


@pytest.mark.parametrize("query", [BOMB_300MB, BOMB_3GB])
def test_a_huge_result_is_refused_in_seconds_below_2_gb(warehouse: Path, query: str) -> None:
    seconds, peak_mb, text = _cli_in_child(warehouse, query)
    assert seconds < 30, text
    assert peak_mb < 2048, (peak_mb, text)
    assert "64 MB" in text or "Out of Memory" in text, text
    assert "Traceback" not in text


def test_the_result_is_capped_in_bytes_as_well_as_rows(warehouse: Path) -> None:
    query = "select repeat('x', 10000) as x from range(500)"  # 5 MB in 500 rows
    assert len(run_sql(warehouse, query).rows) == 500
    with pytest.raises(SqlError) as info:
        run_sql(warehouse, query, max_bytes=1024**2)
    message = str(info.value)
    assert message.startswith("查询结果超过 1 MB")
    assert "Query refused: its result is larger than 1 MB" in message


def test_the_timeout_covers_formatting(warehouse: Path) -> None:
    result = run_sql(warehouse, SCHOOL_QUERY, timeout=30)
    assert result.deadline is not None and result.deadline <= time.monotonic() + 30
    late = dataclasses.replace(result, deadline=time.monotonic() - 1)
    for fmt in ("table", "csv", "json"):
        with pytest.raises(SqlError, match="timeout"):
            format_result(late, fmt)


def test_formatting_a_capped_result_takes_seconds(warehouse: Path) -> None:
    query = "select repeat('长', 2000) || i as x, i from range(10000) t(i)"  # 60 MB of text
    result = run_sql(warehouse, query, timeout=60)
    started = time.monotonic()
    text = format_result(result, "table")
    assert time.monotonic() - started < 10
    assert len(text.splitlines()) == 10_003


@pytest.fixture(scope="session")
def private_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding raw free text and quarantined raw rows."""
    path = build_warehouse(tmp_path_factory.mktemp("private") / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.survey (response_id VARCHAR, overall INTEGER, comment VARCHAR)")
    con.execute("INSERT INTO raw.survey VALUES ('R1', 5, '孩子家长电话 13800000000')")
    con.execute(
        "CREATE TABLE audit.quarantine (file_name VARCHAR, row_number INTEGER, reason VARCHAR, "
        "raw_value VARCHAR, raw_row VARCHAR)"
    )
    con.execute(
        "INSERT INTO audit.quarantine VALUES ('名单.csv', 7, 'bad_date', '2025-02-30', "
        '\'{"身份证号": "410105200001011234"}\')'
    )
    con.close()
    return path


SECRETS = ("13800000000", "410105200001011234")
READS_RAW_TEXT = [
    "select * from raw.survey",
    "select comment from raw.survey",
    "select s.comment from raw.survey s",
    "select upper(comment) from raw.survey",
    "select raw_row from audit.quarantine",
    "select * from audit.quarantine",
    "select q from audit.quarantine q",
    "select to_json(quarantine) from audit.quarantine",
    "select * exclude (overall) from raw.survey",
    "select columns('.*') from raw.survey",
    "with x as (select * from raw.survey) select count(*) from x",
    "select response_id from raw.survey where comment like '%138%'",
    "summarize raw.survey",
    "describe audit.quarantine",
    "pivot raw.survey on response_id using first(comment)",
    "select * from query_table('raw.survey')",
    "select * from query('select comment from raw.survey')",
    'select "comment" from "raw"."survey"',
    "select #3 from raw.survey",
    "select x from raw.survey as s(a, b, x)",
    "from raw.survey",
    "table audit.quarantine",
    "select response_id from raw.survey union all select comment from raw.survey",
    "select 1 from (values (1)) t(a), lateral (select comment from raw.survey)",
]


@pytest.mark.parametrize("query", READS_RAW_TEXT)
def test_raw_free_text_cannot_be_read(private_warehouse: Path, query: str) -> None:
    with pytest.raises(SqlError) as info:
        run_sql(private_warehouse, query)
    message = str(info.value)
    assert message.startswith("查询被拒绝 / Query refused:")
    assert not any(secret in message for secret in SECRETS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("select response_id, overall from raw.survey", [("R1", 5)]),
        ("select count(*) from raw.survey", [(1,)]),
        ("select file_name, row_number, reason, raw_value from audit.quarantine",
         [("名单.csv", 7, "bad_date", "2025-02-30")]),
        ("select count(*) from marts.dim_school", [(3,)]),
    ],
)  # fmt: skip
def test_other_columns_of_those_tables_can_be_read(
    private_warehouse: Path, query: str, expected: list[tuple]
) -> None:
    assert run_sql(private_warehouse, query).rows == expected


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("meal_companions", "companion_name"),
        ("meal_companions", "feedback"),
        ("canteen_checks", "inspector"),
        ("training", "topic"),
    ],
)
def test_the_supervision_sources_free_text_cannot_be_read(
    tmp_path: Path, table: str, column: str
) -> None:
    """Names of 陪餐 companions and inspectors, feedback and training topics stay in raw.*
    (the contract's raw-only columns): the box refuses them as it refuses survey comments,
    and reads the other columns."""
    path = build_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.{table} (record_id VARCHAR, {column} VARCHAR)")
    con.execute(f"INSERT INTO raw.{table} VALUES ('R1', '王某某 13900000000')")
    con.close()
    for query in (
        f"select {column} from raw.{table}",
        f"select * from raw.{table}",
        f"select to_json(t) from raw.{table} t",
        f"select struct_extract(raw.{table}, '{column[:3]}' || '{column[3:]}') from raw.{table}",
    ):
        with pytest.raises(SqlError) as info:
            run_sql(path, query)
        assert "13900000000" not in str(info.value), query
    assert run_sql(path, f"select record_id from raw.{table}").rows == [("R1",)]


def test_the_cli_refuses_raw_free_text(private_warehouse: Path, cli: CliRunner) -> None:
    out = cli.invoke(app, ["sql", "-w", str(private_warehouse), "select * from raw.survey"])
    assert out.exit_code == 1
    assert "raw.survey.comment" in out.output and "13800000000" not in out.output


SQL_PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "sql.py"


def _sql_page(monkeypatch: pytest.MonkeyPatch, warehouse: Path, query: str):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SCHOOLWH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(SQL_PAGE), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_area(key="sql_query").set_value(query)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_dashboard_result_is_held_once_for_all_sessions(
    private_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = "select response_id, overall from raw.survey"
    first = _sql_page(monkeypatch, private_warehouse, query)
    second = _sql_page(monkeypatch, private_warehouse, query)
    for at in (first, second):
        kept = at.session_state["sql_result"]
        assert set(kept) == {"key"}  # the session holds the key, not the rows
        assert kept["key"][2] == query
        [frame] = [f.value for f in at.dataframe if "response_id" in f.value.columns]
        assert list(frame["response_id"]) == ["R1"]
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    held = [
        entry
        for caches in _resource_caches._function_caches.values()  # per scope, then function
        for cache in caches.values()
        if "_shared_result" in cache.display_name
        for entry in cache._mem_cache.values()
    ]
    assert len(held) == 1  # one result for both sessions


def test_dashboard_refuses_a_huge_result_in_chinese(
    private_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _sql_page(monkeypatch, private_warehouse, BOMB_300MB)
    [error] = [e.value for e in at.error]
    assert error.startswith("查询出错：查询结果超过")
    assert "MessageSizeError" not in error
    assert not [f for f in at.dataframe if "x" in f.value.columns]


# issue 18 item 3: every form of reading a protected column, however qualified or computed
READS_RAW_TEXT_COMPUTED = [
    "select struct_extract(raw.survey, 'com'||'ment') from raw.survey",
    "select raw.survey from raw.survey",
    "select audit.quarantine from audit.quarantine",
    "select struct_extract(q, 'raw' || '_row') from audit.quarantine q",
    "select columns(*) from raw.survey",
    "select columns('c.*') from raw.survey",
    "select unnest(s) from raw.survey s",
    "select to_json(s) from raw.survey s",
    "select row_to_json(s) from raw.survey s",
    "select * from pragma_storage_info('raw.survey')",
    "select * from pragma_storage_info('audit.quarantine')",
    "select count(*) from raw.survey where comment like '孩子%'",
    "select count(*) from raw.survey where length(comment) > 3",
    "select response_id from raw.survey order by comment",
    "select min(overall) from raw.survey group by response_id having max(comment) > ''",
    "select * from unnest((select list(comment) from raw.survey))",
    "select (select s from raw.survey s).comment",
    "select count(*) from (select * from raw.survey) t where t.comment is not null",
    # the relation's name built at run time, in statements other than SELECT
    "call query_table('raw.sur'||'vey')",
    "call query('select comm'||'ent from raw.sur'||'vey')",
    "pivot (select * from query_table('raw.sur'||'vey')) on overall",
    "explain analyze select count(*) from query_table('raw.sur'||'vey') where comment like '孩子%'",
    "pragma storage_info('raw.sur'||'vey')",
    "call pragma_storage_info('audit.quar'||'antine')",
]


@pytest.mark.parametrize("query", READS_RAW_TEXT_COMPUTED)
def test_protected_columns_cannot_be_read_however_computed(
    private_warehouse: Path, query: str
) -> None:
    with pytest.raises(SqlError) as info:
        run_sql(private_warehouse, query)
    message = str(info.value)
    assert message.startswith("查询被拒绝 / Query refused:"), message
    assert not any(secret in message for secret in SECRETS)


def test_a_view_over_a_protected_relation_does_not_open_it(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.survey (response_id VARCHAR, overall INTEGER, comment VARCHAR)")
    con.execute("INSERT INTO raw.survey VALUES ('R1', 5, '孩子家长电话 13800000000')")
    con.execute("CREATE VIEW marts.comments AS SELECT response_id, comment AS c FROM raw.survey")
    con.close()
    with pytest.raises(SqlError, match="Query refused"):
        run_sql(path, "select c from marts.comments")
    assert run_sql(path, "select response_id from marts.comments").rows == [("R1",)]


@pytest.mark.parametrize(
    "query",
    [
        "select * from duckdb_tables()",
        "select table_name from information_schema.tables",
        "show tables",
        "select * from range(3)",
        "select * from pragma_table_info('raw.survey')",
        "summarize marts.dim_school",
    ],
)
def test_catalog_and_generators_stay_available(private_warehouse: Path, query: str) -> None:
    assert run_sql(private_warehouse, query).columns
