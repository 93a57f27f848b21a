"""Accounts, roles, login throttling, district extracts and the scoped connection."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from schoolwh.accounts import AccountError, AccountStore, LoginFailed, accounts_path, extract_path
from schoolwh.cli import app
from schoolwh.pipeline.extracts import ensure_extract, write_extracts
from schoolwh.reading import connection
from schoolwh.reading.downloads import to_csv_bytes, to_xlsx_bytes
from schoolwh.sandbox import run_sql

PASSWORD = "correct horse 9"
A, B = "410105", "410122"


def make_warehouse(path: Path) -> Path:
    """Two districts, a school each, KPI rows, a city row and audit rows."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create schema audit")
    con.execute("create schema raw")
    con.execute(
        "create table marts.dim_district as select * from (values "
        f"('{A}', '金水区'), ('{B}', '中牟县')) t(district_code, district_name)"
    )
    con.execute(
        "create table marts.dim_school as select * from (values "
        f"('4101050001', '{A}', '金水区实验小学', true), "
        f"('4101220001', '{B}', '中牟县一小', true)) t(school_code, district_code, school_name, active)"
    )
    con.execute(
        "create table marts.kpi_district as select * from (values "
        f"('{A}', 'term', '2025-autumn', 'coverage', 0.5, '金水区'), "
        f"('{B}', 'term', '2025-autumn', 'coverage', 0.9, '中牟县')) "
        "t(district_code, period_type, period, kpi, value, district_name)"
    )
    con.execute(
        "create table marts.kpi_overall as select * from (values "
        "('term', '2025-autumn', 'coverage', 0.7)) t(period_type, period, kpi, value)"
    )
    con.execute(
        "create table marts.dq_orphan_facts as select * from (values "
        "('4101220001', cast(null as varchar), 'x'), ('4101050001', null, 'y')) "
        "t(school_code, district_code, reason)"
    )
    con.execute("create table marts.build_info as select date '2025-10-31' as as_of_date")
    con.execute("create table marts.unscoped_secret as select 1 as x")
    con.execute(
        "create table raw.enrollment as select * from (values "
        "('4101050001', 'h1'), ('4101220001', 'h2')) t(school_code, _file_hash)"
    )
    con.execute(
        "create table audit.loads as select 1 as load_id, 'published' as outcome, "
        "99 as rows_landed, 'a.xlsx, b.xlsx' as message"
    )
    con.execute(
        "create table audit.load_files as select * from (values "
        "('h1', '金水区.xlsx'), ('h2', '中牟县.xlsx')) t(file_hash, file_name)"
    )
    con.execute(
        "create table audit.quarantine as select * from (values "
        '(\'h2\', 3, \'{"学校代码": "4101220001", "在校生数": "x"}\'), '
        '(\'h1\', 4, \'{"学校代码": "4101050001", "在校生数": "y"}\')) '
        "t(file_hash, row_number, raw_row)"
    )
    con.close()
    return path


def cli(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


# -- accounts -------------------------------------------------------------------------------
def test_users_commands_keep_accounts_beside_the_warehouse(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    r = cli("users", "add", "li", "--role", "district", "--district", A,
            "--password-stdin", "-w", str(wh), stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    path = accounts_path(wh)
    assert path.parent == wh.parent and path != wh
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "$argon2id$" in text
    assert PASSWORD not in r.output
    # the warehouse file readers open holds nothing about accounts
    con = duckdb.connect(str(wh), read_only=True)
    tables = {
        t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
    }
    con.close()
    assert not any("account" in t or "user" in t for t in tables)
    listed = cli("users", "list", "-w", str(wh))
    assert "li\tdistrict\t410105" in listed.output and "argon2" not in listed.output
    # the district's extract exists as soon as the account does
    assert extract_path(wh, (A,)).exists()
    assert cli("users", "passwd", "li", "--password-stdin", "-w", str(wh),
               stdin="another pass 8\n").exit_code == 0  # fmt: skip
    store = AccountStore(wh)
    assert store.authenticate("li", "another pass 8").name == "li"
    assert cli("users", "remove", "li", "-w", str(wh)).exit_code == 0
    assert not store.exists()
    assert "no account" in cli("users", "remove", "li", "-w", str(wh)).output


def test_bad_account_requests_get_a_clear_message(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    r = cli("users", "add", "x", "--role", "district", "--password-stdin", "-w", str(wh),
            stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 2 and "--district" in r.output
    r = cli("users", "add", "x", "--role", "king", "--password-stdin", "-w", str(wh),
            stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 2 and "unknown role" in r.output
    r = cli("users", "add", "x", "--role", "clerk", "--district", "999999",
            "--password-stdin", "-w", str(wh), stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 2 and "999999" in r.output
    r = cli("users", "add", "x", "--role", "bureau", "--password-stdin", "-w", str(wh),
            stdin="short\n")  # fmt: skip
    assert r.exit_code == 2 and "at least 10" in r.output
    r = cli("users", "add", "../x", "--role", "bureau", "--password-stdin", "-w", str(wh),
            stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 2 and "invalid user name" in r.output


class _Clock:
    """A clock that a pause moves forward; records the pauses."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def _store(path: Path, clock: _Clock, **kwargs) -> AccountStore:
    return AccountStore(path, sleep=clock.sleep, clock=clock, **kwargs)


def test_failures_slow_down_but_never_lock_the_owner_out(tmp_path):
    """Five wrong passwords once locked any known account for 15 minutes, the right one too."""
    clock = _Clock()
    store = _store(tmp_path / "w.duckdb", clock)
    store.add("wang", "bureau", (), PASSWORD)
    for _ in range(6):
        with pytest.raises(LoginFailed, match="wrong user name or password"):
            store.authenticate("wang", "nope nope nope")
    # the 4th try waits 1 s, the 5th 2 s, the 6th 4 s: each after the one before
    assert clock.pauses == [1.0, 2.0, 4.0]
    # the owner is let in with the right password, after the pause and not 15 minutes
    assert store.authenticate("wang", PASSWORD).name == "wang"
    assert clock.pauses[-1] == 8.0 and len(clock.pauses) == 4
    # a good login clears the count: the next try is checked at once
    clock.pauses.clear()
    assert store.authenticate("wang", PASSWORD).name == "wang"
    assert clock.pauses == []
    assert "locked" not in json.dumps([a.public() for a in store.list()])


def test_pauses_are_capped_and_forgotten(tmp_path):
    clock = _Clock()
    store = _store(tmp_path / "w.duckdb", clock, max_delay=5.0)
    store.add("wang", "bureau", (), PASSWORD)
    for _ in range(8):
        with pytest.raises(LoginFailed):
            store.authenticate("wang", "nope nope nope")
    assert max(clock.pauses) == 5.0
    clock.now += 16 * 60  # a quiet quarter of an hour
    clock.pauses.clear()
    with pytest.raises(LoginFailed):
        store.authenticate("wang", "nope nope nope")
    assert clock.pauses == []


def test_unknown_and_known_names_answer_alike(tmp_path, monkeypatch):
    """Unknown names never slowed down and got another message: a user-name oracle."""
    from schoolwh.accounts import store as store_module

    checks: list[str] = []
    real_verify = store_module._verify

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password_hash[:9])
        return real_verify(password_hash, password)

    monkeypatch.setattr(store_module, "_verify", counted)
    answers = {}
    for name in ("wang", "nobody"):
        clock = _Clock()
        store = _store(tmp_path / f"{name}.duckdb", clock)
        store.add("wang", "bureau", (), PASSWORD)
        before = accounts_path(store.warehouse).stat().st_mtime_ns
        checks.clear()
        messages = []
        for _ in range(5):
            with pytest.raises(LoginFailed) as failed:
                store.authenticate(name, "nope nope nope")
            messages.append(str(failed.value))
        answers[name] = (messages, clock.pauses, list(checks))
        # nothing is written for either: no file time to tell them apart
        assert accounts_path(store.warehouse).stat().st_mtime_ns == before
    assert answers["wang"] == answers["nobody"]
    assert answers["nobody"][2] == ["$argon2id"] * 5  # one Argon2 check each, like a name


def test_failures_slow_down_per_client_as_well(tmp_path):
    clock = _Clock()
    store = _store(tmp_path / "w.duckdb", clock)
    store.add("wang", "bureau", (), PASSWORD)
    for n in range(5):  # a new name every time: only the client is the same
        with pytest.raises(LoginFailed):
            store.authenticate(f"guess{n}", "nope nope nope", client="203.0.113.9")
    assert clock.pauses == [1.0, 2.0]
    clock.pauses.clear()
    # another client trying its own account is not slowed by the first one's failures
    assert store.authenticate("wang", PASSWORD, client="198.51.100.7").name == "wang"
    assert clock.pauses == []


def test_no_lock_is_held_while_a_password_is_checked(tmp_path, monkeypatch):
    from filelock import FileLock, Timeout

    from schoolwh.accounts import store as store_module

    store = AccountStore(tmp_path / "w.duckdb")
    store.add("wang", "bureau", (), PASSWORD)
    held: list[bool] = []
    real_verify = store_module._verify

    def probing(password_hash: str, password: str) -> bool:
        try:
            with FileLock(str(store.path) + ".lock", timeout=0):
                held.append(False)
        except Timeout:
            held.append(True)
        return real_verify(password_hash, password)

    monkeypatch.setattr(store_module, "_verify", probing)
    assert store.authenticate("wang", PASSWORD).name == "wang"
    with pytest.raises(LoginFailed):
        store.authenticate("wang", "nope nope nope")
    assert held == [False, False]


@pytest.mark.parametrize(
    ("name", "password", "says"),
    [
        ("wang", "short1", "at least 10"),
        ("wangfang", "wangfang2025", "user name"),
        ("wangfang", "WangFang!!!", "user name"),
        ("li@jyj.example.gov.cn", "li@jyj.example.gov.cn", "user name"),
        ("wang", "password123", "too common"),
        ("wang", "Password2025!", "too common"),
        ("wang", "woaini1314", "too common"),
        ("wang", "1qaz2wsx3edc", "too common"),
        ("wang", "qwertyuiop", "too common"),
        ("wang", "1234567890123", "too common"),
        ("wang", "abababababab", "too common"),
    ],
)
def test_a_minimum_password_policy(tmp_path, name, password, says):
    store = AccountStore(tmp_path / "w.duckdb")
    with pytest.raises(AccountError, match=says):
        store.add(name, "bureau", (), password)
    store.add(name, "bureau", (), PASSWORD)
    with pytest.raises(AccountError, match=says):
        store.set_password(name, password)


def test_user_names_are_normalised_and_refused_with_control_characters(tmp_path):
    store = AccountStore(tmp_path / "w.duckdb")
    account = store.add("ｌｉ", "bureau", (), PASSWORD)  # full-width letters
    assert account.name == "li"
    with pytest.raises(AccountError, match="already exists"):
        store.add("Li", "bureau", (), PASSWORD)
    assert store.authenticate("LI", PASSWORD).name == "li"
    assert store.authenticate("ｌｉ", PASSWORD).name == "li"
    for bad in ("wang\n", "wang\x00", "wa ng", "\u200bwang", "аdmin", "wang\u202e"):  # а: Cyrillic
        with pytest.raises(AccountError, match="invalid user name"):
            store.add(bad, "bureau", (), PASSWORD)
    with pytest.raises(LoginFailed, match="wrong user name or password"):
        store.authenticate("li\n", PASSWORD)
    r = cli("users", "add", "zhao\n", "--role", "bureau", "--password-stdin",
            "-w", str(tmp_path / "w.duckdb"), stdin=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 2 and "\\u000a" in r.output and "Traceback" not in r.output


def test_an_older_accounts_file_with_lockout_fields_is_read(tmp_path):
    store = AccountStore(tmp_path / "w.duckdb")
    store.add("wang", "bureau", (), PASSWORD)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    data["accounts"]["wang"].update(failures=4, locked_until=9e12)
    store.path.write_text(json.dumps(data), encoding="utf-8")
    assert store.authenticate("wang", PASSWORD).name == "wang"


def test_roles_scope_and_pages(tmp_path):
    store = AccountStore(tmp_path / "w.duckdb")
    district = store.add("d", "district", (A,), PASSWORD)
    clerk = store.add("c", "clerk", (B,), PASSWORD)
    bureau = store.add("b", "bureau", (), PASSWORD)
    analyst = store.add("a", "analyst", (), PASSWORD)
    assert district.scope == (A,) and clerk.scope == (B,)
    assert bureau.scope is None and analyst.scope is None
    assert analyst.can_sql and district.can_sql and not bureau.can_sql
    assert clerk.can_upload and bureau.can_upload and not district.can_upload
    with pytest.raises(AccountError):
        store.add("b2", "bureau", (A,), PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        store.add("d", "district", (A,), PASSWORD)


# -- extracts --------------------------------------------------------------------------------
def _tables(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
        return {n: con.execute(f"select * from {n}").df() for (n,) in names}
    finally:
        con.close()


def test_extract_holds_only_the_district(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    written = write_extracts(wh, every_district=True)
    assert {p.name for p in written} == {f"{A}.duckdb", f"{B}.duckdb"}
    tables = _tables(extract_path(wh, (A,)))
    assert "marts.unscoped_secret" not in tables  # what cannot be scoped stays out
    assert set(tables["marts.dim_district"]["district_code"]) == {A}
    assert set(tables["marts.dim_school"]["school_code"]) == {"4101050001"}
    assert set(tables["marts.kpi_district"]["district_code"]) == {A}
    assert list(tables["marts.dq_orphan_facts"]["school_code"]) == ["4101050001"]
    # the district's own figures stand for the overall ones, not the city's 0.7
    assert list(tables["marts.kpi_overall"]["value"]) == [0.5]
    assert list(tables["audit.load_files"]["file_name"]) == ["金水区.xlsx"]
    assert list(tables["audit.quarantine"]["row_number"]) == [4]
    loads = tables["audit.loads"]
    assert loads["rows_landed"].isna().all() and loads["message"].isna().all()
    blob = json.dumps({k: v.astype(str).values.tolist() for k, v in tables.items()})
    assert "中牟" not in blob and B not in blob and "4101220001" not in blob


def test_city_figures_only_when_the_bureau_allows(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    AccountStore(wh).set_district_sees_city(True)
    write_extracts(wh, [(A,)])
    assert list(_tables(extract_path(wh, (A,)))["marts.kpi_overall"]["value"]) == [0.7]


def test_the_sample_mark_and_the_check_descriptions_travel_into_an_extract(tmp_path):
    """A district leader saw no 示例数据（合成） anywhere (the mark is a file of the load,
    and only the district's files went into its extract) and read raw check names on
    数据质量 (the messages were blanked with their city-wide counts)."""
    from schoolwh.core.sample import SAMPLE_MARKER
    from schoolwh.reading import queries as q
    from schoolwh.reading.connection import Warehouse

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh))
    con.execute(
        "create table audit.dq_results as select * from (values "
        "(1, 'expect_column_values_to_not_be_null', "
        "'必填列「区县」不为空 / District is filled — 通过：0 / 16 行不符合')) "
        "t(load_id, check_name, message)"
    )
    con.close()
    real = Warehouse(ensure_extract(wh, (A,)))
    try:
        assert not q.is_sample(real)  # real data carries no mark
        [message] = real.query("select message from audit.dq_results")["message"]
        assert message == "必填列「区县」不为空 / District is filled"  # no city-wide result
    finally:
        real.close()
    con = duckdb.connect(str(wh))
    con.execute("insert into audit.load_files values (null, ?)", [f"/srv/inbox/{SAMPLE_MARKER}"])
    con.close()
    write_extracts(wh, [(A,)])
    own = Warehouse(extract_path(wh, (A,)))
    try:
        assert q.is_sample(own)
        assert set(own.query("select file_name from audit.load_files")["file_name"]) == {
            "金水区.xlsx",
            f"/srv/inbox/{SAMPLE_MARKER}",
        }  # the mark, and still none of the other district's files
    finally:
        own.close()


def test_a_publish_writes_the_extracts_accounts_read(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    store = AccountStore(wh)
    store.add("li", "district", (A,), PASSWORD)
    store.add("both", "analyst", (A, B), PASSWORD)
    store.add("boss", "bureau", (), PASSWORD)
    names = {p.name for p in write_extracts(wh)}
    assert names == {f"{A}.duckdb", f"{B}.duckdb"}  # one district per file
    store.remove("both")
    write_extracts(wh)
    assert not extract_path(wh, (B,)).exists()  # no one reads it any more
    assert extract_path(wh, (A,)).exists()


def test_sql_on_the_extract_cannot_reach_other_districts(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    path = ensure_extract(wh, (A,))
    result = run_sql(path, "select * from marts.dim_school")
    assert [r[0] for r in result.rows] == ["4101050001"]
    result = run_sql(path, "select district_code from marts.kpi_district")
    assert {r[0] for r in result.rows} == {A}
    with pytest.raises(Exception):  # noqa: B017 - the warehouse is not attached, whatever the SQL
        run_sql(path, f"select * from read_parquet('{wh}')")


def test_extract_is_rewritten_when_the_warehouse_is_newer(tmp_path):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    path = ensure_extract(wh, (A,))
    con = duckdb.connect(str(wh))
    con.execute(f"insert into marts.dim_school values ('4101050002', '{A}', '金水区二小', true)")
    con.close()
    os.utime(wh, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    ensure_extract(wh, (A,))
    assert len(_tables(path)["marts.dim_school"]) == 2


def test_connection_reads_the_session_file_only(tmp_path, monkeypatch):
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("SCHOOLWH_WAREHOUSE", str(wh))
    extract = ensure_extract(wh, (A,))
    try:
        connection.read_from(extract, scoped=True)
        w = connection.get_warehouse()
        assert w is not None and w.path == extract.resolve()
        assert list(w.query("select district_code from marts.kpi_district")["district_code"]) == [A]
        connection.read_from(None, scoped=True)  # scoped but no extract: nothing at all
        assert connection.get_warehouse() is None
        connection.read_from(None)
        assert connection.get_warehouse().path == wh.resolve()
    finally:
        connection.read_from(None)


# -- downloads --------------------------------------------------------------------------------
def test_downloads_write_formulas_as_text(tmp_path):
    frame = pd.DataFrame(
        {
            "学校": ['=HYPERLINK("http://evil.example","点我")', "+1", "-2+3", "@SUM(A1)", "普通"],
            "人数": [1, -2, 3, 4, 5],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1][0] == "'" + frame["学校"][0]
    assert [r[0] for r in rows[2:5]] == ["'+1", "'-2+3", "'@SUM(A1)"]
    assert rows[5][0] == "普通" and rows[2][1] == "-2"  # numbers stay numbers
    path = tmp_path / "t.xlsx"
    path.write_bytes(to_xlsx_bytes(frame, "学校"))
    sheet = openpyxl.load_workbook(path).active
    cell = sheet.cell(2, 1)
    assert cell.data_type == "s" and cell.value == frame["学校"][0]
    assert sheet.cell(3, 1).data_type == "s" and sheet.cell(3, 1).value == "+1"
    assert sheet.cell(3, 2).value == -2


# -- login in the dashboard -------------------------------------------------------------------
def _app(wh: Path, monkeypatch, address: str = "127.0.0.1"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SCHOOLWH_WAREHOUSE", str(wh))
    from streamlit import config as st_config

    app_file = Path(__file__).parents[1] / "dashboard" / "app.py"
    st_config.set_option("server.address", address)
    return AppTest.from_file(str(app_file), default_timeout=60)


def test_dashboard_asks_for_a_login_once_an_account_exists(tmp_path, monkeypatch):
    from streamlit import config as st_config

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    AccountStore(wh).add("li", "district", (A,), PASSWORD)
    try:
        at = _app(wh, monkeypatch).run()
        assert [t.label for t in at.text_input] == ["用户名", "密码"]
        assert at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD
        assert [b.label for b in at.button] == ["登录"]
        assert not at.error
        shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
        assert "金水区" not in shown and "数据截至" not in shown
        at.text_input[0].input("li")
        at.text_input[1].input("wrong password")
        at.button[0].click().run()
        assert "wrong user name or password" in at.error[0].value
        assert "auth_account" not in at.session_state
        at.text_input[1].input(PASSWORD)
        at.button[0].click().run()
        assert at.session_state["auth_account"] == "li"
        assert not at.text_input or at.text_input[0].label != "用户名"
        assert any("li" in c.value and "district" in c.value for c in at.sidebar.caption)
        assert extract_path(wh, (A,)).exists()  # what this session reads
    finally:
        st_config.set_option("server.address", None)


def test_open_mode_only_on_loopback(tmp_path, monkeypatch):
    from streamlit import config as st_config

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    try:
        at = _app(wh, monkeypatch, "0.0.0.0").run()
        assert at.error and "127.0.0.1" in at.error[0].value
        assert not at.text_input
        at = _app(wh, monkeypatch, "127.0.0.1").run()
        assert not at.text_input  # no accounts, local: today's open mode
    finally:
        st_config.set_option("server.address", None)


def test_an_account_with_several_districts_reads_one_extract_at_a_time(tmp_path, monkeypatch):
    from streamlit import config as st_config

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    AccountStore(wh).add("two", "analyst", (A, B), PASSWORD)
    try:
        at = _app(wh, monkeypatch).run()
        at.text_input[0].input("two")
        at.text_input[1].input(PASSWORD)
        at.button[0].click().run()
        [pick] = [s for s in at.sidebar.selectbox if s.label == "查看区县"]
        assert list(pick.options) == [A, B]
        pick.select(B).run()
        assert extract_path(wh, (B,)).exists() and not extract_path(wh, (A, B)).exists()
    finally:
        st_config.set_option("server.address", None)


def test_an_identity_provider_can_stand_in_for_passwords(tmp_path, monkeypatch):
    from streamlit import config as st_config

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    AccountStore(wh).add("li@jyj.example.gov.cn", "district", (A,), PASSWORD)
    try:
        at = _app(wh, monkeypatch)
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "test only",
            "client_id": "schoolwh",
            "client_secret": "test only",
            "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
        }
        at.run()
        labels = [b.label for b in at.button]
        assert "登录" in labels and "使用单位统一身份认证登录" in labels
    finally:
        st_config.set_option("server.address", None)


def test_a_districts_own_figures_are_named_for_the_district_not_the_city(tmp_path):
    """A district leader's overview once read 郑州市全市指标 over their district's own figures."""
    from schoolwh.briefing.scope import whole_label
    from schoolwh.reading import queries as q
    from schoolwh.reading.connection import Warehouse

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    own = Warehouse(ensure_extract(wh, (A,)))
    try:
        assert q.overall_place(own) == "金水区"
        assert whole_label(q.overall_place(own), "zh") == "全区"
    finally:
        own.close()
    whole = Warehouse(wh)
    try:
        assert q.overall_place(whole) is None  # the published warehouse: the city
    finally:
        whole.close()
    AccountStore(wh).set_district_sees_city(True)
    write_extracts(wh, [(A,)])
    city = Warehouse(extract_path(wh, (A,)))
    try:
        assert q.overall_place(city) is None  # the city's figures: named for the city
    finally:
        city.close()


def test_a_district_extract_keeps_its_own_and_the_city_wide_suppliers(tmp_path):
    """A supplier with an empty district_code serves the whole jurisdiction: every
    district's extract holds it; another district's supplier stays out."""
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh))
    con.execute(
        "create table marts.dim_supplier as select * from (values "
        f"('S-A', '金水配送', '{A}'), ('S-B', '中牟配送', '{B}'), ('S-ALL', '全市粮油', null)) "
        "t(supplier_id, supplier_name, district_code)"
    )
    con.close()
    write_extracts(wh, [(A,)])
    suppliers = _tables(extract_path(wh, (A,)))["marts.dim_supplier"]
    assert sorted(suppliers["supplier_id"]) == ["S-A", "S-ALL"]


def test_a_district_extract_keeps_no_other_districts_counts_and_is_the_owners_only(tmp_path):
    """A city-wide file's whole-file row counts reached the district's extract (0640)."""
    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh))
    con.execute("drop table raw.enrollment")
    con.execute(
        "create table raw.enrollment as select * from (values "
        "('4101050001', 'city', '在校生'), ('4101220001', 'city', '在校生'), "
        "('4101220001', 'city', '在校生'), ('4101050001', 'own', '在校生')) "
        "t(school_code, _file_hash, _sheet)"
    )
    con.execute("drop table audit.load_files")
    con.execute(
        "create table audit.load_files as select * from (values "
        "('city', '全市.xlsx', '在校生', 40, 3, 37, 0, '全市 40 行，中牟县 37 行有误'), "
        "('own', '金水区.xlsx', '在校生', 1, 1, 0, 0, '金水区 1 行')) "
        "t(file_hash, file_name, sheet, rows_read, rows_landed, rows_quarantined, "
        "rows_dropped, message)"
    )
    con.execute("drop table audit.quarantine")
    con.execute(
        "create table audit.quarantine as select * from (values "
        "('city', '在校生', 5, '{\"学校代码\": \"4101220001\"}'), "
        "('city', '在校生', 6, '{\"学校代码\": \"4101050001\"}')) "
        "t(file_hash, sheet, row_number, raw_row)"
    )
    con.close()
    path = ensure_extract(wh, (A,))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    files = _tables(path)["audit.load_files"].set_index("file_hash")
    city = files.loc["city"]
    # the district's own rows of the city-wide file: 1 landed, 1 quarantined
    assert (city["rows_read"], city["rows_landed"], city["rows_quarantined"]) == (2, 1, 1)
    assert pd.isna(city["message"]) and pd.isna(city["rows_dropped"])
    own = files.loc["own"]  # a file of the district alone keeps its figures
    assert (own["rows_read"], own["rows_landed"], own["message"]) == (1, 1, "金水区 1 行")


def test_the_login_page_names_the_product_and_the_jurisdiction(tmp_path, monkeypatch):
    """The login page said only 登录: neither what it opens nor whose figures."""
    from streamlit import config as st_config

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    AccountStore(wh).add("li", "district", (A,), PASSWORD)
    try:
        at = _app(wh, monkeypatch).run()
        assert not at.exception
        assert any("学校午餐与课后服务监测" in m.value for m in at.markdown)
        assert any("郑州市" in c.value for c in at.caption)  # from the districts' codes
        assert [t.label for t in at.text_input] == ["用户名", "密码"]
    finally:
        st_config.set_option("server.address", None)
