"""Safe publish: readers never fail during a load; a killed load leaves the file as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from schoolwh.pipeline.load import load
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv

pytestmark = pytest.mark.e2e  # whole loads end to end (tests/conftest.py: tiers)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def big_participation(path: Path, schools: int, days: int) -> Path:
    dates = pl.date_range(
        pl.date(2025, 9, 1), pl.date(2025, 9, 1) + pl.duration(days=days - 1), eager=True
    )
    frame = (
        pl.DataFrame({"school_code": [f"41010{i:05d}" for i in range(schools)]})
        .join(pl.DataFrame({"date": dates}), how="cross")
        .with_columns(
            lunch_students=(pl.int_range(pl.len()) % 900).cast(pl.Int64),
            after_school_students=(pl.int_range(pl.len()) % 700).cast(pl.Int64),
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """A published warehouse holding one small load, and a folder with a big next load."""
    root = tmp_path_factory.mktemp("publish")
    wh = root / "wh" / "warehouse.duckdb"
    first = write_csv(root / "first" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    assert load([first], wh, build=False).published
    big = big_participation(root / "big" / "participation.csv", schools=2_000, days=150)
    return wh, big


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "schoolwh.cli", *args]


def test_sigkill_at_any_moment_leaves_the_published_file_unchanged(published, tmp_path):
    wh, big = published
    before = sha(wh)
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen(
            cli("load", str(big.parent), "--warehouse", str(wh)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        assert proc.poll() is None, f"the load finished before {delay} s: make the input bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert sha(wh) == before, f"published file changed after SIGKILL at {delay} s"
        con = duckdb.connect(str(wh), read_only=True)
        assert con.execute("select count(*) from raw.participation").fetchone() == (0,)
        con.close()
    # The next load recovers the lock and the dead loads' build copies, and succeeds.
    done = subprocess.run(
        cli("load", str(big.parent), "--warehouse", str(wh)), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sha(wh) != before
    assert not list(wh.parent.glob(".warehouse.duckdb.build*"))


def test_readers_never_fail_during_a_load(tmp_path):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    first = write_csv(
        tmp_path / "first" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")]
    )
    assert load([first], wh, build=False).published
    big = big_participation(tmp_path / "big" / "participation.csv", schools=1_000, days=100)

    failures: list[str] = []
    seen: set[int] = set()
    queries = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal queries
        while not stop.is_set():
            try:
                con = duckdb.connect(str(wh), read_only=True)
                try:
                    seen.add(con.execute("select count(*) from raw.participation").fetchone()[0])
                finally:
                    con.close()
                queries += 1
                time.sleep(0.01)  # a reader, not a CPU hog starving the load
            except Exception as exc:  # any failure is what this test is about
                failures.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        proc = subprocess.run(
            cli("load", str(big.parent), "--warehouse", str(wh)), capture_output=True, text=True
        )
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert failures == []
    assert queries > 20
    assert seen == {0, 100_000}  # the old file, then the new one; never anything in between


def test_published_file_opens_in_the_duckdb_151_client(published):
    wh, _ = published
    exe = Path(sys.executable).with_name("duckdb")
    assert exe.exists(), "duckdb-cli (1.5.x) is a dev dependency"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.5"), version
    out = subprocess.run(
        [str(exe), "-readonly", "-csv", str(wh), "-c", "select school_code from raw.schools"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "4101050001" in out.stdout
