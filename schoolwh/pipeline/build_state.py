"""What a load's build must rebuild, and what the warehouse was last built from.

Every model is a function of the raw tables, the dbt project and the build's start time
(`build_info`). So when the published warehouse was built by this very project from
every batch landed before the current load, only the models downstream of the sources
this load landed rows in can change: the others, and their tests, would give exactly
the results they gave at the last build. The build then selects those models (plus
`build_info`, which records the build); in any other case - a new warehouse, a changed
project or dbt version, batches landed without a build - it builds everything.

`audit.build_state` keeps one row per successful build, written with the load's other
audit rows and published with the marts it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from schoolwh.core.settings import DBT_DIR

TABLE = "audit.build_state"
DDL = f"""
create table if not exists {TABLE} (
    load_id BIGINT,
    built_at TIMESTAMP,
    project_fingerprint VARCHAR,
    batch_seq_through BIGINT,
    selection VARCHAR
)
"""
# Everything in the dbt project that decides what a build produces.
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
ALWAYS = ("build_info",)  # records the build itself: rebuilt by every build


def project_fingerprint(dbt_dir: Path = DBT_DIR) -> str:
    """A hash of the dbt project's files and of the dbt versions that run them."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}=={version(package)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{package} missing\n".encode())
    for part in PROJECT_PARTS:
        path = dbt_dir / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if not f.is_file():
                continue
            digest.update(str(f.relative_to(dbt_dir)).encode() + b"\0")
            digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def ensure_table(con) -> None:
    con.execute(DDL)


def _landed_through(con, load_id: int, this_load: bool) -> int:
    """The highest batch landed by earlier loads (or by this one, with `this_load`)."""
    op = "=" if this_load else "<"
    row = con.execute(
        f"select coalesce(max(batch_seq), 0) from audit.load_files "
        f"where status = 'loaded' and load_id {op} ?",
        [load_id],
    ).fetchone()
    return int(row[0])


def _marts_built(con) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'marts' "
        "and table_name = 'build_info'"
    ).fetchone()
    return bool(row and row[0])


def selection(con, load_id: int, sources: Iterable[str], fingerprint: str) -> str | None:
    """The dbt selection that rebuilds what this load can change; None = everything."""
    sources = sorted(set(sources))
    if not sources or not _marts_built(con):
        return None
    last = con.execute(
        f"select project_fingerprint, batch_seq_through from {TABLE} order by load_id desc limit 1"
    ).fetchone()
    if last is None or last[0] != fingerprint:
        return None
    if last[1] != _landed_through(con, load_id, this_load=False):
        return None  # some earlier batches were landed without a build
    return " ".join([*(f"source:raw.{s}+" for s in sources), *ALWAYS])


def record(con, load_id: int, fingerprint: str, selected: str | None) -> None:
    """Note a successful build of this load (in the build copy, before the publish)."""
    through = max(
        _landed_through(con, load_id, this_load=True),
        _landed_through(con, load_id, this_load=False),
    )
    con.execute(
        f"insert into {TABLE} values (?, ?, ?, ?, ?)",
        [load_id, dt.datetime.now(), fingerprint, through, selected],
    )
