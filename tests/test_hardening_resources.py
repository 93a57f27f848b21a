"""Issue 14, bounded resources and private files: a load's memory is capped (the CLI load
and its dbt child), a full disk or no memory left is said in words, what a load writes is
readable by its owner only, and absurd values block the publish."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from schoolwh.core.settings import ENV_LOAD_MEMORY, archive_dir
from schoolwh.pipeline import publish
from schoolwh.pipeline.load import load, run_load
from schoolwh.pipeline.result import EXIT_NOT_PUBLISHED
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv

ROOT = Path(__file__).resolve().parents[1]


def first_load(tmp_path: Path) -> Path:
    wh = tmp_path / "wh" / "warehouse.duckdb"
    path = write_csv(tmp_path / "in" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    assert load([path], wh, build=False).published
    return wh


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- a full disk, no memory left ----------------------------------------------------------


def test_a_full_disk_is_said_in_words(tmp_path, monkeypatch):
    wh = first_load(tmp_path)
    before = wh.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish.shutil, "copyfile", full)
    out = io.StringIO()
    more = write_csv(tmp_path / "more" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050002")])
    assert run_load([more], wh, out=out) == EXIT_NOT_PUBLISHED
    text = out.getvalue()
    assert text.startswith("磁盘空间已满") and "the disk is full" in text
    assert "Traceback" not in text and "内部错误" not in text
    assert wh.read_bytes() == before


def test_duckdb_out_of_space_and_memory_are_recognised(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    disk = duckdb.IOException('IO Error: Could not write file "x.wal": No space left on device')
    assert publish.resource_failure(disk, wh).startswith("磁盘空间已满")
    oom = duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data")
    assert publish.resource_failure(oom, wh).startswith("内存不足")
    assert publish.resource_failure(MemoryError(), wh).startswith("内存不足")
    assert publish.resource_failure(ValueError("other"), wh) is None


def test_running_out_of_memory_ends_the_load_with_a_message(tmp_path, monkeypatch):
    wh = first_load(tmp_path)
    before = wh.read_bytes()

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("schoolwh.pipeline.load.land_files", no_memory)
    out = io.StringIO()
    more = write_csv(tmp_path / "more" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050002")])
    assert run_load([more], wh, out=out) == EXIT_NOT_PUBLISHED
    assert out.getvalue().startswith("内存不足") and "SCHOOLWH_LOAD_MEMORY_MB" in out.getvalue()
    assert wh.read_bytes() == before
    assert not list(wh.parent.glob(".*.build*"))  # the build copy is gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")
def test_the_load_process_is_capped_and_an_attack_fails_alone():
    probe = (
        "import resource\n"
        "from schoolwh.pipeline.publish import memory_limited, resource_failure\n"
        "from pathlib import Path\n"
        "before = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
        "with memory_limited():\n"
        "    print(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
        "    try:\n"
        "        hog = bytearray(8 * 1024**3)\n"
        "        print('allocated')\n"
        "    except MemoryError as exc:\n"
        "        print(resource_failure(exc, Path('wh.duckdb'))[:4])\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0] == before)\n"
    )
    env = {**os.environ, ENV_LOAD_MEMORY: "3000"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert done.stdout.split() == [str(3000 * 1024**2), "内存不足", "True"], done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_the_dbt_child_process_caps_itself():
    env = {**os.environ, ENV_LOAD_MEMORY: "5000"}
    child = subprocess.Popen(
        [sys.executable, "-m", "schoolwh.pipeline.build_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        limit = ""
        while time.monotonic() < deadline and str(5000 * 1024**2) not in limit:
            limit = next(
                line
                for line in Path(f"/proc/{child.pid}/limits").read_text().splitlines()
                if line.startswith("Max address space")
            )
            time.sleep(0.1)
        assert str(5000 * 1024**2) in limit
    finally:
        child.communicate(b"\n", timeout=60)  # no request: the child ends
    assert child.returncode == 0


# --- private files ------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_what_a_load_writes_is_readable_by_its_owner_only(tmp_path):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    archive = archive_dir(wh)
    archive.mkdir(parents=True)
    archive.chmod(0o755)  # an archive of an older version, world-readable
    (archive / "old").mkdir()
    (archive / "old").chmod(0o755)
    umask = os.umask(0o022)
    try:
        path = write_csv(
            tmp_path / "in" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")]
        )
        assert load([path], wh, build=False).published
        assert os.umask(0o022) == 0o022  # the process's own umask is given back
    finally:
        os.umask(umask)
    assert mode(wh) == 0o600
    assert mode(archive) == 0o700 and mode(archive / "old") == 0o700
    archived = [p for p in archive.rglob("*") if p.is_file()]
    assert archived and all(mode(p) & 0o077 == 0 for p in archived)
    assert all(mode(p) & 0o077 == 0 for p in archive.rglob("*") if p.is_dir())


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_world_readable_warehouse_becomes_private_at_the_next_load(tmp_path):
    wh = first_load(tmp_path)
    wh.chmod(0o644)
    more = write_csv(tmp_path / "more" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050002")])
    assert load([more], wh, build=False).published
    assert mode(wh) == 0o600


# --- absurd values block the publish --------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "check"),
    [
        (
            ["学校代码", "学期", "在校生数"],
            ["4101050001", "2025秋", "4600000000000000000"],
            "enrolled",
        ),
        (
            ["学校代码", "日期", "就餐人数"],
            ["4101050001", "2025-09-08", "250000"],
            "lunch_students",
        ),
        (
            ["凭证号", "区县代码", "日期", "项目", "支出类别", "金额"],
            ["V1", "410105", "2025-09-15", "午餐补助", "食材", "90000000000"],
            "amount",
        ),
    ],
)
def test_an_absurd_value_is_a_critical_failure(tmp_path, header, row, check):
    from expectations import check_batch

    wh = first_load(tmp_path)
    result = load([write_csv(tmp_path / "bad" / "f.csv", [header, row])], wh, build=False)
    assert result.published  # landing only: the checks run below, as a building load runs them
    con = duckdb.connect(str(wh))
    try:
        checks = check_batch(con, result.load_id)
    finally:
        con.close()
    [absurd] = [c for c in checks if c.column_name == check and c.check_name.endswith("/absurd")]
    assert absurd.severity == "critical" and not absurd.success and absurd.blocks_publish
    assert absurd.unexpected_count == 1
    [example] = absurd.unexpected_examples
    assert example["_row_number"] == 2 and example["_file_name"].endswith("f.csv")
