"""上报情况 (issue #24): when files were received (`schoolwh load --received DATE`), who
has not reported, and the on-time share against each source's deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
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
