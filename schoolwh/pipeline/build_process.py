"""A load's dbt build, in a child process started when the load starts.

dbt and Great Expectations are both mostly Python: in one process they take turns on
the interpreter lock. A load therefore builds in a child process, which imports dbt while
the loader reads and lands the files; once the build copy is ready, the child builds it
while the loader validates the batch with Great Expectations on the other core.

`python -m schoolwh.pipeline.build_process` is the child: it imports dbt, waits for one request (a
JSON line on stdin), runs `schoolwh.pipeline.dbt_runner.build` and answers with the result as one JSON
line on its original stdout. Anything else it prints goes to stderr, which the parent
keeps in a temporary file and shows only when the build could not run. The child dies
with its parent (Linux), so a killed load leaves no build running on its copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from schoolwh.core.settings import limit_address_space, load_memory_bytes
from schoolwh.pipeline.dbt_runner import BuildResult, NodeResult

_STDERR_TAIL = 40  # lines of the child's stderr shown when it fails


class BuildProcess:
    """The child process that runs one `dbt build` (see the module docstring).

    Create it from a thread that outlives the build (the loader's main thread): Linux
    ties the child's death signal to the thread that started it.
    """

    def __init__(self) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "schoolwh.pipeline.build_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )

    def __enter__(self) -> BuildProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build(self, db_path: Path, **options: Any) -> BuildResult:
        """`schoolwh.pipeline.dbt_runner.build(db_path, **options)` in the child; never raises for dbt's
        or the child's failures (they come back as an unsuccessful BuildResult)."""
        request = json.dumps({"db_path": str(db_path), "options": options}) + "\n"
        try:
            out, _ = self._proc.communicate(request.encode("utf-8"))
        except OSError as exc:  # the child died before reading the request
            self._proc.wait()
            return self._failed(f"the build process stopped early ({exc})")
        if self._proc.returncode != 0 or not out.strip():
            return self._failed(f"the build process ended with code {self._proc.returncode}")
        try:
            return _result_from_json(out.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, KeyError, TypeError) as exc:
            return self._failed(f"the build process gave no readable result ({exc})")

    def close(self) -> None:
        """Stop the child if it is still running and drop its output."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()

    def _failed(self, why: str) -> BuildResult:
        self._stderr.seek(0)
        tail = self._stderr.read().decode("utf-8", "replace").splitlines()[-_STDERR_TAIL:]
        return BuildResult(
            success=False,
            message=f"dbt could not run the build: {why}",
            log_tail="\n".join(tail),
        )


def _result_from_json(text: str) -> BuildResult:
    data = json.loads(text)
    nodes = [NodeResult(**node) for node in data.pop("nodes")]
    return BuildResult(nodes=nodes, **data)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the loader that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # only a safeguard
        return
    if os.getppid() != parent:  # the parent died before the safeguard was in place
        os._exit(1)


def main() -> int:
    # The answer goes on the original stdout; whatever else is printed goes to stderr.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _die_with_parent()
    limit_address_space(load_memory_bytes())  # schoolwh/core/settings.py: a bomb fails alone
    # Imported now, while the load is still reading files.
    import dbt.adapters.duckdb
    import dbt.cli.main  # noqa: F401

    from schoolwh.pipeline.dbt_runner import build

    line = sys.stdin.readline()
    if not line.strip():  # the load ended without building (nothing new, or it failed)
        return 0
    request = json.loads(line)
    result = build(Path(request["db_path"]), **request["options"])
    answer.write(json.dumps(dataclasses.asdict(result)) + "\n")
    answer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
