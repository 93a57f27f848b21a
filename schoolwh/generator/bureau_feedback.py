"""Bureau files of feedback: satisfaction surveys and the issues ledger with its correction."""

from __future__ import annotations

import numpy as np
import polars as pl

from schoolwh.generator.drafts import BureauFile, Draft, date_text, notes, rows_of, spot, zh
from schoolwh.generator.feedback import LEDGER_DATE
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Sheet, stamp

SURVEY_SPRING_FILE = "2025年春季学期学校午餐满意度调查.csv"
SURVEY_AUTUMN_FILE = "2025年秋季学期学校午餐满意度调查.xlsx"
LEDGER_FILE = "2025年学校食堂问题整改台账.xlsx"
CORRECTION_FILE = "问题整改台账（更正）.xlsx"
SCORES = ("overall", "taste", "portion", "hygiene", "price", "service")


def survey_files(j: Jurisdiction, rng: np.random.Generator) -> list[BureauFile]:
    survey = j.frame("survey")
    spring = survey.filter(pl.col("response_id").str.starts_with("WJ2025C"))
    autumn = survey.filter(pl.col("response_id").str.starts_with("WJ2025Q"))

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
        above=[["2025年春季学期学校午餐满意度调查结果（问卷星导出）"], []],
        below=[[], [f"注：问卷平台导出，共{spring.height}份答卷。"]],
    )
    first = Draft(SURVEY_SPRING_FILE, sheet, None)
    code = spring["school_code"][0] if spring.height else "4101020001"
    planted = [
        ("WJ2025C999001", "0", "家长", "out_of_range", "overall", "总体满意度 0 (scores are 1–5)"),
        ("WJ2025C999002", "6", "学生", "out_of_range", "overall", "总体满意度 6 (scores are 1–5)"),
        ("WJ2025C999003", "5", "祖父母", "unknown_label", "respondent",
         "填写人身份 '祖父母' is not a label"),
    ]  # fmt: skip
    for rid, overall, who, kind, column, detail in planted:
        row = [rid, code, "2025/6/3", who, overall, "5", "4", "5", "4", "5", ""]
        first.plant(spot(rng, sheet.body), row, kind, column, f"{rid}: {detail}")

    frame = autumn.select(
        "response_id", "school_code", "date", zh("respondent", "survey"), *SCORES, "comment"
    )
    header = ["答卷编号", "学校标识码", "日期", "身份", "满意度", "口味", "分量", "卫生", "价格",
              "服务", "备注"]  # fmt: skip
    sheet = Sheet(
        name="秋季",
        header=header,
        body=rows_of(frame),
        above=[["2025年秋季学期学校午餐满意度调查结果"], []],
        below=[[], [f"注：问卷平台导出，共{autumn.height}份答卷。"], ["审核人：韩某"]],
        formats={2: "yyyy/m/d"},
        widths={0: 16, 1: 13, 2: 12, 10: 40},
    )
    second = Draft(SURVEY_AUTUMN_FILE, sheet, sheet.name)
    rid = "WJ2025Q999001"
    code = autumn["school_code"][0] if autumn.height else code
    second.plant(
        spot(rng, sheet.body),
        [rid, code, LEDGER_DATE, "家长", None, 4, 4, 5, 3, 4, None],
        "missing_required",
        "overall",
        f"{rid}: 满意度 empty",
    )
    return [
        BureauFile(SURVEY_SPRING_FILE, [first], stamp(2025, 6, 20), encoding="utf-8-sig"),
        BureauFile(SURVEY_AUTUMN_FILE, [second], stamp(2025, 12, 22), title="满意度调查"),
    ]


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
    """The ledger as compiled on LEDGER_DATE, and its corrected re-issue after year end."""
    ledger = j.issues_ledger.sort("issue_id")
    final = j.issues.sort("issue_id")
    changed = ledger.join(final, on="issue_id", suffix="_final").filter(
        (pl.col("status") != pl.col("status_final"))
        | pl.col("closed_date").ne_missing(pl.col("closed_date_final"))
    )["issue_id"]
    body = _issue_rows(ledger)
    formats = {2: "yyyy/m/d", 6: "yyyy/m/d", 8: "yyyy/m/d"}
    sheet = Sheet(
        name="整改台账",
        header=ISSUE_HEADER,
        body=body,
        above=[
            ["郑州市2025年中小学校食堂食品安全问题整改台账"],
            [f"截至{LEDGER_DATE.year}年{LEDGER_DATE.month}月{LEDGER_DATE.day}日"],
            [],
        ],
        below=notes("蒋某", "沈某"),
        formats=formats,
        widths={0: 20, 1: 13, 2: 12, 6: 12, 8: 12, 9: 36},
    )
    draft = Draft(LEDGER_FILE, sheet, sheet.name)
    # Two closed issues typed wrongly; the correction carries them right.
    unchanged = set(changed.to_list())
    closed = [i for i, r in enumerate(body) if r[7] == "已整改" and r[0] not in unchanged]
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
        )
        fixed.append(row[0])
        row = body[closed[b]]
        row[8] = row[2].replace(day=1) if row[2].day > 1 else row[2].replace(year=2024)
        draft.mark(
            row,
            "row_rule",
            "closed_date",
            f"{row[0]}: 整改完成日期 before 发现日期 (corrected in {CORRECTION_FILE})",
        )
        fixed.append(row[0])
        if row[8] == row[2]:
            raise AssertionError("planted closed_date must precede found_date")
    school = body[0][1] if body else "4101850001"
    draft.plant(
        spot(rng, body),
        [
            "ZG-410185-99001",
            school,
            LEDGER_DATE,
            "四不两直",
            "消防安全",
            "较重",
            LEDGER_DATE,
            "未整改",
            None,
            "灭火器过期",
        ],
        "unknown_label",
        "category",
        "ZG-410185-99001: 问题类别 '消防安全' is not a label",
    )

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

    corrected = final.filter(pl.col("issue_id").is_in([*changed.to_list(), *fixed]))
    fix_sheet = Sheet(
        name="更正",
        header=CORRECTION_HEADER,
        body=_issue_rows(corrected),
        above=[["郑州市2025年中小学校食堂问题整改台账（更正）"], ["截至2025年12月31日"], []],
        below=[
            [],
            [
                "说明：本表更正原台账中整改状态、整改完成日期有误或已变化的问题，其余问题以原台账为准。"
            ],
        ],
        formats=formats,
        widths={0: 20, 1: 13, 2: 12, 6: 12, 8: 12, 9: 36},
    )
    return [
        BureauFile(
            LEDGER_FILE, [draft], stamp(2025, 12, 22), extra_sheets=[summary], title="问题整改台账"
        ),
        BureauFile(
            CORRECTION_FILE,
            [Draft(CORRECTION_FILE, fix_sheet, fix_sheet.name)],
            stamp(2026, 1, 5, 10),
            title="问题整改台账（更正）",
        ),
    ]
