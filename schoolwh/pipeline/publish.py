"""Safe publishing: one load at a time, the build on a copy, an atomic rename at the end.

Readers only ever open the published file read-only; a writer never touches it. A load
killed at any moment leaves the published file exactly as it was: the next load removes
the dead load's build copy (its lock is released by the operating system when the
process dies).

Files are private: a load runs with umask 077 (settings.PRIVATE_UMASK), so the
warehouse, its build copy, the lock and the archive of loaded files are readable by
their owner only, and an existing archive folder is narrowed to its owner too. The
load's DuckDB connections have a memory limit (settings.duckdb_memory()); a load that
runs out of memory or disk space ends with a sentence saying so (`resource_failure`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from schoolwh.core.atomic import replace_file
from schoolwh.core.settings import (
    PRIVATE_UMASK,
    STORAGE_VERSION,
    archive_dir,
    duckdb_memory,
    limit_address_space,
    load_memory_bytes,
)


class LoadBusy(RuntimeError):
    pass


def _lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextlib.contextmanager
def private_files(warehouse: Path) -> Iterator[None]:
    """Create files readable by their owner only while the block runs (umask 077), and
    narrow the archive folder of an older warehouse to its owner."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        archive = archive_dir(warehouse)
        for folder in (archive, *(archive.iterdir() if archive.is_dir() else ())):
            with contextlib.suppress(OSError):
                mode = folder.lstat().st_mode
                if stat.S_ISDIR(mode) and mode & 0o077:
                    folder.chmod(stat.S_IMODE(mode) & 0o700)
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def memory_limited() -> Iterator[None]:
    """Cap this process's address space for the block (settings.load_memory_bytes), then
    give the previous limit back; the dbt child process sets the same cap itself."""
    try:
        import resource
    except ImportError:  # not on Windows
        yield
        return
    previous = resource.getrlimit(resource.RLIMIT_AS)
    limit_address_space(load_memory_bytes())
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, previous)


def resource_failure(exc: BaseException, warehouse: Path) -> str | None:
    """A sentence for a load stopped by a full disk or by running out of memory; None for
    any other error."""
    text = str(exc)
    full = (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        isinstance(exc, duckdb.Error)
        and ("No space left on device" in text or "Disk quota exceeded" in text)
    )
    if full:
        return (
            f"磁盘空间已满（{warehouse.parent}），导入已停止，已发布的仓库保持不变；请清理磁盘后"
            f"重新导入 / the disk is full ({warehouse.parent}): the load stopped and the "
            "published warehouse is unchanged; free some space and load again"
        )
    memory = isinstance(exc, MemoryError | duckdb.OutOfMemoryException) or (
        isinstance(exc, duckdb.Error) and "Out of Memory" in text
    )
    if memory:
        return (
            "内存不足，导入已停止，已发布的仓库保持不变；请检查文件是否异常巨大，或分批导入"
            "（上限可由 SCHOOLWH_LOAD_MEMORY_MB 设置）/ out of memory: the load stopped and "
            "the published warehouse is unchanged; check for an abnormally large file or load "
            "fewer files at a time (limit: SCHOOLWH_LOAD_MEMORY_MB)"
        )
    return None


@contextlib.contextmanager
def exclusive(warehouse: Path, wait: float, on_wait=None) -> Iterator[None]:
    """Hold the warehouse's load lock; wait up to `wait` seconds for another load.
    Everything written meanwhile is readable by its owner only (`private_files`)."""
    with private_files(warehouse), _exclusive(warehouse, wait, on_wait):
        yield


@contextlib.contextmanager
def _exclusive(warehouse: Path, wait: float, on_wait=None) -> Iterator[None]:
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
        # the published file gets this mode too: a warehouse once world-readable stops being
        self.path.chmod(0o600)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), config={"memory_limit": duckdb_memory()})

    def publish(self) -> None:
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            # The connection was not closed cleanly: fold the log in before publishing.
            con = duckdb.connect(str(self.path))
            con.execute("CHECKPOINT")
            con.close()
        replace_file(self.path, self.warehouse, durable=True)

    def discard(self) -> None:
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            p.unlink(missing_ok=True)
