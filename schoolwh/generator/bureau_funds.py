"""Bureau files of money, per year: allocations (in 万元 and in 元) and spending vouchers
(planted flaws in the latest year's files only)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from schoolwh.generator.calendar import YEAR, YEARS
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
from schoolwh.generator.finance import documents
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Sheet, stamp


def budget_file_name(year: int) -> str:
    return f"{year}年学校午餐及课后服务资金下达情况表.xlsx"


def supplement_file_name(year: int) -> str:
    return f"{year}年第二批课后服务资金下达明细.csv"


def spending_file_names(year: int) -> tuple[str, str]:
    return f"{year}年1-6月资金支出明细.csv", f"{year}年7-12月资金支出明细.xlsx"


def file_names() -> tuple[str, ...]:
    return tuple(
        name
        for y in YEARS
        for name in (budget_file_name(y), supplement_file_name(y), *spending_file_names(y))
    )


def _is_supplement(year: int) -> pl.Expr:
    return pl.col("budget_id").str.starts_with(documents(year).after_school_2[0])


def _of_year(j: Jurisdiction, year: int) -> pl.DataFrame:
    return j.frame("budget").filter(pl.col("fiscal_year") == year)


def budget_file(j: Jurisdiction, rng: np.random.Generator, year: int) -> BureauFile:
    """A year's allocations in 万元, except the second after-school batch."""
    name = budget_file_name(year)
    lines = by_district(_of_year(j, year).filter(~_is_supplement(year)), "budget_id")
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
        above=[
            [f"郑州市{year}年学校午餐、营养改善计划及课后服务资金下达情况表"],
            ["单位：万元"],
            [],
        ],
        below=[["合计", None, None, None, None, None, None, total], *notes("郑某", "冯某")],
        formats={7: "#,##0.00"},
        widths={1: 24, 4: 13, 7: 14, 8: 16},
    )
    draft = Draft(name, sheet, sheet.name)
    when = stamp(year, 10, 15)
    if year != YEAR:
        draft.number_rows()
        return BureauFile(name, [draft], when, title="资金下达情况表")
    draft.plant(
        spot(rng, body),
        [0, f"登财教〔{year}〕98号", year, "410185", None, "其他", "县级", 0.0, f"{year}年11月3日"],
        "zero_amount",
        "amount",
        f"登财教〔{year}〕98号: 金额 0",
        "not_positive",  # a budget line must be > 0
    )
    draft.plant(
        spot(rng, body),
        [
            0,
            f"密财教〔{year}〕99号",
            year,
            "410183",
            None,
            "食堂改造",
            "县级",
            35.5,
            f"{year}年11月10日",
        ],
        "unknown_label",
        "program",
        f"密财教〔{year}〕99号: 资金项目 '食堂改造' is not a label",
    )
    draft.number_rows()
    return BureauFile(name, [draft], when, title="资金下达情况表")


def supplement_file(j: Jurisdiction, rng: np.random.Generator, year: int) -> BureauFile:
    """A year's second after-school batch, in yuan, as a GBK CSV."""
    name = supplement_file_name(year)
    lines = by_district(_of_year(j, year).filter(_is_supplement(year)), "budget_id")
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
        above=[[f"关于下达{year}年第二批中小学课后服务经费的通知（附件）"], ["单位：元"]],
        below=[
            ["合计", None, None, None, None, None, thousands(lines["amount"].sum(), 2)],
            ["注：资金用于课后服务教师补助。"],
        ],
    )
    draft = Draft(name, sheet, None)
    when = stamp(year, 9, 20)
    if year != YEAR:
        return BureauFile(name, [draft], when, encoding="gbk")
    bad_id = f"{documents(year).after_school_2[0]}-17"
    draft.plant(
        spot(rng, body),
        [bad_id, str(year), "", "", "课后服务", "市级", "500,000.00", f"{year}.9.12"],
        "missing_required",
        "district_code",
        f"{bad_id}: 行政区划代码 empty",
    )
    return BureauFile(name, [draft], when, encoding="gbk")


def spending_files(j: Jurisdiction, rng: np.random.Generator, year: int) -> list[BureauFile]:
    """A year's vouchers: January–June as GBK CSV, July–December as XLSX."""
    h1_name, h2_name = spending_file_names(year)
    vouchers = by_district(j.frame("expenditure"), "date", "expenditure_id")
    used = set(vouchers["expenditure_id"].to_list())
    vouchers = vouchers.filter(pl.col("date").dt.year() == year)
    first = vouchers.filter(pl.col("date") < date(year, 7, 1))
    second = vouchers.filter(pl.col("date") >= date(year, 7, 1))
    plant = year == YEAR

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
        above=[[f"郑州市{year}年1-6月学校午餐及课后服务资金支出明细"], ["单位：元"], []],
        below=[
            ["合计", None, None, None, None, None, thousands(first["amount"].sum(), 2)],
            *notes("陈某", "褚某"),
        ],
    )
    h1 = Draft(h1_name, sheet, None)
    if plant:
        zero_id = _fresh_voucher(used, "410122", f"{year}06")
        h1.plant(
            spot(rng, body),
            [zero_id, f"{year}/6/27", "410122", "", "课后服务", "人员", "0.00"],
            "zero_amount",
            "amount",
            f"{zero_id}: 支出金额 0.00",
        )
        label_id = _fresh_voucher(used, "410181", f"{year}05")
        h1.plant(
            spot(rng, body),
            [label_id, f"{year}/5/20", "410181", "", "午餐补助", "伙食费", "12,800.00"],
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
        above=[[f"郑州市{year}年7-12月学校午餐及课后服务资金支出明细"], []],
        below=[
            ["合计", None, None, None, None, None, round(float(second["amount"].sum()), 2)],
            *notes("陈某", "褚某"),
        ],
        formats={1: "yyyy-mm-dd", 6: "#,##0.00"},
        widths={0: 22, 1: 12, 3: 13, 6: 16},
    )
    h2 = Draft(h2_name, sheet, sheet.name)
    if plant:
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
        BureauFile(h1_name, [h1], stamp(year, 7, 15), encoding="gbk"),
        BureauFile(h2_name, [h2], stamp(year + 1, 1, 4, 10), title="资金支出明细"),
    ]


def _fresh_voucher(used: set[str], district: str, month: str) -> str:
    for seq in range(9999, 0, -1):
        code = f"{district}记{month}{seq:04d}"
        if code not in used:
            used.add(code)
            return code
    raise RuntimeError("no free voucher number")
