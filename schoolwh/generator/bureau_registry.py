"""Bureau files of the registry: districts, schools (the current registry), enrolment per
term (planted flaws in the latest year's files only)."""

from __future__ import annotations

import numpy as np
import polars as pl

from schoolwh.generator.calendar import TERMS, YEAR, Term
from schoolwh.generator.drafts import (
    DISTRICT_ORDER,
    BureauFile,
    Draft,
    FreshCodes,
    by_district,
    date_text,
    full_width,
    notes,
    rows_of,
    spot,
    thousands,
    yes_no,
    zh,
)
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Sheet, stamp

DISTRICTS_FILE = "区县（市）、开发区名录.csv"
SCHOOLS_FILE = "学校基本信息表.xlsx"


def enrollment_file_name(term: Term) -> str:
    """Spring terms come as XLSX, autumn terms as GBK CSV."""
    suffix = ".xlsx" if term.season == "spring" else ".csv"
    return f"{term.zh}在校生情况统计表{suffix}"


def districts_file(j: Jurisdiction) -> BureauFile:
    frame = j.frame("districts").select(
        "district_code", "district_name", zh("district_kind", "districts")
    )
    sheet = Sheet(
        name="区县",
        header=["区县代码", "区县名称", "区域类型"],
        body=rows_of(frame),
        above=[["郑州市区县（市）、开发区名录"], []],
        below=[
            ["合计", f"共{frame.height}个区县（市）、开发区"],
            [],
            ["注：郑东新区无行政区划代码，使用市教育局编码410100ZD。"],
            ["填表人：王某", None, "审核人：李某"],
        ],
    )
    draft = Draft(DISTRICTS_FILE, sheet, None)
    return BureauFile(DISTRICTS_FILE, [draft], stamp(YEAR, 9, 1), encoding="gbk")


def schools_file(j: Jurisdiction, rng: np.random.Generator, fresh: FreshCodes) -> BureauFile:
    frame = by_district(j.frame("schools"), "school_code").select(
        pl.col("school_code").cast(pl.Int64),
        "school_name",
        "district_code",
        zh("stage", "schools"),
        zh("ownership", "schools"),
        zh("location", "schools"),
        zh("lunch_mode", "schools"),
        "lunch_start_date",
        yes_no("has_after_school", "有", "无"),
        date_text("after_school_start_date", "zh"),
        yes_no("nutrition_plan"),
        yes_no("active"),
    )
    body = rows_of(frame)
    header = [
        "学校标识码", "学校名称", "区县代码", "学段", "办学性质", "城乡类型", "供餐模式",
        "供餐开始日期", "课后服务", "课后服务开始日期", "是否纳入营养改善计划", "是否在办",
    ]  # fmt: skip
    sheet = Sheet(
        name="学校名录",
        header=header,
        body=body,
        above=[
            [f"郑州市中小学校基本信息表（{TERMS[-1].zh}）"],
            [f"统计时间：{YEAR}年9月30日"],
            [],
        ],
        below=[["合计", f"共{len(body)}所学校"], *notes("赵某某", "钱某某")],
        formats={7: "yyyy/m/d"},
        widths={0: 13, 1: 30, 6: 10, 7: 13, 9: 16},
    )
    draft = Draft(SCHOOLS_FILE, sheet, sheet.name)

    # An outdated copy of a real school above its current row: the later row wins.
    serving = [i for i, r in enumerate(body) if r[6] in ("自办食堂", "企业配餐") and i > 10]
    j_row = serving[int(rng.integers(0, len(serving)))]
    stale = list(body[j_row])
    stale[6] = "企业配餐" if stale[6] == "自办食堂" else "自办食堂"
    draft.plant(
        int(rng.integers(0, j_row)),
        stale,
        "duplicate_key",
        "school_code",
        f"{stale[0]} listed twice; the earlier row has an outdated lunch_mode",
    )

    template = ["", "", "410183", "小学", "公办", "乡村", "自办食堂", None, "有", "", "否", "是"]
    extra = [
        ("unknown_label", "lunch_mode", 6, "送餐上门", "新密市袁庄希望小学"),
        ("missing_required", "stage", 3, None, "新密市来集希望小学"),
        ("row_rule", "lunch_start_date", 7, None, "新密市牛店希望小学"),
    ]
    for kind, column, col, value, name in extra:
        row = list(template)
        code = next(fresh)
        row[0], row[1], row[2] = int(code), name, code[:6]
        row[7] = TERMS[-1].first_day
        row[col] = value
        detail = {
            "unknown_label": "供餐模式 '送餐上门' is not a label",
            "missing_required": "学段 empty",
            "row_rule": "lunch_mode 自办食堂 without a lunch_start_date",
        }[kind]
        reason = "lunch_start_missing" if kind == "row_rule" else ""
        draft.plant(spot(rng, sheet.body), row, kind, column, f"{code}: {detail}", reason)

    guide = Sheet(
        name="说明",
        header=["填表说明"],
        body=[
            ["1. 学校标识码按全国中小学校标识码（10位）填写。"],
            ["2. 供餐模式填写：自办食堂、企业配餐、中央厨房、无。"],
            ["3. 开始供餐日期按“年/月/日”填写；未供餐学校不填。"],
            ["4. 课后服务填写“有”或“无”。"],
            ["5. 本表由区县（市）、开发区教育局汇总后报市教育局基础教育处。"],
        ],
        widths={0: 60},
    )
    return BureauFile(
        SCHOOLS_FILE, [draft], stamp(YEAR, 9, 30), extra_sheets=[guide], title="学校基本信息表"
    )


def _spare(j: Jurisdiction, term: str, fresh: FreshCodes):
    """School codes with no valid enrolment row for `term`, then fresh codes."""
    yield from j.no_enrollment.filter(pl.col("term") == term)["school_code"].to_list()
    while True:
        yield next(fresh)


def _with_district(j: Jurisdiction, term: str) -> pl.DataFrame:
    rows = j.frame("enrollment").filter(pl.col("term") == term)
    rows = rows.join(
        j.schools.select("school_code", "district_code"), on="school_code", maintain_order="left"
    )
    return by_district(rows, "school_code")


NEED_COLUMNS = ("enrolled", "lunch_need", "after_school_need", "left_behind", "migrant", "disabled")


def spring_labels(year: int) -> tuple[str, ...]:
    return (f"{year}春", f"{year}年春季学期")


def autumn_labels(year: int) -> tuple[str, ...]:
    return (f"{year}-{year + 1}学年第一学期", f"{year}年秋季学期", f"{year}秋")


def enrollment_file(j: Jurisdiction, rng: np.random.Generator, fresh, term: Term) -> BureauFile:
    """A term's enrolment file; the latest year's carry planted flaws."""
    if term.season == "spring":
        return spring_enrollment_file(j, rng, fresh, term)
    return autumn_enrollment_file(j, rng, fresh, term)


def spring_enrollment_file(
    j: Jurisdiction, rng: np.random.Generator, fresh, term: Term
) -> BureauFile:
    name = enrollment_file_name(term)
    rows = _with_district(j, term.code)
    body: list[list] = []
    subtotals = 0
    labels = spring_labels(term.year)
    for k, (_, block) in enumerate(rows.group_by("district_code", maintain_order=True)):
        label = labels[k % len(labels)]  # each district types the term its way
        body += [[r[0], label, *r[1:]] for r in block.select("school_code", *NEED_COLUMNS).rows()]
        sums = [block[c].sum() for c in NEED_COLUMNS]
        body.append(["小计", None, *sums])
        subtotals += 1
    header = ["学校代码", "学期", "在校学生数（人）", "就餐需求人数", "课后服务需求人数",
              "留守儿童数", "随迁子女数", "残疾学生数"]  # fmt: skip
    totals = [rows[c].sum() for c in NEED_COLUMNS]
    sheet = Sheet(
        name="春季学期",
        header=header,
        body=body,
        above=[
            [f"郑州市{term.zh}中小学在校生及午餐、课后服务需求情况统计表"],
            ["单位：人"],
            [],
        ],
        below=[["合计", None, *totals], *notes("孙某", "周某")],
        widths={0: 13, 1: 10, 2: 16},
    )
    draft = Draft(name, sheet, sheet.name, non_data=subtotals)
    when = stamp(term.year, 3, 12)
    if term.year != YEAR:
        return BureauFile(name, [draft], when, title="在校生情况统计表")
    spare = _spare(j, term.code, fresh)

    data = [i for i, r in enumerate(body) if r[0] != "小计" and i > 5]
    k = data[int(rng.integers(0, len(data)))]
    stale = list(body[k])
    stale[2] = int(stale[2]) + 1000
    draft.plant(
        int(rng.integers(0, k)),
        stale,
        "duplicate_key",
        "school_code",
        f"{stale[0]} {term.code} twice; the earlier row has enrolled +1000",
    )
    code = next(spare)
    draft.plant(
        spot(rng, body),
        [code, labels[0], 860, 700, 790, -3, 120, 2],
        "negative",
        "left_behind",
        f"{code}: 留守儿童数 -3",
    )
    return BureauFile(name, [draft], when, title="在校生情况统计表")


def autumn_enrollment_file(
    j: Jurisdiction, rng: np.random.Generator, fresh, term: Term
) -> BureauFile:
    name = enrollment_file_name(term)
    rows = _with_district(j, term.code)
    labels = autumn_labels(term.year)
    label = labels[0]
    body = []
    columns = rows.select("district_code", "school_code", *NEED_COLUMNS)
    for i, (district, code, *counts) in enumerate(columns.iter_rows()):
        cells = [thousands(v) for v in counts]
        if i % 97 == 13:
            cells[0] = full_width(str(counts[0]))  # typed with a full-width input method
        elif i % 89 == 7:
            cells[0] = f" {counts[0]} "
        term_label = labels[DISTRICT_ORDER[district] % len(labels)]
        body.append([0, code, term_label, *cells])
    header = ["序号", "学校标识码", "学期", "在校生数", "有就餐需求学生数", "有课后服务需求学生数",
              "留守儿童数", "随迁子女数", "残疾学生数"]  # fmt: skip
    totals = [thousands(rows[c].sum()) for c in NEED_COLUMNS]
    sheet = Sheet(
        name="秋季学期",
        header=header,
        body=body,
        above=[[f"郑州市{term.zh}中小学在校生情况统计表"], ["单位：人"]],
        below=[["合计", None, None, *totals], *notes("孙某", "周某")],
    )
    draft = Draft(name, sheet, None)
    when = stamp(term.year, 9, 26)
    if term.year != YEAR:
        draft.number_rows()
        return BureauFile(name, [draft], when, encoding="gbk")
    spare = _spare(j, term.code, fresh)
    code = next(spare)
    draft.plant(
        spot(rng, body),
        [0, code, label, "420", "460", "400", "12", "30", "1"],
        "row_rule",
        "lunch_need",
        f"{code}: lunch_need 460 > enrolled 420",
        "need_exceeds_enrolled",
    )
    code = next(spare)
    draft.plant(
        spot(rng, body),
        [0, code, f"{term.year % 100}秋", "380", "300", "350", "20", "15", "0"],
        "bad_term",
        "term",
        f"{code}: 学期 '{term.year % 100}秋'",
    )
    code = next(spare)
    draft.plant(
        spot(rng, body),
        [0, code, label, "", "200", "260", "8", "40", "1"],
        "missing_required",
        "enrolled",
        f"{code}: 在校生数 empty",
    )
    draft.number_rows()
    return BureauFile(name, [draft], when, encoding="gbk")
