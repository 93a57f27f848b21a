"""Expensive test builds made once per test run and shared by the pytest-xdist workers.

The first worker to ask builds the folder under a file lock; the others wait for it. Every
worker then works on its own copy, so that no two processes open one DuckDB file (a
writer locks out every other process) and a test that writes cannot disturb another.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

_DONE = ".built"
_state: dict[str, Path] = {}


def set_run_folder(run: Path, mine: Path) -> None:
    """`run`: a folder every worker of this test run sees; `mine`: this worker's own."""
    _state["run"], _state["mine"] = run, mine


def built_once(name: str, build: Callable[[Path], object]) -> Path:
    """A folder `build(folder)` filled, made once per run; this worker's own copy of it."""
    run, mine = _state["run"], _state["mine"]
    copy = mine / name
    if copy.is_dir():
        return copy
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: no one to share with
        copy.mkdir(parents=True)
        try:
            build(copy)
        except BaseException:
            shutil.rmtree(copy, ignore_errors=True)
            raise
        return copy
    shared = run / f"shared-{name}"
    with FileLock(f"{shared}.lock"):
        if not (shared / _DONE).is_file():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir(parents=True)
            build(shared)
            (shared / _DONE).touch()
    shutil.copytree(shared, copy, ignore=shutil.ignore_patterns(_DONE, "*.lock"))
    return copy
