"""Bureau files of money: allocations (in 万元 and in 元) and spending vouchers."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from schoolwh.generator.drafts import (
    BureauFile,
    Draft,
    by_district,
    date_text,
    notes,
    rows_of,
    spot,
    thousands,
    zh,
)
from schoolwh.generator.finance import MUNICIPAL_AFTER_SCHOOL_2
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Sheet, stamp

BUDGET_FILE = "2025年学校午餐及课后服务资金下达情况表.xlsx"
SUPPLEMENT_FILE = "2025年第二批课后服务资金下达明细.csv"
SPENDING_H1_FILE = "2025年1-6月资金支出明细.csv"
SPENDING_H2_FILE = "2025年7-12月资金支出明细.xlsx"


def _is_supplement() -> pl.Expr:
    return pl.col("budget_id").str.starts_with(MUNICIPAL_AFTER_SCHOOL_2[0])


def budget_file(j: Jurisdiction, rng: np.random.Generator) -> BureauFile:
    """The year's allocations in 万元, except the second after-school batch."""
    lines = by_district(j.frame("budget").filter(~_is_supplement()), "budget_id")
    frame = lines.select(
        pl.lit(0).alias("seq"),
        "budget_id",
        "fiscal_year",
        "district_code",
        "school_code",
        zh("program", "budget"),
        zh("funding_source", "budget"),
        (pl.col("amount") / 10_000).round(2),
        date_text("allocated_date", "zh"),
    )
    body = rows_of(frame)
    header = ["序号", "指标文号", "预算年度", "区县代码", "学校代码", "资金项目", "资金来源",
              "金额（万元）", "下达日期"]  # fmt: skip
    total = round(float(lines["amount"].sum()) / 10_000, 2)
    sheet = Sheet(
        name="资金下达",
        header=header,
        body=body,
        above=[["郑州市2025年学校午餐、营养改善计划及课后服务资金下达情况表"], ["单位：万元"], []],
        below=[["合计", None, None, None, None, None, None, total], *notes("郑某", "冯某")],
        formats={7: "#,##0.00"},
        widths={1: 24, 4: 13, 7: 14, 8: 16},
    )
    draft = Draft(BUDGET_FILE, sheet, sheet.name)
    draft.plant(
        spot(rng, body),
        [0, "登财教〔2025〕98号", 2025, "410185", None, "其他", "县级", 0.0, "2025年11月3日"],
        "zero_amount",
        "amount",
        "登财教〔2025〕98号: 金额 0",
    )
    draft.plant(
        spot(rng, body),
        [0, "密财教〔2025〕99号", 2025, "410183", None, "食堂改造", "县级", 35.5, "2025年11月10日"],
        "unknown_label",
        "program",
        "密财教〔2025〕99号: 资金项目 '食堂改造' is not a label",
    )
    draft.number_rows()
    return BureauFile(BUDGET_FILE, [draft], stamp(2025, 10, 15), title="资金下达情况表")


def supplement_file(j: Jurisdiction, rng: np.random.Generator) -> BureauFile:
    """The second after-school batch, in yuan, as a GBK CSV."""
    lines = by_district(j.frame("budget").filter(_is_supplement()), "budget_id")
    frame = lines.select(
        "budget_id",
        pl.col("fiscal_year").cast(pl.String),
        "district_code",
        pl.col("school_code").fill_null(""),
        zh("program", "budget"),
        zh("funding_source", "budget"),
        "amount",
        date_text("allocated_date", "dot"),
    )
    body = rows_of(frame)
    for row in body:
        row[6] = thousands(row[6], 2)
    header = ["文号", "年度", "行政区划代码", "学校标识码", "项目", "资金来源", "下达金额（元）",
              "拨付日期"]  # fmt: skip
    sheet = Sheet(
        name="第二批",
        header=header,
        body=body,
        above=[["关于下达2025年第二批中小学课后服务经费的通知（附件）"], ["单位：元"]],
        below=[
            ["合计", None, None, None, None, None, thousands(lines["amount"].sum(), 2)],
            ["注：资金用于课后服务教师补助。"],
        ],
    )
    draft = Draft(SUPPLEMENT_FILE, sheet, None)
    bad_id = f"{MUNICIPAL_AFTER_SCHOOL_2[0]}-17"
    draft.plant(
        spot(rng, body),
        [bad_id, "2025", "", "", "课后服务", "市级", "500,000.00", "2025.9.12"],
        "missing_required",
        "district_code",
        f"{bad_id}: 行政区划代码 empty",
    )
    return BureauFile(SUPPLEMENT_FILE, [draft], stamp(2025, 9, 20), encoding="gbk")


def spending_files(j: Jurisdiction, rng: np.random.Generator) -> list[BureauFile]:
    vouchers = by_district(j.frame("expenditure"), "date", "expenditure_id")
    used = set(vouchers["expenditure_id"].to_list())
    first = vouchers.filter(pl.col("date") < date(2025, 7, 1))
    second = vouchers.filter(pl.col("date") >= date(2025, 7, 1))

    frame = first.select(
        "expenditure_id",
        date_text("date", "slash"),
        "district_code",
        pl.col("school_code").fill_null(""),
        zh("program", "expenditure"),
        zh("category", "expenditure"),
        "amount",
    )
    body = rows_of(frame)
    for row in body:
        row[6] = thousands(row[6], 2)
    header = ["凭证号", "支出日期", "区县代码", "学校代码", "资金项目", "支出类别",
              "支出金额（元）"]  # fmt: skip
    sheet = Sheet(
        name="1-6月",
        header=header,
        body=body,
        above=[["郑州市2025年1-6月学校午餐及课后服务资金支出明细"], ["单位：元"], []],
        below=[
            ["合计", None, None, None, None, None, thousands(first["amount"].sum(), 2)],
            *notes("陈某", "褚某"),
        ],
    )
    h1 = Draft(SPENDING_H1_FILE, sheet, None)
    zero_id = _fresh_voucher(used, "410122", "202506")
    h1.plant(
        spot(rng, body),
        [zero_id, "2025/6/27", "410122", "", "课后服务", "人员", "0.00"],
        "zero_amount",
        "amount",
        f"{zero_id}: 支出金额 0.00",
    )
    label_id = _fresh_voucher(used, "410181", "202505")
    h1.plant(
        spot(rng, body),
        [label_id, "2025/5/20", "410181", "", "午餐补助", "伙食费", "12,800.00"],
        "unknown_label",
        "category",
        f"{label_id}: 支出类别 '伙食费' is not a label",
    )

    frame = second.select(
        "expenditure_id",
        "date",
        "district_code",
        "school_code",
        zh("program", "expenditure"),
        zh("category", "expenditure"),
        "amount",
    )
    body = rows_of(frame)
    header = ["支出编号", "日期", "区域代码", "学校标识码", "项目", "类别", "金额（元）"]
    sheet = Sheet(
        name="支出明细",
        header=header,
        body=body,
        above=[["郑州市2025年7-12月学校午餐及课后服务资金支出明细"], []],
        below=[
            ["合计", None, None, None, None, None, round(float(second["amount"].sum()), 2)],
            *notes("陈某", "褚某"),
        ],
        formats={1: "yyyy-mm-dd", 6: "#,##0.00"},
        widths={0: 22, 1: 12, 3: 13, 6: 16},
    )
    h2 = Draft(SPENDING_H2_FILE, sheet, sheet.name)
    k = int(rng.integers(len(body) // 4, len(body)))
    stale = list(body[k])
    stale[6] = round(float(stale[6]) * 1.1, 2)
    h2.plant(
        int(rng.integers(0, k)),
        stale,
        "duplicate_key",
        "expenditure_id",
        f"{stale[0]} twice; the earlier row has the amount before correction",
    )
    return [
        BureauFile(SPENDING_H1_FILE, [h1], stamp(2025, 7, 15), encoding="gbk"),
        BureauFile(SPENDING_H2_FILE, [h2], stamp(2026, 1, 4, 10), title="资金支出明细"),
    ]


def _fresh_voucher(used: set[str], district: str, month: str) -> str:
    for seq in range(9999, 0, -1):
        code = f"{district}记{month}{seq:04d}"
        if code not in used:
            used.add(code)
            return code
    raise RuntimeError("no free voucher number")
