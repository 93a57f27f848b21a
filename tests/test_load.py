"""Load semantics of docs/contract.md#load-semantics: audit, archive, corrections,
idempotency, rejections."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from schoolwh.pipeline.load import EXIT_BUSY, EXIT_OK, EXIT_REJECTED, load, run_load
from schoolwh.pipeline.publish import exclusive
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv, write_xlsx


def q(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def set_mtime(path: Path, t: int) -> Path:
    os.utime(path, (t, t))
    return path


def issues_file(path: Path, status: str, closed: str, t: int) -> Path:
    rows = [
        ["问题编号", "学校代码", "发现日期", "问题类别", "整改期限", "整改状态", "整改完成日期"],
        ["I1", "4101050001", "2025-09-08", "食品安全", "2025-09-15", status, closed],
        ["I2", "4101050001", "2025-09-09", "台账记录", "2025-09-16", "未整改", ""],
    ]
    return set_mtime(write_xlsx(path, {"台账": rows}), t)


def test_load_lands_rows_with_metadata_and_archives_files(tmp_path):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    f = write_csv(
        tmp_path / "in" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")], "gbk"
    )
    result = load([f], wh, build=False)
    assert result.published and result.exit_code == EXIT_OK
    rows = q(wh, "select school_code, _load_id, _batch_seq, _row_number, _sheet from raw.schools")
    assert rows == [("4101050001", 1, 1, 2, None)]
    [(h,)] = q(wh, "select file_hash from audit.load_files")
    assert (wh.parent / "archive" / h[:2] / f"{h}.csv").read_bytes() == f.read_bytes()
    [(outcome, landed)] = q(wh, "select outcome, rows_landed from audit.loads")
    assert (outcome, landed) == ("published", 1)


def test_loading_the_same_folder_twice_changes_nothing(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    d = tmp_path / "in"
    write_csv(d / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")], "gbk")
    write_csv(d / "区县.csv", [["区县代码", "区县名称"], ["410105", "金水区"]])
    assert load([d], wh, build=False).published
    before = wh.read_bytes()
    again = load([d], wh, build=False)
    assert not again.published
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"]
    assert wh.read_bytes() == before


def test_correction_in_a_later_load_wins_and_history_is_kept(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    first = issues_file(tmp_path / "a" / "台账.xlsx", "整改中", "", 1_000)
    load([first], wh, build=False)
    second = issues_file(tmp_path / "b" / "台账（更正）.xlsx", "已整改", "2025-09-12", 2_000)
    load([second], wh, build=False)
    history = q(wh, "select status, _load_id from raw.issues where issue_id = 'I1' order by 2")
    assert history == [("in_progress", 1), ("closed", 2)]
    latest = q(
        wh,
        "select status from raw.issues where issue_id = 'I1' "
        "qualify row_number() over (partition by issue_id order by _batch_seq desc) = 1",
    )
    assert latest == [("closed",)]


def test_within_one_load_the_newer_file_wins(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    d = tmp_path / "in"
    issues_file(d / "z_原始.xlsx", "整改中", "", 1_000)  # sorts last by name, but older
    issues_file(d / "a_更正.xlsx", "已整改", "2025-09-12", 2_000)
    load([d], wh, build=False)
    latest = q(
        wh,
        "select status, _file_name from raw.issues where issue_id = 'I1' "
        "order by _batch_seq desc limit 1",
    )
    assert latest[0][0] == "closed" and latest[0][1].endswith("a_更正.xlsx")


def test_mixed_folder_with_one_rejected_file(tmp_path, capsys):
    wh = tmp_path / "warehouse.duckdb"
    d = tmp_path / "in"
    write_csv(d / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")], "gbk")
    bad = [["学校代码", "日期", "就餐人数"], ["4101050001", "2025-09-01", "-1"]]
    write_csv(d / "坏文件.csv", bad)  # 100 % failing → rejected
    write_csv(d / "无关.csv", [["姓名", "电话"], ["张三", "123"]])  # matches no source
    (d / "说明.txt").write_text("not a spreadsheet")
    code = run_load([d], wh, out=None)
    out = capsys.readouterr().out
    assert code == EXIT_REJECTED
    assert q(wh, "select count(*) from raw.schools") == [(1,)]
    assert q(wh, "select count(*) from raw.participation") == [(0,)]
    statuses = dict(q(wh, "select file_name, status from audit.load_files"))
    # the text file is listed too: nothing in a folder is skipped silently
    assert sorted(statuses.values()) == ["ignored", "loaded", "rejected", "rejected"]
    quarantined = q(
        wh, "select row_number, column_name, raw_value, reason, file_rejected from audit.quarantine"
    )
    assert quarantined == [(2, "就餐人数", "-1", "out_of_range", True)]
    assert "REJECTED" in out and "坏文件.csv" in out and "无关.csv" in out
    assert "none of the first 10 rows is the header of a known source" in out
    assert "说明.txt" in out and "not a spreadsheet" in out


def test_order_independent_orphans_land(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    p = write_csv(
        tmp_path / "p.csv",
        [["学校代码", "日期", "就餐人数"], ["4109999999", "2025-09-01", "10"]],
    )
    load([p], wh, build=False)
    assert q(wh, "select school_code from raw.participation") == [("4109999999",)]


def test_a_second_load_waits_then_says_why(tmp_path, capsys):
    wh = tmp_path / "warehouse.duckdb"
    f = write_csv(tmp_path / "d.csv", [["区县代码", "区县名称"], ["410105", "金水区"]])
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with exclusive(wh, 5):
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        started = time.monotonic()
        code = run_load([f], wh, wait=0.5)
        assert code == EXIT_BUSY
        assert time.monotonic() - started >= 0.5
        assert "another load" in capsys.readouterr().out
    finally:
        release.set()
        t.join()
    assert run_load([f], wh, wait=5) == EXIT_OK


def test_missing_path_is_reported(tmp_path, capsys):
    code = run_load([tmp_path / "nope"], tmp_path / "w.duckdb")
    assert code != 0
    assert "no such file" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _no_build(monkeypatch):
    """These tests check landing only; the build and quality steps are tested elsewhere."""
    import schoolwh.pipeline.load as mod

    real = mod.load
    monkeypatch.setattr(mod, "load", lambda *a, **k: real(*a, **{**k, "build": False}))


@pytest.mark.dbt
def test_a_new_warehouse_path_reuses_the_saved_dbt_parse(tmp_path, monkeypatch):
    """The parse is kept per project version: a first load into a new warehouse does not
    parse the whole project again (dbt's own record: no file parsed afresh)."""
    import json
    import tempfile

    from schoolwh.pipeline.dbt_runner import ENV_DBT_PATH, run_dbt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a cache of this test's own
    counts = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        copy = folder / ".warehouse.duckdb.build"
        result = run_dbt(
            ["parse"], env={ENV_DBT_PATH: str(copy)}, cache_key=str(copy), target_dir=folder / "t"
        )
        assert result.success, result.message
        info = json.loads((folder / "t" / "perf_info.json").read_text())
        counts.append(info["parsed_path_count"])
    assert counts[0] > 0 and counts[1] == 0
