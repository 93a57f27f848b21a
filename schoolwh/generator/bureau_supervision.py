"""Bureau files of supervision (监管): 陪餐记录, 食谱, 明厨亮灶 and 食材配送 per term; 食堂检查
(a CSV of the frequent checks and a workbook of the others), the supplier registry and
training per year; planted flaws in the latest year's files only.

The daily sources are large, so most come as CSV exports of the platforms they are kept
in (a title line, a 合计 row and notes around them); the smaller ones as workbooks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from schoolwh.generator.calendar import DATA_END, TERMS, YEAR, YEARS, Term
from schoolwh.generator.drafts import (
    DISTRICT_ORDER,
    BureauFile,
    Draft,
    FreshCodes,
    by_district,
    notes,
    rows_of,
    spot,
    zh,
)
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Cell, Sheet, stamp

DATE_FORMS = {"iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "zh": "%Y年%-m月%-d日"}


@dataclass(frozen=True)
class Form:
    """How one term's file of a daily source is written."""

    header: tuple[str, ...]
    encoding: str | None  # CSV encoding; None = XLSX
    dates: str  # a DATE_FORMS key (CSV) or "cell" (XLSX)
    yes: str = "是"
    no: str = "否"


COMPANION_FORMS = {
    "spring": Form(("序号", "记录编号", "学校代码", "陪餐日期", "陪餐人员类别", "陪餐人",
                    "陪餐人数", "评价", "意见建议"), "gbk", "slash"),
    "autumn": Form(("陪餐编号", "学校标识码", "日期", "陪餐人身份", "姓名", "陪餐人数（人）",
                    "满意度", "发现问题"), "utf-8-sig", "iso"),
}  # fmt: skip
MENU_FORMS = {
    "spring": Form(("学校代码", "供餐日期", "菜品名称", "菜品数", "荤菜数", "水果", "主食",
                    "每餐价格（元）", "公示日期"), "utf-8-sig", "iso"),
    "autumn": Form(("学校标识码", "日期", "菜单", "菜数", "荤菜数", "是否有水果", "是否有主食",
                    "餐费（元）", "公示日期"), "gbk", "zh", "有", "无"),
}  # fmt: skip
CAMERA_FORMS = {
    "spring": Form(("学校代码", "统计日期", "摄像头数", "在线数"), "gbk", "slash"),
    "autumn": Form(("学校标识码", "日期", "接入路数", "在线路数"), "utf-8", "iso"),
}
DELIVERY_FORMS = {
    "spring": Form(("序号", "配送单号", "学校代码", "配送日期", "统一社会信用代码", "食材类别",
                    "是否统一配送", "金额（元）", "双人查验"), "utf-8-sig", "zh"),
    "autumn": Form(("验收单号", "学校标识码", "验收日期", "供应商编号", "品类", "统一配送",
                    "配送金额（元）", "是否查验"), "gbk", "slash"),
}  # fmt: skip
CHECK_HEADER = ["检查编号", "学校代码", "检查日期", "检查类型", "检查结果", "得分", "检查人"]
SUPPLIER_HEADERS = {
    "odd": ["序号", "统一社会信用代码", "企业名称", "区县代码", "体系认证", "准入日期", "清退日期"],
    "even": ["序号", "供应商编号", "供应商名称", "区县代码", "是否通过HACCP或ISO22000认证",
             "入围日期", "退出日期"],
}  # fmt: skip
TRAINING_HEADER = ["序号", "培训编号", "培训日期", "区县代码", "培训对象", "培训人次", "培训内容"]
# A menu typed with a wrong year, far past the load date (+14 days) the window allows.
FUTURE_YEAR = 2052


def companion_file_name(term: Term) -> str:
    return f"{term.zh}陪餐记录汇总表.csv"


def menu_file_name(term: Term) -> str:
    return f"{term.zh}每日食谱公示汇总表.csv"


def camera_file_name(term: Term) -> str:
    return f"明厨亮灶设备在线情况（{term.zh}）.csv"


def delivery_file_name(term: Term) -> str:
    return f"{term.zh}食材配送验收台账.csv"


def frequent_check_file_name(year: int) -> str:
    return f"{year}年食堂周排查及日管控记录.csv"


def check_file_name(year: int) -> str:
    return f"{year}年食堂月调度及标准化验收记录.xlsx"


def supplier_file_name(year: int) -> str:
    return f"{year}年大宗食材配送企业名录.xlsx"


def training_file_name(year: int) -> str:
    return f"{year}年食品安全与营养健康培训记录.xlsx"


def file_names() -> tuple[str, ...]:
    per_term = (companion_file_name, menu_file_name, camera_file_name, delivery_file_name)
    per_year = (frequent_check_file_name, check_file_name, supplier_file_name, training_file_name)
    return (
        *(f(t) for t in TERMS for f in per_term),
        *(f(y) for y in YEARS for f in per_year),
    )


def _term_of(frame: pl.DataFrame, term: Term, column: str = "date") -> pl.DataFrame:
    """Rows dated in a term's span (spring: from 1 February; autumn: to its end)."""
    first = term.first_day.replace(day=1) if term.season == "autumn" else date(term.year, 2, 1)
    last = term.end if term.season == "autumn" else date(term.year, 8, 31)
    if term is TERMS[-1]:
        last = date(9999, 12, 31)  # the menus published ahead
    return frame.filter(pl.col(column).is_between(first, last))


def _when(term: Term):
    """A term file's time: a few days after its last data."""
    last = min(term.last_day, DATA_END)
    day = last + timedelta(days=4)
    return stamp(day.year, day.month, day.day)


def _dates(column: str, form: Form) -> pl.Expr:
    if form.dates == "cell":
        return pl.col(column)
    return pl.col(column).dt.strftime(DATE_FORMS[form.dates])


def _flag(column: str, form: Form) -> pl.Expr:
    return (
        pl.when(pl.col(column))
        .then(pl.lit(form.yes))
        .when(pl.col(column).not_())
        .then(pl.lit(form.no))
        .alias(column)
    )


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String)


def _cell(day: date, form: Form) -> Cell:
    return day if form.dates == "cell" else day.strftime(DATE_FORMS[form.dates])


def _footer(filler: str, reviewer: str, note: str) -> list[list[Cell]]:
    return [[], [f"注：{note}"], [f"填报人：{filler}", None, f"审核人：{reviewer}"]]


def _csv_file(
    name: str, title: str, form: Form, body: list, total: list, when, note: str
) -> tuple[BureauFile, Draft]:
    sheet = Sheet(
        name="Sheet1",
        header=list(form.header),
        body=body,
        above=[[title], []],
        below=[total, *_footer("数据平台导出", "吴某", note)],
    )
    draft = Draft(name, sheet, None)
    return BureauFile(name, [draft], when, encoding=form.encoding, title=title), draft


# --------------------------------------------------------------------- 陪餐


def companion_files(j: Jurisdiction, rng: np.random.Generator, orphan: str) -> Iterator[BureauFile]:
    for term in TERMS:
        form = COMPANION_FORMS[term.season]
        rows = _term_of(j.frame("meal_companions"), term).sort("date", "school_code", "record_id")
        numbered = form.header[0] == "序号"
        frame = rows.select(
            *([pl.lit("").alias("seq")] if numbered else []),
            "record_id",
            "school_code",
            _dates("date", form),
            zh("role", "meal_companions"),
            "companion_name",
            _text("people"),
            _text("rating"),
            "feedback",
        )
        body = rows_of(frame)
        people = int(rows["people"].fill_null(1).sum())
        total = ["合计"] + [None] * (len(form.header) - 4) + [str(people), None, None]
        title = f"郑州市{term.zh}中小学校陪餐记录汇总表"
        file, draft = _csv_file(
            companion_file_name(term),
            title,
            form,
            body,
            total,
            _when(term),
            "陪餐人数为空的按1人计；评价为1-5分。",
        )
        if term.year == YEAR:
            _plant_companions(draft, rng, form, rows, orphan, term)
        if numbered:
            draft.number_rows()
        yield file


def _companion_row(form: Form, rid: str, code: str, day: date, role: str, people, rating):
    row: list[Cell] = [rid, code, _cell(day, form), role, "王某某", people, rating, ""]
    return ["", *row] if form.header[0] == "序号" else row


def _plant_companions(draft: Draft, rng, form: Form, rows: pl.DataFrame, orphan: str, term):
    body = draft.sheet.body
    code, day = rows.row(int(rng.integers(0, rows.height)))[1:3]
    stem = f"PC{day:%Y%m%d}-{code}"
    if term.season == "spring":
        planted = [
            (
                _companion_row(form, f"{stem}-8", code, day, "食堂员工", "1", "5"),
                "unknown_label",
                "role",
                f"{stem}-8: 陪餐人员类别 '食堂员工' is not a label",
            ),
            (
                _companion_row(form, f"{stem}-9", code, day, "家长", "2", "6"),
                "out_of_range",
                "rating",
                f"{stem}-9: 评价 6 (ratings are 1–5)",
            ),
        ]
    else:
        planted = [
            (
                _companion_row(form, f"{stem}-8", code, day, "校领导", "0", "5"),
                "out_of_range",
                "people",
                f"{stem}-8: 陪餐人数 0 (at least 1)",
            ),
            (
                _companion_row(form, f"{stem}-9", code, day, "家长", "1", "4"),
                "missing_required",
                "date",
                f"{stem}-9: 日期 empty",
            ),
        ]
        planted[1][0][2 if form.header[0] != "序号" else 3] = ""
    for row, kind, column, detail in planted:
        draft.plant(spot(rng, body), row, kind, column, detail)
    for k in range(2):
        rid = f"PC{day:%Y%m%d}-{orphan}-{k + 1}"
        row = _companion_row(form, rid, orphan, day, "校领导", "1", "5")
        draft.plant(spot(rng, body), row, "orphan", "school_code",
                    f"{rid}: {orphan} is not in the registry (a new school not yet registered)")  # fmt: skip


# --------------------------------------------------------------------- 食谱


def menu_files(j: Jurisdiction, rng: np.random.Generator, orphan: str) -> Iterator[BureauFile]:
    for term in TERMS:
        form = MENU_FORMS[term.season]
        rows = _term_of(j.frame("menus"), term).sort("date", "school_code")
        frame = rows.select(
            "school_code",
            _dates("date", form),
            "menu_text",
            _text("dishes"),
            _text("meat_dishes"),
            _flag("has_fruit", form),
            _flag("has_staple", form),
            pl.col("price").round(1).cast(pl.String).str.replace(r"\.0$", ""),
            _dates("published_date", form),
        )
        body = rows_of(frame)
        total = ["合计", f"共{rows.height}条食谱", None, str(int(rows["dishes"].sum()))]
        title = f"郑州市{term.zh}学校每日食谱公示汇总表"
        file, draft = _csv_file(
            menu_file_name(term),
            title,
            form,
            body,
            total,
            _when(term),
            "食谱于每周一前在校园公示栏及家长群公示；菜品数为热菜数，不含汤。",
        )
        if term.year == YEAR:
            _plant_menus(draft, rng, form, rows, orphan, term)
        yield file


def _menu_row(form: Form, code: str, day: date, text: str, dishes, meat, fruit, staple):
    return [code, _cell(day, form), text, dishes, meat, fruit, staple, "12",
            _cell(day - timedelta(days=day.weekday() + 4), form)]  # fmt: skip


def _plant_menus(draft: Draft, rng, form: Form, rows: pl.DataFrame, orphan: str, term):
    body = draft.sheet.body
    past = rows.filter(pl.col("date") <= DATA_END)
    code, day = past.row(int(rng.integers(0, past.height)))[:2]
    text = "红烧肉、清炒白菜、米饭、紫菜蛋花汤、苹果"
    if term.season == "spring":
        # a day without a menu at that school, so that only the flaw is on that key
        taken = set(rows.filter(pl.col("school_code") == code)["date"].to_list())
        free = next(d for d in (day + timedelta(days=k) for k in range(1, 60)) if d not in taken)
        row = _menu_row(form, code, free, text, "2", "3", form.yes, form.yes)
        draft.plant(spot(rng, body), row, "row_rule", "meat_dishes",
                    f"{code} {free}: 荤菜数 3 > 菜品数 2", "parts_exceed_total")  # fmt: skip
    else:
        future = day.replace(year=FUTURE_YEAR)
        row = _menu_row(form, code, future, text, "2", "1", form.yes, form.yes)
        row[-1] = _cell(day - timedelta(days=day.weekday() + 4), form)
        draft.plant(spot(rng, body), row, "future_date", "date",
                    f"{code} {future}: 日期 {FUTURE_YEAR} (a typo for {day.year}), "
                    "beyond 14 days after the load date", "date_in_future")  # fmt: skip
        taken = set(rows.filter(pl.col("school_code") == code)["date"].to_list())
        free = next(d for d in (day - timedelta(days=k) for k in range(1, 60)) if d not in taken)
        row = _menu_row(form, code, free, text, "2", "1", "偶尔", form.yes)
        draft.plant(spot(rng, body), row, "bad_boolean", "has_fruit",
                    f"{code} {free}: 是否有水果 '偶尔' is not yes/no")  # fmt: skip
        row = _menu_row(form, orphan, day, text, "2", "1", form.yes, form.yes)
        draft.plant(spot(rng, body), row, "orphan", "school_code",
                    f"{orphan} is not in the registry (a new school not yet registered)")  # fmt: skip


# ----------------------------------------------------------------- 明厨亮灶


def camera_files(j: Jurisdiction, rng: np.random.Generator) -> Iterator[BureauFile]:
    for term in TERMS:
        form = CAMERA_FORMS[term.season]
        rows = _term_of(j.frame("kitchen_cameras"), term).sort("date", "school_code")
        frame = rows.select("school_code", _dates("date", form), _text("cameras"), _text("online"))
        body = rows_of(frame)
        total = ["合计", None, str(int(rows["cameras"].sum())), str(int(rows["online"].sum()))]
        title = f"互联网+明厨亮灶平台设备在线情况日统计（{term.zh}）"
        file, draft = _csv_file(
            camera_file_name(term),
            title,
            form,
            body,
            total,
            _when(term),
            "每日16时快照；摄像头数为接入平台的路数。",
        )
        if term.year == YEAR:
            body = draft.sheet.body
            k = int(rng.integers(len(body) // 4, len(body)))
            row = body[k]
            row[3] = str(int(row[2]) + 2)
            draft.mark(row, "row_rule", "online",
                       f"{row[0]} {row[1]}: 在线数 {row[3]} > 摄像头数 {row[2]}",
                       "parts_exceed_total")  # fmt: skip
            k = int(rng.integers(0, len(body) // 4))
            row = body[k]
            row[2], row[3] = "-1", "-1"
            draft.mark(row, "negative", "cameras", f"{row[0]} {row[1]}: 摄像头数 -1")
        yield file


# ------------------------------------------------------------------- 配送


def delivery_files(j: Jurisdiction, rng: np.random.Generator) -> Iterator[BureauFile]:
    for term in TERMS:
        form = DELIVERY_FORMS[term.season]
        rows = _term_of(j.frame("deliveries"), term).sort("date", "school_code", "delivery_id")
        numbered = form.header[0] == "序号"
        frame = rows.select(
            *([pl.lit("").alias("seq")] if numbered else []),
            "delivery_id",
            "school_code",
            _dates("date", form),
            "supplier_id",
            zh("category", "deliveries"),
            _flag("unified", form),
            pl.col("amount").map_batches(_money, return_dtype=pl.String),
            _flag("inspected", form),
        )
        amount = float(rows["amount"].sum())
        total = ["合计"] + [None] * (len(form.header) - 3) + [f"{amount:.2f}", None]
        file, draft = _csv_file(
            delivery_file_name(term), f"郑州市{term.zh}学校食堂食材配送验收台账", form,
            rows_of(frame), total, _when(term), "统一配送指由准入的大宗食材配送企业统一配送。",
        )  # fmt: skip
        if term.year == YEAR:
            _plant_deliveries(draft, rng, form, rows, term)
        if numbered:
            draft.number_rows()
        yield file


def _money(amount: pl.Series) -> pl.Series:
    """Yuan with two decimals, as the ledger prints them."""
    return pl.Series([f"{v:.2f}" for v in amount.to_list()], dtype=pl.String)


def _plant_deliveries(draft: Draft, rng, form: Form, rows: pl.DataFrame, term: Term):
    body = draft.sheet.body
    code, day, supplier = rows.select("school_code", "date", "supplier_id").row(
        int(rng.integers(0, rows.height))
    )
    lead = [""] if form.header[0] == "序号" else []
    stem = f"PS{day:%Y%m%d}-{code}"

    def row(suffix: str, category: str, amount) -> list[Cell]:
        return [*lead, f"{stem}-{suffix}", code, _cell(day, form), supplier, category,
                form.yes, amount, form.yes]  # fmt: skip

    if term.season == "spring":
        planted = [
            (row("X1", "大米", 0.0), "zero_amount", "amount", f"{stem}-X1: 金额 0"),
            (
                row("X2", "调味品", 86.5),
                "unknown_label",
                "category",
                f"{stem}-X2: 食材类别 '调味品' is not a label",
            ),
        ]
    else:
        planted = [
            (
                row("X1", "肉类", "-350.00"),
                "negative",
                "amount",
                f"{stem}-X1: 配送金额 -350.00 (a return typed as a delivery)",
            ),
        ]
    for r, kind, column, detail in planted:
        reason = "not_positive" if column == "amount" else ""
        draft.plant(spot(rng, body), r, kind, column, detail, reason)


# ------------------------------------------------------------------- 检查


def check_files(j: Jurisdiction, rng: np.random.Generator) -> Iterator[BureauFile]:
    """Per year: the frequent checks (周排查, 日管控) as the platform's CSV export, the
    月调度 and 标准化验收 as a workbook with a sheet each."""
    checks = j.frame("canteen_checks")
    for year in YEARS:
        rows = checks.filter(pl.col("date").dt.year() == year)
        frequent = rows.filter(pl.col("kind").is_in(["weekly", "daily"])).sort(
            "date", "school_code", "check_id"
        )
        form = Form(tuple(CHECK_HEADER), "utf-8-sig", "iso")
        frame = frequent.select(
            "check_id",
            "school_code",
            _dates("date", form),
            zh("kind", "canteen_checks"),
            zh("result", "canteen_checks"),
            _text("score"),
            "inspector",
        )
        file, draft = _csv_file(
            frequent_check_file_name(year), f"郑州市{year}年学校食堂周排查及日管控记录", form,
            rows_of(frame), ["合计", f"共{frequent.height}条"], stamp(year + 1, 1, 3),
            "日管控记录为平台抽取的部分记录。",
        )  # fmt: skip
        if year == YEAR:
            _plant_frequent_checks(draft, rng, form, frequent)
        yield file

        name = check_file_name(year)
        drafts = []
        for kind, label in (("monthly", "月调度"), ("standard", "标准化验收")):
            part = rows.filter(pl.col("kind") == kind).sort("date", "school_code")
            frame = part.select(
                "check_id",
                "school_code",
                "date",
                zh("kind", "canteen_checks"),
                zh("result", "canteen_checks"),
                "score",
                "inspector",
            )
            sheet = Sheet(
                name=label,
                header=CHECK_HEADER,
                body=rows_of(frame),
                above=[[f"郑州市{year}年学校食堂{label}记录"], []],
                below=notes("蒋某", "沈某"),
                formats={2: "yyyy/m/d"},
                widths={0: 24, 1: 13, 2: 12},
            )
            drafts.append(Draft(name, sheet, label))
        if year == YEAR:
            body = drafts[1].sheet.body
            code, day = body[0][1], body[0][2]
            cid = f"BZ{day:%Y%m%d}-{code}-X"
            drafts[1].plant(spot(rng, body), [cid, code, day, "标准化验收", None, 88, "褚某"],
                            "missing_required", "result", f"{cid}: 检查结果 empty")  # fmt: skip
        yield BureauFile(name, drafts, stamp(year + 1, 1, 3), title="食堂检查记录")


def _plant_frequent_checks(draft: Draft, rng, form: Form, rows: pl.DataFrame) -> None:
    body = draft.sheet.body
    weekly = [i for i, r in enumerate(body) if r[3] == "周排查"]
    k = weekly[int(rng.integers(len(weekly) // 3, len(weekly)))]
    original = body[k]
    stale = list(original)
    stale[4], stale[5] = "不合格", "60"
    draft.plant(int(rng.integers(0, k)), stale, "duplicate_key", "check_id",
                f"{original[0]} twice; the earlier row is a draft with the wrong result")  # fmt: skip
    code, day = rows.row(0)[1:3]
    for suffix, kind, score, flaw, column, detail in (
        ("X", "季度检查", "92", "unknown_label", "kind", "检查类型 '季度检查' is not a label"),
        ("Y", "周排查", "120", "out_of_range", "score", "得分 120 (scores are 0–100)"),
    ):
        cid = f"ZP{day:%Y%m%d}-{code}-{suffix}"
        row: list[Cell] = [cid, code, _cell(day, form), kind, "合格", score, "陈某"]
        draft.plant(spot(rng, body), row, flaw, column, f"{cid}: {detail}")


# ----------------------------------------------------------------- 供应商


def supplier_files(j: Jurisdiction, rng: np.random.Generator) -> Iterator[BureauFile]:
    for i, year in enumerate(YEARS):
        name = supplier_file_name(year)
        # the city-wide suppliers (no district) first, then the districts in their order
        order = pl.col("district_code").replace_strict(
            DISTRICT_ORDER, default=-1, return_dtype=pl.Int32
        )
        rows = j.suppliers_ledgers[year].sort(order, "admitted_date", "supplier_id")
        frame = rows.select(
            pl.lit(0).alias("seq"),
            "supplier_id",
            "supplier_name",
            "district_code",
            pl.when("certified").then(pl.lit("是")).otherwise(pl.lit("否")).alias("certified"),
            "admitted_date",
            "exited_date",
        )
        sheet = Sheet(
            name="名录",
            header=SUPPLIER_HEADERS["even" if i % 2 else "odd"],
            body=rows_of(frame),
            above=[[f"郑州市{year}年学校大宗食材配送企业名录"], [f"截至{year}年12月31日"], []],
            below=[["合计", f"共{rows.height}家"], *notes("韩某", "杨某", "郑州市教育局后勤处")],
            formats={5: "yyyy/m/d", 6: "yyyy/m/d"},
            widths={1: 22, 2: 36, 5: 12, 6: 12},
        )
        draft = Draft(name, sheet, sheet.name)
        if year == YEAR:
            body = sheet.body
            admitted, exited = date(year, 6, 16), date(year, 3, 2)
            row: list[Cell] = [0, "91410122MA9X0Q1R2T", "中牟鑫源农产品配送有限公司", "410122",
                               "是", admitted, exited]  # fmt: skip
            draft.plant(spot(rng, body), row, "row_rule", "exited_date",
                        f"{row[1]}: 清退日期 {exited} before 准入日期 {admitted}",
                        "exited_before_admitted")  # fmt: skip
            row = [0, "91410184MA9X0Q1R3U", None, "410184", "否", date(year, 4, 8), None]
            draft.plant(spot(rng, body), row, "missing_required", "supplier_name",
                        f"{row[1]}: 企业名称 empty")  # fmt: skip
        draft.number_rows()
        guide = Sheet(
            name="说明",
            header=["说明"],
            body=[
                ["清退日期为空的企业在名录内；体系认证指通过HACCP或ISO22000体系认证。"],
                ["区县代码为空的企业面向全市配送。"],
            ],
        )
        yield BureauFile(name, [draft], stamp(year + 1, 1, 2), extra_sheets=[guide],
                         title="大宗食材配送企业名录")  # fmt: skip


# -------------------------------------------------------------------- 培训


def training_files(j: Jurisdiction, rng: np.random.Generator) -> Iterator[BureauFile]:
    training = j.frame("training")
    for year in YEARS:
        name = training_file_name(year)
        rows = by_district(training.filter(pl.col("date").dt.year() == year), "date")
        frame = rows.select(
            pl.lit(0).alias("seq"),
            "training_id",
            "date",
            "district_code",
            zh("audience", "training"),
            "person_times",
            "topic",
        )
        total = ["合计", None, None, None, None, int(rows["person_times"].sum())]
        sheet = Sheet(
            name="培训记录",
            header=TRAINING_HEADER,
            body=rows_of(frame),
            above=[[f"郑州市{year}年食品安全与营养健康培训记录"], []],
            below=[total, *notes("朱某", "秦某")],
            formats={2: "yyyy/m/d"},
            widths={1: 20, 2: 12, 6: 40},
        )
        draft = Draft(name, sheet, sheet.name)
        if year == YEAR:
            body = sheet.body
            day = date(year, 11, 20)
            row: list[Cell] = [0, f"PX{year}-410185-99", day, "410185", "食堂管理员", 0, "补训"]
            draft.plant(spot(rng, body), row, "out_of_range", "person_times",
                        f"{row[1]}: 培训人次 0 (at least 1)")  # fmt: skip
            row = [0, f"PX{year}-410183-99", day, "410183", "校长", 45, "校长食品安全培训"]
            draft.plant(spot(rng, body), row, "unknown_label", "audience",
                        f"{row[1]}: 培训对象 '校长' is not a label")  # fmt: skip
        draft.number_rows()
        yield BureauFile(name, [draft], stamp(year + 1, 1, 3), title="培训记录")


def supervision_files(
    j: Jurisdiction, rng: np.random.Generator, fresh: FreshCodes
) -> Iterator[tuple[str, BureauFile]]:
    """Every supervision file with its source, built one at a time."""
    orphan = next(fresh)
    for f in companion_files(j, rng, orphan):
        yield "meal_companions", f
    for f in menu_files(j, rng, orphan):
        yield "menus", f
    for f in camera_files(j, rng):
        yield "kitchen_cameras", f
    for f in check_files(j, rng):
        yield "canteen_checks", f
    for f in supplier_files(j, rng):
        yield "suppliers", f
    for f in delivery_files(j, rng):
        yield "deliveries", f
    for f in training_files(j, rng):
        yield "training", f
