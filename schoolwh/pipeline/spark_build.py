"""Build the dbt project on a local Spark session instead of DuckDB.

The same models, seed, data tests and unit tests run through dbt-spark (`method:
session`, the `spark` output of dbt/profiles.yml) on the raw layer exported as Parquet
(`schoolwh export-raw`). Spark's catalog is in memory and lives as long as the session:
`build_spark()` therefore writes the marts out as Parquet (one folder per mart) before
it stops the session, so DuckDB, the dashboard or a parity check can read them.

Needs the `spark` extra (pyspark, dbt-spark[session]) and Java 17 or later; without them
the result says what is missing instead of raising. Like `schoolwh.pipeline.dbt_runner.build()`, it
never raises for a failed build: errors come back in the `BuildResult`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schoolwh.core.atomic import replace_folder
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.dbt_runner import RUN_LOCK, BuildResult, run_dbt

SPARK_TARGET = "spark"  # the output of dbt/profiles.yml
ENV_RAW_PARQUET = "SCHOOLWH_RAW_PARQUET"  # read by macros/raw_sources.sql
ENV_SPARK_WAREHOUSE = "SCHOOLWH_SPARK_WAREHOUSE"  # spark.sql.warehouse.dir in the profile
MARTS_SCHEMA = "marts"
MIN_JAVA = 17

INSTALL_HINT = (
    "Install the spark extra (uv sync --extra spark) and Java 17 "
    "(Debian: apt-get install openjdk-17-jre-headless)."
)


@dataclass
class SparkBuild:
    """The outcome of a Spark build: dbt's result and the marts written as Parquet."""

    result: BuildResult
    marts: dict[str, Path] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.result.success


def spark_missing() -> str | None:
    """Why a local Spark build cannot run on this machine; None when it can."""
    lacking = [
        name
        for name, module in (("pyspark", "pyspark"), ("dbt-spark", "dbt.adapters.spark"))
        if not _importable(module)
    ]
    if lacking:
        return f"{' and '.join(lacking)} not installed. {INSTALL_HINT}"
    java = _java_executable()
    if java is None:
        return f"Java not found (no java on PATH or in JAVA_HOME). {INSTALL_HINT}"
    version = _java_major_version(java)
    if version is None:
        return f"Could not tell the version of {java}. {INSTALL_HINT}"
    if version < MIN_JAVA:
        return f"Java {version} found at {java}; Spark 4 needs Java {MIN_JAVA} or later."
    return None


def build_spark(
    raw_dir: Path,
    *,
    marts_dir: Path | None = None,
    select: str | None = None,
    unit_tests: bool = True,
) -> SparkBuild:
    """Run `dbt build` on Spark over the raw Parquet folders in `raw_dir`.

    `raw_dir` holds one folder per raw source, as `schoolwh.pipeline.export_raw.export_raw()`
    writes it. When the build succeeds and `marts_dir` is given, every relation of the
    marts schema is written to `marts_dir/<name>/` as Parquet (a folder replaced whole).
    `select` and `unit_tests` work as in `schoolwh.pipeline.dbt_runner.build()`, except that each build
    starts from an empty catalog: a selection must include what it reads (`+kpi_district`).
    """
    started = time.perf_counter()
    missing = spark_missing()
    if missing:
        return SparkBuild(BuildResult(success=False, message=missing))
    raw_dir = Path(raw_dir).expanduser().resolve()
    problem = _raw_layer_problem(raw_dir)
    if problem:
        return SparkBuild(BuildResult(success=False, message=problem))

    args = ["build"]
    if select:
        args += ["--select", select]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]

    with RUN_LOCK, tempfile.TemporaryDirectory(prefix="schoolwh-spark-") as tmp:
        env = {
            ENV_RAW_PARQUET: str(raw_dir),
            ENV_SPARK_WAREHOUSE: str(Path(tmp) / "warehouse"),
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        # the parse does not depend on the paths (read at run time): one cache for all
        result = run_dbt(args, env=env, cache_key=SPARK_TARGET, profile_target=SPARK_TARGET)
        marts: dict[str, Path] = {}
        session = _running_session()
        try:
            if result.success and marts_dir is not None and session is not None:
                try:
                    marts = _write_marts(session, Path(marts_dir).expanduser().resolve())
                except Exception as exc:  # Spark or file errors: report, never crash the caller
                    result.success = False
                    result.message += f"\nWriting the marts as Parquet failed: {exc}"
        finally:
            if session is not None:
                # the next build starts with a fresh catalog and warehouse folder
                with contextlib.suppress(Exception):
                    session.stop()
        result.elapsed_seconds = time.perf_counter() - started
        return SparkBuild(result, marts)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _java_executable() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def _java_major_version(java: str) -> int | None:
    try:
        proc = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # `openjdk version "17.0.15" 2025-04-15` (1.8.0_x for Java 8), on stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _raw_layer_problem(raw_dir: Path) -> str | None:
    if not raw_dir.is_dir():
        return f"Raw Parquet folder not found: {raw_dir}. Write it with schoolwh export-raw."
    lacking = [name for name in SOURCES if not any((raw_dir / name).glob("*.parquet"))]
    if lacking:
        return (
            f"{raw_dir} has no Parquet files for: {', '.join(lacking)}. "
            "Write the raw layer with schoolwh export-raw."
        )
    return None


def _running_session() -> Any:
    """The Spark session dbt-spark started in this process, or None if it never started."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession

        if SparkContext._active_spark_context is None:
            return None
        return SparkSession.builder.getOrCreate()  # the running session, not a new one
    except Exception:  # a session that died with the build: nothing to read or stop
        return None


def _write_marts(session: Any, marts_dir: Path) -> dict[str, Path]:
    marts_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(t.name for t in session.catalog.listTables(MARTS_SCHEMA))
    written: dict[str, Path] = {}
    for name in names:
        final = marts_dir / name
        staging = marts_dir / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            session.table(f"{MARTS_SCHEMA}.{name}").write.mode("overwrite").parquet(str(staging))
            replace_folder(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        written[name] = final
    return written
