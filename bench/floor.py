"""The floor of a load: plain DuckDB reading the clean CSV files, then the term KPIs.

`python bench/floor.py CSV_DIR DB_FILE` runs bench/floor.sql into a new DuckDB file and
prints one JSON object: the seconds per statement and in all. bench/run.py runs it as a
child process, like a load, so both figures include starting Python and importing DuckDB.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SQL_FILE = Path(__file__).resolve().parent / "floor.sql"
SEPARATOR = "\n-- ;\n"


def statements(csv_dir: Path) -> list[str]:
    """The statements of floor.sql with the CSV folder filled in (as a SQL string)."""
    quoted = "'" + str(csv_dir).replace("'", "''") + "'"
    text = SQL_FILE.read_text(encoding="utf-8").replace("{csv_dir}", quoted)
    return [s for s in text.split(SEPARATOR) if _code(s)]


def _code(statement: str) -> str:
    return "\n".join(
        line for line in statement.splitlines() if line.strip() and not line.startswith("--")
    )


def _label(statement: str) -> str:
    first = _code(statement).splitlines()[0]
    return first.removeprefix("create or replace table ").split(" as")[0]


def run(csv_dir: Path, db_file: Path) -> dict[str, object]:
    """Run the floor into a new DuckDB file; return the seconds per statement."""
    import duckdb

    for leftover in (db_file, db_file.with_name(db_file.name + ".wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db_file))
    seconds: dict[str, float] = {}
    try:
        for statement in statements(csv_dir):
            t0 = time.perf_counter()
            con.execute(statement)
            seconds[_label(statement)] = time.perf_counter() - t0
        con.execute("checkpoint")
    finally:
        con.close()
    return {"statements": seconds, "seconds": time.perf_counter() - started}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python bench/floor.py CSV_DIR DB_FILE", file=sys.stderr)
        return 2
    csv_dir, db_file = Path(argv[0]), Path(argv[1])
    if not (csv_dir / "schools.csv").is_file():
        print(f"{csv_dir} holds no clean sample (schools.csv is missing)", file=sys.stderr)
        return 2
    print(json.dumps(run(csv_dir, db_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
