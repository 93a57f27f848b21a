"""What became of one file or sheet in a load: its verdict, counts and message."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FileOutcome:
    file_name: str
    file_hash: str
    sheet: str | None = None
    source: str | None = None
    status: str = "loaded"  # loaded / skipped / rejected / ignored / hidden
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
    structure: dict[str, list[int]] = field(default_factory=dict)  # kind -> row numbers
    mapping: str | None = None  # the mapping used, by name

    @property
    def rows_dropped(self) -> int:
        return self.summary_rows + self.note_rows

    def structure_text(self) -> str:
        """The structure rows by kind with their row numbers (at most 8 each), for reports."""
        from ingest.normalise import STRUCTURE_KINDS

        parts = []
        for kind, rows in self.structure.items():
            zh, en = STRUCTURE_KINDS.get(kind, (kind, kind))
            shown = "、".join(str(r) for r in rows[:8]) + ("…" if len(rows) > 8 else "")
            parts.append(f"{zh} {en} {len(rows):,}（第 {shown} 行 rows）")
        return "，".join(parts)

    @property
    def where(self) -> str:
        return f"{self.file_name} [{self.sheet}]" if self.sheet else self.file_name
