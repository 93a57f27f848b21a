"""`schoolwh load`: files in → checked → landed → built → checked → published.

One load is one transaction for the published warehouse: it builds in a private copy and
replaces the published file only when every step passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest import build_state
from ingest.build_process import BuildProcess
from ingest.encodings import DecodeError
from ingest.headers import Closest, HeaderMatch, find_header
from ingest.normalise import Normalised, UnitError, normalise
from ingest.publish import BuildCopy, LoadBusy, exclusive
from ingest.readers import ROW, ReadError, Sheet, read_file
from ingest.report import FileOutcome, Progress, file_line, reason_legend
from ingest.rules import REASONS
from ingest.sources import SOURCES, Source, raw_table_ddl
from ingest.timing import StageTimer, write_timings
from schoolwh.audit import CheckResult, ensure_audit_schema
from schoolwh.settings import DBT_DIR, archive_dir

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
REJECT_SHARE = 0.20  # more than 20 % of a file's data rows failing rejects the whole file

EXIT_OK, EXIT_REJECTED, EXIT_NOT_PUBLISHED, EXIT_BUSY, EXIT_USAGE = 0, 1, 2, 3, 4

POLARS_TYPES = {
    "code": pl.String,
    "string": pl.String,
    "text": pl.String,
    "enum": pl.String,
    "term": pl.String,
    "date": pl.Date,
    "int": pl.Int64,
    "year": pl.Int32,
    "money": pl.Float64,
    "bool": pl.Boolean,
}


@dataclass
class Batch:
    """Rows of one (file, sheet) ready to land."""

    outcome: FileOutcome
    source: Source
    rows: pl.DataFrame
    problems: pl.DataFrame
    rejected: bool = False


@dataclass
class LoadResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    published: bool = False
    load_id: int | None = None
    as_of: dt.date | None = None
    failure: str = ""
    exit_code: int = EXIT_OK
    runs: list = field(default_factory=list)  # quality runs (kept for Data Docs)
    docs: Path | None = None
    # wall-clock seconds per stage (ingest.timing.STAGES) and in all ("total"), and the
    # process's CPU seconds over the same spans
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)


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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_batches(
    path: Path, data: bytes, digest: str, forced: str | None, load_date: dt.date
) -> list[Batch | FileOutcome]:
    """Everything one file holds: a Batch per recognised sheet, outcomes for the rest."""
    name = _display(path)
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


def _quarantine_frame(batch: Batch, load_id: int) -> pl.DataFrame:
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
        pl.col("raw_value"),
        pl.col("reason"),
        message.alias("message"),
        pl.lit(batch.rejected).alias("file_rejected"),
        pl.col("raw_row"),
    )


def _land(con, batch: Batch, load_id: int) -> None:
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


def _append(con, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("_append", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _append")
    finally:
        con.unregister("_append")


def _outcome_rows(outcomes: list[FileOutcome], load_id: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
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
            }
            for o in outcomes
        ],
        schema={
            "load_id": pl.Int64,
            "batch_seq": pl.Int64,
            "file_name": pl.String,
            "file_hash": pl.String,
            "sheet": pl.String,
            "source": pl.String,
            "status": pl.String,
            "rows_read": pl.Int64,
            "rows_landed": pl.Int64,
            "rows_quarantined": pl.Int64,
            "rows_dropped": pl.Int64,
            "header_row": pl.Int32,
            "encoding": pl.String,
            "message": pl.String,
        },
    )


def _check_rows(checks: list[CheckResult], load_id: int, at: dt.datetime) -> pl.DataFrame:
    rows = []
    for c in checks:
        r = c.as_row(load_id)
        r["checked_at"] = at
        rows.append(r)
    schema = {
        "load_id": pl.Int64,
        "checked_at": pl.Datetime,
        "stage": pl.String,
        "suite": pl.String,
        "check_name": pl.String,
        "target": pl.String,
        "column_name": pl.String,
        "severity": pl.String,
        "success": pl.Boolean,
        "element_count": pl.Int64,
        "unexpected_count": pl.Int64,
        "unexpected_examples": pl.String,
        "message": pl.String,
    }
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def prepare_schema(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for src in SOURCES.values():
        con.execute(raw_table_ddl(src))
    ensure_audit_schema(con)
    build_state.ensure_table(con)


def land_files(
    con,
    files: list[Path],
    warehouse: Path,
    forced: str | None,
    progress: Progress,
    timer: StageTimer | None = None,
    on_new_rows: Callable[[], None] | None = None,
) -> tuple[int, list[FileOutcome]]:
    """Read, check and land every file into the build copy; returns (load_id, outcomes).

    `on_new_rows` is called before each batch is landed (the first call matters: the load
    has something new).
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
    outcomes: list[FileOutcome] = []
    for path in files:
        progress.step(f"读取 reading {path.name}")
        mark = timer.start()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        name = _display(path)
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
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        items = read_batches(path, data, digest, forced, load_date)
        timer.add_since("read_normalise", mark)
        for item in items:
            if isinstance(item, FileOutcome):
                outcomes.append(item)
                continue
            seq += 1
            item.outcome.batch_seq = seq
            if on_new_rows is not None and not item.rejected:
                on_new_rows()
            with timer("land"):
                if not item.rejected and item.outcome.status == "loaded":
                    _land(con, item, load_id)
                _append(con, "audit.quarantine", _quarantine_frame(item, load_id))
            outcomes.append(item.outcome)
        if any(o.file_hash == digest and o.status == "loaded" for o in outcomes):
            loaded[digest] = load_id  # the same bytes again in this load are skipped
        progress.step(f"已读取 read {path.name}", advance=1)
    with timer("land"):
        _append(con, "audit.load_files", _outcome_rows(outcomes, load_id))
    return load_id, outcomes


def _run_quality(stage: str, con, load_id: int) -> list[CheckResult]:
    from expectations import check_batch, check_marts

    return check_batch(con, load_id) if stage == "batch" else check_marts(con, load_id)


def _import_gx_quietly() -> None:
    """Import Great Expectations ahead of use (in a background thread); an import error
    shows later, where the checks run."""
    try:
        from expectations import import_gx

        import_gx()
    except Exception:  # reported by the checks themselves
        return


def _start_builder() -> BuildProcess | None:
    """The child process that will run dbt (it imports dbt meanwhile); None when it cannot
    start, and the build then runs in this process."""
    if not (DBT_DIR / "dbt_project.yml").exists():
        return None
    try:
        return BuildProcess()
    except OSError as exc:
        print(f"[load] 构建进程未启动 / build process not started: {exc}", file=sys.stderr)
        return None


class _Warmup:
    """What a building load starts once it has new rows to land, so that neither dbt nor
    Great Expectations (seconds to import each) is imported on the critical path: the
    child process that will build, and a thread importing GX while the files are read."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.builder: BuildProcess | None = None
        self._gx: threading.Thread | None = None

    def start(self) -> None:
        if not self.enabled or self._gx is not None:
            return
        self._gx = threading.Thread(target=_import_gx_quietly, name="import gx", daemon=True)
        self._gx.start()
        self.builder = _start_builder()

    def stop_builder(self) -> None:
        if self.builder is not None:
            self.builder.close()

    def close(self) -> None:
        self.stop_builder()
        if self._gx is not None:
            self._gx.join()  # never leave an import half done when the process exits


def run_load(
    paths: list[Path],
    warehouse: Path,
    *,
    source: str | None = None,
    wait: float = 600.0,
    out=None,
) -> int:
    out = out or sys.stdout
    if source is not None and source not in SOURCES:
        print(
            f"未知的数据类型「{source}」/ unknown source {source!r}; use one of: "
            + ", ".join(SOURCES),
            file=out,
        )
        return EXIT_USAGE
    files, missing = discover(paths)
    for m in missing:
        print(f"找不到文件或文件夹 / no such file or folder: {m}", file=out)
    if not files:
        print("没有可导入的 .csv / .xlsx 文件 / no .csv or .xlsx files to load", file=out)
        return EXIT_USAGE
    try:
        result = load(files, warehouse, source=source, wait=wait)
    except LoadBusy as exc:
        print(str(exc), file=out)
        return EXIT_BUSY
    write_timings(
        {
            "load_id": result.load_id,
            "published": result.published,
            "exit_code": result.exit_code,
            "rows_landed": _totals(result.outcomes)["landed"],
            "timings": result.timings,
            "cpu": result.cpu_timings,
        }
    )
    if missing and result.exit_code == EXIT_OK:
        result.exit_code = EXIT_REJECTED
    print_report(result, warehouse, out)
    return result.exit_code


def load(
    files: list[Path],
    warehouse: Path,
    *,
    source: str | None = None,
    wait: float = 600.0,
    build: bool = True,
) -> LoadResult:
    """Load files and folders. `build=False` stops after landing (raw and audit only)."""
    files, _ = discover(files)
    result = LoadResult()
    progress = Progress(len(files) + 3)

    def waiting(holder: str) -> None:
        progress.step(f"等待另一个导入任务（进程 {holder}）结束 / waiting for load {holder}")

    started = dt.datetime.now()
    timer = StageTimer()
    clock = timer.start()
    try:
        with exclusive(warehouse, wait, waiting):
            copy = BuildCopy(warehouse)
            with timer("publish"):  # the private copy is the price of a safe publish
                copy.prepare()
            warmup = _Warmup(build)
            try:
                _load_in_copy(
                    copy,
                    files,
                    warehouse,
                    source,
                    progress,
                    result,
                    started,
                    build,
                    timer,
                    warmup,
                )
            except BaseException:
                warmup.stop_builder()  # before the copy goes: nothing may write to it after
                copy.discard()
                raise
            finally:
                warmup.close()
    finally:
        progress.close()
        result.timings = {**timer.seconds, "total": time.perf_counter() - clock[0]}
        result.cpu_timings = {**timer.cpu_seconds, "total": time.process_time() - clock[1]}
    return result


def _load_in_copy(
    copy: BuildCopy,
    files: list[Path],
    warehouse: Path,
    source: str | None,
    progress: Progress,
    result: LoadResult,
    started: dt.datetime,
    build: bool = True,
    timer: StageTimer | None = None,
    warmup: _Warmup | None = None,
) -> None:
    timer = timer or StageTimer()
    warmup = warmup or _Warmup(enabled=False)
    with timer("land"):
        con = copy.connect()
    try:
        with timer("land"):
            prepare_schema(con)
        load_id, outcomes = land_files(
            con, files, warehouse, source, progress, timer, on_new_rows=warmup.start
        )
        result.load_id, result.outcomes = load_id, outcomes
        rejected = any(o.status == "rejected" for o in outcomes)
        result.exit_code = EXIT_REJECTED if rejected else EXIT_OK
        landed = any(o.status == "loaded" for o in outcomes)
        nothing_new = not landed and not rejected
        checks: list[CheckResult] = []
        runs = []
        prepared = None
        fingerprint, selected = "", None
        if landed and build:
            progress.step("数据质量检查（本批）/ quality checks on the batch")
            with timer("gx_batch"):
                prepared = _prepare_batch_checks(con, load_id)
            with timer("dbt_build"):
                fingerprint = build_state.project_fingerprint()
                sources = {o.source for o in outcomes if o.status == "loaded" and o.source}
                selected = build_state.selection(con, load_id, sources, fingerprint)
    finally:
        with timer("land"):
            con.close()
    if nothing_new:
        # Every file was loaded before: the published warehouse stays exactly as it is.
        copy.discard()
        return
    if landed and build:
        # The build runs on the copy (in the child process) while the batch's frames,
        # already read, are validated here.
        built: dict[str, list[CheckResult]] = {}

        def run_build() -> None:
            with timer("dbt_build"):
                built["checks"] = _build(copy, progress, warmup.builder, selected)

        building = threading.Thread(target=run_build, name="dbt build")
        building.start()
        try:
            with timer("gx_batch"):
                runs.append(prepared.validate() if prepared is not None else [])
        finally:
            building.join()
        checks += runs[-1]
        if "checks" in built:
            checks += built["checks"]
        else:  # the build thread raised (it reported why on stderr)
            checks.append(_build_failed("the build stopped unexpectedly"))
    if landed and build and not any(c.blocks_publish for c in checks if c.stage == "build"):
        with timer("gx_marts"):
            con = copy.connect()
            try:
                progress.step("数据质量检查（指标）/ quality checks on the marts")
                runs.append(_run_quality("marts", con, load_id))
                checks += runs[-1]
            finally:
                con.close()
    result.checks = checks
    result.runs = runs
    blocking = [c for c in checks if c.blocks_publish]
    built_ok = landed and build and not any(c.stage == "build" and c.blocks_publish for c in checks)
    publish_started = timer.start()
    con = copy.connect()
    try:
        _append(con, "audit.dq_results", _check_rows(checks, load_id, dt.datetime.now()))
        if built_ok and fingerprint:
            build_state.record(con, load_id, fingerprint, selected)
        as_of = _as_of(con)
        result.as_of = as_of
        totals = _totals(result.outcomes)
        outcome = "published_with_rejections" if result.exit_code == EXIT_REJECTED else "published"
        con.execute(
            "INSERT INTO audit.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                started,
                dt.datetime.now(),
                outcome,
                len({o.file_hash for o in result.outcomes}),
                totals["loaded"],
                totals["skipped"],
                totals["rejected"],
                totals["landed"],
                totals["quarantined"],
                totals["dropped"],
                as_of,
                json.dumps([o.file_name for o in result.outcomes], ensure_ascii=False),
            ],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if blocking:
        result.failure = "; ".join(f"{c.suite} {c.check_name}: {c.message}" for c in blocking[:5])
        result.exit_code = EXIT_NOT_PUBLISHED
        copy.discard()
        timer.add_since("publish", publish_started)
        return
    progress.step("发布 / publishing", advance=1)
    copy.publish()
    result.published = True
    timer.add_since("publish", publish_started)
    if runs:
        with timer("data_docs"):
            result.docs = _data_docs(runs, warehouse)


def _data_docs(runs: list, warehouse: Path) -> Path | None:
    """Great Expectations Data Docs for this load, after the publish (never fails the load)."""
    from expectations import build_data_docs

    try:
        return build_data_docs(runs, warehouse.parent / "dq_docs")
    except Exception as exc:  # docs are a convenience: report, do not fail
        print(f"[load] 质量报告页面未生成 / data docs not written: {exc}", file=sys.stderr)
        return None


def _prepare_batch_checks(con, load_id: int):
    from expectations import prepare_batch

    return prepare_batch(con, load_id)


def _build(
    copy: BuildCopy,
    progress: Progress,
    builder: BuildProcess | None = None,
    select: str | None = None,
) -> list[CheckResult]:
    if not (DBT_DIR / "dbt_project.yml").exists():
        return []
    if select:
        progress.step("构建受本次导入影响的指标模型 / building the models this load affects (dbt)")
    else:
        progress.step("构建指标模型 / building the models (dbt)")
    # Unit tests and the tests of the SQL's own invariants run in `make test`, not per load;
    # `select` limits the build to what this load can change (ingest/build_state.py).
    options = {"unit_tests": False, "invariant_tests": False, "select": select}
    if builder is not None:
        built = builder.build(copy.path, **options)
    else:
        from schoolwh.build import build

        built = build(copy.path, **options)
    checks = built.check_results()
    if not built.success:
        checks.append(_build_failed(built.message))
    return checks


def _build_failed(message: str) -> CheckResult:
    return CheckResult(
        stage="build",
        suite="dbt",
        check_name="dbt build",
        target="dbt",
        success=False,
        severity="critical",
        message=message,
    )


def _as_of(con) -> dt.date | None:
    try:
        row = con.execute("SELECT max(as_of_date) FROM marts.build_info").fetchone()
    except Exception:  # marts not built (yet)
        return None
    return row[0] if row else None


def _totals(outcomes: list[FileOutcome]) -> dict[str, int]:
    return {
        "loaded": len({o.file_hash for o in outcomes if o.status == "loaded"}),
        "skipped": len({o.file_hash for o in outcomes if o.status == "skipped"}),
        "rejected": len({o.file_hash for o in outcomes if o.status == "rejected"}),
        "landed": sum(o.rows_landed for o in outcomes),
        "quarantined": sum(o.rows_quarantined for o in outcomes),
        "dropped": sum(o.rows_dropped for o in outcomes),
    }


def print_report(result: LoadResult, warehouse: Path, out) -> None:
    p = lambda s="": print(s, file=out)  # noqa: E731
    p("导入报告 / Load report" + (f" — load {result.load_id}" if result.load_id else ""))
    for o in result.outcomes:
        p(file_line(o))
    legend = reason_legend(result.outcomes)
    if legend:
        p("  隔离原因 / quarantine reasons:")
        for line in legend:
            p(line)
    t = _totals(result.outcomes)
    p(
        f"合计 / Totals: {t['loaded']} files loaded, {t['skipped']} skipped, "
        f"{t['rejected']} rejected; {t['landed']:,} rows landed, "
        f"{t['quarantined']:,} quarantined, {t['dropped']:,} summary/note rows dropped"
    )
    if result.checks:
        failed = [c for c in result.checks if not c.success]
        crit = [c for c in failed if c.severity == "critical"]
        p(
            f"数据质量 / Quality: {len(result.checks)} checks, "
            f"{len(result.checks) - len(failed)} passed, {len(failed) - len(crit)} warnings, "
            f"{len(crit)} critical failures"
        )
        for c in failed[:15]:
            mark = "✗" if c.severity == "critical" else "!"
            p(f"  {mark} [{c.stage}] {c.suite} · {c.check_name}: {c.message}")
        if len(failed) > 15:
            p(f"  … {len(failed) - 15} more in audit.dq_results")
    if result.published:
        as_of = f"；数据截至 {result.as_of} / data as of {result.as_of}" if result.as_of else ""
        p(f"已发布 / Published: {warehouse}{as_of}")
        if result.docs:
            p(f"质量报告 / Quality report: {result.docs}")
    elif result.exit_code == EXIT_NOT_PUBLISHED:
        p(
            "未发布：关键质量检查未通过，仓库保持不变 / NOT published: a critical check failed; "
            f"the warehouse is unchanged. {result.failure}"
        )
    else:
        p("没有新数据，仓库保持不变 / Nothing new: the warehouse is unchanged.")
    if any(o.status == "rejected" for o in result.outcomes):
        p(
            "有文件被拒绝导入，请按上面的说明修改后重新导入 / Some files were rejected: fix them as "
            "described above and load them again."
        )


__all__ = ["discover", "load", "run_load"]
