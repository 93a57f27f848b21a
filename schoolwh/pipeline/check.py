"""A dry run of a load (`schoolwh check`, the upload page), correction sheets, and the
out-of-scope rule for uploads.

The check reads each file exactly as a load does (`ingest.batches.read_batches`: source,
header, row rules, the 20 % rule) and publishes nothing. A correction sheet holds a
file's problem rows as they were, a Chinese reason column and the bad cells highlighted:
fixed in Excel, it can be uploaded again as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.batches import Batch, discover, read_batches
from ingest.landing import quarantine_frame
from ingest.normalise import PROBLEM_SCHEMA
from ingest.outcome import FileOutcome
from ingest.readers import ROW, SUFFIXES, WORKBOOK_SUFFIXES, ReadError, check_zip
from schoolwh.core.reasons import REASONS
from schoolwh.core.sources import SOURCES, Source
from schoolwh.pipeline.result import EXIT_OK, EXIT_REJECTED, EXIT_USAGE

# What the upload page accepts.
UPLOAD_SUFFIXES = SUFFIXES  # every format a load reads
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_ACCEPTED = " / ".join(UPLOAD_SUFFIXES)
MAX_RATIO = 100  # uncompressed / compressed; bureau workbooks stay far below
REASON_HEADER = "问题说明"


class UploadRefused(ValueError):
    """An uploaded file that is not read at all (type, size, zip bomb)."""


# ---------------------------------------------------------------------------------------
# out of scope
# ---------------------------------------------------------------------------------------
class Registry(dict):
    """The published registry: school code → district code. `owners` holds, for every
    other registry that places its rows in a district (suppliers), key → district code,
    None for a row serving the whole jurisdiction."""

    def __init__(self, schools=(), owners: dict[str, dict[str, str | None]] | None = None):
        super().__init__(schools)
        self.owners = owners if owners is not None else {}


def _placed_registries() -> list[Source]:
    """Registries other than the schools whose rows carry a district (suppliers)."""
    return [
        s
        for s in SOURCES.values()
        if len(s.key) == 1
        and s.key[0] not in ("school_code", "district_code")
        and s.column(s.key[0]).kind == "code"
        and "district_code" in s.names
    ]


def school_districts(con) -> Registry:
    """The published registry: school code → district code, from the marts (else the raw
    registry, each school's latest row); and the other registries' owners, each key's
    latest row (latest load wins)."""
    schools: dict[str, str] = {}
    for sql in (
        "select school_code, district_code from marts.dim_school",
        "select school_code, arg_max(district_code, _batch_seq) from raw.schools group by 1",
    ):
        try:
            schools = {s: d for s, d in con.execute(sql).fetchall() if s}
            break
        except duckdb.Error:
            continue
    owners: dict[str, dict[str, str | None]] = {}
    for src in _placed_registries():
        key = src.key[0]
        try:
            rows = con.execute(
                f"select {key}, arg_max(district_code, _batch_seq) from raw.{src.name} group by 1"
            ).fetchall()
        except duckdb.Error:
            continue
        owners[src.name] = {k: d for k, d in rows if k}
    return Registry(schools, owners)


def _cell_text(value: Any, enum: dict[str, str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if enum and value in enum:
        return enum[value]
    return str(value)


def _defines_schools(src: Source) -> bool:
    """The registry: the source whose key is the school code (its rows place schools)."""
    return src.key == ("school_code",)


def apply_scope(batch: Batch, scope: tuple[str, ...], schools: dict[str, str]) -> int:
    """Move the batch's rows outside `scope` to its problems; returns how many rows moved.

    Scope is judged against the published registry `schools` (school → district), never
    against a district column alone: a row naming a school the registry puts outside the
    scope is `out_of_scope` whatever district it carries, as is a row naming a district
    outside it, and a fact row naming a school the registry does not know. A registry row
    may not move a school to another district (`school_move`): only a load without a
    scope (bureau level) may. New schools of an in-scope district in a registry file join
    `schools` for the files after it."""
    src = batch.source
    rows = batch.rows
    allowed = list(scope)
    has_district = "district_code" in src.names
    has_school = "school_code" in src.names
    if not (has_district or has_school) or rows.height == 0:
        return 0
    registry = _defines_schools(src)
    no = pl.lit(False)
    district = pl.col("district_code") if has_district else pl.lit(None, pl.String)
    district_out = ~district.is_in(allowed).fill_null(False) if has_district else no
    if has_school:
        code = pl.col("school_code")
        home = code.replace_strict(
            pl.Series(list(schools), dtype=pl.String),
            pl.Series(list(schools.values()), dtype=pl.String),
            default=None,
            return_dtype=pl.String,
        )
        foreign = ~home.is_in(allowed).fill_null(False)
        if registry:  # a school the registry does not know yet is a new school
            school_out = home.is_not_null() & foreign
            moved = home.is_not_null() & (home != district).fill_null(False)
        else:
            school_out = code.is_not_null() & foreign
            moved = no
    else:
        school_out = moved = no
    # another registry's row (a supplier) whose key the registry places outside the scope,
    # or across the whole jurisdiction: a clerk may not take it over
    owners = getattr(schools, "owners", {}).get(src.name)
    owner_key = src.key[0] if owners is not None else None
    if owner_key is not None:
        owner = pl.col(owner_key).replace_strict(
            pl.Series(list(owners), dtype=pl.String),
            pl.Series(list(owners.values()), dtype=pl.String),
            default=None,
            return_dtype=pl.String,
        )
        key_out = pl.col(owner_key).is_in(list(owners)) & ~owner.is_in(allowed).fill_null(False)
    else:
        key_out = no
    judged = rows.with_columns(
        pl.when(district_out)
        .then(pl.lit("district_code"))
        .when(school_out)
        .then(pl.lit("school_code"))
        .when(key_out)
        .then(pl.lit(owner_key))
        .when(moved)
        .then(pl.lit("district_code"))
        .alias("_scope_column"),
        pl.when(district_out | school_out | key_out)
        .then(pl.lit("out_of_scope"))
        .when(moved)
        .then(pl.lit("school_move"))
        .alias("_scope_reason"),
    )
    inside = pl.col("_scope_reason").is_null()
    if registry:
        for code_, district_ in judged.filter(inside).select("school_code", "district_code").rows():
            if code_ and district_:
                schools.setdefault(code_, district_)
    if owner_key is not None:
        for key_, district_ in judged.filter(inside).select(owner_key, "district_code").rows():
            if key_:
                owners.setdefault(key_, district_)
    outside = judged.filter(~inside)
    if outside.height == 0:
        return 0
    labels = {c.name: c.zh for c in src.columns}
    raw_row = pl.struct(
        [
            pl.col(c.name)
            .map_elements(lambda v, e=c.enum: _cell_text(v, e), return_dtype=pl.String)
            .alias(c.zh)
            for c in src.columns
        ]
    ).struct.json_encode()
    value = pl.coalesce(  # the cell of the column that put the row outside
        [
            pl.when(pl.col("_scope_column") == name).then(pl.col(name).cast(pl.String))
            for name in dict.fromkeys(("district_code", "school_code", owner_key))
            if name in src.names
        ]
    )
    moved_rows = outside.select(
        pl.col(ROW),
        pl.col("_scope_column").replace_strict(labels, return_dtype=pl.String).alias("column_name"),
        value.alias("raw_value"),
        pl.col("_scope_reason").alias("reason"),
        raw_row.alias("raw_row"),
    ).cast(PROBLEM_SCHEMA)
    batch.rows = judged.filter(inside).drop("_scope_column", "_scope_reason")
    batch.problems = pl.concat([batch.problems.cast(PROBLEM_SCHEMA), moved_rows]).sort(ROW)
    o = batch.outcome
    o.rows_quarantined += outside.height
    for reason, n in outside["_scope_reason"].value_counts().rows():
        o.reasons[reason] += n
    if not batch.rejected:
        o.rows_landed = batch.rows.height
    return outside.height


def scope_batch(batch: Batch, scope: tuple[str, ...], schools: dict[str, str]) -> int:
    """`apply_scope`, then say why a row with an empty optional district_code is outside:
    it names the whole jurisdiction (a supplier serving every district), which no
    district's clerk may load (`jurisdiction_wide`, docs/contract.md#scope-of-the-supervision-sources)."""
    moved = apply_scope(batch, scope, schools)
    if not moved or "district_code" not in batch.source.names:
        return moved
    column = batch.source.column("district_code")
    if column.required:
        return moved
    p = batch.problems
    wide = (
        (pl.col("reason") == "out_of_scope")
        & (pl.col("column_name") == column.zh)
        & pl.col("raw_value").is_null()
    )
    n = p.select(wide.sum()).item()
    if n:
        batch.problems = p.with_columns(
            pl.when(wide)
            .then(pl.lit("jurisdiction_wide"))
            .otherwise(pl.col("reason"))
            .alias("reason")
        )
        reasons = batch.outcome.reasons
        reasons["out_of_scope"] -= n
        reasons["jurisdiction_wide"] += n
        if not reasons["out_of_scope"]:
            del reasons["out_of_scope"]
    return moved


def out_of_scope_filter(
    scope: tuple[str, ...] | None,
) -> Callable[[Any, Batch], None] | None:
    """The load's per-batch hook for an upload by a scoped account (None: no scope)."""
    if scope is None:
        return None
    state: dict[str, dict[str, str]] = {}

    def hook(con, batch: Batch) -> None:
        if "schools" not in state:
            state["schools"] = school_districts(con)
        scope_batch(batch, scope, state["schools"])

    return hook


# ---------------------------------------------------------------------------------------
# the dry run
# ---------------------------------------------------------------------------------------
@dataclass
class FileCheck:
    """What a load would make of one file."""

    path: Path
    data: bytes
    outcomes: list[FileOutcome] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(o.status == "rejected" for o in self.outcomes)

    @property
    def problem_count(self) -> int:
        return sum(b.problems.select(pl.col(ROW).n_unique()).item() for b in self.batches)

    def problems(self) -> pl.DataFrame:
        """One row per problem cell: where, column, value, reason, message (zh / en)."""
        frames = [quarantine_frame(b, 0) for b in self.batches if b.problems.height]
        if not frames:
            return pl.DataFrame(
                schema={
                    "sheet": pl.String,
                    "row_number": pl.Int32,
                    "column_name": pl.String,
                    "raw_value": pl.String,
                    "reason": pl.String,
                    "message": pl.String,
                }
            )
        return pl.concat(frames).select(
            "sheet", "row_number", "column_name", "raw_value", "reason", "message"
        )


@dataclass
class CheckReport:
    files: list[FileCheck]
    missing: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.files:
            return EXIT_USAGE
        if self.missing or any(f.rejected for f in self.files):
            return EXIT_REJECTED
        return EXIT_OK


def check_file(
    path: Path,
    data: bytes | None = None,
    *,
    source: str | None = None,
    scope: tuple[str, ...] | None = None,
    schools: dict[str, str] | None = None,
) -> FileCheck:
    """Read and check one file as a load would; nothing is written anywhere."""
    data = path.read_bytes() if data is None else data
    digest = hashlib.sha256(data).hexdigest()
    result = FileCheck(path, data)
    for item in read_batches(path, data, digest, source, dt.date.today()):
        if isinstance(item, FileOutcome):
            result.outcomes.append(item)
            continue
        if scope is not None:
            scope_batch(item, scope, schools if schools is not None else Registry())
        result.batches.append(item)
        result.outcomes.append(item.outcome)
    return result


def check_paths(
    paths: list[Path],
    *,
    source: str | None = None,
    scope: tuple[str, ...] | None = None,
    warehouse: Path | None = None,
) -> CheckReport:
    files, missing = discover(paths)
    schools = published_schools(warehouse) if scope is not None else {}
    return CheckReport(
        [check_file(f, source=source, scope=scope, schools=schools) for f in files], missing
    )


def published_schools(warehouse: Path | None) -> Registry:
    if warehouse is None or not Path(warehouse).exists():
        return Registry()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return school_districts(con)
    finally:
        con.close()


def report_lines(report: CheckReport, limit: int = 20) -> list[str]:
    """The dry run in words (the load report's line per file, then the problems)."""
    from schoolwh.pipeline.report import file_line

    lines: list[str] = []
    for m in report.missing:
        lines.append(f"  ✗ 找不到文件或文件夹 / no such file or folder: {m}")
    for f in report.files:
        for o in f.outcomes:
            lines.append(file_line(o))
        problems = f.problems()
        for row in problems.head(limit).iter_rows(named=True):
            lines.append(f"      {row['message']}")
        if problems.height > limit:
            lines.append(
                f"      … 另有 {problems.height - limit} 处问题 / {problems.height - limit} "
                "more problems (the correction sheet lists them all)"
            )
    verdict = (
        "检查通过：可以导入 / check passed: a load would accept these files"
        if report.exit_code == EXIT_OK
        else "检查未通过：导入时会拒绝 / check failed: a load would reject a file"
    )
    lines.append(verdict)
    return lines


# ---------------------------------------------------------------------------------------
# correction sheets
# ---------------------------------------------------------------------------------------
def _reason_text(reason: str, column: str, value: str | None) -> str:
    zh = REASONS.get(reason, (reason, reason))[0]
    shown = "" if value is None else f"（值：「{value}」）"
    return f"「{column}」{zh}{shown}"


def correction_sheet(check: FileCheck) -> bytes | None:
    """An XLSX of the file's problem rows as they were, a 问题说明 column and the bad
    cells highlighted; None when the file has no problem rows."""
    import xlsxwriter

    batches = [b for b in check.batches if b.problems.height]
    if not batches:
        return None
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    text = book.add_format({"num_format": "@"})
    used: set[str] = set()
    for b in batches:
        name = re.sub(r"[\[\]\*\?/\\:]", "_", b.outcome.sheet or SOURCES[b.source.name].zh)[:28]
        while name in used:
            name = name[:26] + "_" + str(len(used))
        used.add(name)
        sheet = book.add_worksheet(name)
        by_row: dict[int, dict[str, Any]] = {}
        for r in b.problems.iter_rows(named=True):
            entry = by_row.setdefault(r[ROW], {"raw": r["raw_row"], "cols": [], "why": []})
            entry["cols"].append(r["column_name"])
            why = _reason_text(r["reason"], r["column_name"], r["raw_value"])
            if why not in entry["why"]:
                entry["why"].append(why)
        header: list[str] = []
        rows = []
        for number in sorted(by_row):
            entry = by_row[number]
            try:
                raw = json.loads(entry["raw"]) if entry["raw"] else {}
            except ValueError:
                raw = {}
            for key in raw:
                if key not in header:
                    header.append(key)
            rows.append((number, raw, entry))
        header = [h for h in header if h != REASON_HEADER]
        for c, h in enumerate([*header, REASON_HEADER]):
            sheet.write_string(0, c, h, bold)
        for i, (number, raw, entry) in enumerate(rows, start=1):
            for c, h in enumerate(header):
                value = raw.get(h)
                cell = "" if value is None else str(value)
                fmt = bad if h in entry["cols"] else text
                sheet.write_string(i, c, cell, fmt)
            why = f"原第 {number} 行：" + "；".join(entry["why"])
            sheet.write_string(i, len(header), why, bad)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, max(len(header) - 1, 0), 16)
        sheet.set_column(len(header), len(header), 60)
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# uploads
# ---------------------------------------------------------------------------------------
_SAFE = re.compile(r"[^\w\u4e00-\u9fff-]+")


def safe_file_name(name: str, index: int) -> str:
    """A name for an uploaded file that is only ever a name: no folders, no dots but the
    suffix, nothing hidden; the suffix must be one the page accepts."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefused(
            f"文件「{name}」类型不支持，只接受 {_ACCEPTED} / {name!r}: only {_ACCEPTED} "
            "files can be uploaded"
        )
    stem = _SAFE.sub("_", Path(Path(name).name).stem).strip("_")[:60] or "upload"
    return f"{index:02d}_{stem}{suffix}"


def vet_upload(name: str, data: bytes) -> None:
    """Refuse an upload that is too big, of the wrong type, or a zip bomb."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefused(
            f"文件「{name}」类型不支持，只接受 {_ACCEPTED} / {name!r}: only {_ACCEPTED} "
            "files can be uploaded"
        )
    mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"文件「{name}」超过 {mb} MB / {name!r} is larger than {mb} MB: split it"
        )
    if suffix in WORKBOOK_SUFFIXES and suffix != ".xls":  # zipped: .xlsx, .xlsm, .ods
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                total = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise UploadRefused(
                f"文件「{name}」不是有效的工作簿 / {name!r} is not a valid workbook: {exc}"
            ) from exc
        if total > MAX_RATIO * max(len(data), 1):
            raise UploadRefused(
                f"文件「{name}」解压后大小异常（{total:,} 字节），拒绝读取 / {name!r} would "
                f"unpack to {total:,} bytes: refused (a zip bomb?)"
            )
        try:  # the reader's own caps: declared and streamed sizes, rows, columns, cells
            check_zip(data, suffix)
        except ReadError as exc:
            raise UploadRefused(f"文件「{name}」：{exc}") from exc


# ---------------------------------------------------------------------------------------
# the upload page's check: once per file, a bounded result kept, a bounded number at once
# ---------------------------------------------------------------------------------------
PROBLEMS_SHOWN = 200  # problem cells kept for the page's table (the sheet has them all)
CHECKS_AT_ONCE = 2  # checks running at once in the dashboard's process
CHECKS_KEPT = 32  # results kept (a result holds no rows of the file but its problems)
_KEPT_BYTES = 64 * 1024 * 1024  # and the correction sheets they keep, at most


@dataclass
class UploadCheck:
    """What the upload page keeps of a checked file: verdicts and counts, the first
    problems, and the correction sheet — never the file's rows."""

    digest: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    problems: pl.DataFrame | None = None  # the first PROBLEMS_SHOWN problem cells
    problem_cells: int = 0
    problem_rows: int = 0
    correction: bytes | None = None
    refused: str | None = None  # UploadRefused: the file was not read

    @property
    def rejected(self) -> bool:
        return self.refused is not None or any(o.status == "rejected" for o in self.outcomes)

    @property
    def size(self) -> int:
        frame = self.problems.estimated_size() if self.problems is not None else 0
        return frame + len(self.correction or b"") + 4096


_kept: dict[tuple, UploadCheck] = {}  # insertion order: the oldest first
_kept_lock = threading.Lock()
_running = threading.BoundedSemaphore(CHECKS_AT_ONCE)
_working: dict[tuple, threading.Lock] = {}
# checks run, running now and the most ever running at once (the tests and the bench)
CHECK_RUNS = {"count": 0, "running": 0, "most_at_once": 0}


def _registry_version(warehouse: Path | None) -> int:
    try:
        return Path(warehouse).stat().st_mtime_ns if warehouse is not None else 0
    except OSError:
        return 0


def checked_upload(
    name: str,
    data: bytes,
    *,
    scope: tuple[str, ...] | None = None,
    warehouse: Path | None = None,
    digest: str | None = None,
) -> UploadCheck:
    """Check an uploaded file as a load would, once per content (and scope and published
    registry): the result is kept for every later rerun or session, at most CHECKS_KEPT
    results and _KEPT_BYTES of them; at most CHECKS_AT_ONCE checks run at once, so a few
    clerks uploading 20 MB files together cannot multiply the process's memory."""
    digest = digest or hashlib.sha256(data).hexdigest()
    suffix = Path(name or "").suffix.lower()
    key = (digest, suffix, scope, _registry_version(warehouse) if scope is not None else 0)
    with _kept_lock:
        found = _kept.get(key)
        if found is not None:
            _kept[key] = _kept.pop(key)  # most recently used last
            return found
        one = _working.setdefault(key, threading.Lock())
    with one:  # the same file sent twice at once is checked once
        with _kept_lock:
            if key in _kept:
                return _kept[key]
        with _running:
            with _kept_lock:
                CHECK_RUNS["count"] += 1
                CHECK_RUNS["running"] += 1
                CHECK_RUNS["most_at_once"] = max(CHECK_RUNS["most_at_once"], CHECK_RUNS["running"])
            try:
                result = _check_upload(name, data, digest, scope, warehouse)
            finally:
                with _kept_lock:
                    CHECK_RUNS["running"] -= 1
        with _kept_lock:
            _kept[key] = result
            _working.pop(key, None)
            total = sum(r.size for r in _kept.values())
            while len(_kept) > CHECKS_KEPT or (total > _KEPT_BYTES and len(_kept) > 1):
                oldest = next(iter(_kept))
                total -= _kept.pop(oldest).size
    return result


def _check_upload(
    name: str, data: bytes, digest: str, scope: tuple[str, ...] | None, warehouse: Path | None
) -> UploadCheck:
    try:
        vet_upload(name, data)
        safe = safe_file_name(name, 1)
    except UploadRefused as exc:
        return UploadCheck(digest, refused=str(exc))
    try:
        schools = published_schools(warehouse) if scope is not None else {}
        full = check_file(Path(safe), data, scope=scope, schools=schools)
        problems = full.problems()
    except Exception as exc:  # the page says one sentence, never a traceback
        return UploadCheck(
            digest,
            refused=f"文件「{name}」无法检查（{type(exc).__name__}），请联系数据管理员 / "
            f"{name!r} could not be checked ({type(exc).__name__}): ask the data administrator",
        )
    result = UploadCheck(
        digest,
        outcomes=full.outcomes,
        problems=problems.head(PROBLEMS_SHOWN),
        problem_cells=problems.height,
        problem_rows=full.problem_count,
        correction=correction_sheet(full),
    )
    del full, problems  # the file's rows go here
    return result


def forget_checks() -> None:
    """Drop every kept result (the tests start clean)."""
    with _kept_lock:
        _kept.clear()
