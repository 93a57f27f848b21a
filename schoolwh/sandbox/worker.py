"""The sandbox worker: runs one query on a locked-down, read-only connection.

`runner.run_sql` starts it as a separate Python process. It reads one JSON request on
standard input and writes one pickled reply on its original standard output (anything
else that would reach standard output goes to standard error instead). It imports
nothing heavy beyond duckdb, because analysts pay its start-up on every query.

The guards are DuckDB's own: the file is opened read-only, external access (files,
network, extension installs) is disabled, extensions are not auto-installed or
auto-loaded, threads and memory are capped, and then the configuration is locked so no
SET, RESET or PRAGMA can undo any of it.

One more DuckDB setting closes a gap in `enable_external_access`: by design it still
allows file operations on the open database's own paths (the file, its `.wal`,
`.wal.checkpoint`, `.wal.recovery`) and on the temp directory. On a read-only
connection `COPY t TO '<warehouse>.wal'` would write beside the published file, and
`COPY t TO '<warehouse>' (USE_TMP_FILE false)` would overwrite it. So the local file
system is disabled outright (`disabled_filesystems`) once the file is open: the open
handle keeps reading, every new file operation is refused by DuckDB, and there is no
temp directory to spill to.

The worker adds two things DuckDB lacks: one statement per call (counted by DuckDB's
own parser) and a statement timeout (a timer that interrupts the connection).
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import threading
import time
from typing import Any

from schoolwh.sandbox.limits import MEMORY_LIMIT, THREADS

# Wording DuckDB uses when one of the guards above stops a statement.
_GUARD_MESSAGES = ("read-only mode", "configuration has been locked")

# Run right after connecting, in this order; the last one makes every setting final.
LOCKDOWN_STATEMENTS = (
    "SET enable_progress_bar = false",
    "SET disabled_filesystems = 'LocalFileSystem'",
    "SET lock_configuration = true",
)


def sandbox_config() -> dict[str, Any]:
    """DuckDB settings of a sandboxed connection (given at connect, then locked)."""
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "threads": THREADS,
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": "",  # no spilling: nothing is written anywhere
    }


def _error_reply(exc: BaseException) -> dict[str, Any]:
    import duckdb

    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, duckdb.InterruptException):
        kind = "timeout"
    elif isinstance(exc, duckdb.OutOfMemoryException):
        kind = "memory"
    elif isinstance(exc, duckdb.PermissionException) or any(
        text in message for text in _GUARD_MESSAGES
    ):
        kind = "refused"
    elif isinstance(exc, duckdb.Error):
        kind = "failed"
    else:  # a value Python cannot represent, and the like
        kind = "failed"
        message = f"{type(exc).__name__}: {message}"
    return {"ok": False, "kind": kind, "message": message}


def _fetch(con: Any, limit: int) -> list[tuple]:
    """At most `limit` rows, pulled from DuckDB's streaming result in batches."""
    rows: list[tuple] = []
    while len(rows) < limit:
        batch = con.fetchmany(limit - len(rows))
        if not batch:
            break
        rows.extend(batch)
    return rows


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    """Run one request; return a reply dict (never raises for a database error)."""
    import duckdb

    try:
        con = duckdb.connect(
            request["warehouse"],
            read_only=True,
            config=sandbox_config(),
        )
    except duckdb.Error as exc:
        return {"ok": False, "kind": "open", "message": str(exc).strip()}
    try:
        try:
            for statement in LOCKDOWN_STATEMENTS:
                con.execute(statement)
        except duckdb.Error as exc:  # never run a query on a connection left open
            return {"ok": False, "kind": "lockdown", "message": str(exc).strip()}
        try:
            statements = con.extract_statements(request["query"])
        except duckdb.Error as exc:
            return _error_reply(exc)
        if not statements:
            return {"ok": False, "kind": "empty", "message": ""}
        if len(statements) > 1:
            return {"ok": False, "kind": "multiple", "message": str(len(statements))}

        timer = threading.Timer(float(request["timeout"]), con.interrupt)
        timer.daemon = True
        started = time.perf_counter()
        timer.start()
        try:
            con.execute(statements[0])
            description = con.description or []
            rows = _fetch(con, int(request["max_rows"]) + 1)
        except Exception as exc:
            return _error_reply(exc)
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - started
    finally:
        con.close()

    max_rows = int(request["max_rows"])
    return {
        "ok": True,
        "columns": [str(column[0]) for column in description],
        "types": [str(column[1]) for column in description],
        "rows": rows[:max_rows],
        "truncated": len(rows) > max_rows,
        "elapsed": elapsed,
    }


def main() -> None:
    """Entry point of the worker process."""
    reply_stream = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    request = json.loads(sys.stdin.buffer.read())
    reply = run_request(request)
    try:
        payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a value that cannot be sent back
        payload = pickle.dumps(
            {"ok": False, "kind": "failed", "message": f"{type(exc).__name__}: {exc}"}
        )
    reply_stream.write(payload)
    reply_stream.flush()


if __name__ == "__main__":
    main()
