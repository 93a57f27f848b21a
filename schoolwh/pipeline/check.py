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
from schoolwh.core.sources import SOURCES
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
def school_districts(con) -> dict[str, str]:
    """School code → district code, from the marts (else the raw registry)."""
    for sql in (
        "select school_code, district_code from marts.dim_school",
        "select school_code, district_code from raw.schools",
    ):
        try:
            return {s: d for s, d in con.execute(sql).fetchall() if s}
        except duckdb.Error:
            continue
    return {}


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


def apply_scope(batch: Batch, scope: tuple[str, ...], schools: dict[str, str]) -> int:
    """Move the batch's rows for districts or schools outside `scope` to its problems
    (reason out_of_scope); returns how many rows moved. New schools of an in-scope
    district in a registry file join `schools` for the files after it."""
    src = batch.source
    rows = batch.rows
    allowed = list(scope)
    if "district_code" in src.names:
        column = "district_code"
        inside = pl.col("district_code").is_in(allowed)
        if "school_code" in src.names:
            for code, district in rows.select("school_code", "district_code").iter_rows():
                if district in scope and code:
                    schools[code] = district
    elif "school_code" in src.names:
        column = "school_code"
        ok = [s for s, d in schools.items() if d in scope]
        inside = pl.col("school_code").is_in(ok)
    else:
        return 0
    outside = rows.filter(~inside.fill_null(False))
    if outside.height == 0:
        return 0
    col = src.column(column)
    raw_row = pl.struct(
        [
            pl.col(c.name)
            .map_elements(lambda v, e=c.enum: _cell_text(v, e), return_dtype=pl.String)
            .alias(c.zh)
            for c in src.columns
        ]
    ).struct.json_encode()
    moved = outside.select(
        pl.col(ROW),
        pl.lit(col.zh).alias("column_name"),
        pl.col(column).cast(pl.String).alias("raw_value"),
        pl.lit("out_of_scope").alias("reason"),
        raw_row.alias("raw_row"),
    ).cast(PROBLEM_SCHEMA)
    batch.rows = rows.filter(inside.fill_null(False))
    batch.problems = pl.concat([batch.problems.cast(PROBLEM_SCHEMA), moved]).sort(ROW)
    o = batch.outcome
    o.rows_quarantined += outside.height
    o.reasons["out_of_scope"] += outside.height
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
            scope_batch(item, scope, schools if schools is not None else {})
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


def published_schools(warehouse: Path | None) -> dict[str, str]:
    if warehouse is None or not Path(warehouse).exists():
        return {}
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
