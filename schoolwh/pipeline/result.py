"""What one load ends with: its outcomes, checks, publish state and exit code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ingest.outcome import FileOutcome
from schoolwh.core.audit import CheckResult

EXIT_OK, EXIT_REJECTED, EXIT_NOT_PUBLISHED, EXIT_BUSY, EXIT_USAGE = 0, 1, 2, 3, 4


@dataclass
class LoadResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    published: bool = False
    load_id: int | None = None
    as_of: dt.date | None = None
    failure: str = ""
    exit_code: int = EXIT_OK
    runs: list = field(default_factory=list)  # quality runs (kept for Data Docs)
    docs: Path | None = None
    # wall-clock seconds per stage (schoolwh.core.timing.STAGES) and in all ("total"), and the
    # process's CPU seconds over the same spans
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
