"""The dry run, correction sheets, out-of-scope rows, upload limits and background loads."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from schoolwh.core.settings import PROJECT_ROOT
from schoolwh.pipeline import uploads
from schoolwh.pipeline.check import (
    REASON_HEADER,
    UploadRefused,
    check_file,
    correction_sheet,
    safe_file_name,
    vet_upload,
)
from schoolwh.pipeline.load import load
from tests.filemaker import write_csv, write_xlsx
from tests.test_templates import registry

A, B = "410105", "410122"
ENROLL_HEADER = ["学校代码", "学期", "在校生数", "有就餐需求学生数"]
PART_HEADER = ["学校代码", "日期", "就餐人数", "课后服务人数"]


def week_of_daily_rows(path: Path, schools: int = 120) -> Path:
    rows = [PART_HEADER]
    start = dt.date(2025, 9, 1)
    for s in range(schools):
        for d in range(7):
            rows.append([f"410105{s:04d}", (start + dt.timedelta(days=d)).isoformat(), 300, 120])
    return write_csv(path, rows)


def schoolwh(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "schoolwh.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_check_of_a_districts_week_publishes_nothing(tmp_path):
    """How fast it answers is `make bench`'s figure (`check_week_s`), not a timed test."""
    path = week_of_daily_rows(tmp_path / "日报.csv")
    wh = tmp_path / "warehouse.duckdb"
    r = schoolwh("check", str(path), "-w", str(wh), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "840 行导入 landed" in r.stdout and "check passed" in r.stdout
    assert not wh.exists() and not (tmp_path / "archive").exists()


def test_check_exits_non_zero_when_a_load_would_reject(tmp_path):
    rows = [ENROLL_HEADER, ["4101050001", "2025-autumn", 500, 100]]
    rows += [["4101050002", "2025-autumn", "很多", 10], ["4101050003", "2025-autumn", 30, 90]]
    path = write_csv(tmp_path / "在校生.csv", rows)
    r = schoolwh("check", str(path), cwd=tmp_path)
    assert r.returncode == 1
    assert "拒绝导入 / REJECTED" in r.stdout and "check failed" in r.stdout
    assert "第3行「在校生数」" in r.stdout  # file, row, column and why
    assert "need_exceeds_enrolled" in r.stdout or "需求人数大于在校生数" in r.stdout
    missing = schoolwh("check", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.returncode != 0 and "no such file" in missing.stdout + missing.stderr


def test_correction_sheet_round_trips(tmp_path):
    rows = [ENROLL_HEADER]
    rows += [[f"41010500{i:02d}", "2025年秋季学期", 500, 100] for i in range(1, 10)]
    rows.append(["4101050010", "2025年秋季学期", "五百", 100])  # the bad cell
    path = write_xlsx(tmp_path / "在校生.xlsx", {"Sheet1": rows})
    result = check_file(path)
    assert not result.rejected and result.problem_count == 1
    sheet_bytes = correction_sheet(result)
    fixed = tmp_path / "问题行.xlsx"
    fixed.write_bytes(sheet_bytes)
    sheet = openpyxl.load_workbook(fixed).active
    header = [c.value for c in sheet[1]]
    assert header == [*ENROLL_HEADER, REASON_HEADER]
    assert [c.value for c in sheet[2]][:4] == ["4101050010", "2025年秋季学期", "五百", "100"]
    assert "在校生数" in sheet.cell(2, 5).value and "不是有效的数字" in sheet.cell(2, 5).value
    assert "第 11 行" in sheet.cell(2, 5).value  # the row as the clerk saw it
    bad = sheet.cell(2, 3).fill.fgColor.rgb
    assert bad.endswith("FFC7CE") and not sheet.cell(2, 1).fill.fgColor.rgb.endswith("FFC7CE")
    # fixed in Excel and checked again: nothing left to fix
    book = openpyxl.load_workbook(fixed)
    book.active.cell(2, 3).value = 500
    book.save(fixed)
    again = check_file(fixed)
    assert again.problem_count == 0 and not again.rejected
    assert again.outcomes[0].rows_landed == 1 and again.outcomes[0].source == "enrollment"
    assert correction_sheet(again) is None


def test_clerk_rows_outside_their_districts_are_quarantined(tmp_path):
    wh = registry(tmp_path / "warehouse.duckdb")
    rows = [
        ENROLL_HEADER,
        ["4101050001", "2025-autumn", 500, 100],
        ["4101050002", "2025-autumn", 400, 100],
        ["4101050009", "2025-autumn", 300, 100],
        ["4101220001", "2025-autumn", 200, 100],  # another district's school
    ]
    path = write_csv(tmp_path / "在校生.csv", rows)
    checked = check_file(path, scope=(A,), schools={"4101220001": B, "4101050001": A})
    assert "out_of_scope" in set(checked.problems()["reason"])
    result = load([path], wh, build=False, submitted_by="clerk_a", scope=(A,))
    assert result.published
    con = duckdb.connect(str(wh), read_only=True)
    try:
        landed = {r[0] for r in con.execute("select school_code from raw.enrollment").fetchall()}
        q = con.execute("select row_number, reason, message from audit.quarantine").fetchall()
        who = con.execute("select submitted_by from audit.loads").fetchall()
    finally:
        con.close()
    assert landed == {"4101050001", "4101050002", "4101050009"}
    assert [(r, why) for r, why, _ in q] == [(5, "out_of_scope")]
    assert "不在本账号负责的区县内" in q[0][2]
    assert who == [("clerk_a",)]


def test_uploads_are_limited_in_type_size_and_unpacked_size():
    with pytest.raises(UploadRefused, match=r"only \.csv / \.xlsx / \.xlsm / \.xls / \.ods"):
        vet_upload("工资.exe", b"MZ")
    with pytest.raises(UploadRefused, match="larger than"):
        vet_upload("big.csv", b"x" * (20 * 1024 * 1024 + 1))
    with pytest.raises(UploadRefused, match="not a valid workbook"):
        vet_upload("fake.xlsx", b"not a zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(UploadRefused, match="zip bomb"):
        vet_upload("bomb.xlsx", bomb.getvalue())


def test_a_file_name_is_never_a_path(tmp_path):
    assert safe_file_name("../../etc/cron.d/x.csv", 1) == "01_x.csv"
    assert safe_file_name("..\\..\\win.xlsx", 2) == "02_win.xlsx"
    assert safe_file_name(".hidden.csv", 3) == "03_hidden.csv"
    assert safe_file_name("在校生 2025/秋.csv", 4) == "04_秋.csv"
    with pytest.raises(UploadRefused):
        safe_file_name("x.csv.sh", 1)
    wh = tmp_path / "data" / "warehouse.duckdb"
    wh.parent.mkdir()
    saved = uploads.save_uploads(wh, [("../../../evil.csv", b"a,b\n1,2\n")])
    assert saved[0].parent.parent == uploads.uploads_dir(wh)
    assert not (tmp_path / "evil.csv").exists()


def test_submitted_upload_loads_in_the_background(tmp_path):
    wh = registry(tmp_path / "warehouse.duckdb")
    data = "\r\n".join(
        [",".join(ENROLL_HEADER), "4101050001,2025-autumn,500,100", "4101220001,2025-autumn,9,1"]
    ).encode()
    saved = uploads.save_uploads(wh, [("在校生.csv", data)])
    job = uploads.submit(wh, saved, user="clerk_a", scope=(A,), build=False)
    assert uploads.get_job(job.id) is job
    assert uploads.wait_for(job, 120), job.state
    assert job.state == "published", job.report
    assert "out_of_scope" in job.report
    assert any("在校生.csv" in step for step in job.steps)  # the load's own progress lines
    assert not saved[0].exists()  # the archive keeps the file; the upload copy is gone
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select submitted_by from audit.loads").fetchall() == [("clerk_a",)]
    finally:
        con.close()


def _address_space_limit(pid: int) -> str:
    """The soft RLIMIT_AS of a running process, as /proc shows it."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return line.split()[3]
    raise AssertionError(f"no address-space line for process {pid}")


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc (Linux)")
def test_submitted_upload_runs_in_its_own_process_under_the_memory_cap(tmp_path, monkeypatch):
    """The load of an upload is a `schoolwh load` child: its memory cap, not the
    dashboard's; the warehouse's lock shared with every other load; its progress lines
    and its report given back to the page."""
    import resource

    from schoolwh.core.settings import ENV_LOAD_MEMORY
    from schoolwh.pipeline.publish import exclusive

    monkeypatch.setenv(ENV_LOAD_MEMORY, "3072")
    before = resource.getrlimit(resource.RLIMIT_AS)
    wh = registry(tmp_path / "warehouse.duckdb")
    data = "\r\n".join([",".join(ENROLL_HEADER), "4101050001,2025-autumn,500,100"]).encode()
    saved = uploads.save_uploads(wh, [("在校生.csv", data)])
    with exclusive(wh, wait=0):  # another load holds the warehouse
        job = uploads.submit(wh, saved, user="bureau", scope=None, build=False)
        deadline = time.monotonic() + 60
        while not any("waiting for load" in s for s in job.steps) and not job.done:
            assert time.monotonic() < deadline, job.steps
            time.sleep(0.1)
        assert not job.done and job.state == "loading", job.report
        assert job.pid is not None and job.pid != os.getpid()
        assert any(str(os.getpid()) in s for s in job.steps)  # names the holder
        assert _address_space_limit(job.pid) == str(3072 * 1024 * 1024)
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the page's process is not capped
    assert uploads.wait_for(job, 120), job.steps
    assert job.state == "published" and job.exit_code == 0, job.report
    assert "1 行导入 landed" in job.report and "已发布 / Published" in job.report
    assert not Path(f"/proc/{job.pid}").exists()  # the child is gone


def test_an_upload_out_of_memory_fails_alone_with_the_sentence(tmp_path, monkeypatch):
    """Under a cap too small for any load the child stops with the CLI's out-of-memory
    sentence; the page's process goes on and the warehouse is as it was."""
    from schoolwh.core.settings import ENV_LOAD_MEMORY

    monkeypatch.setenv(ENV_LOAD_MEMORY, "100")
    wh = registry(tmp_path / "warehouse.duckdb")
    published = wh.read_bytes()
    data = "\r\n".join([",".join(ENROLL_HEADER), "4101050001,2025-autumn,500,100"]).encode()
    saved = uploads.save_uploads(wh, [("在校生.csv", data)])
    job = uploads.submit(wh, saved, user="bureau", scope=None, build=False)
    assert uploads.wait_for(job, 120), job.steps
    assert job.state == "not_published" and job.exit_code == 2, job.report
    assert job.report.startswith("内存不足，导入已停止") and "SCHOOLWH_LOAD_MEMORY_MB" in job.report
    assert "Traceback" not in job.report
    assert wh.read_bytes() == published
