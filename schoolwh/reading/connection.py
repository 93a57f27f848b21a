"""The only place that opens DuckDB for the dashboard.

The published warehouse is opened read-only. A load never writes to the published file:
it builds a copy and renames it over the published path. A reader that keeps its old
connection would go on seeing the old file, so every query first compares the file's
identity (device, inode, modification time, size) with the one it opened and reopens
when it changed. A missing file gives `None`, so pages can say how to load data.

Query results are cached per opened file: Streamlit reruns a page on every click, and
the published file never changes under an open connection.

A district account reads its district's extract instead of the warehouse (written at
publish time, schoolwh/pipeline/extracts.py): the dashboard names the file of the
session with `read_from` before a page runs, and every `get_warehouse()` of that run —
pages, tables, downloads, figures, briefings and the SQL page — opens that file only.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from schoolwh.core.settings import resolve_warehouse

Signature = tuple[int, int, int, int]

_CACHE_SIZE = 256
_OPEN_RETRIES = 5


class WarehouseError(RuntimeError):
    """The warehouse file exists but cannot be read (a message a person can act on)."""


class WarehouseMissing(WarehouseError):
    """The warehouse file is not there (any more)."""


def file_signature(path: Path) -> Signature | None:
    """What identifies one version of the published file; None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ("__seq__", *(_hashable(v) for v in value))
    return value


class Warehouse:
    """A read-only connection to the published warehouse that follows replacements."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._signature: Signature | None = None
        self._cache: OrderedDict[tuple[str, tuple[Any, ...]], pd.DataFrame] = OrderedDict()
        self.reopen_count = 0

    # -- connection -------------------------------------------------------------------
    def _open(self, signature: Signature) -> None:
        last_error: Exception | None = None
        for attempt in range(_OPEN_RETRIES):
            try:
                con = duckdb.connect(str(self.path), read_only=True)
            except duckdb.IOException as exc:  # a writer holds it, or it is being replaced
                last_error = exc
                time.sleep(0.1 * (attempt + 1))
                continue
            except duckdb.Error as exc:
                raise WarehouseError(
                    f"{self.path} is not a readable warehouse file: {exc}"
                ) from exc
            self._con = con
            self._signature = signature
            self._cache.clear()
            self.reopen_count += 1
            return
        raise WarehouseError(f"{self.path} could not be opened: {last_error}")

    def _close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.close()
        self._con = None
        self._signature = None
        self._cache.clear()

    def close(self) -> None:
        with self._lock:
            self._close()

    def current(self) -> duckdb.DuckDBPyConnection:
        """The open connection, reopened when the published file was replaced."""
        with self._lock:
            signature = file_signature(self.path)
            if signature is None:
                self._close()
                raise WarehouseMissing(f"{self.path} does not exist")
            if self._con is None or signature != self._signature:
                self._close()
                self._open(signature)
            assert self._con is not None
            return self._con

    @property
    def exists(self) -> bool:
        return file_signature(self.path) is not None

    # -- queries ----------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run one parameterised query (`?` placeholders) and return a DataFrame copy."""
        key = (sql, tuple(_hashable(p) for p in params))
        with self._lock:
            con = self.current()
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached.copy()
            try:
                frame = con.execute(sql, list(params)).df()
            except duckdb.Error as exc:
                raise WarehouseError(str(exc)) from exc
            self._cache[key] = frame
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
            return frame.copy()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        frame = self.query(sql, params)
        if frame.empty:
            return None
        value = frame.iat[0, 0]
        return None if pd.isna(value) else value

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.scalar(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                (schema, table),
            )
        )

    def is_ready(self) -> bool:
        """True when the marts the dashboard reads have been built."""
        return self.has_table("marts", "kpi_overall") and self.has_table("marts", "kpi_district")


_registry: dict[Path, Warehouse] = {}
_registry_lock = threading.Lock()
# the file this thread's session reads (Streamlit runs each session's script in a thread)
_session = threading.local()
_NOTHING = Path("/nonexistent/no-file-for-this-session")


def read_from(path: str | os.PathLike[str] | None, *, scoped: bool = False) -> None:
    """Name the file this session's queries read: the warehouse (None: the default) or,
    for a scoped account (`scoped=True`), its extract — when the extract is missing
    (`path` None), the session reads nothing rather than the whole warehouse."""
    if scoped:
        _session.path = Path(path).expanduser().resolve() if path else _NOTHING
    else:
        _session.path = Path(path).expanduser().resolve() if path else None


def session_file() -> Path:
    """The file this session reads (see `read_from`)."""
    chosen = getattr(_session, "path", None)
    return chosen if chosen is not None else warehouse_path()


def warehouse_path() -> Path:
    """The warehouse the dashboard serves ($SCHOOLWH_WAREHOUSE, else the default)."""
    return resolve_warehouse(None)


def get_warehouse(path: str | os.PathLike[str] | None = None) -> Warehouse | None:
    """The shared read-only warehouse for `path`; None when the file does not exist."""
    resolved = Path(path).expanduser().resolve() if path else session_file()
    if resolved == _NOTHING:
        return None
    with _registry_lock:
        wh = _registry.get(resolved)
        if wh is None:
            wh = _registry[resolved] = Warehouse(resolved)
    if not wh.exists:
        wh.close()
        return None
    return wh
