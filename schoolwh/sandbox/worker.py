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

The worker adds what DuckDB lacks: one statement per call (counted by DuckDB's own
parser), a statement timeout (a timer that interrupts the connection), a cap on the
bytes of the result as well as its rows, a cap on its own address space (RLIMIT_AS), and
the refusal of the raw free-text columns (`limits.PROTECTED`). A statement naming one of
those relations is first read as DuckDB parses it, and refused when it could read a
protected column (by name, by `*`, or by the whole row as a value). A SELECT is then
checked against an allow-list on DuckDB's own plan (`plan_reason`), where every trick of
the text (a qualified whole-row reference, `struct_extract`, `COLUMNS(*)`, `unnest`,
`to_json`, a view) has become the columns a scan reads: a scan of a protected relation
may read and filter only its other columns, and only the table functions of
`limits.TABLE_FUNCTIONS` and the catalog's may run. The configuration is locked after
this check, before the statement runs.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
import threading
import time
from typing import Any

from schoolwh.sandbox.limits import (
    MEMORY_LIMIT,
    PROTECTED,
    TABLE_FUNCTION_PREFIXES,
    TABLE_FUNCTIONS,
    THREADS,
    WORKER_ADDRESS_SPACE,
)

# Wording DuckDB uses when one of the guards above stops a statement.
_GUARD_MESSAGES = ("read-only mode", "configuration has been locked")

# Run right after connecting, in this order; then the statement's plan is checked
# (`plan_reason`), and LOCK_STATEMENT makes every setting final before it runs.
LOCKDOWN_STATEMENTS = (
    "SET enable_progress_bar = false",
    "SET disabled_filesystems = 'LocalFileSystem'",
)
LOCK_STATEMENT = "SET lock_configuration = true"
# Optimizers switched off while the plan is checked: statistics propagation would answer
# `count(*) ... where comment like 's%'` from a column's min and max and leave no trace
# of `comment` in the plan; the expression rewriter could fold a condition away likewise.
CHECK_WITHOUT_OPTIMIZERS = "statistics_propagation,expression_rewriter"


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
    elif isinstance(exc, MemoryError):  # the worker's address space is capped
        kind = "memory"
        message = "Out of Memory Error: the result does not fit in the worker's memory"
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


_FETCH_BATCH = 500  # rows converted to Python at a time


def value_bytes(value: Any) -> int:
    """What a value costs in the reply, roughly: its text's length plus 8 bytes."""
    if isinstance(value, str | bytes | bytearray):
        return len(value) + 8
    if isinstance(value, list | tuple):
        return 8 + sum(value_bytes(v) for v in value)
    if isinstance(value, dict):
        return 8 + sum(value_bytes(k) + value_bytes(v) for k, v in value.items())
    return 8


class ResultTooLarge(Exception):
    pass


def _fetch(con: Any, limit: int, max_bytes: int) -> list[tuple]:
    """At most `limit` rows, pulled from DuckDB's streaming result in batches; raises
    ResultTooLarge once they hold more than `max_bytes`."""
    rows: list[tuple] = []
    size = 0
    step = 16  # a few rows first: they may be huge
    while len(rows) < limit:
        batch = con.fetchmany(min(step, limit - len(rows)))
        step = min(step * 4, _FETCH_BATCH)
        if not batch:
            break
        size += sum(value_bytes(v) for row in batch for v in row)
        if size > max_bytes:
            raise ResultTooLarge(str(len(rows) + len(batch)))
        rows.extend(batch)
    return rows


# Table functions that run SQL given as text, which the checks below cannot see into.
_DYNAMIC_SQL = ("query", "query_table")


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def protected_reason(con: Any, sql: str) -> str | None:
    """Why the statement may read a protected column (`limits.PROTECTED`), else None."""
    words = {table for _, table in PROTECTED}
    text = sql.lower()
    (serialised,) = con.execute("select json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(serialised)
    if tree.get("error"):
        # Not a plain query (PIVOT, EXPLAIN, PRAGMA, ...): refused if it names a relation.
        if any(word in text for word in words):
            return _protected_message()
        return None
    nodes = list(_walk(tree))
    for node in nodes:
        if node.get("type") == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name in _DYNAMIC_SQL:
                return (
                    f"{name}() runs SQL given as text, which the SQL box cannot check; "
                    "write the query itself"
                )
    hits = [
        node
        for node in nodes
        if node.get("type") == "BASE_TABLE"
        and any(
            str(node.get("table_name", "")).lower() == table
            and str(node.get("schema_name", "")).lower() in ("", schema)
            for schema, table in PROTECTED
        )
    ]
    if not hits:
        return None
    if any(node.get("column_name_alias") for node in hits):  # raw.survey as s(a, b, x)
        return _protected_message()
    names = {table for _, table in PROTECTED}
    names |= {str(node.get("alias", "")).lower() for node in hits} - {""}
    hidden = {column for columns in PROTECTED.values() for column in columns}
    for node in nodes:
        if node.get("class") in ("STAR", "POSITIONAL_REFERENCE"):  # *, COLUMNS(..), #3
            return _protected_message()
        if node.get("class") == "COLUMN_REF":
            parts = [str(p).lower() for p in node.get("column_names", [])]
            if parts and (parts[-1] in hidden or (len(parts) == 1 and parts[0] in names)):
                return _protected_message()
    return None


def _plan_nodes(plan: Any):
    for node in plan if isinstance(plan, list) else [plan]:
        if isinstance(node, dict):
            yield node
            yield from _plan_nodes(node.get("children") or [])


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def plan_reason(con: Any, sql: str) -> str | None:
    """Why a SELECT's plan may read something the SQL box does not allow, else None.

    The allow-list is read off DuckDB's own plan, after views, `query_table`, `COLUMNS(*)`,
    whole-row references, `struct_extract`, `unnest` and `to_json` are resolved: every scan
    of a protected relation may read and filter only its other columns, and the only table
    functions are `limits.TABLE_FUNCTIONS` and the catalog's (`duckdb_*`)."""
    con.execute(f"SET disabled_optimizers = '{CHECK_WITHOUT_OPTIMIZERS}'")
    try:
        rows = con.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()
    finally:
        con.execute("RESET disabled_optimizers")
    hidden = {key: {c.lower() for c in cols} for key, cols in PROTECTED.items()}
    for _, text in rows:
        for node in _plan_nodes(json.loads(text)):
            info = node.get("extra_info") or {}
            if not isinstance(info, dict):
                continue
            function = str(info.get("Function") or "").upper()
            if function and not (
                function in TABLE_FUNCTIONS or function.startswith(TABLE_FUNCTION_PREFIXES)
            ):
                return (
                    f"SQL 查询框不提供表函数 {function.lower()}() / the table function "
                    f"{function.lower()}() is not available in the SQL box"
                )
            table = str(info.get("Table") or "")
            if not table:
                continue
            parts = [p.strip('"').lower() for p in table.split(".")]
            key = (parts[-2] if len(parts) > 1 else "", parts[-1])
            columns = hidden.get(key)
            if columns is None:  # a table named like a protected one, in another schema
                columns = set().union(*(c for (_, t), c in hidden.items() if t == key[1]))
            if not columns:
                continue
            used = {c.strip('"').lower() for c in _as_list(info.get("Projections"))}
            used |= {w.lower() for f in _as_list(info.get("Filters")) for w in _WORD.findall(f)}
            if used & columns:
                return _protected_message()
    return None


_EXPLAIN = re.compile(r"^\s*explain\s+(analy[sz]e\s+)?(\([^)]*\)\s*)?", re.I)
_PRAGMA_CALL = re.compile(r"^\s*pragma\s+([a-z_][a-z0-9_]*)\s*\(", re.I)


def statement_reason(con: Any, statement: Any) -> str | None:
    """The plan allow-list for every statement that can hand back rows: a SELECT, a CALL
    of a table function (`call query_table(...)`), a PIVOT, the statement an EXPLAIN
    (ANALYZE, which runs it and counts its rows) is about; a PRAGMA in function form only
    for the pragmas of `limits.TABLE_FUNCTIONS`. Other statements return no rows and meet
    DuckDB's own guards (read-only file, no file system, locked configuration)."""
    import duckdb

    kind = statement.type
    sql = str(statement.query)
    if kind in (
        duckdb.StatementType.SELECT,
        duckdb.StatementType.CALL,
        duckdb.StatementType.MULTI,
    ):
        return plan_reason(con, sql)
    if kind == duckdb.StatementType.EXPLAIN:
        return plan_reason(con, _EXPLAIN.sub("", sql, count=1))
    if kind == duckdb.StatementType.PRAGMA:
        called = _PRAGMA_CALL.match(sql)
        if called:
            name = called.group(1).upper().removeprefix("PRAGMA_")
            if f"PRAGMA_{name}" not in TABLE_FUNCTIONS:
                return (
                    f"SQL 查询框不提供 PRAGMA {name.lower()} / PRAGMA {name.lower()} is "
                    "not available in the SQL box"
                )
    return None


def _protected_message() -> str:
    listed = ", ".join(
        f"{schema}.{table}.{column}"
        for (schema, table), cols in PROTECTED.items()
        for column in cols
    )
    return (
        f"原始自由文本（{listed}）可能含个人信息，不能在此查询；请列出需要的其他列，不要用 * / "
        f"raw free text ({listed}) may hold personal data and cannot be read here; "
        "name the other columns you need instead of *"
    )


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
        try:
            refused = protected_reason(con, str(statements[0].query))
        except duckdb.Error as exc:
            return _error_reply(exc)
        if refused is None:
            try:
                refused = statement_reason(con, statements[0])
            except duckdb.Error as exc:
                return _error_reply(exc)
        if refused:
            return {"ok": False, "kind": "refused", "message": refused}
        try:
            con.execute(LOCK_STATEMENT)
        except duckdb.Error as exc:
            return {"ok": False, "kind": "lockdown", "message": str(exc).strip()}

        timer = threading.Timer(float(request["timeout"]), con.interrupt)
        timer.daemon = True
        started = time.perf_counter()
        timer.start()
        try:
            con.execute(statements[0])
            description = con.description or []
            rows = _fetch(con, int(request["max_rows"]) + 1, int(request["max_bytes"]))
        except ResultTooLarge as exc:
            return {"ok": False, "kind": "too_large", "message": str(exc)}
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


def limit_memory(limit: int = WORKER_ADDRESS_SPACE) -> None:
    """Cap this process's address space (Linux and macOS; elsewhere DuckDB's own limit)."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main() -> None:
    """Entry point of the worker process."""
    limit_memory()
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
