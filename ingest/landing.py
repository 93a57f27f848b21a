"""Batches → raw rows: archive each file by its hash, land its good rows in `raw.<source>`
and its problem rows in `audit.quarantine`, and record every file and sheet in
`audit.load_files`. Writes only to the connection it is given (the build copy)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from ingest.batches import Batch, display_name, read_batches
from ingest.mappings import Mapping
from ingest.outcome import FileOutcome
from ingest.readers import MAX_FILE_BYTES, ROW
from schoolwh.core.atomic import write_bytes
from schoolwh.core.audit import append_frame, append_rows, ensure_audit_schema
from schoolwh.core.reasons import REASONS
from schoolwh.core.settings import archive_dir
from schoolwh.core.sources import SOURCES, raw_table_ddl
from schoolwh.core.timing import StageTimer

RAW_ROW_CHARS = 65_536  # what one quarantined row keeps of its cells

POLARS_TYPES = {
    "code": pl.String,
    "string": pl.String,
    "text": pl.String,
    "enum": pl.String,
    "term": pl.String,
    "date": pl.Date,
    "int": pl.Int64,
    "number": pl.Float64,
    "year": pl.Int32,
    "money": pl.Float64,
    "bool": pl.Boolean,
}


def quarantine_frame(batch: Batch, load_id: int) -> pl.DataFrame:
    o = batch.outcome
    p = batch.problems
    if p.height == 0:
        return p
    where = f"{o.file_name}" + (f" [{o.sheet}]" if o.sheet else "")
    zh = {k: v[0] for k, v in REASONS.items()}
    en = {k: v[1] for k, v in REASONS.items()}
    message = pl.concat_str(
        [
            pl.lit(f"{where} 第"),
            pl.col(ROW).cast(pl.String),
            pl.lit("行「"),
            pl.col("column_name"),
            pl.lit("」："),
            pl.col("reason").replace_strict(zh, default=pl.col("reason")),
            pl.lit("（值：「"),
            pl.col("raw_value").fill_null(""),
            pl.lit(f"」）/ {where} row "),
            pl.col(ROW).cast(pl.String),
            pl.lit(", column "),
            pl.col("column_name"),
            pl.lit(": "),
            pl.col("reason").replace_strict(en, default=pl.col("reason")),
            pl.lit(" (value: "),
            pl.col("raw_value").fill_null("empty"),
            pl.lit(")"),
        ]
    )
    return p.select(
        pl.lit(load_id, pl.Int64).alias("load_id"),
        pl.lit(o.file_name).alias("file_name"),
        pl.lit(o.file_hash).alias("file_hash"),
        pl.lit(o.sheet, pl.String).alias("sheet"),
        pl.lit(o.source).alias("source"),
        pl.col(ROW).alias("row_number"),
        pl.col("column_name"),
        pl.col("raw_value").str.slice(0, RAW_ROW_CHARS),
        pl.col("reason"),
        message.alias("message"),
        pl.lit(batch.rejected).alias("file_rejected"),
        pl.col("raw_row").str.slice(0, RAW_ROW_CHARS),  # bounded: the archive keeps the file
    )


def land_batch(con, batch: Batch, load_id: int) -> None:
    src = batch.source
    o = batch.outcome
    frame = batch.rows.select(
        *[pl.col(c.name).cast(POLARS_TYPES[c.kind]) for c in src.columns],
        pl.col(ROW).alias("_row_number"),
    )
    con.register("_landing", frame.to_arrow())
    try:
        # The batch's own metadata is the same on every row: DuckDB adds it, rather than
        # handing over a copy of the file name and hash per row.
        con.execute(
            f"INSERT INTO raw.{src.name} BY NAME SELECT *, "
            "?::BIGINT AS _load_id, ?::BIGINT AS _batch_seq, ?::VARCHAR AS _file_hash, "
            "?::VARCHAR AS _file_name, ?::VARCHAR AS _sheet FROM _landing",
            [load_id, o.batch_seq, o.file_hash, o.file_name, o.sheet],
        )
    finally:
        con.unregister("_landing")


def _outcome_row(o: FileOutcome, load_id: int) -> dict:
    return {
        "load_id": load_id,
        "batch_seq": o.batch_seq,
        "file_name": o.file_name,
        "file_hash": o.file_hash,
        "sheet": o.sheet,
        "source": o.source,
        "status": o.status,
        "rows_read": o.rows_read,
        "rows_landed": o.rows_landed,
        "rows_quarantined": o.rows_quarantined,
        "rows_dropped": o.rows_dropped,
        "header_row": o.header_row,
        "encoding": o.encoding,
        "message": o.message,
        "mapping": o.mapping,
        "structure_rows": json.dumps(o.structure) if o.structure else None,
    }


def prepare_schema(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for src in SOURCES.values():
        con.execute(raw_table_ddl(src))
    ensure_audit_schema(con)


def land_files(
    con,
    files: list[Path],
    warehouse: Path,
    forced: str | None,
    progress: Any,  # has .step(text, advance=0), e.g. schoolwh.pipeline.report.Progress
    timer: StageTimer | None = None,
    on_new_rows: Callable[[], None] | None = None,
    on_batch: Callable[[Any, Batch], None] | None = None,
    *,
    mapping: Mapping | None = None,
    mappings: list[Mapping] | tuple[Mapping, ...] = (),
    notices: list[FileOutcome] | None = None,
) -> tuple[int, list[FileOutcome]]:
    """Read, check and land every file into the build copy; returns (load_id, outcomes).

    `on_new_rows` is called before each batch is landed (the first call matters: the load
    has something new). `on_batch(con, batch)` may move rows of a batch to its problems
    before it lands (an upload's out-of-scope rows). `mapping` (--mapping) or the first of
    `mappings` that fits a sheet names its columns; `notices` (what discovery found but does
    not read) are reported with the rest.
    """
    timer = timer or StageTimer()
    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM audit.loads").fetchone()[0]
    seq = con.execute("SELECT coalesce(max(batch_seq), 0) FROM audit.load_files").fetchone()[0]
    loaded = {
        h: lid
        for h, lid in con.execute(
            "SELECT file_hash, min(load_id) FROM audit.load_files WHERE status = 'loaded' "
            "GROUP BY file_hash"
        ).fetchall()
    }
    archive = archive_dir(warehouse)
    load_date = dt.date.today()
    outcomes: list[FileOutcome] = list(notices or [])
    for path in files:
        progress.step(f"读取 reading {path.name}")
        mark = timer.start()
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            outcomes.append(
                FileOutcome(
                    display_name(path),
                    "",
                    status="rejected",
                    message=f"文件过大，未读取：{size:,} 字节超过上限 {MAX_FILE_BYTES:,} / file too "
                    f"large, not read: {size:,} bytes is beyond the cap of {MAX_FILE_BYTES:,} bytes",
                )
            )
            progress.step(f"拒绝 rejected {path.name}", advance=1)
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        name = display_name(path)
        if digest in loaded:
            when = f"第 {loaded[digest]} 次导入 load {loaded[digest]}"
            outcomes.append(
                FileOutcome(
                    name, digest, status="skipped", message=f"内容相同 same content as {when}"
                )
            )
            progress.step(f"跳过 skipped {path.name}", advance=1)
            timer.add_since("read_normalise", mark)
            continue
        target = archive / digest[:2] / f"{digest}{path.suffix.lower()}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(target, data)
        items = read_batches(path, data, digest, forced, load_date, mapping, mappings)
        timer.add_since("read_normalise", mark)
        for item in items:
            if isinstance(item, FileOutcome):
                outcomes.append(item)
                continue
            if on_batch is not None:
                on_batch(con, item)
            seq += 1
            item.outcome.batch_seq = seq
            if on_new_rows is not None and not item.rejected:
                on_new_rows()
            with timer("land"):
                if not item.rejected and item.outcome.status == "loaded":
                    land_batch(con, item, load_id)
                append_frame(con, "audit.quarantine", quarantine_frame(item, load_id))
            outcomes.append(item.outcome)
        if any(o.file_hash == digest and o.status == "loaded" for o in outcomes):
            loaded[digest] = load_id  # the same bytes again in this load are skipped
        progress.step(f"已读取 read {path.name}", advance=1)
    with timer("land"):
        append_rows(con, "audit.load_files", [_outcome_row(o, load_id) for o in outcomes])
    return load_id, outcomes
