"""Bureau files of feedback: a satisfaction survey per term, an issues ledger per year and
the correction of the ledgers (planted flaws in the latest year's files only)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from schoolwh.generator.calendar import DATA_END, TERMS, YEAR, YEARS, Term
from schoolwh.generator.drafts import BureauFile, Draft, date_text, notes, rows_of, spot, zh
from schoolwh.generator.feedback import ledger_date, response_prefix
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Sheet, stamp

CORRECTION_FILE = "问题整改台账（更正）.xlsx"
SCORES = ("overall", "taste", "portion", "hygiene", "price", "service")


def survey_file_name(term: Term) -> str:
    """Spring surveys come as UTF-8 CSV (with BOM), autumn ones as XLSX."""
    return f"{term.zh}学校午餐满意度调查" + (".csv" if term.season == "spring" else ".xlsx")


def ledger_file_name(year: int) -> str:
    return f"{year}年学校食堂问题整改台账.xlsx"


def file_names() -> tuple[str, ...]:
    return (
        *(survey_file_name(t) for t in TERMS),
        *(ledger_file_name(y) for y in YEARS),
        CORRECTION_FILE,
    )


def survey_files(j: Jurisdiction, rng: np.random.Generator) -> list[BureauFile]:
    """One file per term, spring and autumn in their own forms."""
    survey = j.frame("survey")
    files = []
    for term in TERMS:
        rows = survey.filter(pl.col("response_id").str.starts_with(response_prefix(term)))
        make = _spring_survey if term.season == "spring" else _autumn_survey
        files.append(make(rows, rng, term, plant=term.year == YEAR))
    return files


def _spring_survey(spring: pl.DataFrame, rng, term: Term, plant: bool) -> BureauFile:
    name = survey_file_name(term)
    frame = spring.select(
        "response_id",
        "school_code",
        date_text("date", "slash"),
        zh("respondent", "survey"),
        *[pl.col(c).cast(pl.String).fill_null("") for c in SCORES],
        pl.col("comment").fill_null(""),
    )
    header = ["问卷编号", "学校代码", "填写日期", "填写人身份", "总体满意度", "口味", "分量",
              "卫生", "价格", "服务", "意见建议"]  # fmt: skip
    sheet = Sheet(
        name="春季",
        header=header,
        body=rows_of(frame),
        above=[[f"{term.zh}学校午餐满意度调查结果（问卷星导出）"], []],
        below=[[], [f"注：问卷平台导出，共{spring.height}份答卷。"]],
    )
    first = Draft(name, sheet, None)
    if plant:
        code = spring["school_code"][0] if spring.height else "4101020001"
        prefix = response_prefix(term)
        planted = [
            ("999001", "0", "家长", "out_of_range", "overall", "总体满意度 0 (scores are 1–5)"),
            ("999002", "6", "学生", "out_of_range", "overall", "总体满意度 6 (scores are 1–5)"),
            ("999003", "5", "祖父母", "unknown_label", "respondent",
             "填写人身份 '祖父母' is not a label"),
        ]  # fmt: skip
        for seq, overall, who, kind, column, detail in planted:
            rid = prefix + seq
            row = [rid, code, f"{term.year}/6/3", who, overall, "5", "4", "5", "4", "5", ""]
            first.plant(spot(rng, sheet.body), row, kind, column, f"{rid}: {detail}")
    return BureauFile(name, [first], stamp(term.year, 6, 20), encoding="utf-8-sig")


def _autumn_survey(autumn: pl.DataFrame, rng, term: Term, plant: bool) -> BureauFile:
    name = survey_file_name(term)
    frame = autumn.select(
        "response_id", "school_code", "date", zh("respondent", "survey"), *SCORES, "comment"
    )
    header = ["答卷编号", "学校标识码", "日期", "身份", "满意度", "口味", "分量", "卫生", "价格",
              "服务", "备注"]  # fmt: skip
    sheet = Sheet(
        name="秋季",
        header=header,
        body=rows_of(frame),
        above=[[f"{term.zh}学校午餐满意度调查结果"], []],
        below=[[], [f"注：问卷平台导出，共{autumn.height}份答卷。"], ["审核人：韩某"]],
        formats={2: "yyyy/m/d"},
        widths={0: 16, 1: 13, 2: 12, 10: 40},
    )
    second = Draft(name, sheet, sheet.name)
    if plant:
        rid = response_prefix(term) + "999001"
        code = autumn["school_code"][0] if autumn.height else "4101020001"
        second.plant(
            spot(rng, sheet.body),
            [rid, code, ledger_date(term.year), "家长", None, 4, 4, 5, 3, 4, None],
            "missing_required",
            "overall",
            f"{rid}: 满意度 empty",
        )
    return BureauFile(name, [second], stamp(term.year, 12, 22), title="满意度调查")


ISSUE_HEADER = ["问题编号", "学校代码", "发现日期", "问题来源", "问题类别", "严重程度", "整改期限",
                "整改状态", "整改完成日期", "问题描述"]  # fmt: skip
CORRECTION_HEADER = ["问题编号", "学校标识码", "发现日期", "发现方式", "类别", "严重程度",
                     "整改期限", "状态", "整改完成日期", "问题描述"]  # fmt: skip


def _issue_rows(frame: pl.DataFrame) -> list[list]:
    return rows_of(
        frame.select(
            "issue_id",
            "school_code",
            "found_date",
            zh("source", "issues"),
            zh("category", "issues"),
            zh("severity", "issues"),
            "deadline",
            zh("status", "issues"),
            "closed_date",
            "description",
        )
    )


def issue_files(j: Jurisdiction, rng: np.random.Generator) -> list[BureauFile]:
    """Each year's ledger as compiled on its day, then the corrected re-issue after the
    last year's end: every issue whose final state differs from the latest ledger that
    lists it, and the latest ledger's rows typed wrongly."""
    final = j.issues.sort("issue_id")
    listed = pl.concat([j.issues_ledgers[y] for y in YEARS]).unique(
        "issue_id", keep="last", maintain_order=True
    )
    changed = listed.join(final, on="issue_id", suffix="_final").filter(
        (pl.col("status") != pl.col("status_final"))
        | pl.col("closed_date").ne_missing(pl.col("closed_date_final"))
    )["issue_id"]
    files, fixed = [], []
    for year in YEARS:
        ledger = j.issues_ledgers[year].sort("issue_id")
        file, typed_wrong = _ledger_file(j, rng, year, ledger, set(changed.to_list()))
        files.append(file)
        fixed += typed_wrong

    corrected = final.filter(pl.col("issue_id").is_in([*changed.to_list(), *fixed]))
    fix_sheet = Sheet(
        name="更正",
        header=CORRECTION_HEADER,
        body=_issue_rows(corrected),
        above=[
            [f"郑州市{YEARS[0]}—{YEAR}年中小学校食堂问题整改台账（更正）"],
            [f"截至{DATA_END.year}年{DATA_END.month}月{DATA_END.day}日"],
            [],
        ],
        below=[
            [],
            [
                "说明：本表更正原台账中整改状态、整改完成日期有误或已变化的问题，其余问题以原台账为准。"
            ],
        ],
        formats=FORMATS,
        widths=WIDTHS,
    )
    files.append(
        BureauFile(
            CORRECTION_FILE,
            [Draft(CORRECTION_FILE, fix_sheet, fix_sheet.name)],
            stamp(DATA_END.year + 1, 1, 5, 10),
            title="问题整改台账（更正）",
        )
    )
    return files


FORMATS = {2: "yyyy/m/d", 6: "yyyy/m/d", 8: "yyyy/m/d"}
WIDTHS = {0: 20, 1: 13, 2: 12, 6: 12, 8: 12, 9: 36}


def _ledger_file(
    j: Jurisdiction, rng: np.random.Generator, year: int, ledger: pl.DataFrame, changed: set
) -> tuple[BureauFile, list[str]]:
    """A year's ledger (the issues found that year and those carried over still open), and
    the ids of rows typed wrongly in it (latest year only)."""
    name = ledger_file_name(year)
    compiled = ledger_date(year)
    body = _issue_rows(ledger)
    sheet = Sheet(
        name="整改台账",
        header=ISSUE_HEADER,
        body=body,
        above=[
            [f"郑州市{year}年中小学校食堂食品安全问题整改台账"],
            [f"截至{compiled.year}年{compiled.month}月{compiled.day}日"],
            [],
        ],
        below=notes("蒋某", "沈某"),
        formats=FORMATS,
        widths=WIDTHS,
    )
    draft = Draft(name, sheet, sheet.name)
    fixed: list[str] = []
    if year == YEAR:
        fixed = _plant_ledger(draft, rng, compiled, changed)

    stats = (
        ledger.join(j.schools.select("school_code", "district_code"), on="school_code")
        .join(j.districts.select("district_code", "district_name"), on="district_code")
        .group_by("district_name", maintain_order=True)
        .agg(
            pl.len().alias("n"),
            (pl.col("status") == "closed").sum().alias("closed"),
            (pl.col("status") == "in_progress").sum().alias("doing"),
            (pl.col("status") == "open").sum().alias("open"),
        )
        .sort("district_name")
    )
    summary = Sheet(
        name="统计",
        header=["区县", "问题数", "已整改", "整改中", "未整改"],
        body=rows_of(stats),
        above=[["各区县问题整改情况统计"]],
    )
    when = stamp(compiled.year, 12, compiled.day + 3)
    file = BureauFile(name, [draft], when, extra_sheets=[summary], title="问题整改台账")
    return file, fixed


def _plant_ledger(draft: Draft, rng: np.random.Generator, compiled, changed: set) -> list[str]:
    """Two closed issues typed wrongly (the correction carries them right), and a row with
    an unknown category."""
    body = draft.sheet.body
    closed = [i for i, r in enumerate(body) if r[7] == "已整改" and r[0] not in changed]
    fixed: list[str] = []
    if len(closed) >= 2 and draft.room(2):
        a, b = (int(x) for x in rng.choice(len(closed), size=2, replace=False))
        row = body[closed[a]]
        row[8] = None
        draft.mark(
            row,
            "row_rule",
            "closed_date",
            f"{row[0]}: 已整改 without 整改完成日期 (corrected in {CORRECTION_FILE})",
            "closed_date_missing",
        )
        fixed.append(row[0])
        row = body[closed[b]]
        row[8] = row[2].replace(day=1) if row[2].day > 1 else row[2] - timedelta(days=1)
        draft.mark(
            row,
            "row_rule",
            "closed_date",
            f"{row[0]}: 整改完成日期 before 发现日期 (corrected in {CORRECTION_FILE})",
            "closed_before_found",
        )
        fixed.append(row[0])
        if row[8] >= row[2]:
            raise AssertionError("planted closed_date must precede found_date")
    school = body[0][1] if body else "4101850001"
    draft.plant(
        spot(rng, body),
        [
            "ZG-410185-99001",
            school,
            compiled,
            "四不两直",
            "消防安全",
            "较重",
            compiled,
            "未整改",
            None,
            "灭火器过期",
        ],
        "unknown_label",
        "category",
        "ZG-410185-99001: 问题类别 '消防安全' is not a label",
    )
    return fixed
