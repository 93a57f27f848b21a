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


# ---------------------------------------------------------------------------------------
# the page, end to end (AppTest): a clerk's template, five rows, a load, a clerk's summary
# ---------------------------------------------------------------------------------------
CLERK_PASSWORD = "clerk pass 19"


def _offered_files(monkeypatch) -> dict[str, bytes]:
    """The files the page offers for download, by file name, as it offers them."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered: dict[str, bytes] = {}
    offer = MemoryMediaFileStorage.load_and_get_id

    def record(self, data, mimetype, kind, filename=None):
        offered[filename] = bytes(data) if not isinstance(data, str) else data.encode()
        return offer(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return offered


def _clerk_warehouse(tmp_path, schools: int = 30) -> Path:
    """The dashboard fixture with `schools` more schools of 金水区 (a load, built and
    published) and a clerk of 金水区 beside it."""
    import shutil

    import dashboard_fixtures as fx

    from schoolwh.accounts import AccountStore

    folder = tmp_path / "data"
    folder.mkdir()
    wh = folder / "warehouse.duckdb"
    shutil.copyfile(fx.shared_warehouse(tmp_path), wh)
    header = ["学校代码", "学校名称", "区县代码", "学段", "办学性质", "供餐模式", "供餐开始日期"]
    header.append("课后服务")
    same = [fx.D_JINSHUI, "小学", "公办", "自办食堂", "2025-09-01", "是"]
    rows = [header] + [[f"41010580{i:02d}", f"金水区新建第{i}小学", *same] for i in range(schools)]
    registry_file = write_csv(tmp_path / "学校.csv", rows)
    result = load([registry_file], wh)
    assert result.published, result.failure
    AccountStore(wh).add("jinshui_tb", "clerk", (fx.D_JINSHUI,), CLERK_PASSWORD)
    return wh


def _log_in(at, name: str, password: str):
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def _notes(at) -> list[str]:
    """The clerk's notes the page shows (text, never markup)."""
    import re

    out = []
    for m in at.markdown:
        if 'class="schoolwh-note"' in m.value:
            out.append(re.sub(r"<[^>]+>", "", m.value))
    return out


@pytest.mark.dbt
@pytest.mark.timeout(900)
def test_a_clerk_fills_five_rows_of_the_pages_template_and_they_load(tmp_path, monkeypatch):
    """#19: the page's own template, pre-filled with the district's schools, 5 rows filled
    in: nothing rejected, nothing quarantined, a Chinese summary without paths, table
    names, check ids or dbt output; a clerk lands on 数据上报 with the daily template and
    their district, shown by name."""
    import dashboard_fixtures as fx
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from schoolwh.core.settings import ENV_WAREHOUSE
    from schoolwh.pipeline.check import forget_checks

    wh = _clerk_warehouse(tmp_path)
    forget_checks()
    offered = _offered_files(monkeypatch)
    monkeypatch.setenv(ENV_WAREHOUSE, str(wh))
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=120)
        _log_in(at, "jinshui_tb", CLERK_PASSWORD)
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == "数据上报"  # the clerk's first page
        source = at.selectbox(key="template_source")
        district = at.selectbox(key="template_district")
        assert source.value == "participation" and source.options[0] == "区县"
        assert district.value == fx.D_JINSHUI and district.options == ["金水区"]
        [name] = [n for n in offered if n.endswith("模板.xlsx")]
        assert name == "金水区_每日就餐及课后服务_模板.xlsx"
        template = tmp_path / name
        template.write_bytes(offered[name])
        book = openpyxl.load_workbook(template)
        sheet = book["每日就餐及课后服务"]
        header = [c.value for c in sheet[1]]
        con = duckdb.connect(str(wh), read_only=True)
        try:
            schools = con.execute(
                "select count(*) from marts.dim_school where district_code = ? and active",
                [fx.D_JINSHUI],
            ).fetchone()[0]
        finally:
            con.close()
        assert schools > 30 and sheet.max_row - 1 == schools  # the district's schools
        left = schools - 5
        at_col = {title: i + 1 for i, title in enumerate(header)}
        day = dt.date(2025, 10, 30)
        for r in range(2, 7):  # five schools' figures
            sheet.cell(r, at_col["日期"]).value = day
            sheet.cell(r, at_col["就餐人数"]).value = 100 + r
            sheet.cell(r, at_col["课后服务人数"]).value = 50
        filled = tmp_path / "金水区日报.xlsx"
        book.save(filled)

        at.file_uploader(key="upload_files").set_value(
            [("金水区日报.xlsx", filled.read_bytes(), "application/octet-stream")]
        ).run()
        assert not at.exception, [e.value for e in at.exception]
        notes = _notes(at)
        checked = f"可导入 5 行；{left} 所学校未填写，已跳过（不算错误）。"
        assert notes == [checked], notes
        assert not at.dataframe  # no problem table
        at.button(key="upload_submit").click().run()
        job = uploads.get_job(at.session_state["upload_job"])
        assert uploads.wait_for(job, 600), job.steps
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        notes = _notes(at)
        assert not at.code  # the command line's report is the administrator's, not a clerk's
        assert not at.expander or all("导入报告" not in e.label for e in at.expander)
    finally:
        st_config.set_option("server.address", previous)
    assert job.state == "published", job.report
    assert notes[0] == checked  # the check, still above
    assert notes[1] == "已发布：本次共导入 5 行，数据截至 2025年10月31日。", notes
    assert any(n.startswith("本次上报了金水区") and "可以忽略" in n for n in notes)
    assert f"已导入 5 行；{left} 所学校未填写，已跳过（不算错误）。" in notes
    text = "\n".join(notes)
    technical = ("/tmp", ".duckdb", "uploads", "raw.", "audit.", "expect_", "dbt", "Got ")
    for word in (*technical, "填报说明", "忽略 /", "缺少", "landed", "Traceback"):
        assert word not in text, (word, text)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        landed = con.execute(
            "select count(*) from raw.participation where _load_id = (select max(load_id) "
            "from audit.loads)"
        ).fetchone()[0]
        quarantined = con.execute(
            "select count(*) from audit.quarantine where load_id = (select max(load_id) "
            "from audit.loads)"
        ).fetchone()[0]
        statuses = con.execute(
            "select status from audit.load_files where load_id = (select max(load_id) "
            "from audit.loads) order by status"
        ).fetchall()
    finally:
        con.close()
    assert (landed, quarantined) == (5, 0)
    assert statuses == [("ignored",), ("loaded",)]  # the 填报说明 sheet, not rejected


def test_a_clerks_summary_explains_partial_reports_and_leaves_out_technical_text():
    """After 提交导入 the page showed the command line's report: server paths, GX
    expectation names, dbt's "Got 29 results, configured to warn if != 0" and a warning
    that fewer than 80 % of schools reported, with nothing saying it is harmless."""
    from schoolwh.pipeline.report import clerk_file_notes, clerk_load_notes, outcomes_of

    summary = {
        "exit_code": 0,
        "published": True,
        "as_of": "2025-10-30",
        "outcomes": [
            {
                "file_name": "/srv/data/warehouse.uploads/9f1c/01_金水区日报.xlsx",
                "sheet": "每日就餐及课后服务",
                "source": "participation",
                "status": "loaded",
                "rows_read": 7,
                "rows_landed": 5,
                "rows_quarantined": 2,
                "reasons": {"bad_number": 1, "out_of_scope": 1},
                "structure": {"unfilled": list(range(9, 134))},
                "message": "",
            },
            {
                "file_name": "/srv/data/warehouse.uploads/9f1c/01_金水区日报.xlsx",
                "sheet": "填报说明",
                "status": "ignored",
                "message": "模板的填报说明，不是数据 / the template's instructions: not data",
            },
        ],
        "checks": [
            {
                "stage": "batch",
                "suite": "raw.participation.reporting",
                "severity": "warning",
                "message": "批次覆盖的区县中至少 80% 的供餐学校有填报 / at least 80% … — "
                "未通过 / failed: 1 of 1 rows unexpected",
                "unexpected_count": 1,
                "examples": [
                    {
                        "district_name": "金水区",
                        "schools_reporting": 5,
                        "lunch_serving_schools": 130,
                    }
                ],
            },
            {
                "stage": "build",
                "suite": "dbt",
                "severity": "warning",
                "message": "Got 29 results, configured to warn if != 0",
            },
            {
                "stage": "marts",
                "suite": "marts.kpi_district",
                "severity": "warning",
                "message": "expect_column_values_to_be_between / … — 未通过 / failed",
            },
        ],
    }
    notes = clerk_load_notes(summary) + clerk_file_notes(outcomes_of(summary), loaded=True)
    zh = [n[1] for n in notes]
    assert zh[0] == "已发布：本次共导入 5 行，数据截至 2025年10月30日。"
    assert "金水区 5 / 130 所供餐学校" in zh[1] and "可以忽略" in zh[1]
    assert notes[1][0] == "info"  # explained, not a warning
    assert zh[2] == (
        "已导入 5 行；2 行需修改 — 下载问题行；其中 1 行不属于本账号负责的区县，不导入；"
        "125 所学校未填写，已跳过（不算错误）。"
    )
    assert len(notes) == 3  # the instructions sheet, dbt's and the marts' checks: not shown
    text = "\n".join(zh + [n[2] for n in notes])
    technical = ("/srv", "uploads", "raw.", "expect_", "Got 29", "dbt", "填报说明", "忽略 /")
    for word in technical:
        assert word not in text, word
    # a critical check: not published, in words, and who to ask
    blocked = clerk_load_notes(
        {
            "exit_code": 2,
            "published": False,
            "outcomes": [],
            "checks": [
                {
                    "stage": "batch",
                    "suite": "raw.participation",
                    "severity": "critical",
                    "message": "就餐人数不超过在校生数的 110% / lunch_students ≤ 1.1 × enrolled — "
                    "未通过 / failed: 3 of 5 rows unexpected",
                }
            ],
        }
    )
    assert blocked == [
        (
            "error",
            "未发布：数据质量检查未通过，已有数据保持不变。原因：就餐人数不超过在校生数的 110%。"
            "请联系市局数据管理员。",
            "Not published: a quality check failed; the published data is unchanged. Why: "
            "lunch_students ≤ 1.1 × enrolled. Please contact the bureau's data administrator.",
        )
    ]


def test_a_file_over_the_20_percent_rule_is_said_in_a_clerks_words(tmp_path):
    from schoolwh.pipeline.report import clerk_file_notes

    rows = [PART_HEADER] + [["4101050001", f"2025-09-{d:02d}", 300, 100] for d in range(1, 8)]
    rows += [["4101050002", "2025-09-01", "很多", 1], ["4101050003", "2025-09-01", "x", 1]]
    checked = check_file(write_csv(tmp_path / "日报.csv", rows))
    assert checked.rejected
    [(level, zh, en)] = clerk_file_notes(checked.outcomes, loaded=False)
    assert level == "error"
    assert zh == "9 行中有 2 行需修改，超过 20%，整个文件不导入 — 请下载问题行，修改后重新上传。"
    assert "audit." not in zh + en and "quarantine" not in zh + en


def _bench_upload_memory(*args: str) -> dict:
    import json

    r = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "upload_memory.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_concurrent_uploads_are_checked_once_each_within_a_memory_bound():
    """#18: the page re-checked every uploaded file (up to 20 MB) on every rerun, in the
    dashboard's process, uncached. Now six clerks' 8 MB files checked together grow the
    process by about what CHECKS_AT_ONCE files alone would, not six times as much; each
    file is checked once and what is kept holds no rows of it."""
    from schoolwh.pipeline.check import CHECKS_AT_ONCE

    together = _bench_upload_memory("--files", "6", "--mb", "8")
    print("upload memory:", together)
    assert together["checks_run"] == 6 and together["kept"] == 7  # 6 files and the warm-up
    assert together["most_at_once"] == CHECKS_AT_ONCE  # the others waited
    assert together["kept_mb"] < 1  # verdicts and counts: no rows of the files
    # a check of an 8 MB daily report peaks at about 150 MB; six at once took 510 MB
    assert together["growth_mb"] <= CHECKS_AT_ONCE * 8 * 25, together


def test_the_same_upload_is_checked_once(tmp_path):
    from schoolwh.pipeline.check import CHECK_RUNS, checked_upload, forget_checks

    forget_checks()
    data = week_of_daily_rows(tmp_path / "日报.csv", schools=3).read_bytes()
    before = CHECK_RUNS["count"]
    first = checked_upload("日报.csv", data)
    again = checked_upload("另一个名字.csv", data)  # the content is the key, not the name
    assert again is first and CHECK_RUNS["count"] == before + 1
    assert first.outcomes[0].rows_landed == 21 and not first.rejected
    other_scope = checked_upload("日报.csv", data, scope=(A,))
    assert other_scope is not first and CHECK_RUNS["count"] == before + 2
    refused = checked_upload("日报.exe", b"MZ")
    assert refused.rejected and "只接受" in refused.refused


def test_a_check_that_breaks_is_one_sentence(tmp_path, monkeypatch):
    from schoolwh.pipeline import check

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path exploded")

    check.forget_checks()
    monkeypatch.setattr(check, "check_file", broken)
    result = check.checked_upload("日报.csv", b"a,b\n1,2\n")
    assert result.rejected and result.refused.startswith("文件「日报.csv」无法检查（RuntimeError）")
    assert "/srv" not in result.refused


def test_the_upload_page_in_chinese_has_no_streamlit_english_and_checks_once(tmp_path, monkeypatch):
    """#19 language: Streamlit's `Upload`, "200MB per file" (the label said 20 MB) and
    "Press Ctrl+Enter to submit form" on a Chinese page. #18: every rerun re-checked every
    file. A hostile file name stays text."""
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from schoolwh.core.settings import ENV_WAREHOUSE
    from schoolwh.pipeline.check import CHECK_RUNS, forget_checks
    from tests.test_accounts import make_warehouse

    wh = make_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh))
    con.execute("alter table marts.build_info add column built_at timestamp")
    for column, kind in (("district_kind", "varchar"), ("registered_schools", "int")):
        con.execute(f"alter table marts.dim_district add column {column} {kind}")
    con.execute("alter table marts.dim_district add column active_schools int")
    con.close()
    forget_checks()
    monkeypatch.setenv(ENV_WAREHOUSE, str(wh))
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")  # the open dashboard
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
        at.run()
        at.switch_page("views/upload.py").run()
        assert not at.exception, [e.value for e in at.exception]
        css = "\n".join(m.value for m in at.markdown if "<style>" in m.value)
        assert not at.error, [e.value for e in at.error]
        assert at.title[0].value == "数据上报"
        assert '[data-testid="InputInstructions"] { display: none' in css
        assert (
            'content: "选择文件"' in css
            and "p { display: none; }" in css
            and "每个文件不超过 20 MB" in css
        )
        uploader = at.file_uploader(key="upload_files")
        assert uploader.proto.max_upload_size_mb == 20
        assert uploader.label == "选择要上报的文件（每个不超过 20 MB）"
        assert at.selectbox(key="template_source").value == "participation"
        # districts by name (not 410105); the bureau may leave the schools out
        assert at.selectbox(key="template_district").options == ["不预填学校", "金水区", "中牟县"]
        rows = [ENROLL_HEADER] + [[f"41010500{i:02d}", "2025-autumn", 500, 100] for i in range(9)]
        rows.append(["4101050009", "2025-autumn", "很多", 100])
        data = "\n".join(",".join(map(str, r)) for r in rows).encode()
        hostile = "<img src=x onerror=alert(1)>在校生.csv"
        uploader.set_value([(hostile, data, "text/csv")]).run()
        runs = CHECK_RUNS["count"]
        at.run()
        at.run()
        assert CHECK_RUNS["count"] == runs  # reruns do not check the file again
        assert not at.exception, [e.value for e in at.exception]
        shown = [m.value for m in at.markdown]
        assert any("&lt;img src=x onerror=alert(1)&gt;在校生.csv" in m for m in shown)
        assert not any("<img" in m for m in shown)
        assert any("可导入 9 行；1 行需修改 — 下载问题行。" in m for m in shown), shown
        [problems] = at.dataframe
        assert list(problems.value.columns) == ["工作表", "行号", "列", "原始值", "原因"]
        assert problems.value.iloc[0]["原因"] == "不是有效的数字"
        labels = [b.proto.label for b in at.get("download_button")]
        assert "下载问题行（修改后重新上传）" in labels
        at.session_state["lang"] = "en"
        at.run()
        css = "\n".join(m.value for m in at.markdown if "<style>" in m.value)
        assert "InputInstructions" not in css  # Streamlit's English is the English page's
    finally:
        st_config.set_option("server.address", previous)
