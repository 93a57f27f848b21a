"""Validate suites with Great Expectations (dataframe path) and report CheckResults.

GX is imported here, inside the functions, because importing it takes seconds. Each run
uses an ephemeral context with a pandas datasource; every suite is validated on one
batch holding its whole frame. (GX's SQL datasource on DuckDB silently fails every
expectation, so it is never used.) The GX validation results are kept in the returned
`CheckRun` so that Data Docs can be built later, off the hot path.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from expectations import suites_marts, suites_raw
from expectations.spec import CRITICAL, Check, SuiteSpec
from expectations.thresholds import EXAMPLES_PER_CHECK
from schoolwh.core.audit import CheckResult

# Great Expectations imports pyspark when the optional Spark extra is installed, and pyspark
# warns about the pandas version on import: noise for a clerk's load, not about their data.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)

RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": EXAMPLES_PER_CHECK,
    "include_unexpected_rows": True,
}


@dataclass
class Validation:
    """One suite's GX validation result, kept for Data Docs."""

    suite: str
    target: str
    stage: str
    result: Any  # great_expectations ExpectationSuiteValidationResult
    seconds: float


class CheckRun(list[CheckResult]):
    """The CheckResults of one stage of one load, plus what Data Docs need.

    It is a plain list of `CheckResult` for everything that stores or prints results;
    `validations` holds the GX results per suite and `timings` the seconds spent.
    """

    def __init__(self, stage: str, load_id: int, results: Iterable[CheckResult] = ()) -> None:
        super().__init__(results)
        self.stage = stage
        self.load_id = load_id
        self.run_time = dt.datetime.now(dt.UTC)
        self.validations: list[Validation] = []
        self.timings: dict[str, float] = {}

    @property
    def blocks_publish(self) -> bool:
        """True when any critical check failed."""
        return any(r.blocks_publish for r in self)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self if not r.success]


def check_batch(con: duckdb.DuckDBPyConnection, load_id: int) -> CheckRun:
    """Validate the rows this load landed in raw.* (`_load_id = load_id`).

    Returns one CheckResult per expectation (stage `batch`); a failed `critical` one
    must stop the publish.
    """
    return prepare_batch(con, load_id).validate()


@dataclass
class PreparedRun:
    """A stage's suites with their frames read from the warehouse, not yet validated.

    Validating needs no database connection: a load validates the batch while its build
    runs on the warehouse file.
    """

    run: CheckRun
    specs: list[SuiteSpec]
    started: float

    def validate(self) -> CheckRun:
        """Validate every suite (each frame is released once validated)."""

        def pending() -> Iterator[SuiteSpec]:
            while self.specs:
                yield self.specs.pop(0)

        _validate_all(self.run, pending())
        self.run.timings["total"] = time.perf_counter() - self.started
        return self.run


def prepare_batch(con: duckdb.DuckDBPyConnection, load_id: int) -> PreparedRun:
    """Read the frames of the batch's suites (see `check_batch`); validate them later."""
    started = time.perf_counter()
    run = CheckRun("batch", load_id)
    specs = list(_batch_specs(con, load_id, run))
    run.timings["frames"] = time.perf_counter() - started
    return PreparedRun(run, specs, started)


def import_gx() -> None:
    """Import Great Expectations and its expectations now (it takes seconds): a load does
    this in a background thread while it reads files, so validating starts at once."""
    import great_expectations
    import great_expectations.expectations  # noqa: F401


def _batch_specs(
    con: duckdb.DuckDBPyConnection, load_id: int, run: CheckRun
) -> Iterator[SuiteSpec]:
    """The batch's suites, one source at a time (each frame is dropped once validated)."""
    sources = suites_raw.batch_sources(con, load_id)
    for source in sources:
        t0 = time.perf_counter()
        try:
            specs = suites_raw.BUILDERS[source](con, load_id)
        except duckdb.Error as exc:
            run.append(_suite_error("batch", f"raw.{source}", f"raw.{source}", exc))
            continue
        finally:
            run.timings[f"frame raw.{source}"] = time.perf_counter() - t0
        while specs:
            yield specs.pop(0)
    if "budget" in sources or "expenditure" in sources:
        try:
            spec = suites_raw.spending_against_budget(con, load_id)
        except duckdb.Error as exc:
            run.append(_suite_error("batch", "raw.expenditure.budget", "raw.expenditure", exc))
        else:
            yield spec


def check_marts(con: duckdb.DuckDBPyConnection, load_id: int) -> CheckRun:
    """Validate the built marts (stage `marts`); absent or empty marts give warnings."""
    started = time.perf_counter()
    run = CheckRun("marts", load_id)
    try:
        specs, notes = suites_marts.mart_suites(con)
    except duckdb.Error as exc:
        run.append(_suite_error("marts", "marts", "marts", exc))
        specs, notes = [], []
    run.extend(notes)
    run.timings["frames"] = time.perf_counter() - started
    _validate_all(run, specs)
    run.timings["total"] = time.perf_counter() - started
    return run


def _suite_error(stage: str, suite: str, target: str, exc: Exception) -> CheckResult:
    """A suite that could not even be prepared: critical, so nothing unchecked publishes."""
    return CheckResult(
        stage=stage,
        suite=suite,
        check_name="suite_ran",
        target=target,
        success=False,
        severity=CRITICAL,
        message=f"检查无法运行 / the checks could not run: {exc}",
    )


# --- GX -------------------------------------------------------------------------------------


def new_context() -> Any:
    """An ephemeral GX context with progress bars off (nothing is written to disk)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_gx_loggers()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _quiet_gx_loggers() -> None:
    """GX modules set their own loggers to INFO (e.g. each context's temporary docs
    folder): once dbt has configured logging, that noise would reach the load report."""
    for name in [*logging.root.manager.loggerDict, "great_expectations"]:
        if name.startswith("great_expectations"):
            logger = logging.getLogger(name)
            if logger.level < logging.WARNING:
                logger.setLevel(logging.WARNING)


def build_expectation(check: Check) -> Any:
    import great_expectations.expectations as gxe

    cls = getattr(gxe, check.expectation)
    return cls(**check.kwargs, severity=check.severity, description=check.description)


def _validate_all(run: CheckRun, specs: Iterable[SuiteSpec]) -> None:
    """Validate each suite in one ephemeral context (made, and GX imported, only if needed)."""
    context = datasource = None
    for spec in specs:
        import great_expectations as gx

        if context is None:
            t0 = time.perf_counter()
            context = new_context()
            datasource = context.data_sources.add_pandas(f"schoolwh_{run.stage}")
            run.timings["gx context"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            suite = context.suites.add(
                gx.ExpectationSuite(
                    name=spec.name, expectations=[build_expectation(c) for c in spec.checks]
                )
            )
            batch = (
                datasource.add_dataframe_asset(name=spec.name)
                .add_batch_definition_whole_dataframe("whole frame")
                .get_batch(batch_parameters={"dataframe": spec.frame})
            )
            result = batch.validate(suite, result_format=RESULT_FORMAT)
        except Exception as exc:  # GX raises many kinds; a check that cannot run must fail
            run.append(_suite_error(run.stage, spec.name, spec.target, exc))
            continue
        seconds = time.perf_counter() - t0
        run.timings[spec.name] = seconds
        checks_by_id = {e.id: c for e, c in zip(suite.expectations, spec.checks, strict=True)}
        for res in result.results:
            check = checks_by_id[res.expectation_config.id]
            run.append(to_check_result(run.stage, spec, check, res))
        result.meta["schoolwh"] = {"load_id": run.load_id, "stage": run.stage}
        run.validations.append(Validation(spec.name, spec.target, run.stage, result, seconds))


# --- results --------------------------------------------------------------------------------


def to_check_result(stage: str, spec: SuiteSpec, check: Check, res: Any) -> CheckResult:
    """One GX ExpectationValidationResult as a CheckResult (one row of audit.dq_results)."""
    check_name = res.expectation_config.type
    if check.qualifier:
        check_name = f"{check_name}/{check.qualifier}"
    info = res.exception_info or {}
    if info.get("raised_exception"):
        return CheckResult(
            stage=stage,
            suite=spec.name,
            check_name=check_name,
            target=spec.target,
            success=False,
            severity=check.severity,
            column_name=check.column,
            element_count=len(spec.frame),
            message=f"{check.description} — 检查出错 / check raised: "
            f"{info.get('exception_message')}",
        )
    r = res.result or {}
    unexpected = r.get("unexpected_count")
    element_count = r.get("element_count", len(spec.frame))
    examples = _examples(r.get("unexpected_rows"), check.examples or spec.examples)
    if "observed_value" in r:
        detail = f"observed {_plain(r['observed_value'])}"
    elif unexpected is not None:
        detail = f"{unexpected:,} of {element_count:,} rows unexpected"
    else:
        detail = ""
    outcome = "通过 / passed" if res.success else "未通过 / failed"
    return CheckResult(
        stage=stage,
        suite=spec.name,
        check_name=check_name,
        target=spec.target,
        success=bool(res.success),
        severity=check.severity,
        column_name=check.column,
        element_count=int(element_count) if element_count is not None else None,
        unexpected_count=int(unexpected) if unexpected is not None else None,
        unexpected_examples=examples,
        message=f"{check.description} — {outcome}" + (f": {detail}" if detail else ""),
    )


def _examples(rows: Any, columns: Sequence[str]) -> list[dict[str, Any]]:
    if rows is None:
        return []
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return []
    keep = [c for c in columns if c in frame.columns] or list(frame.columns)
    return [
        {c: _plain(v) for c, v in rec.items()}
        for rec in frame[keep].head(EXAMPLES_PER_CHECK).to_dict("records")
    ]


def _plain(value: Any) -> Any:
    """A JSON-friendly value: dates as ISO text, no NaN or infinity, numpy as Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return round(value, 6)
    return value
