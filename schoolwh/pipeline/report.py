"""What a load tells the person who ran it: progress while it works, a report at the end."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from ingest.outcome import FileOutcome
from schoolwh.core.reasons import REASONS
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.result import EXIT_NOT_PUBLISHED, LoadResult


def _n(x: int) -> str:
    return f"{x:,}"


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: str, keep_newlines: bool = False) -> str:
    """Text safe for a terminal: escape sequences removed, every other control or format
    character shown as an escape (`\\n`), so a file name or a cell cannot move the cursor,
    colour the screen or start a line of its own."""
    text = _ANSI.sub("", str(text))
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def file_line(o: FileOutcome) -> str:
    where, message = clean(o.where), clean(o.message)
    if o.status == "skipped":
        return f"  - {where}: 已导入过，跳过 / skipped: {message}"
    if o.status == "ignored":
        return f"  - {where}: 忽略 / ignored: {message}"
    if o.status == "hidden":
        return f"  - {where}: 隐藏的工作表，未读取 / hidden sheet, not read"
    src = f"{SOURCES[o.source].zh} ({o.source})" if o.source else "?"
    if o.status == "rejected":
        return f"  ✗ {where} → {src}: 拒绝导入 / REJECTED: {message}"
    parts = [f"{_n(o.rows_landed)} 行导入 landed"]
    if o.rows_quarantined:
        reasons = ", ".join(f"{r} {_n(c)}" for r, c in o.reasons.most_common())
        parts.append(f"{_n(o.rows_quarantined)} 行隔离 quarantined ({reasons})")
    if o.structure:
        parts.append(f"结构行已剔除 structure rows dropped: {o.structure_text()}")
    else:
        if o.summary_rows:
            parts.append(f"{_n(o.summary_rows)} 合计行 summary rows dropped")
        if o.note_rows:
            parts.append(f"{_n(o.note_rows)} 备注行 note rows dropped")
    if o.mapping:
        parts.append(f"映射 mapping: {clean(o.mapping)}")
    if o.header_row and o.header_row > 1 and "header on rows" not in o.message:
        parts.append(f"表头在第 {o.header_row} 行 header on row {o.header_row}")
    extra = f" — {message}" if message else ""
    return f"  ✓ {where} → {src}: " + "; ".join(parts) + extra


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
        text = clean(text)  # file names reach the terminal here too
        self.done += advance
        if self._bar is not None:
            self._bar.update(self._task, description=text[:60], advance=advance)
        else:
            print(f"[load] {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def totals(outcomes: list[FileOutcome]) -> dict[str, int]:
    return {
        "loaded": len({o.file_hash for o in outcomes if o.status == "loaded"}),
        "skipped": len({o.file_hash for o in outcomes if o.status == "skipped"}),
        "rejected": len({o.file_hash for o in outcomes if o.status == "rejected"}),
        "landed": sum(o.rows_landed for o in outcomes),
        "quarantined": sum(o.rows_quarantined for o in outcomes),
        "dropped": sum(o.rows_dropped for o in outcomes),
    }


def print_report(result: LoadResult, warehouse: Path, out) -> None:
    p = lambda s="": print(clean(s, keep_newlines=True), file=out)  # noqa: E731
    p("导入报告 / Load report" + (f" — load {result.load_id}" if result.load_id else ""))
    for o in result.outcomes:
        p(file_line(o))
    legend = reason_legend(result.outcomes)
    if legend:
        p("  隔离原因 / quarantine reasons:")
        for line in legend:
            p(line)
    t = totals(result.outcomes)
    p(
        f"合计 / Totals: {t['loaded']} files loaded, {t['skipped']} skipped, "
        f"{t['rejected']} rejected; {t['landed']:,} rows landed, "
        f"{t['quarantined']:,} quarantined, {t['dropped']:,} structure rows (summary, group, "
        "note…) dropped"
    )
    if result.checks:
        failed = [c for c in result.checks if not c.success]
        crit = [c for c in failed if c.severity == "critical"]
        p(
            f"数据质量 / Quality: {len(result.checks)} checks, "
            f"{len(result.checks) - len(failed)} passed, {len(failed) - len(crit)} warnings, "
            f"{len(crit)} critical failures"
        )
        for c in failed[:15]:
            mark = "✗" if c.severity == "critical" else "!"
            p(f"  {mark} [{c.stage}] {c.suite} · {c.check_name}: {c.message}")
        if len(failed) > 15:
            p(f"  … {len(failed) - 15} more in audit.dq_results")
    if result.published:
        as_of = f"；数据截至 {result.as_of} / data as of {result.as_of}" if result.as_of else ""
        p(f"已发布 / Published: {warehouse}{as_of}")
        if result.docs:
            p(f"质量报告 / Quality report: {result.docs}")
    elif result.exit_code == EXIT_NOT_PUBLISHED:
        p(
            "未发布：关键质量检查未通过，仓库保持不变 / NOT published: a critical check failed; "
            f"the warehouse is unchanged. {result.failure}"
        )
    else:
        p("没有新数据，仓库保持不变 / Nothing new: the warehouse is unchanged.")
    if any(o.status == "rejected" for o in result.outcomes):
        p(
            "有文件被拒绝导入，请按上面的说明修改后重新导入 / Some files were rejected: fix them as "
            "described above and load them again."
        )
