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
    """Adds up wall-clock seconds per stage; `with timer("land"): ...` times a block."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


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
