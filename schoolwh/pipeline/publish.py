"""Safe publishing: one load at a time, the build on a copy, an atomic rename at the end.

Readers only ever open the published file read-only; a writer never touches it. A load
killed at any moment leaves the published file exactly as it was: the next load removes
the dead load's build copy (its lock is released by the operating system when the
process dies).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from schoolwh.core.settings import STORAGE_VERSION


class LoadBusy(RuntimeError):
    pass


def _lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextlib.contextmanager
def exclusive(warehouse: Path, wait: float, on_wait=None) -> Iterator[None]:
    """Hold the warehouse's load lock; wait up to `wait` seconds for another load."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(_lock_path(warehouse)))
    holder_file = warehouse.with_name(warehouse.name + ".lock.pid")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = holder_file.read_text().strip() if holder_file.exists() else "?"
        if on_wait:
            on_wait(holder)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise LoadBusy(
                f"另一个导入任务（进程 {holder}）仍在运行，已等待 {wait:.0f} 秒，请稍后再试 / "
                f"another load (process {holder}) is still running after waiting {wait:.0f} s; "
                f"try again later or pass --wait SECONDS"
            ) from None
    try:
        holder_file.write_text(str(os.getpid()))
        yield
    finally:
        with contextlib.suppress(OSError):
            holder_file.unlink()
        lock.release()


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def create_empty(path: Path) -> None:
    """A new warehouse file in the storage format the 1.5.x DuckDB client can read."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_quote(path)} AS wh (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("DETACH wh")
    finally:
        con.close()


class BuildCopy:
    """The private copy of the warehouse a load builds in."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        # One load at a time (the lock), so one fixed name: dbt reuses its parse for it.
        self.path = warehouse.with_name(f".{warehouse.name}.build")

    def _stale(self) -> list[Path]:
        return sorted(self.warehouse.parent.glob(f".{self.warehouse.name}.build*"))

    def prepare(self) -> None:
        # Under the lock: any build copy left here belongs to a load that died.
        for stale in self._stale():
            stale.unlink(missing_ok=True)
        if self.warehouse.exists():
            shutil.copyfile(self.warehouse, self.path)
        else:
            create_empty(self.path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def publish(self) -> None:
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            # The connection was not closed cleanly: fold the log in before publishing.
            con = duckdb.connect(str(self.path))
            con.execute("CHECKPOINT")
            con.close()
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(self.path, self.warehouse)
        dir_fd = os.open(self.warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def discard(self) -> None:
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            p.unlink(missing_ok=True)
