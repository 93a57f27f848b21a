"""Files → batches: find the files, read each sheet, find its header, normalise its rows
and apply the 20 % rule. Nothing here writes to a warehouse.

Every visible sheet of a workbook is judged on its own (loaded as a source, ignored, or
rejected, each with why); hidden sheets are reported and skipped. A mapping (a bureau's
own names, codes and constants; ingest/mappings.py) is applied where it fits a header.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.encodings import DecodeError
from ingest.headers import Closest, HeaderMatch, accepted_names, find_header
from ingest.mappings import Mapping
from ingest.normalise import PROBLEM_SCHEMA, Normalised, UnitError, normalise
from ingest.outcome import FileOutcome
from ingest.readers import HEAD_ROWS, ROW, SUFFIXES, ReadError, Sheet, read_file
from schoolwh.core.sources import SOURCES, Source

SPREADSHEET_SUFFIXES = SUFFIXES

REJECT_SHARE = 0.20  # more than 20 % of a file's data rows failing rejects the whole file
QUARANTINE_SAMPLE = 1_000  # problem rows a rejected file keeps in audit.quarantine

_TITLE_UNIT = re.compile(r"(?:^|[\s　])(?:计量)?单位\s*[:：]\s*([^\s,，;；、]+)")
_INDICATOR_UNIT = re.compile(r"指标\s*[:：].*[(（]\s*([^()（）]+?)\s*[)）]\s*$")


@dataclass
class Batch:
    """Rows of one (file, sheet) ready to land."""

    outcome: FileOutcome
    source: Source
    rows: pl.DataFrame
    problems: pl.DataFrame
    rejected: bool = False


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Spreadsheet files under the given paths, oldest first; and paths that do not exist
    (`discover_all` also says what was found but is not read)."""
    files, missing, _notices = discover_all(paths)
    return files, missing


def discover_all(paths: list[Path]) -> tuple[list[Path], list[str], list[FileOutcome]]:
    """Spreadsheet files under the given paths, oldest first; paths that do not exist; and
    what was found but will not be read (other file types, Excel's lock files, links
    leading out of the folder), each with why: nothing is skipped silently."""
    found: list[Path] = []
    missing: list[str] = []
    notices: list[FileOutcome] = []
    for p in paths:
        if p.is_dir():
            root = p.resolve()
            for folder, dirs, names in os.walk(p, followlinks=False):
                here = Path(folder)
                for d in sorted(dirs):
                    if (here / d).is_symlink():
                        notices.append(_notice(here / d, *_LINK_OUT))
                for n in sorted(names):
                    f = here / n
                    why = _not_read(f, root)
                    if why is None:
                        found.append(f)
                    else:
                        notices.append(_notice(f, *why))
        elif p.is_file():
            found.append(p)
        else:
            missing.append(str(p))
    unique = sorted(set(found), key=lambda f: (f.stat().st_mtime_ns, str(f)))
    return unique, missing, notices


_LINK_OUT = (
    "链接指向导入文件夹之外，未读取 / a link leading out of the folder being loaded: not read",
)


def _not_read(f: Path, root: Path) -> tuple[str] | None:
    if f.is_symlink():
        try:
            target = f.resolve(strict=True)
        except (OSError, RuntimeError):
            return ("链接无效，未读取 / a broken link: not read",)
        if not target.is_relative_to(root):
            return _LINK_OUT
        if not target.is_file():
            return ("链接不指向文件，未读取 / a link to something other than a file: not read",)
    if f.name.startswith("~$"):
        return ("Excel 的临时锁定文件，未读取 / an Excel lock file: not read",)
    if f.name.startswith("."):
        return ("隐藏文件，未读取 / a hidden file: not read",)
    if f.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return (
            f"不支持的文件类型「{f.suffix or '（无扩展名）'}」，未读取（可用 .csv、.xlsx、.xlsm、"
            f".xls、.ods）/ not a spreadsheet ({f.suffix or 'no extension'}): not read "
            "(use .csv, .xlsx, .xlsm, .xls or .ods)",
        )
    return None


def _notice(f: Path, message: str) -> FileOutcome:
    return FileOutcome(display_name(f), "", status="ignored", message=message)


def display_name(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_batches(
    path: Path,
    data: bytes,
    digest: str,
    forced: str | None,
    load_date: dt.date,
    mapping: Mapping | None = None,
    mappings: list[Mapping] | tuple[Mapping, ...] = (),
) -> list[Batch | FileOutcome]:
    """Everything one file holds: a Batch per recognised sheet, an outcome for every other.

    `mapping` (given with --mapping) applies to every sheet it names; otherwise the first
    of `mappings` (kept beside the warehouse) that fits a sheet's header applies to it.
    """
    name = display_name(path)
    try:
        sheets, encoding = read_file(path, data)
    except (DecodeError, ReadError) as exc:
        return [FileOutcome(name, digest, status="rejected", message=str(exc))]
    results: list[Batch | FileOutcome] = []
    closest: list[tuple[Sheet, Closest]] = []
    matched_rows = 0
    for sheet in sheets:
        if sheet.hidden:
            results.append(
                FileOutcome(
                    name,
                    digest,
                    sheet.name,
                    status="hidden",
                    message="隐藏的工作表，未读取 / hidden sheet: not read",
                )
            )
            continue
        if mapping is not None and not mapping.applies_to(sheet.name):
            results.append(
                FileOutcome(
                    name,
                    digest,
                    sheet.name,
                    status="ignored",
                    message=f"不在映射「{mapping.name}」的 sheets 中 / not among the sheets "
                    f"of mapping {mapping.name}",
                )
            )
            continue
        found, used = _judge(sheet, forced, mapping, mappings)
        if found is None:
            results.append(
                FileOutcome(
                    name, digest, sheet.name, status="ignored", message="空表 / empty sheet"
                )
            )
        elif isinstance(found, Closest):
            closest.append((sheet, found))
            results.append(
                FileOutcome(
                    name,
                    digest,
                    sheet.name,
                    status="ignored" if _unrelated(found) else "rejected",
                    source=None if _unrelated(found) else found.source.name,
                    encoding=encoding,
                    header_row=found.header_index + 1,
                    message=no_source_message(found, forced),
                    mapping=used.name if used else None,
                )
            )
        else:
            batch = _sheet_batch(name, digest, sheet, found, encoding, load_date, used)
            if isinstance(batch, Batch):
                matched_rows += batch.outcome.rows_read
            results.append(batch)
    batches = [r for r in results if isinstance(r, Batch)]
    rejected = any(isinstance(r, FileOutcome) and r.status == "rejected" for r in results)
    if not batches and closest and not rejected:
        # Nothing in the file comes near a source: every sheet that is not empty is rejected.
        for r in results:
            if isinstance(r, FileOutcome) and r.status == "ignored" and r.header_row:
                r.status = "rejected"
    elif batches and matched_rows == 0 and not rejected:
        return [
            FileOutcome(
                name,
                digest,
                status="rejected",
                source=batches[0].source.name,
                encoding=encoding,
                message="空文件：有表头但没有数据行 / empty file: a header but no data rows",
            )
        ]
    if results and all(isinstance(r, FileOutcome) and r.status == "hidden" for r in results):
        return [
            *results,
            FileOutcome(
                name,
                digest,
                status="rejected",
                message="所有工作表都已隐藏，没有可读取的数据 / every sheet is hidden: nothing to read",
            ),
        ]
    if not results or all(
        isinstance(r, FileOutcome) and r.status in ("ignored", "hidden") and not r.header_row
        for r in results
    ):
        return [
            FileOutcome(name, digest, status="rejected", message="空文件 / empty file: no rows")
        ]
    _cross_sheet_duplicates(batches)
    return results


def _unrelated(found: Closest) -> bool:
    """A sheet naming no required column of any source (a cover sheet, a notes sheet)."""
    required = set(found.source.required)
    return not any(c in required for c in found.recognised) or found.matched < 2


def _judge(
    sheet: Sheet,
    forced: str | None,
    mapping: Mapping | None,
    mappings: list[Mapping] | tuple[Mapping, ...],
) -> tuple[HeaderMatch | Closest | None, Mapping | None]:
    """The sheet's header with the given mapping, else with the first kept mapping that
    fits it, else with none."""
    titles = _title_lines(sheet.head[:HEAD_ROWS])
    tries: list[Mapping | None] = [mapping] if mapping is not None else []
    if mapping is None:
        tries += [m for m in mappings if m.applies_to(sheet.name)]
        tries.append(None)
    for m in tries:
        source = forced or (m.source if m else None)
        constants = m.resolved_constants(sheet.name, titles) if m else {}
        found = find_header(
            sheet.head,
            source,
            sheet.merges,
            m.by_source() if m else None,
            frozenset(constants),
        )
        if m is not None and mapping is None:
            # a kept mapping applies only where it fits: a match using its own names
            if isinstance(found, HeaderMatch) and (found.mapped or m.source):
                return found, m
            continue
        return found, m
    return None, None  # not reached: the last try is without a mapping


def _title_lines(head: list[list[str | None]]) -> list[str]:
    """Lines that are titles: rows with one or two filled cells."""
    out = []
    for row in head:
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        if 0 < len(cells) <= 2:
            out.append(" ".join(cells))
    return out


def title_unit(lines: list[str]) -> str | None:
    """A unit given in a title line: `单位：万元`, `计量单位：人`, `指标：地区生产总值(亿元)`."""
    for line in lines:
        m = _TITLE_UNIT.search(line) or _INDICATOR_UNIT.search(line)
        if m:
            return m.group(1).strip()
    return None


def no_source_message(best: Closest, forced: str | None = None) -> str:
    """What a clerk needs to fix a sheet that is not recognised: the row taken as the
    header, what was recognised there and as what, and each missing column with its
    accepted names and the closest header cell."""
    src = best.source
    row = best.header_index + 1
    # a header naming no required column of any source (a contact list's 姓名, also a
    # 陪餐 ledger's optional column) comes near none
    if best.matched == 0 or not set(best.recognised) & set(src.required):
        seen = "、".join(f"「{c}」" for c in best.cells[:8]) or "（空）"
        seen_en = ", ".join(repr(c) for c in best.cells[:8]) or "(empty)"
        if forced:
            need = "、".join(f"{src.column(c).zh}" for c in src.required)
            return (
                f"前 {HEAD_ROWS} 行中没有「{src.zh}」的表头（第 {row} 行最像表头：{seen}；须有：{need}）"
                f" / none of the first {HEAD_ROWS} rows is a header of {src.name} (row {row} "
                f"looks most like one: {seen_en}; it needs: {', '.join(src.required)})"
            )
        return (
            f"前 {HEAD_ROWS} 行中没有任何数据类型的表头（第 {row} 行最像表头：{seen}）/ none of "
            f"the first {HEAD_ROWS} rows is the header of a known source "
            f"({', '.join(SOURCES)}); row {row} looks most like one: {seen_en}"
        )
    rec_zh = "、".join(f"{src.column(c).zh}←「{p}」" for c, p in best.recognised.items())
    rec_en = ", ".join(f"{c} ← {p!r}" for c, p in best.recognised.items())
    miss_zh, miss_en = [], []
    for c in best.missing:
        hint = best.suggestions.get(c)
        miss_zh.append(
            f"缺少 {src.column(c).zh}（可用：{accepted_names(src, c)}）"
            + (f"— 是否为「{hint}」？" if hint else "")
        )
        miss_en.append(
            f"missing {c} (accepted: {accepted_names(src, c).replace('、', ', ')})"
            + (f" — is it {hint!r}?" if hint else "")
        )
    return (
        f"第 {row} 行被视为表头，最接近「{src.zh}」：已识别 {rec_zh}；{'；'.join(miss_zh)} / "
        f"row {row} taken as the header, closest source {src.name}: recognised {rec_en}; "
        f"{'; '.join(miss_en)}"
    )


def _with_constants(
    frame: pl.DataFrame, match: HeaderMatch, header: list[str | None], constants: dict[str, str]
) -> tuple[pl.DataFrame, list[str | None]]:
    """A mapping's constants as columns of their own, after the sheet's."""
    width = len(header)
    header = list(header)
    extra = []
    for j, (col, value) in enumerate(constants.items()):
        if col in match.columns or col not in match.source.names:
            continue
        i = width + j
        match.columns[col] = i
        match.constants[col] = value
        match.labels[col] = f"（映射常量）{col} = {value}"
        header.append(f"{col}（映射 mapping）")
        extra.append(pl.lit(value, pl.String).alias(f"column_{i}"))
    if not extra:
        return frame, header
    frame = frame.with_columns(extra)
    # keep column_N order: the raw row lists the sheet's cells first
    cols = sorted((c for c in frame.columns if c.startswith("column_")), key=lambda c: int(c[7:]))
    others = [c for c in frame.columns if not c.startswith("column_")]
    return frame.select(*cols, *others), header


def _apply_values(frame: pl.DataFrame, match: HeaderMatch, mapping: Mapping | None):
    """A mapping's own codes → canonical values, in the raw cells they apply to."""
    if mapping is None:
        return frame
    exprs = []
    for col, table in mapping.values.items():
        if col not in match.columns or col in match.constants:
            continue
        raw = pl.col(f"column_{match.columns[col]}")
        folded = raw.str.normalize("NFKC").str.strip_chars().str.to_lowercase()
        exprs.append(
            folded.replace_strict(table, default=raw, return_dtype=pl.String).alias(
                f"column_{match.columns[col]}"
            )
        )
    return frame.with_columns(exprs) if exprs else frame


def _sheet_batch(
    name: str,
    digest: str,
    sheet: Sheet,
    match: HeaderMatch,
    encoding: str | None,
    load_date: dt.date,
    mapping: Mapping | None = None,
) -> Batch | FileOutcome:
    src = match.source
    width = max(len(match.paths), match.width)
    header: list[str | None] = ["/".join(p) if p else None for p in match.paths] + [None] * (
        width - len(match.paths)
    )
    outcome = FileOutcome(
        name,
        digest,
        sheet.name,
        source=src.name,
        header_row=match.header_index + 1,
        encoding=encoding,
        mapping=mapping.name if mapping else None,
    )
    notes = []
    if match.depth > 1:
        last = match.header_index + match.depth
        notes.append(
            f"表头在第 {match.header_index + 1}–{last} 行 header on rows "
            f"{match.header_index + 1}–{last}"
        )
    if match.ignored:
        notes.append("未使用的列 unused columns: " + "、".join(match.ignored))
    if match.repeated:
        notes.append(
            "重复的列（取第一列）repeated columns (first kept): " + "、".join(match.repeated)
        )
    if match.header_index > 0:
        notes.append(
            f"跳过表头上方 {match.header_index} 行 skipped {match.header_index} rows above"
        )
    titles = _title_lines(sheet.head[: match.header_index])
    unit = title_unit(titles)
    constants = mapping.resolved_constants(sheet.name, titles) if mapping else {}
    try:
        frame = sheet.data(match.data_start, width)
        frame, header = _with_constants(frame, match, header, constants)
        frame = _apply_values(frame, match, mapping)
        norm: Normalised = normalise(frame, match, header, load_date, title_unit=unit)
    except UnitError as exc:
        outcome.status = "rejected"
        outcome.message = f"{exc}"
        return outcome
    if unit is not None:
        notes.append(f"标题行单位 title-line unit: {unit}")
    outcome.rows_read = norm.data_rows
    outcome.summary_rows = norm.summary_rows
    outcome.note_rows = norm.note_rows
    outcome.structure = norm.structure
    outcome.reasons = Counter(
        dict(norm.problems.group_by("reason").agg(pl.col(ROW).n_unique()).iter_rows())
    )
    outcome.rows_quarantined = norm.failed_rows + norm.duplicate_rows
    outcome.message = "; ".join(notes)
    batch = Batch(outcome, src, norm.rows, norm.problems)
    if norm.data_rows and norm.failed_rows / norm.data_rows > REJECT_SHARE:
        share = norm.failed_rows / norm.data_rows
        outcome.status = "rejected"
        outcome.message = (
            f"{norm.failed_rows:,} / {norm.data_rows:,} 行数据不合格（{share:.0%}），超过 20%，"
            f"整个文件未导入，请按隔离明细修改后重新导入 / {norm.failed_rows:,} of "
            f"{norm.data_rows:,} data rows ({share:.0%}) break the row rules, more than 20 %: "
            f"the whole file was rejected; fix the rows listed in audit.quarantine and load it again"
        )
        batch.rejected = True
        rows = batch.problems[ROW].unique(maintain_order=True)
        if rows.len() > QUARANTINE_SAMPLE:
            keep = rows.head(QUARANTINE_SAMPLE)
            batch.problems = batch.problems.filter(pl.col(ROW).is_in(keep.implode()))
            outcome.message += (
                f"（隔离明细仅保留前 {QUARANTINE_SAMPLE:,} 行，各原因的行数见上）/ "
                f"audit.quarantine keeps the first {QUARANTINE_SAMPLE:,} problem rows only; "
                "the counts above are of all rows"
            )
    else:
        outcome.rows_landed = norm.rows.height
    return batch


def _cross_sheet_duplicates(batches: list[Batch]) -> None:
    """Duplicate keys across the sheets of one workbook follow the in-file rule: the later
    sheet's row wins; the earlier twins are quarantined as duplicate_key."""
    live = [b for b in batches if not b.rejected and b.outcome.status == "loaded"]
    by_source: dict[str, list[Batch]] = {}
    for b in live:
        by_source.setdefault(b.source.name, []).append(b)
    for group in by_source.values():
        if len(group) < 2:
            continue
        key = list(group[0].source.key)
        later = None
        for b in reversed(group):
            if later is not None and b.rows.height:
                dup = b.rows.join(later, on=key, how="semi")
                if dup.height:
                    b.rows = b.rows.join(later, on=key, how="anti")
                    where = "、".join(key)
                    problems = dup.select(
                        pl.col(ROW),
                        pl.lit(where).alias("column_name"),
                        pl.concat_str(
                            [pl.col(k).cast(pl.String) for k in key], separator=" / "
                        ).alias("raw_value"),
                        pl.lit("duplicate_key").alias("reason"),
                        pl.struct(key).struct.json_encode().alias("raw_row"),
                    ).cast(PROBLEM_SCHEMA)
                    b.problems = pl.concat([b.problems, problems])
                    b.outcome.rows_landed = b.rows.height
                    b.outcome.rows_quarantined += dup.height
                    b.outcome.reasons["duplicate_key"] += dup.height
                    b.outcome.message = "; ".join(
                        m
                        for m in (
                            b.outcome.message,
                            f"{dup.height} 行与后面工作表的主键重复 rows repeat keys of a later sheet",
                        )
                        if m
                    )
            keys = b.rows.select(key)
            later = keys if later is None else pl.concat([later, keys]).unique()
