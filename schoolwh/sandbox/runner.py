"""Run one analyst query in a sandboxed worker process and return its rows.

`run_sql` is what `schoolwh sql` and the dashboard's SQL page call. Every call starts a
fresh worker (see `worker.py`) with a fresh read-only connection, so a load that
publishes a new warehouse file by atomic rename never disturbs a reader, and nothing
an analyst does survives the call.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schoolwh.sandbox import limits

# Environment variables the worker keeps; everything else (tokens, keys) stays behind.
_WORKER_ENV_KEEP = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SYSTEMROOT",
    "TMPDIR",
    "TEMP",
    "TMP",
)
# The package root the worker imports `schoolwh` from.
_PACKAGE_PARENT = Path(__file__).resolve().parent.parent.parent
_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); from schoolwh.sandbox.worker import main; main()"
)

TABLES_QUERY = """
select schema_name, table_name, column_name, data_type
from duckdb_columns()
where database_name = current_database() and not internal
order by schema_name, table_name, column_index
"""
LIST_TABLES_MAX_ROWS = 100_000


class SqlError(Exception):
    """A query that did not run; `str()` is one sentence with the database's message."""


@dataclass(frozen=True)
class SqlResult:
    """The rows of one query.

    `types` are DuckDB's type names (`DECIMAL(12,2)`, `DATE`, ...); `truncated` says more
    rows existed than were returned; `elapsed` is the seconds the query ran in DuckDB.
    `deadline` is the `time.monotonic()` by which formatting the rows must be done (the
    timeout covers the query and its text), None for no limit.
    """

    columns: list[str]
    types: list[str]
    rows: list[tuple]
    truncated: bool
    elapsed: float
    deadline: float | None = None
    timeout: float | None = None


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _worker_argv() -> list[str]:
    # -I: isolated mode, so a stray module in the current folder or PYTHON* variables
    # cannot change what the worker imports.
    return [sys.executable, "-I", "-c", _WORKER_CODE, str(_PACKAGE_PARENT)]


def _worker_env() -> dict[str, str]:
    return {key: os.environ[key] for key in _WORKER_ENV_KEEP if key in os.environ}


def _timeout_message(timeout: float) -> str:
    return f"Query stopped after {timeout:g} s (timeout)."


def timeout_message(timeout: float) -> str:
    return _timeout_message(timeout)


REFUSED = "查询被拒绝 / Query refused: "  # how every refusal begins, Chinese first


def _too_large_message(rows: str, max_bytes: int) -> str:
    size = f"{max_bytes / 1024**2:g} MB"
    return (
        f"查询结果超过 {size}（前 {int(rows):,} 行内），已拒绝；请少选列、缩短文本或先汇总 / "
        f"Query refused: its result is larger than {size} (within the first {int(rows):,} "
        "rows); select fewer or shorter columns, or aggregate."
    )


def _call_worker(request: dict[str, Any]) -> dict[str, Any]:
    """Send a request to a new worker; kill it past timeout + grace."""
    timeout = float(request["timeout"])
    proc = subprocess.Popen(
        _worker_argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_worker_env(),
    )
    try:
        out, err = proc.communicate(
            json.dumps(request).encode(), timeout=timeout + limits.HARD_KILL_GRACE
        )
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SqlError(_timeout_message(timeout)) from None
    finally:
        if proc.poll() is None:  # interrupted (Ctrl-C) while waiting
            proc.kill()
            proc.wait()
    if proc.returncode != 0 or not out:
        code = proc.returncode
        how = f"was killed by signal {-code}" if code < 0 else f"stopped with exit code {code}"
        detail = err.decode("utf-8", "replace").strip().splitlines()
        reason = f": {detail[-1]}" if detail else ""
        raise SqlError(f"The query worker {how} before answering{reason}.")
    try:
        return pickle.loads(out)
    except Exception as exc:
        raise SqlError(f"The query worker sent an unreadable reply ({exc}).") from None


def _raise_for(reply: dict[str, Any], warehouse: Path, timeout: float, max_bytes: int) -> None:
    kind, message = reply["kind"], reply["message"]
    if kind == "timeout":
        raise SqlError(_timeout_message(timeout))
    if kind == "refused":
        raise SqlError(f"{REFUSED}{message}")
    if kind == "multiple":
        raise SqlError(
            f"{REFUSED}每次只能运行一条语句，这里有 {message} 条 / run one statement per call; "
            f"this text holds {message} statements."
        )
    if kind == "empty":
        raise SqlError("No query given: pass one SQL statement.")
    if kind == "too_large":
        raise SqlError(_too_large_message(message, max_bytes))
    if kind == "open":
        raise SqlError(f"Cannot open the warehouse at {_shown(warehouse)}: {message}")
    if kind == "lockdown":
        raise SqlError(
            f"The ad hoc SQL box could not lock its connection, so ran nothing: {message}"
        )
    if kind == "memory":
        # Only DuckDB's first line: the advice after it (SET threads, SET memory_limit,
        # a temp directory) cannot apply in the box.
        first = message.splitlines()[0].strip()
        raise SqlError(
            f"查询所需内存超过上限 {limits.MEMORY_LIMIT}，已停止；请先汇总或筛选 / "
            f"Query failed: {first}; the ad hoc SQL box allows {limits.MEMORY_LIMIT} of memory "
            "and does not spill to disk: aggregate or filter more."
        )
    raise SqlError(f"Query failed: {message}")


def run_sql(
    warehouse: Path,
    query: str,
    *,
    timeout: float = limits.DEFAULT_TIMEOUT,
    max_rows: int = limits.DEFAULT_MAX_ROWS,
    max_bytes: int = limits.DEFAULT_MAX_BYTES,
) -> SqlResult:
    """Run one read-only statement on the warehouse file in a sandboxed worker.

    Raises `SqlError` for a missing warehouse, a refused or failed statement, more than
    one statement, a result of more than `max_bytes`, or a query still running after
    `timeout` seconds. At most `max_rows` rows come back; `truncated` tells whether more
    existed.
    """
    started = time.monotonic()
    warehouse = Path(os.path.abspath(warehouse))
    if not timeout > 0:
        raise SqlError(f"Timeout must be more than 0 seconds, not {timeout:g}.")
    if max_rows < 0:
        raise SqlError(f"Most rows returned must be 0 or more, not {max_rows}.")
    if not warehouse.exists():
        raise SqlError(f"No warehouse at {_shown(warehouse)}: run `schoolwh load FOLDER` first.")
    if not warehouse.is_file():
        raise SqlError(f"No warehouse at {_shown(warehouse)}: it is a folder, not a file.")
    if not query.strip():
        raise SqlError("No query given: pass one SQL statement.")

    reply = _call_worker(
        {
            "warehouse": str(warehouse),
            "query": query,
            "timeout": float(timeout),
            "max_rows": int(max_rows),
            "max_bytes": int(max_bytes),
        }
    )
    if not reply["ok"]:
        _raise_for(reply, warehouse, timeout, max_bytes)
    return SqlResult(
        columns=reply["columns"],
        types=reply["types"],
        rows=reply["rows"],
        truncated=reply["truncated"],
        elapsed=reply["elapsed"],
        deadline=started + float(timeout),
        timeout=float(timeout),
    )


def list_tables(warehouse: Path, *, timeout: float = 30.0) -> list[tuple[str, str, str, str]]:
    """(schema, table, column, type) of every table and view, in column order.

    Runs through the sandbox like any query, so the caller's own DuckDB connections
    (with their own configuration) are never involved.
    """
    result = run_sql(warehouse, TABLES_QUERY, timeout=timeout, max_rows=LIST_TABLES_MAX_ROWS)
    return [(str(s), str(t), str(c), str(ty)) for s, t, c, ty in result.rows]
