"""Per-district extracts: a small DuckDB file per district, written after every publish.

A district account's dashboard, downloads, briefings and SQL page open only its extract
(schoolwh/reading/connection.py), never the warehouse: what is not in the file cannot
be queried, however clever the query. An extract holds that district's rows of every
marts table, the audit rows about its own schools (counts and examples of bureau-wide
checks blanked; a city-wide file's row counts are the district's own rows, its message
left out), and as `marts.kpi_overall` the district's own figures — the city-level
figures only when the bureau allows district users to see the city ranking
(`schoolwh users policy --district-sees-city`).

Files are written beside the warehouse (`<warehouse>.extracts/<code>.duckdb`, mode 0600)
through a temporary name and renamed into place, so a reader sees the old or the new extract. A
publish writes the extract of every district an account is scoped to (a district no one
reads costs nothing); one that is missing or older than the warehouse is written before
it is read.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import duckdb
from filelock import FileLock

from schoolwh.accounts import AccountStore, extract_path, extracts_dir
from schoolwh.core.atomic import replace_file
from schoolwh.core.sample import SAMPLE_FILE_PARAMS, SAMPLE_FILE_SQL
from schoolwh.core.settings import STORAGE_VERSION

# marts tables without a district or a school: the same for everyone, nothing to hide
SHARED_TABLES = ("build_info", "kpi_definitions")
# Registries whose row with an empty district_code serves the whole jurisdiction (a
# city-wide supplier, docs/contract.md#scope-of-the-supervision-sources): every district
# sees those rows beside its own.
JURISDICTION_WIDE_TABLES = ("dim_supplier",)
# audit columns kept as they are; every other column is blanked (bureau-wide figures)
AUDIT_KEEP = {
    "loads": ("load_id", "started_at", "finished_at", "outcome", "as_of_date", "received_at"),
    "dq_results": (
        "load_id",
        "checked_at",
        "stage",
        "suite",
        "check_name",
        "target",
        "column_name",
        "severity",
        "success",
    ),
}

# audit.load_files of a file that holds other districts' rows as well: the district's own
# counts stand in for the whole file's (column -> what it becomes; null: left out)
MIXED_FILE_COUNTS = {
    "rows_read": "coalesce(c.own_landed, 0) + c.own_quarantined",
    "rows_landed": "c.own_landed",
    "rows_quarantined": "c.own_quarantined",
    "rows_dropped": "null",
    "message": "null",
    "structure_rows": "null",
}
# a check's message is its description, then " — " and the city-wide result: the extract
# keeps the description, so a district's 数据质量 page reads the checks as the bureau does
AUDIT_DESCRIBED = {("dq_results", "message")}


class ExtractError(RuntimeError):
    """An extract could not be written."""


class _Catalog:
    """The warehouse's tables and columns, read once per extract."""

    def __init__(self, con) -> None:
        self.columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        rows = con.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_catalog = 'src' "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall()
        for schema, table, column, dtype in rows:
            self.columns.setdefault((schema, table), []).append((column, dtype))

    def tables(self, schema: str) -> list[str]:
        return sorted(t for s, t in self.columns if s == schema)


_catalog: dict[int, _Catalog] = {}


def _columns(con, schema: str, table: str) -> list[tuple[str, str]]:
    return _catalog[id(con)].columns.get((schema, table), [])


def _tables(con, schema: str) -> list[str]:
    return _catalog[id(con)].tables(schema)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write_one(
    warehouse: Path, target: Path, districts: tuple[str, ...], city_allowed: bool
) -> None:
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        con.execute(f"attach '{warehouse.as_posix()}' as src (read_only)")
        _catalog[id(con)] = _Catalog(con)
        con.execute("create temp table scope_districts (code varchar)")
        con.executemany("insert into scope_districts values (?)", [[d] for d in districts])
        marts = _tables(con, "marts")
        con.execute("create temp table scope_schools (code varchar)")
        if "dim_school" in marts:
            con.execute(
                "insert into scope_schools select school_code from src.marts.dim_school "
                "where district_code in (select code from scope_districts)"
            )
        con.execute("create schema marts")
        for table in marts:
            _copy_mart(con, table, districts, city_allowed)
        # what this file is: its districts, and whether kpi_overall holds the city's
        # figures or the district's own (then the pages and briefings say 金水区, not 全市)
        con.execute(
            "create table marts.extract_scope as select d.code as district_code, "
            "n.district_name, ? as overall_is_city from scope_districts d "
            "left join src.marts.dim_district n on n.district_code = d.code",
            [bool(city_allowed or len(districts) != 1)],
        )
        _copy_audit(con)
        con.execute("checkpoint")
    finally:
        _catalog.pop(id(con), None)
        con.close()
    os.chmod(tmp, 0o600)  # the dashboard's own user reads it: nobody else
    replace_file(tmp, target)


def _copy_mart(con, table: str, districts: tuple[str, ...], city_allowed: bool) -> None:
    names = [c for c, _ in _columns(con, "marts", table)]
    source = f"src.marts.{_quote(table)}"
    target = f"marts.{_quote(table)}"
    in_district = "district_code in (select code from scope_districts)"
    in_school = "school_code in (select code from scope_schools)"
    if table == "kpi_overall":
        if city_allowed:
            con.execute(f"create table {target} as select * from {source}")
        elif len(districts) == 1:
            # the district's own figures stand where a page reads the overall ones
            cols = ", ".join(_quote(c) for c in names)
            con.execute(
                f"create table {target} as select {cols} from src.marts.kpi_district "
                f"where {in_district}"
            )
        return
    if "district_code" in names and "school_code" in names:
        where = f"{in_district} or (district_code is null and {in_school})"
    elif "district_code" in names and table in JURISDICTION_WIDE_TABLES:
        where = f"{in_district} or district_code is null"
    elif "district_code" in names:
        where = in_district
    elif "school_code" in names:
        where = in_school
    elif table in SHARED_TABLES:
        where = "true"
    else:
        return  # a table that cannot be scoped stays out (fail closed)
    con.execute(f"create table {target} as select * from {source} where {where}")


def _scope_codes(con) -> set[str]:
    rows = con.execute(
        "select code from scope_districts union select code from scope_schools"
    ).fetchall()
    return {r[0] for r in rows if r[0]}


def _row_mentions(raw_row: str | None, codes: set[str]) -> bool:
    if not raw_row:
        return False
    try:
        values = json.loads(raw_row)
    except ValueError:
        return False
    items = values.values() if isinstance(values, dict) else values
    return any(str(v).strip() in codes for v in items if v is not None)


def _copy_audit(con) -> None:
    audit = _tables(con, "audit")
    if not audit:
        return
    con.execute("create schema audit")
    codes = _scope_codes(con)
    hashes: set[str] = set()
    # (file hash, sheet, own landed, other landed, own quarantined, other quarantined)
    counts: list[tuple] = []
    if "quarantine" in audit:
        con.execute("create table audit.quarantine as select * from src.audit.quarantine limit 0")
        rows = con.execute("select * from src.audit.quarantine").fetchall()
        raw_index = [c for c, _ in _columns(con, "audit", "quarantine")].index("raw_row")
        hash_index = [c for c, _ in _columns(con, "audit", "quarantine")].index("file_hash")
        names = [c for c, _ in _columns(con, "audit", "quarantine")]
        sheet_index = names.index("sheet") if "sheet" in names else None
        kept = []
        for r in rows:
            own = _row_mentions(r[raw_index], codes)
            sheet = r[sheet_index] if sheet_index is not None else None
            counts.append((r[hash_index], sheet, 0, 0, int(own), int(not own)))
            if own:
                kept.append(r)
        if kept:
            marks = ", ".join("?" * len(kept[0]))
            con.executemany(f"insert into audit.quarantine values ({marks})", kept)
        hashes |= {r[hash_index] for r in kept}
    con.execute(
        "create temp table file_counts (h varchar, sheet varchar, own_landed bigint, "
        "other_landed bigint, own_quarantined bigint, other_quarantined bigint)"
    )
    coverage: list[tuple] = []  # 上报情况: what each file covered in the scope's districts
    for raw in _tables(con, "raw"):
        names = [c for c, _ in _columns(con, "raw", raw)]
        conditions = []
        if "district_code" in names:
            conditions.append("district_code in (select code from scope_districts)")
        if "school_code" in names:
            conditions.append("school_code in (select code from scope_schools)")
        if conditions and "_file_hash" in names:
            mine = " or ".join(conditions)
            sheet = "_sheet" if "_sheet" in names else "cast(null as varchar)"
            found = con.execute(
                f"select _file_hash, {sheet}, count(*) filter (where {mine}), "
                f"count(*) filter (where not coalesce({mine}, false)), 0, 0 "
                f"from src.raw.{_quote(raw)} group by all"
            ).fetchall()
            counts.extend(found)
            hashes |= {r[0] for r in found if r[2]}
        if conditions and {"date", "_file_hash", "_load_id"} <= set(names):
            coverage += _file_coverage(con, raw, names)
    if counts:
        con.executemany("insert into file_counts values (?, ?, ?, ?, ?, ?)", counts)
    if "load_files" in audit:
        con.execute("create temp table scope_hashes (h varchar)")
        con.executemany("insert into scope_hashes values (?)", [[h] for h in sorted(hashes)])
        # a file with other districts' rows too (a city-wide file): its counts are the
        # district's own rows, its message (whole-file figures) is left out
        # a file with other districts' rows too (a city-wide file): each sheet's counts
        # are the district's own rows, the message (whole-file figures) is left out
        con.execute(
            "create temp table file_sums as select h, sheet, "
            "sum(own_landed) as own_landed, sum(own_quarantined) as own_quarantined, "
            "sum(other_landed + other_quarantined) > 0 as mixed "
            "from file_counts group by all"
        )
        names = {c for c, _ in _columns(con, "audit", "load_files")}
        replaced = [
            f"case when m.mixed then coalesce({own}, 0) else f.{column} end as {column}"
            if own != "null"
            else f"case when m.mixed then null else f.{column} end as {column}"
            for column, own in MIXED_FILE_COUNTS.items()
            if column in names
        ]
        star = f"f.* replace ({', '.join(replaced)})" if replaced else "f.*"
        same_sheet = "c.sheet is not distinct from f.sheet" if "sheet" in names else "true"
        con.execute(
            f"create table audit.load_files as select {star} "
            "from src.audit.load_files f "
            f"left join file_sums c on c.h = f.file_hash and {same_sheet} "
            "left join (select h, bool_or(mixed) as mixed from file_sums group by h) m "
            "  on m.h = f.file_hash "
            f"where f.file_hash in (select h from scope_hashes) or {SAMPLE_FILE_SQL}",
            SAMPLE_FILE_PARAMS,  # the sample's mark travels: 示例数据（合成） on every page
        )
    con.execute(
        "create table audit.file_coverage (source varchar, district_code varchar, "
        "file_hash varchar, load_id bigint, first_day date, last_day date, rows bigint)"
    )
    if coverage:
        con.executemany("insert into audit.file_coverage values (?, ?, ?, ?, ?, ?, ?)", coverage)
    for table, keep in AUDIT_KEEP.items():
        if table not in audit:
            continue
        cols = []
        for name, dtype in _columns(con, "audit", table):
            if (table, name) in AUDIT_DESCRIBED:  # what was checked, not the city's result
                cols.append(f"split_part({_quote(name)}, ' — ', 1) as {_quote(name)}")
                continue
            cols.append(
                _quote(name) if name in keep else f"cast(null as {dtype}) as {_quote(name)}"
            )
        con.execute(
            f"create table audit.{table} as select {', '.join(cols)} from src.audit.{table}"
        )


def _file_coverage(con, raw: str, names: list[str]) -> list[tuple]:
    """Per district of the scope and file: the days a source's rows cover, and how many."""
    if "school_code" in names:
        district = (
            "coalesce(r.district_code, s.district_code)"
            if "district_code" in names
            else "s.district_code"
        )
        join = "left join src.marts.dim_school as s on r.school_code = s.school_code"
    else:
        district, join = "r.district_code", ""
    return con.execute(
        f"select ?, {district} as district_code, r._file_hash, r._load_id, min(r.date), "
        f"max(r.date), count(*) from src.raw.{_quote(raw)} as r {join} "
        f"where {district} in (select code from scope_districts) group by all",
        [raw],
    ).fetchall()


def _district_codes(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        try:
            rows = con.execute("select distinct district_code from marts.dim_district").fetchall()
        except duckdb.Error:
            return []
    finally:
        con.close()
    return sorted(r[0] for r in rows if r[0])


def _write_scopes(warehouse: Path, wanted: set[tuple[str, ...]], *, prune: bool) -> list[Path]:
    folder = extracts_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    city_allowed = AccountStore(warehouse).settings().district_sees_city
    written: list[Path] = []
    with FileLock(str(folder / ".lock"), timeout=600):
        for districts in sorted(wanted):
            target = extract_path(warehouse, districts)
            try:
                _write_one(warehouse, target, districts, city_allowed)
            except duckdb.Error as exc:
                raise ExtractError(
                    f"区县数据子集未写入 / the extract for {'+'.join(districts)} was not "
                    f"written: {exc}"
                ) from exc
            written.append(target)
        if prune:
            keep = {p.name for p in written}
            for old in folder.glob("*.duckdb"):
                if old.name not in keep:
                    with contextlib.suppress(OSError):
                        old.unlink()
    return written


def write_extracts(
    warehouse: Path, scopes: Iterable[tuple[str, ...]] = (), *, every_district: bool = False
) -> list[Path]:
    """Write the extract of every account's district scope (and of `scopes`; with
    `every_district`, of every district of the warehouse); remove the extracts no account
    reads any more. Returns the files written."""
    warehouse = Path(warehouse)
    if not warehouse.exists():
        return []
    wanted = AccountStore(warehouse).scopes() | {tuple(sorted(s)) for s in scopes if s}
    if every_district:
        wanted |= {(c,) for c in _district_codes(warehouse)}
    return _write_scopes(warehouse, wanted, prune=True)


def ensure_extract(warehouse: Path, districts: tuple[str, ...]) -> Path | None:
    """The extract for `districts`, written first when missing or older than the
    warehouse; None when there is no warehouse."""
    warehouse = Path(warehouse)
    if not warehouse.exists():
        return None
    districts = tuple(sorted(set(districts)))
    target = extract_path(warehouse, districts)
    if not target.exists() or target.stat().st_mtime_ns < warehouse.stat().st_mtime_ns:
        _write_scopes(warehouse, {districts}, prune=False)
    return target if target.exists() else None


__all__ = ["ExtractError", "ensure_extract", "write_extracts"]
