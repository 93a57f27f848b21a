"""`schoolwh load`: files in → checked → landed → built → checked → published.

One load is one transaction for the published warehouse: it builds in a private copy and
replaces the published file only when every step passed. Reading and landing are
`ingest`'s; this module holds the lock, the copy, the checks, the build and the publish.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from pathlib import Path

from ingest.batches import discover_all
from ingest.landing import land_files, prepare_schema
from ingest.mappings import Mapping, MappingError, folder_mappings, load_mapping
from schoolwh.core.audit import CheckResult, append_rows
from schoolwh.core.holidays import calendar
from schoolwh.core.settings import DBT_DIR, SettingError
from schoolwh.core.sources import SOURCES
from schoolwh.core.timing import StageTimer, write_timings
from schoolwh.pipeline import build_state
from schoolwh.pipeline.build_process import BuildProcess
from schoolwh.pipeline.check import out_of_scope_filter
from schoolwh.pipeline.gate import check_publish
from schoolwh.pipeline.publish import (
    BuildCopy,
    LoadBusy,
    exclusive,
    memory_limited,
    resource_failure,
)
from schoolwh.pipeline.report import (
    Progress,
    clean,
    file_line,
    print_report,
    totals,
    write_summary,
)
from schoolwh.pipeline.result import (
    EXIT_BUSY,
    EXIT_NOT_PUBLISHED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    LoadResult,
)


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


class DbtProjectMissing(RuntimeError):
    """The checkout's dbt project is not there: schoolwh runs from a checkout of its
    repository (an installed wheel carries no dbt project), so a load cannot build."""

    def __init__(self) -> None:
        path = DBT_DIR / "dbt_project.yml"
        super().__init__(
            f"找不到 dbt 项目（{path}）：schoolwh 须在其代码仓库的检出目录中运行，本次未导入任何"
            f"文件 / the dbt project is missing ({path}): schoolwh runs from a checkout of its "
            "repository (git clone, then `make setup`); nothing was loaded."
        )


def _start_builder() -> BuildProcess | None:
    """The child process that will run dbt (it imports dbt meanwhile); None when it cannot
    start, and the build then runs in this process."""
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
    mapping: Path | None = None,
    build: bool = True,
    submitted_by: str | None = None,
    scope: tuple[str, ...] | None = None,
    summary_file: Path | None = None,
    received: dt.date | None = None,
) -> int:
    """`schoolwh load`: the load, its report on `out` and (with `summary_file`) its outcome
    as JSON for the upload page."""
    out = out or sys.stdout
    if source is not None and source not in SOURCES:
        print(
            f"未知的数据类型「{source}」/ unknown source {source!r}; use one of: "
            + ", ".join(SOURCES),
            file=out,
        )
        return EXIT_USAGE
    files, missing, notices = discover_all(paths)
    for m in missing:
        print(f"找不到文件或文件夹 / no such file or folder: {m}", file=out)
    if not files:
        for n in notices:
            print(file_line(n), file=out)
        print(
            "没有可导入的表格文件（.csv、.xlsx、.xlsm、.xls、.ods）/ no spreadsheet files to load "
            "(.csv, .xlsx, .xlsm, .xls, .ods)",
            file=out,
        )
        return EXIT_USAGE
    try:
        given = load_mapping(mapping) if mapping is not None else None
        folder_mappings(warehouse)  # a kept mapping that cannot be read stops the load here
    except MappingError as exc:
        print(clean(str(exc)), file=out)
        return EXIT_USAGE
    try:
        with memory_limited():  # schoolwh/pipeline/publish.py: a bomb fails alone
            result = load(
                paths,
                warehouse,
                source=source,
                wait=wait,
                mapping=given,
                build=build,
                submitted_by=submitted_by,
                scope=scope,
                received=received,
            )
    except LoadBusy as exc:
        print(str(exc), file=out)
        return EXIT_BUSY
    except SettingError as exc:
        print(str(exc), file=out)
        return EXIT_USAGE
    except DbtProjectMissing as exc:
        print(str(exc), file=out)
        return EXIT_NOT_PUBLISHED
    except Exception as exc:  # a full disk or no memory left is said in words
        message = resource_failure(exc, warehouse)
        if message is None:
            raise
        print(message, file=out)
        return EXIT_NOT_PUBLISHED
    write_timings(
        {
            "load_id": result.load_id,
            "published": result.published,
            "exit_code": result.exit_code,
            "rows_landed": totals(result.outcomes)["landed"],
            "timings": result.timings,
            "cpu": result.cpu_timings,
        }
    )
    if missing and result.exit_code == EXIT_OK:
        result.exit_code = EXIT_REJECTED
    print_report(result, warehouse, out)
    if summary_file is not None:
        write_summary(result, summary_file)
    return result.exit_code


def load(
    files: list[Path],
    warehouse: Path,
    *,
    source: str | None = None,
    wait: float = 600.0,
    build: bool = True,
    submitted_by: str | None = None,
    scope: tuple[str, ...] | None = None,
    mapping: Mapping | None = None,
    progress_stream=None,
    received: dt.date | None = None,
) -> LoadResult:
    """Load files and folders. `build=False` stops after landing (raw and audit only).

    `submitted_by` (an account) is recorded in audit.loads; with `scope` (districts), rows
    for schools or districts outside it are quarantined as out_of_scope. `mapping` names a
    bureau's own columns (--mapping); mappings kept in `mappings/` beside the warehouse
    apply where they fit. Progress lines go to `progress_stream` (default stderr)."""
    if build and not (DBT_DIR / "dbt_project.yml").is_file():
        raise DbtProjectMissing
    calendar()  # a holidays.toml that cannot be read stops the load before any file is read
    files, _, notices = discover_all(files)
    mappings = folder_mappings(warehouse)
    result = LoadResult()
    progress = Progress(len(files) + 3, stream=progress_stream)

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
                    submitted_by=submitted_by,
                    scope=scope,
                    mapping=mapping,
                    mappings=mappings,
                    notices=notices,
                    received=received,
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
    *,
    submitted_by: str | None = None,
    scope: tuple[str, ...] | None = None,
    mapping: Mapping | None = None,
    mappings: list[Mapping] | None = None,
    notices: list | None = None,
    received: dt.date | None = None,
) -> None:
    timer = timer or StageTimer()
    warmup = warmup or _Warmup(enabled=False)
    with timer("land"):
        con = copy.connect()
    try:
        with timer("land"):
            prepare_schema(con)
            build_state.ensure_table(con)
        load_id, outcomes = land_files(
            con,
            files,
            warehouse,
            source,
            progress,
            timer,
            on_new_rows=warmup.start,
            on_batch=out_of_scope_filter(scope),
            mapping=mapping,
            mappings=mappings or [],
            notices=notices,
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
                checks += check_publish(con, warehouse, load_id)  # schoolwh/pipeline/gate.py
            finally:
                con.close()
    result.checks = checks
    result.runs = runs
    blocking = [c for c in checks if c.blocks_publish]
    built_ok = landed and build and not any(c.stage == "build" and c.blocks_publish for c in checks)
    publish_started = timer.start()
    con = copy.connect()
    try:
        checked_at = dt.datetime.now()
        append_rows(
            con,
            "audit.dq_results",
            [{**c.as_row(load_id), "checked_at": checked_at} for c in checks],
        )
        if built_ok and fingerprint:
            build_state.record(con, load_id, fingerprint, selected)
        as_of = _as_of(con)
        result.as_of = as_of
        counts = totals(result.outcomes)
        outcome = "published_with_rejections" if result.exit_code == EXIT_REJECTED else "published"
        con.execute(
            "INSERT INTO audit.loads (load_id, started_at, finished_at, outcome, "
            "files_seen, files_loaded, files_skipped, files_rejected, rows_landed, "
            "rows_quarantined, rows_dropped, as_of_date, message, submitted_by, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                started,
                dt.datetime.now(),
                outcome,
                len({o.file_hash for o in result.outcomes}),
                counts["loaded"],
                counts["skipped"],
                counts["rejected"],
                counts["landed"],
                counts["quarantined"],
                counts["dropped"],
                as_of,
                json.dumps([o.file_name for o in result.outcomes], ensure_ascii=False),
                submitted_by,
                # when the files were received (the on-time share of 上报情况): the load's
                # start, or the day given with `schoolwh load --received DATE`
                started if received is None else dt.datetime.combine(received, dt.time()),
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
    _write_extracts(warehouse)
    timer.add_since("publish", publish_started)
    if runs:
        with timer("data_docs"):
            result.docs = _data_docs(runs, warehouse)


def _write_extracts(warehouse: Path) -> None:
    """The per-district extracts district accounts read (never fails the load: a reader
    whose extract is older than the warehouse rewrites it)."""
    from schoolwh.pipeline.extracts import ExtractError, write_extracts

    try:
        write_extracts(warehouse)
    except (ExtractError, OSError) as exc:
        print(f"[load] 区县数据子集未更新 / district extracts not written: {exc}", file=sys.stderr)


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
    if select:
        progress.step("构建受本次导入影响的指标模型 / building the models this load affects (dbt)")
    else:
        progress.step("构建指标模型 / building the models (dbt)")
    # Unit tests and the tests of the SQL's own invariants run in `make test`, not per load;
    # `select` limits the build to what this load can change (schoolwh/pipeline/build_state.py).
    options = {"unit_tests": False, "invariant_tests": False, "select": select}
    if builder is not None:
        built = builder.build(copy.path, **options)
    else:
        from schoolwh.pipeline.dbt_runner import build

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


__all__ = ["DbtProjectMissing", "load", "run_load"]
