"""Run the dbt project (staging -> intermediate -> marts) on a warehouse file.

`build()` runs `dbt build` (seeds, models, tests and unit tests in dependency order)
in-process with dbt's programmatic runner and hands back every node's outcome. Each
call gets its own temporary target and log folders, so concurrent builds (a load and a
test run) never share `dbt/target`. dbt reads the warehouse path from the
`SCHOOLWH_DBT_PATH` environment variable (see `dbt/profiles.yml`).

Errors (a missing file, a locked warehouse, a SQL error, a failing test) come back as a
`BuildResult` with `success=False` and a message a person can act on; nothing raises.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schoolwh.core.atomic import replace_file
from schoolwh.core.audit import CheckResult
from schoolwh.core.settings import DBT_DIR

ENV_DBT_PATH = "SCHOOLWH_DBT_PATH"

# dbt's runner is not safe to call from two threads of one process at once, and the
# warehouse path travels through the process environment: one build at a time per process.
# Re-entrant, so a caller can hold it across a build and the work that reads its result.
RUN_LOCK = threading.RLock()

_PASSING = {"pass", "success"}
# Generic tests that check the project's own SQL rather than the loaded data: those on
# the intermediate and mart models (grains, keys and not-null columns the SQL guarantees
# once staging passes) and those on the KPI seed. Warn-severity tests on the marts
# report data (districts missing from the registry) and are kept.
_INVARIANT_TESTS = (
    "test_type:generic,path:models/intermediate",
    "test_type:generic,path:models/marts,config.severity:error",
    "test_type:generic,path:seeds",
)
# dbt's per-node work is mostly Python: more threads than cores keep DuckDB busy while
# another node is compiled (the queries share DuckDB's own threads).
BUILD_THREADS = 4
_PARTIAL_PARSE = "partial_parse.msgpack"
_TEST_TYPES = {"test", "unit_test"}


@dataclass(frozen=True)
class NodeResult:
    """The outcome of one dbt node (a seed, model, data test or unit test)."""

    name: str
    unique_id: str
    resource_type: str  # seed / model / test / unit_test / ...
    status: str  # success / error / skipped (seeds, models); pass / fail / warn / error (tests)
    message: str = ""
    failures: int | None = None  # rows returned by a failing data test
    execution_time: float = 0.0  # seconds
    severity: str | None = None  # error / warn, for data tests
    target: str | None = None  # the model a test checks
    column_name: str | None = None

    @property
    def passed(self) -> bool:
        return self.status in _PASSING


@dataclass
class BuildResult:
    """The outcome of one `dbt build`."""

    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    message: str = ""
    command: str = "build"
    log_tail: str = ""  # the end of dbt's log when dbt could not run, for debugging

    @property
    def failed_nodes(self) -> list[NodeResult]:
        """Nodes that errored or failed, including data tests that only warn."""
        return [n for n in self.nodes if not n.passed]

    def counts(self) -> dict[str, int]:
        """Number of nodes per resource type."""
        out: dict[str, int] = {}
        for n in self.nodes:
            out[n.resource_type] = out.get(n.resource_type, 0) + 1
        return out

    def check_results(self) -> list[CheckResult]:
        """dbt tests and unit tests (and any node that failed) as rows of audit.dq_results.

        A data test configured with severity `error` and every unit test are `critical`
        (a failure blocks the publish); a data test with severity `warn` is a `warning`.
        A seed or model that errored, or a node skipped because something upstream failed,
        is reported as a failed critical check, so a broken build cannot pass unnoticed.
        """
        results: list[CheckResult] = []
        for node in self.nodes:
            if node.resource_type in _TEST_TYPES:
                critical = node.resource_type == "unit_test" or node.severity != "warn"
                results.append(
                    CheckResult(
                        stage="build",
                        suite="dbt",
                        check_name=node.name,
                        target=node.target or "",
                        success=node.passed,
                        severity="critical" if critical else "warning",
                        column_name=node.column_name,
                        unexpected_count=node.failures,
                        message=node.message if not node.passed else "",
                    )
                )
            elif not node.passed:
                results.append(
                    CheckResult(
                        stage="build",
                        suite="dbt",
                        check_name=f"{node.resource_type}:{node.name}",
                        target=node.name,
                        success=False,
                        severity="critical",
                        message=node.message or f"{node.resource_type} {node.status}",
                    )
                )
        return results

    def summary(self) -> str:
        """One line: what ran, what failed, how long it took."""
        counts = ", ".join(f"{v} {k}s" for k, v in sorted(self.counts().items()))
        failed = self.failed_nodes
        state = "succeeded" if self.success else "FAILED"
        line = f"dbt {self.command} {state} in {self.elapsed_seconds:.1f} s"
        if counts:
            line += f" ({counts})"
        if failed:
            line += f"; {len(failed)} not passing: " + ", ".join(
                f"{n.name} [{n.status}]" for n in failed[:10]
            )
            if len(failed) > 10:
                line += ", ..."
        return line


def build(
    db_path: Path,
    *,
    select: str | None = None,
    unit_tests: bool = True,
    invariant_tests: bool = True,
) -> BuildResult:
    """Run `dbt build` (seeds, models, tests, unit tests) on the warehouse file `db_path`.

    `select` is a dbt selection (e.g. `"+kpi_district"`); None builds everything.
    `unit_tests=False` leaves out dbt's unit tests (they test the SQL, not the data).
    `invariant_tests=False` leaves out the generic tests on intermediate and mart models
    and on the seed, which check the SQL too (see `_INVARIANT_TESTS`); the tests on the
    staging models (keys, accepted values, required columns of the loaded data), the
    singular tests and the warn-severity tests still run.
    The file must exist and hold the `raw` schema; no other process may hold it open for
    writing, and the caller must have closed its own connections to it.
    """
    # Results come back in memory: run_results.json and manifest.json are not written.
    args = ["build", "--no-write-json", "--threads", str(BUILD_THREADS)]
    if select:
        args += ["--select", select]
    if not unit_tests:
        # Unit tests check the SQL, not the data: `make test` runs them, a load need not.
        args += ["--exclude-resource-type", "unit_test"]
    if not invariant_tests:
        args += ["--exclude", *_INVARIANT_TESTS]
    return _invoke(Path(db_path), args)


def docs(db_path: Path, out_dir: Path) -> BuildResult:
    """Run `dbt docs generate` on a built warehouse; the static site lands in `out_dir`.

    `out_dir` receives index.html, manifest.json and catalog.json (serve or open
    index.html from there).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _invoke(Path(db_path), ["docs", "generate"], target_dir=out_dir)


def _invoke(db_path: Path, args: list[str], target_dir: Path | None = None) -> BuildResult:
    command = _command_name(args)
    db_path = db_path.expanduser().resolve()
    if not db_path.is_file():
        return BuildResult(
            success=False,
            command=command,
            message=f"Warehouse file not found: {db_path}. Load data first (schoolwh load).",
        )
    return run_dbt(
        args,
        env={ENV_DBT_PATH: str(db_path)},
        cache_key=str(db_path),
        target_dir=target_dir,
        release=_close_adapter_connections,
    )


def _command_name(args: list[str]) -> str:
    return "docs generate" if args[:2] == ["docs", "generate"] else args[0]


def run_dbt(
    args: list[str],
    *,
    env: dict[str, str],
    cache_key: str,
    profile_target: str | None = None,
    target_dir: Path | None = None,
    release: Callable[[], None] | None = None,
) -> BuildResult:
    """Run one dbt command in-process on the project in dbt/ and collect its outcome.

    `env` is set for the run (the profile reads its paths from it), `profile_target`
    picks an output of dbt/profiles.yml (None = its default, DuckDB), `cache_key` names
    the saved parse to reuse (parses differ per profile and path), and `release` frees
    the engine's connections after dbt, still under `RUN_LOCK`.
    """
    started = time.perf_counter()
    command = _command_name(args)
    if not (DBT_DIR / "dbt_project.yml").is_file():
        return BuildResult(
            success=False, command=command, message=f"dbt project not found in {DBT_DIR}."
        )
    if profile_target:
        args = [*args, "--target", profile_target]

    with RUN_LOCK, tempfile.TemporaryDirectory(prefix="schoolwh-dbt-") as tmp:
        work = Path(tmp)
        target = target_dir or work / "target"
        logs = work / "logs"
        cli_args = [
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(logs),
            "--log-level",
            "none",
            "--log-level-file",
            "info",
            "--no-use-colors",
            "--no-send-anonymous-usage-stats",
            "--no-version-check",
        ]
        cache = _parse_cache(_project_key(profile_target, cache_key))
        _restore_parse_cache(cache, target)
        _parse_without_warehouse_path()
        with _environment({**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
            try:
                from dbt.cli.main import dbtRunner

                outcome = dbtRunner().invoke(cli_args)
            except Exception as exc:  # dbt raises only on bugs; report, never crash the caller
                return BuildResult(
                    success=False,
                    command=command,
                    elapsed_seconds=time.perf_counter() - started,
                    message=f"dbt could not run: {exc}",
                )
            finally:
                if release is not None:
                    release()
        _save_parse_cache(target, cache)
        nodes = _node_results(outcome.result)
        elapsed = time.perf_counter() - started
        result = BuildResult(
            success=bool(outcome.success), nodes=nodes, elapsed_seconds=elapsed, command=command
        )
        if outcome.exception is not None:
            result.success = False
            result.message = _explain(str(outcome.exception))
            result.log_tail = _log_tail(logs)
        else:
            result.message = result.summary()
            if not result.success:
                details = [
                    f"- {n.resource_type} {n.name}: {n.status}: {_first_line(n.message)}"
                    for n in result.failed_nodes
                    if n.status != "skipped"
                ]
                if details:
                    result.message += "\n" + "\n".join(details[:20])
        return result


def _project_key(profile_target: str | None, cache_key: str = "") -> str:
    """The saved parse's key: the profile target and the project (its folder and dbt's
    version), never the warehouse path, so a first load on a new warehouse path reuses
    the parse of the last one. The DuckDB target's key leaves `cache_key` (a path) out."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        dbt_version = version("dbt-core")
    except PackageNotFoundError:
        dbt_version = "?"
    extra = cache_key if profile_target else ""
    return f"{profile_target or 'default'}:{DBT_DIR.resolve()}:{dbt_version}:{extra}"


_PATH_FREE = threading.Lock()


def _parse_without_warehouse_path() -> None:
    """dbt ties a saved parse to the profile's connection settings, the DuckDB file's
    path among them, and parses the whole project again for every new path. Nothing in
    this project parses differently for another warehouse file (no model reads
    `target.path`), so the path is left out of that check: the parse is kept per project
    version. dbt still re-checks everything else (project files, variables, versions)."""
    with _PATH_FREE:
        from dbt.parser.manifest import ManifestLoader

        if getattr(ManifestLoader, "_schoolwh_path_free", False):
            return
        original = ManifestLoader.build_manifest_state_check

        def build_manifest_state_check(self):
            check = original(self)
            credentials = self.root_project.credentials
            if getattr(credentials, "type", None) != "duckdb":
                return check
            import pprint

            from dbt.contracts.files import FileHash

            keys = [
                (k, "<warehouse>") if k == "path" else (k, v)
                for k, v in credentials.connection_info()
            ]
            keys.sort()
            check.profile_hash = FileHash.from_contents(pprint.pformat(keys))
            return check

        ManifestLoader.build_manifest_state_check = build_manifest_state_check
        ManifestLoader._schoolwh_path_free = True


def _parse_cache(cache_key: str) -> Path:
    """Where the parsed project for builds with `cache_key` (see `_project_key`) is kept
    between builds.

    Parsing the project from scratch takes several seconds; dbt can reuse its previous
    parse when nothing changed. The cache is kept outside the repository, and dbt itself
    re-checks it (project files, profile, variables, dbt version) and parses afresh when
    stale.
    """
    key = hashlib.sha256(cache_key.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"schoolwh-dbt-parse-{os.getuid()}" / key


def _restore_parse_cache(cache: Path, target: Path) -> None:
    source = cache / _PARTIAL_PARSE
    if source.is_file():
        try:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / _PARTIAL_PARSE)
        except OSError:
            pass  # only an optimisation


def _save_parse_cache(target: Path, cache: Path) -> None:
    produced = target / _PARTIAL_PARSE
    if not produced.is_file():
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f"{_PARTIAL_PARSE}.{os.getpid()}.tmp"
        shutil.copyfile(produced, tmp)
        replace_file(tmp, cache / _PARTIAL_PARSE)
    except OSError:
        pass  # only an optimisation


def _node_results(run_result: Any) -> list[NodeResult]:
    """Flatten dbt's RunExecutionResult into NodeResults (empty for docs and errors)."""
    results = getattr(run_result, "results", None) or []
    nodes: list[NodeResult] = []
    for r in results:
        node = getattr(r, "node", None)
        if node is None:
            continue
        resource_type = str(getattr(node.resource_type, "value", node.resource_type))
        severity = None
        target = None
        if resource_type == "test":
            severity = str(getattr(node.config, "severity", "error")).lower()
            attached = getattr(node, "attached_node", None)
            if attached:
                target = attached.split(".")[-1]
            else:  # a singular test: the models it reads
                parents = getattr(getattr(node, "depends_on", None), "nodes", None) or []
                target = ", ".join(p.split(".")[-1] for p in parents) or None
        elif resource_type == "unit_test":
            tested = getattr(node, "tested_node_unique_id", None)
            target = tested.split(".")[-1] if tested else None
        status = str(getattr(r.status, "value", r.status)).lower()
        failures = getattr(r, "failures", None)
        nodes.append(
            NodeResult(
                name=node.name,
                unique_id=node.unique_id,
                resource_type=resource_type,
                status=status,
                message=str(r.message or ""),
                failures=int(failures) if failures is not None else None,
                execution_time=float(getattr(r, "execution_time", 0.0) or 0.0),
                severity=severity,
                target=target,
                column_name=getattr(node, "column_name", None),
            )
        )
    return nodes


def _explain(error: str) -> str:
    """A build that could not start: say why in words a person can act on."""
    text = error.strip()
    lowered = text.lower()
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return (
            "The warehouse file is in use by another process (a load, the dashboard or an "
            f"open database client). Close it and try again.\n{text}"
        )
    return f"dbt could not run the build: {text}"


def _log_tail(logs: Path, lines: int = 40) -> str:
    log_file = logs / "dbt.log"
    if not log_file.is_file():
        return ""
    return "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _close_adapter_connections() -> None:
    """Release the DuckDB file dbt-duckdb may still hold, so the caller can reopen it."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    env = getattr(DuckDBConnectionManager, "_ENV", None)
    if env is not None:
        try:
            env.close()
        finally:
            DuckDBConnectionManager.close_all_connections()
