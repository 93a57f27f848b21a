"""Loads submitted from the upload page, run in the background one at a time.

The files are kept under a private folder beside the warehouse with names made by
`check.safe_file_name` (a file name from a browser is never a path), then loaded with
`load.load` — which holds the warehouse's lock, so submitted loads run one after the
other — recording who submitted and quarantining rows outside a clerk's districts.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from schoolwh.pipeline.check import safe_file_name, vet_upload
from schoolwh.pipeline.publish import LoadBusy
from schoolwh.pipeline.report import print_report
from schoolwh.pipeline.result import LoadResult

_RUN_ONE_AT_A_TIME = threading.Lock()


@dataclass
class UploadJob:
    id: str
    user: str | None
    files: list[Path]
    state: str = "queued"  # queued / loading / published / not_published / failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    report: str = ""
    result: LoadResult | None = None
    steps: list[str] = field(default_factory=list)  # the load's progress lines

    def write(self, text: str) -> int:
        """The load's progress stream: each line is a step."""
        for line in text.splitlines():
            if line.strip():
                self.steps.append(line.removeprefix("[load] ").strip())
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    @property
    def done(self) -> bool:
        return self.finished is not None


_jobs: dict[str, UploadJob] = {}
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


def submit(
    warehouse: Path,
    files: list[Path],
    *,
    user: str | None,
    scope: tuple[str, ...] | None,
    wait: float = 3600.0,
    build: bool = True,
) -> UploadJob:
    """Start loading `files` in the background; returns the job to follow
    (`build=False` stops after landing, as `load` does)."""
    job = UploadJob(uuid.uuid4().hex, user, list(files))
    with _jobs_lock:
        _jobs[job.id] = job

    def run() -> None:
        from schoolwh.pipeline.load import load

        with _RUN_ONE_AT_A_TIME:
            job.state = "loading"
            try:
                result = load(
                    job.files,
                    warehouse,
                    wait=wait,
                    build=build,
                    submitted_by=user,
                    scope=scope,
                    progress_stream=job,
                )
            except LoadBusy as exc:
                job.state, job.report = "failed", str(exc)
            except Exception as exc:  # the page shows one sentence, never a traceback
                job.state = "failed"
                job.report = f"内部错误 / internal error: {type(exc).__name__}: {exc}"
            else:
                out = io.StringIO()
                print_report(result, warehouse, out)
                job.result = result
                job.report = out.getvalue()
                job.state = "published" if result.published else "not_published"
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
