"""Loads submitted from the upload page, run one at a time in a child process.

The files are kept under a private folder beside the warehouse with names made by
`check.safe_file_name` (a file name from a browser is never a path), then loaded by
`schoolwh load` in a process of its own (`load_command`): the same command a person runs,
so the same memory cap (a bomb ends that process, never the dashboard's), the same
warehouse lock and the same disk-full / out-of-memory sentences. The page is given the
load's progress lines as they come and its report when it ends; the submitter is recorded
and rows outside a clerk's districts are quarantined (`--submitted-by`, `--scope`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from schoolwh.core.settings import PROJECT_ROOT
from schoolwh.pipeline.check import safe_file_name, vet_upload
from schoolwh.pipeline.result import EXIT_BUSY, EXIT_NOT_PUBLISHED, EXIT_OK, EXIT_REJECTED

_RUN_ONE_AT_A_TIME = threading.Lock()
_PROGRESS = "[load]"  # schoolwh/pipeline/report.py Progress, off a terminal
_PUBLISHED_LINE = "已发布 / Published:"  # schoolwh/pipeline/report.py print_report


@dataclass
class UploadJob:
    id: str
    user: str | None
    files: list[Path]
    state: str = "queued"  # queued / loading / published / not_published / failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    report: str = ""
    exit_code: int | None = None
    pid: int | None = None  # the load's own process
    steps: list[str] = field(default_factory=list)  # the load's progress lines
    summary: dict | None = None  # the load's outcome as data (report.summary)
    names: list[str] = field(default_factory=list)  # the files' names as uploaded

    @property
    def done(self) -> bool:
        return self.finished is not None


_jobs: dict[str, UploadJob] = {}
JOBS_KEPT = 64  # finished jobs kept for the pages following them
_jobs_lock = threading.Lock()


def uploads_dir(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.uploads")


def save_uploads(warehouse: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    """Keep uploaded files (name as sent, bytes) under a new private folder."""
    folder = uploads_dir(warehouse) / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    saved = []
    for i, (name, data) in enumerate(files, start=1):
        vet_upload(name, data)
        path = folder / safe_file_name(name, i)
        path.write_bytes(data)
        saved.append(path)
    return saved


def load_command(
    warehouse: Path,
    files: list[Path],
    *,
    user: str | None,
    scope: tuple[str, ...] | None,
    wait: float,
    build: bool,
    summary: Path | None = None,
) -> list[str]:
    """The `schoolwh load` command line of a submitted upload."""
    command = [sys.executable, "-m", "schoolwh.cli", "load"]
    command += [str(Path(f).absolute()) for f in files]
    command += ["--warehouse", str(Path(warehouse).absolute()), "--wait", str(wait)]
    if user is not None:
        command += ["--submitted-by", user]
    if scope is not None:
        command += ["--scope", ",".join(scope)]  # "" is a scope of no district
    if not build:
        command.append("--no-build")
    if summary is not None:
        command += ["--summary", str(Path(summary).absolute())]
    return command


def _state(code: int, report: str) -> str:
    if code in (EXIT_OK, EXIT_REJECTED):
        published = any(line.startswith(_PUBLISHED_LINE) for line in report.splitlines())
        return "published" if published else "not_published"
    return "not_published" if code == EXIT_NOT_PUBLISHED else "failed"


def _run(job: UploadJob, command: list[str], summary: Path | None = None) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    )
    job.pid = child.pid
    other: list[str] = []  # what the child said on stderr that is not a progress line

    def follow() -> None:
        for line in child.stderr:
            text = line.strip()
            if text.startswith(_PROGRESS):
                job.steps.append(text.removeprefix(_PROGRESS).strip())
            elif text:
                other.append(text)

    follower = threading.Thread(target=follow, name=f"upload {job.id[:8]} progress", daemon=True)
    follower.start()
    report = child.stdout.read()
    code = child.wait()
    follower.join()
    if not report.strip() or code not in (EXIT_OK, EXIT_REJECTED, EXIT_NOT_PUBLISHED, EXIT_BUSY):
        # an internal error, or a child killed (by the memory cap too): say what it said
        said = "\n".join(other[-20:]) or (
            f"导入进程意外结束（退出码 {code}）/ the load process ended unexpectedly (exit {code})"
        )
        report = f"{report.rstrip()}\n{said}".strip()
    job.exit_code, job.report = code, report.rstrip()
    if summary is not None and summary.is_file():
        try:
            job.summary = json.loads(summary.read_text(encoding="utf-8"))
        except ValueError:
            job.summary = None
    if job.summary is None:  # the load stopped before its report: what is known
        job.summary = {"exit_code": code, "published": False, "outcomes": [], "checks": []}
    job.state = _state(code, report)


def submit(
    warehouse: Path,
    files: list[Path],
    *,
    user: str | None,
    scope: tuple[str, ...] | None,
    wait: float = 3600.0,
    build: bool = True,
    names: list[str] | None = None,
) -> UploadJob:
    """Start loading `files` in a child process; returns the job to follow
    (`build=False` stops after landing, as `load --no-build` does). `names` are the
    files' names as uploaded, for the page."""
    job = UploadJob(uuid.uuid4().hex, user, list(files))
    job.names = list(names) if names is not None else [Path(f).name for f in files]
    with _jobs_lock:
        _jobs[job.id] = job
        while len(_jobs) > JOBS_KEPT:  # the oldest finished job goes first
            done = [k for k, j in _jobs.items() if j.done]
            if not done:
                break
            del _jobs[done[0]]
    folders = {f.parent for f in job.files}
    summary = (
        next(iter(folders)) / "summary.json"
        if len(folders) == 1 and next(iter(folders)).parent == uploads_dir(warehouse)
        else None
    )
    command = load_command(
        warehouse, job.files, user=user, scope=scope, wait=wait, build=build, summary=summary
    )

    def run() -> None:
        with _RUN_ONE_AT_A_TIME:
            job.state = "loading"
            try:
                _run(job, command, summary)
            except Exception as exc:  # the page shows one sentence, never a traceback
                job.state = "failed"
                job.report = f"内部错误 / internal error: {type(exc).__name__}: {exc}"
            finally:
                # the archive keeps what was loaded; the submitted copies go
                for folder in {f.parent for f in job.files}:
                    if folder.parent == uploads_dir(warehouse):
                        shutil.rmtree(folder, ignore_errors=True)
                job.finished = time.time()

    threading.Thread(target=run, name=f"upload {job.id[:8]}", daemon=True).start()
    return job


def get_job(job_id: str) -> UploadJob | None:
    with _jobs_lock:
        return _jobs.get(job_id)


def wait_for(job: UploadJob, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    return job.done
