"""What a generator run wrote: files, row counts and the flaws planted in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Kinds of planted flaw; all but `orphan` are rows the loader must quarantine.
FLAW_KINDS = {
    "bad_date": "unparseable date 无法识别的日期",
    "bad_term": "unparseable term 无法识别的学期",
    "bad_boolean": "not yes/no 应填是/否",
    "future_date": "date beyond the window after the load date 日期晚于允许范围",
    "negative": "negative count 负数",
    "out_of_range": "value out of range 超出取值范围",
    "zero_amount": "zero amount 金额为0",
    "missing_required": "missing required value 必填项为空",
    "unknown_label": "unknown enumeration label 无法识别的选项",
    "row_rule": "row rule broken 行规则不满足",
    "duplicate_key": "duplicate key inside the file, earlier row loses 文件内重复",
    "orphan": "valid row for a school not in the registry (lands; excluded from KPIs) 学校不在名录",
}
# The quarantine reason (schoolwh/core/reasons.py) a kind of flaw gets, where the kind
# alone says it; row rules, and amounts whose rule differs by source, name theirs.
KIND_REASON = {
    "bad_date": "bad_date",
    "bad_term": "bad_term",
    "bad_boolean": "bad_boolean",
    "future_date": "date_in_future",
    "negative": "out_of_range",
    "out_of_range": "out_of_range",
    "zero_amount": "zero_amount",
    "missing_required": "missing_value",
    "unknown_label": "unknown_label",
    "duplicate_key": "duplicate_key",
}


@dataclass(frozen=True)
class Flaw:
    """One planted flaw: where it is (file, sheet, spreadsheet row) and what it is."""

    file: str
    sheet: str | None
    row: int
    kind: str
    column: str
    detail: str
    reason: str = ""  # the quarantine reason expected; empty: KIND_REASON[kind]

    @property
    def quarantined(self) -> bool:
        return self.kind != "orphan"

    @property
    def expected_reason(self) -> str | None:
        """The reason code the loader quarantines the row with (None for an orphan)."""
        if not self.quarantined:
            return None
        return self.reason or KIND_REASON[self.kind]

    def line(self) -> str:
        where = f"{self.file}" + (f" [{self.sheet}]" if self.sheet else "")
        reason = f" → {self.expected_reason}" if self.quarantined else ""
        return f"{where} row {self.row}: {self.kind} ({self.column}) {self.detail}{reason}"


@dataclass(frozen=True)
class WrittenFile:
    """One file written: its name, the sources in it, and its data rows."""

    name: str
    sources: tuple[str, ...]
    rows: int  # data rows, planted flaws included; titles, headers, 合计 and notes excluded
    flaws: int = 0


@dataclass(frozen=True)
class GenerateSummary:
    out_dir: Path
    seed: int
    clean: bool
    schools: int
    active_schools: int
    students: int
    rows: dict[str, int]  # valid rows per source, as generated
    files: tuple[WrittenFile, ...]
    flaws: tuple[Flaw, ...] = field(default=())
    seconds: float = 0.0
    years: str = ""  # the calendar years covered: "2024–2025"
    latest_term: str = ""  # the term `students` counts: "2025-autumn"
    as_of: str = ""  # the last day of the data: "2025-12-31"

    def __str__(self) -> str:
        mode = "clean CSV (UTF-8, canonical headers)" if self.clean else "bureau files"
        lines = [
            f"Wrote {len(self.files)} files ({mode}) to {self.out_dir}",
            f"SYNTHETIC sample data (seed {self.seed}), calibrated on Zhengzhou; no real "
            "school, student or amount. 本数据为合成的示例数据，不是真实数据。",
            f"Schools: {self.schools:,} ({self.active_schools:,} active) in 16 districts; "
            f"students ({self.latest_term}): {self.students:,}",
            f"Years: {self.years}, data as of {self.as_of}",
            "Rows per source: "
            + ", ".join(f"{name} {count:,}" for name, count in self.rows.items()),
        ]
        if self.flaws:
            bad = sum(f.quarantined for f in self.flaws)
            orphans = len(self.flaws) - bad
            lines.append(
                f"Planted: {bad} bad rows to be quarantined and {orphans} orphan rows; "
                "listed in README.txt."
            )
        if self.seconds:
            lines.append(f"Took {self.seconds:.1f} s.")
        return "\n".join(lines)
