"""Files → batches: find the files, read each sheet, find its header, normalise its rows
and apply the 20 % rule. Nothing here writes to a warehouse."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.encodings import DecodeError
from ingest.headers import Closest, HeaderMatch, find_header
from ingest.normalise import Normalised, UnitError, normalise
from ingest.outcome import FileOutcome
from ingest.readers import ROW, ReadError, Sheet, read_file
from schoolwh.core.sources import SOURCES, Source

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")

REJECT_SHARE = 0.20  # more than 20 % of a file's data rows failing rejects the whole file


@dataclass
class Batch:
    """Rows of one (file, sheet) ready to land."""

    outcome: FileOutcome
    source: Source
    rows: pl.DataFrame
    problems: pl.DataFrame
    rejected: bool = False


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Spreadsheet files under the given paths, oldest first; and paths that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    for p in paths:
        if p.is_dir():
            for f in p.rglob("*"):
                if (
                    f.is_file()
                    and f.suffix.lower() in SPREADSHEET_SUFFIXES
                    and not f.name.startswith(("~$", "."))
                ):
                    found.append(f)
        elif p.is_file():
            found.append(p)
        else:
            missing.append(str(p))
    unique = sorted(set(found), key=lambda f: (f.stat().st_mtime_ns, str(f)))
    return unique, missing


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_batches(
    path: Path, data: bytes, digest: str, forced: str | None, load_date: dt.date
) -> list[Batch | FileOutcome]:
    """Everything one file holds: a Batch per recognised sheet, outcomes for the rest."""
    name = display_name(path)
    try:
        sheets, encoding = read_file(path, data)
    except (DecodeError, ReadError) as exc:
        return [FileOutcome(name, digest, status="rejected", message=str(exc))]
    results: list[Batch | FileOutcome] = []
    closest: list[tuple[Sheet, Closest]] = []
    for sheet in sheets:
        found = find_header(sheet.head, forced)
        if found is None:
            results.append(
                FileOutcome(
                    name, digest, sheet.name, status="ignored", message="空表 / empty sheet"
                )
            )
        elif isinstance(found, Closest):
            closest.append((sheet, found))
        else:
            results.append(_sheet_batch(name, digest, sheet, found, encoding, load_date))
    if not any(isinstance(r, Batch) for r in results) and closest:
        # Nothing in the file matches a source: reject it, naming the closest source.
        sheet, best = closest[0]
        results = [
            FileOutcome(
                name,
                digest,
                sheet.name if len(sheets) > 1 else None,
                source=None,
                status="rejected",
                encoding=encoding,
                message=_no_source_message(best),
            )
        ]
    else:
        for sheet, best in closest:
            results.append(
                FileOutcome(
                    name,
                    digest,
                    sheet.name,
                    status="ignored",
                    message=f"表头不匹配任何数据类型 / header matches no source ({_no_source_message(best)})",
                )
            )
    return results


def _no_source_message(best: Closest) -> str:
    src = best.source
    if best.matched == 0:
        return (
            "前 10 行中没有任何数据类型的表头 / none of the first 10 rows is the header of a "
            "known source (" + ", ".join(SOURCES) + ")"
        )
    zh = "、".join(f"{src.column(c).zh}" for c in best.missing)
    en = ", ".join(best.missing)
    return (
        f"前 10 行中找不到表头；最接近「{src.zh}」，缺少必填列：{zh} / "
        f"no header row in the first 10 rows; closest source is {src.name}, "
        f"which lacks the required columns: {en}"
    )


def _sheet_batch(
    name: str,
    digest: str,
    sheet: Sheet,
    match: HeaderMatch,
    encoding: str | None,
    load_date: dt.date,
) -> Batch | FileOutcome:
    src = match.source
    header = sheet.head[match.header_index]
    outcome = FileOutcome(
        name,
        digest,
        sheet.name,
        source=src.name,
        header_row=match.header_index + 1,
        encoding=encoding,
    )
    notes = []
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
    try:
        frame = sheet.data(match.header_index, len(header))
        norm: Normalised = normalise(frame, match, header, load_date)
    except UnitError as exc:
        outcome.status = "rejected"
        outcome.message = f"{exc}"
        return outcome
    outcome.rows_read = norm.data_rows
    outcome.summary_rows = norm.summary_rows
    outcome.note_rows = norm.note_rows
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
    else:
        outcome.rows_landed = norm.rows.height
    return batch
