"""What a load tells the person who ran it: progress while it works, a report at the end."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from ingest.rules import REASONS
from ingest.sources import SOURCES


@dataclass
class FileOutcome:
    file_name: str
    file_hash: str
    sheet: str | None = None
    source: str | None = None
    status: str = "loaded"  # loaded / skipped / rejected / ignored
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    summary_rows: int = 0
    note_rows: int = 0
    header_row: int | None = None
    encoding: str | None = None
    message: str = ""
    reasons: Counter = field(default_factory=Counter)
    batch_seq: int | None = None

    @property
    def rows_dropped(self) -> int:
        return self.summary_rows + self.note_rows

    @property
    def where(self) -> str:
        return f"{self.file_name} [{self.sheet}]" if self.sheet else self.file_name


def _n(x: int) -> str:
    return f"{x:,}"


def file_line(o: FileOutcome) -> str:
    if o.status == "skipped":
        return f"  - {o.where}: 已导入过，跳过 / skipped: {o.message}"
    if o.status == "ignored":
        return f"  - {o.where}: 忽略 / ignored: {o.message}"
    src = f"{SOURCES[o.source].zh} ({o.source})" if o.source else "?"
    if o.status == "rejected":
        return f"  ✗ {o.where} → {src}: 拒绝导入 / REJECTED: {o.message}"
    parts = [f"{_n(o.rows_landed)} 行导入 landed"]
    if o.rows_quarantined:
        reasons = ", ".join(f"{r} {_n(c)}" for r, c in o.reasons.most_common())
        parts.append(f"{_n(o.rows_quarantined)} 行隔离 quarantined ({reasons})")
    if o.summary_rows:
        parts.append(f"{_n(o.summary_rows)} 合计行 summary rows dropped")
    if o.note_rows:
        parts.append(f"{_n(o.note_rows)} 备注行 note rows dropped")
    if o.header_row and o.header_row > 1:
        parts.append(f"表头在第 {o.header_row} 行 header on row {o.header_row}")
    extra = f" — {o.message}" if o.message else ""
    return f"  ✓ {o.where} → {src}: " + "; ".join(parts) + extra


def reason_legend(outcomes: list[FileOutcome]) -> list[str]:
    seen = sorted({r for o in outcomes for r in o.reasons})
    return [f"    {r}: {REASONS[r][0]} / {REASONS[r][1]}" for r in seen if r in REASONS]


class Progress:
    """A progress bar on a terminal; plain lines when output is not a terminal."""

    def __init__(self, total: int, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self._bar = None
        if self.stream.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True
            )
            self._bar.start()
            self._task = self._bar.add_task("导入 loading", total=total)

    def step(self, text: str, advance: int = 0) -> None:
        self.done += advance
        if self._bar is not None:
            self._bar.update(self._task, description=text[:60], advance=advance)
        else:
            print(f"[load] {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
