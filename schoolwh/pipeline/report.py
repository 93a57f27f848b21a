"""What a load tells the person who ran it: progress while it works, a report at the end."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from expectations.thresholds import MIN_REPORTING_SHARE
from ingest.outcome import FileOutcome
from schoolwh.core.reasons import REASONS
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.result import (
    EXIT_BUSY,
    EXIT_NOT_PUBLISHED,
    EXIT_OK,
    EXIT_REJECTED,
    LoadResult,
)


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


# ---------------------------------------------------------------------------------------
# the load as data (`schoolwh load --summary FILE`: the upload page reads it back) and
# what a clerk reads on the upload page: counts in words, Chinese first, never a path, a
# table name, a check's id or dbt's output
# ---------------------------------------------------------------------------------------
Note = tuple[str, str, str]  # (success / info / warning / error, Chinese, English)


def summary(result: LoadResult) -> dict:
    """The load's outcome as JSON-able data: every file and sheet, and the checks that
    failed."""
    return {
        "load_id": result.load_id,
        "exit_code": result.exit_code,
        "published": result.published,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "failure": result.failure,
        "outcomes": [
            {
                "file_name": o.file_name,
                "file_hash": o.file_hash,
                "sheet": o.sheet,
                "source": o.source,
                "status": o.status,
                "rows_read": o.rows_read,
                "rows_landed": o.rows_landed,
                "rows_quarantined": o.rows_quarantined,
                "summary_rows": o.summary_rows,
                "note_rows": o.note_rows,
                "message": o.message,
                "reasons": dict(o.reasons),
                "structure": o.structure,
            }
            for o in result.outcomes
        ],
        "checks": [
            {
                "stage": c.stage,
                "suite": c.suite,
                "severity": c.severity,
                "message": c.message,
                "unexpected_count": c.unexpected_count,
                "examples": c.unexpected_examples[:20],
            }
            for c in result.checks
            if not c.success
        ],
    }


def write_summary(result: LoadResult, path: Path) -> None:
    from schoolwh.core.atomic import write_bytes

    write_bytes(Path(path), json.dumps(summary(result), ensure_ascii=False, default=str).encode())


def outcomes_of(data: dict) -> list[FileOutcome]:
    """The FileOutcomes of a load's summary."""
    out = []
    for o in data.get("outcomes", []):
        fields = {k: v for k, v in o.items() if k in FileOutcome.__dataclass_fields__}
        fields["reasons"] = Counter(o.get("reasons") or {})
        fields.setdefault("file_hash", "")
        fields.setdefault("file_name", "")
        out.append(FileOutcome(**fields))
    return out


def _split(message: str) -> tuple[str, str]:
    """A bilingual message (`中文 / English`) as its two halves."""
    zh, sep, en = clean(message).partition(" / ")
    zh, en = zh.strip(), en.strip()
    return (zh, en) if sep else (zh, zh)


def _n_zh(x: int) -> str:
    return f"{x:,}"


def clerk_file_notes(outcomes: list[FileOutcome], *, loaded: bool) -> list[Note]:
    """What became (`loaded`) or would become of one uploaded file, a note per sheet:
    `可导入 8 行；2 行需修改`. The template's 填报说明 sheet is not mentioned; rows a
    template pre-filled and nobody filled in are counted as skipped, never as problems."""
    from ingest.batches import GUIDE_SHEET, REJECT_SHARE

    shown = [
        o
        for o in outcomes
        if not (o.status == "ignored" and (o.sheet or "").strip() == GUIDE_SHEET)
    ]
    sheets = sum(1 for o in shown if o.sheet)
    notes: list[Note] = []
    for o in shown:
        name = clean(o.sheet or "")
        at_zh = f"工作表「{name}」：" if o.sheet and sheets > 1 else ""
        at_en = f"Sheet {name!r}: " if o.sheet and sheets > 1 else ""
        if o.status == "hidden":
            notes.append(
                (
                    "info",
                    f"工作表「{name}」已隐藏，未读取。",
                    f"Sheet {name!r} is hidden: not read.",
                )
            )
            continue
        if o.status == "ignored":
            zh, en = _split(o.message)
            notes.append(
                (
                    "info",
                    f"工作表「{name}」不是可导入的数据，未读取（{zh}）。",
                    f"Sheet {name!r} holds no data to load: not read ({en}).",
                )
            )
            continue
        if o.status == "skipped":
            notes.append(
                (
                    "info",
                    f"{at_zh}这个文件以前已导入过，不再重复导入。",
                    f"{at_en}this file was loaded before: it is not loaded again.",
                )
            )
            continue
        bad = o.rows_quarantined
        if o.status == "rejected":
            if o.rows_read and bad > REJECT_SHARE * o.rows_read:
                notes.append(
                    (
                        "error",
                        f"{at_zh}{_n_zh(o.rows_read)} 行中有 {_n_zh(bad)} 行需修改，超过 20%，"
                        "整个文件不导入 — 请下载问题行，修改后重新上传。",
                        f"{at_en}{bad:,} of {o.rows_read:,} rows need fixing, more than 20 %: "
                        "nothing of the file is loaded — download the problem rows, fix them "
                        "and upload them again.",
                    )
                )
            else:
                zh, en = _split(o.message)
                notes.append(("error", f"{at_zh}无法导入：{zh}", f"{at_en}cannot be loaded: {en}"))
            continue
        verb_zh, verb_en = ("已导入", "loaded") if loaded else ("可导入", "can be loaded")
        zh = [f"{verb_zh} {_n_zh(o.rows_landed)} 行"]
        en = [f"{o.rows_landed:,} rows {verb_en}"]
        if bad:
            zh.append(f"{_n_zh(bad)} 行需修改 — 下载问题行")
            en.append(f"{bad:,} rows need fixing — download the problem rows")
        outside = o.reasons.get("out_of_scope", 0)
        if outside:
            zh.append(f"其中 {_n_zh(outside)} 行不属于本账号负责的区县，不导入")
            en.append(f"{outside:,} of them are outside this account's districts: not loaded")
        unfilled = len(o.structure.get("unfilled", []))
        if unfilled:
            zh.append(f"{_n_zh(unfilled)} 所学校未填写，已跳过（不算错误）")
            en.append(f"{unfilled:,} schools left blank: skipped (not a problem)")
        other = (
            sum(len(v) for k, v in o.structure.items() if k != "unfilled")
            if o.structure
            else o.rows_dropped
        )
        if other:
            zh.append(f"{_n_zh(other)} 行合计、备注等非数据行已跳过")
            en.append(f"{other:,} total, note or heading rows skipped")
        level = "warning" if bad else "success"
        notes.append((level, at_zh + "；".join(zh) + "。", at_en + "; ".join(en) + "."))
    return notes


def _description(message: str) -> tuple[str, str]:
    """A check's description without its result (`… — 未通过 / failed: …`)."""
    what = str(message or "").partition(" — ")[0]
    return _split(what)


def _reporting_notes(check: dict) -> list[Note]:
    """The reporting-share warning explained: normal for a correction or a late report."""
    share = f"{MIN_REPORTING_SHARE:.0%}"
    notes: list[Note] = []
    for ex in check.get("examples") or [{}]:
        name = clean(str(ex.get("district_name") or ex.get("district_code") or ""))
        got, of = ex.get("schools_reporting"), ex.get("lunch_serving_schools")
        count_zh = (
            f"{name} {got} / {of} 所供餐学校" if got is not None and of else f"{name}部分学校"
        )
        count_en = (
            f"{got} of {of} lunch-serving schools of {name}"
            if got is not None and of
            else (f"some schools of {name}")
        )
        notes.append(
            (
                "info",
                f"本次上报了{count_zh}的数据（不到 {share}）。补报或更正部分学校时这是正常的，"
                "可以忽略；如果这是全区当天的日报，请检查是否有学校漏报。",
                f"This upload holds {count_en} (under {share}). That is normal for a "
                "correction or a late report and can be ignored; if it is the whole "
                "district's daily report, check whether schools are missing.",
            )
        )
    return notes


def _zh_date(iso: str) -> str:
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return clean(str(iso))
    return f"{d.year}年{d.month}月{d.day}日"


def clerk_load_notes(data: dict) -> list[Note]:
    """A finished upload in a clerk's words: published or not, the rows loaded, and the
    checks about the uploaded rows (a warehouse-wide check is the bureau's, not shown)."""
    from expectations.suites_raw import REPORTING_SUITE

    code = data.get("exit_code")
    outcomes = outcomes_of(data)
    landed = sum(o.rows_landed for o in outcomes)
    checks = data.get("checks") or []
    own = [c for c in checks if c.get("stage") == "batch"]
    notes: list[Note] = []
    if code == EXIT_BUSY:
        return [
            (
                "error",
                "另一批数据正在导入，等待超时，本次没有导入。请稍后重新提交。",
                "Another load held the warehouse for too long: nothing was loaded. Submit again "
                "later.",
            )
        ]
    if data.get("published"):
        as_of = data.get("as_of")
        day = _zh_date(as_of) if as_of else None
        notes.append(
            (
                "success",
                f"已发布：本次共导入 {_n_zh(landed)} 行"
                + (f"，数据截至 {day}" if day else "")
                + "。",
                f"Published: {landed:,} rows loaded"
                + (f", data as of {as_of}" if as_of else "")
                + ".",
            )
        )
    elif code == EXIT_NOT_PUBLISHED:
        blocking = [c for c in own if c.get("severity") == "critical"]
        why_zh = "；".join(dict.fromkeys(_description(c["message"])[0] for c in blocking))
        why_en = "; ".join(dict.fromkeys(_description(c["message"])[1] for c in blocking))
        notes.append(
            (
                "error",
                "未发布：数据质量检查未通过，已有数据保持不变。"
                + (f"原因：{why_zh}。" if why_zh else "")
                + "请联系市局数据管理员。",
                "Not published: a quality check failed; the published data is unchanged. "
                + (f"Why: {why_en}. " if why_en else "")
                + "Please contact the bureau's data administrator.",
            )
        )
    elif code not in (EXIT_OK, EXIT_REJECTED):
        notes.append(
            (
                "error",
                "导入没有完成，已有数据保持不变。请联系市局数据管理员。",
                "The load did not finish; the published data is unchanged. Please contact the "
                "bureau's data administrator.",
            )
        )
    elif outcomes and all(o.status in ("skipped", "ignored", "hidden") for o in outcomes):
        notes.append(
            (
                "info",
                "没有新数据：这些文件以前都已导入过。",
                "Nothing new: these files were loaded before.",
            )
        )
    for c in own:
        if c.get("severity") == "critical":
            continue  # said above
        if c.get("suite") == REPORTING_SUITE:
            notes.extend(_reporting_notes(c))
            continue
        zh, en = _description(c.get("message", ""))
        n = c.get("unexpected_count")
        notes.append(
            (
                "warning",
                f"请核对：{zh}" + (f"（{_n_zh(n)} 行）" if n else "") + "。",
                f"Please check: {en}" + (f" ({n:,} rows)" if n else "") + ".",
            )
        )
    return notes
