"""Seconds spent per stage of a load, for the load result and the benchmark.

A load adds up the wall-clock time of each stage (read and normalise, land, quality
checks on the batch, dbt build, quality checks on the marts, publish). When the
environment variable `SCHOOLWH_TIMINGS` names a file, `schoolwh load` writes the figures
there as one JSON object, so that a benchmark can read them from a real load process.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV_TIMINGS = "SCHOOLWH_TIMINGS"

# The stages of a load, in order (a stage that did not run is absent).
STAGES = ("read_normalise", "land", "gx_batch", "dbt_build", "gx_marts", "publish", "data_docs")


class StageTimer:
    """Adds up seconds per stage; `with timer("land"): ...` times a block.

    `seconds` holds wall-clock time, `cpu_seconds` the CPU time of the whole process
    (every thread) over the same spans: on a busy machine the two tell waiting from work.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started, time.process_time() - cpu)

    def start(self) -> tuple[float, float]:
        """A mark to pass to `add_since` (for spans that are not one block)."""
        return time.perf_counter(), time.process_time()

    def add_since(self, stage: str, mark: tuple[float, float]) -> None:
        self.add(stage, time.perf_counter() - mark[0], time.process_time() - mark[1])

    def add(self, stage: str, seconds: float, cpu_seconds: float = 0.0) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
        self.cpu_seconds[stage] = self.cpu_seconds.get(stage, 0.0) + cpu_seconds


def write_timings(record: dict[str, Any], path: str | os.PathLike[str] | None = None) -> None:
    """Write `record` as JSON to `path`, else to $SCHOOLWH_TIMINGS; nothing when neither is set.

    Timings are a diagnostic: a file that cannot be written is reported, never fatal.
    """
    target = path or os.environ.get(ENV_TIMINGS)
    if not target:
        return
    try:
        Path(target).write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    except OSError as exc:
        import sys

        print(f"[load] timings not written to {target}: {exc}", file=sys.stderr)
