"""Satisfaction surveys and the inspection issues ledger.

Surveys run once a term; an earlier year is a little less satisfied, not in every
district. Issues carry a state per ledger — each year's ledger as the bureau compiled it
on `ledger_date(year)`, listing the issues found that year and those carried over still
open from the year before — and the final state on the last day of the data, which a
corrected re-issue reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from schoolwh.generator.calendar import DATA_END, TERMS, YEAR, YEARS, Term, school_days
from schoolwh.generator.districts import DISTRICTS, SMALL_SURVEYS, scaled

# Survey windows by season: (month, day) of the first and last day.
SURVEY_WINDOWS = {"spring": ((5, 12), (6, 13)), "autumn": ((11, 17), (12, 19))}
RESPONSES_PER_SCHOOL = {"spring": 8.0, "autumn": 9.0}
SEASON_LETTER = {"spring": "C", "autumn": "Q"}  # 春 / 秋 in response ids
# Added to a district's satisfaction: autumn terms a little higher, each earlier year lower.
AUTUMN_SATISFACTION = 0.01
EARLIER_YEAR_SATISFACTION = -0.02
RESPONDENTS = (("parent", 0.55), ("student", 0.35), ("teacher", 0.10))
ITEMS = ("taste", "portion", "hygiene", "price", "service")
COMMENTS_HAPPY = (
    "饭菜可口，孩子很喜欢",
    "菜品搭配合理，营养均衡",
    "食堂干净卫生，感谢学校",
    "孩子在学校吃得饱，家长放心",
    "希望继续保持",
    "送餐准时，饭菜温度合适",
)
COMMENTS_UNHAPPY = (
    "菜品偏咸，希望少放盐",
    "水果有时不够新鲜",
    "分量偏少，男生吃不饱",
    "价格偏高，希望公示成本",
    "菜品重复较多，希望多换花样",
    "饭菜送到时有点凉",
    "希望增加家长陪餐次数",
)
# Free text with personal data that must never reach a mart (the numbers are dummies).
COMMENTS_PERSONAL = (
    "我是三年级二班王某某的家长，电话13800000001，孩子对鸡蛋过敏，请食堂注意",
    "张女士（手机13800000002）反映孩子最近午餐后肚子不舒服",
    "五年级李某的妈妈，微信同号13800000003，希望回电说明费用",
)

# Issues found in an earlier year: more of them, and fewer left unclosed for good.
EARLIER_YEAR_ISSUES = 1.15
ISSUE_SOURCES = (
    ("daily_check", 0.35),
    ("weekly_check", 0.25),
    ("monthly_review", 0.14),
    ("unannounced", 0.10),
    ("accompanied_meal", 0.08),
    ("parent_report", 0.06),
    ("other", 0.02),
)
ISSUE_CATEGORIES = (
    ("hygiene", 0.20),
    ("records", 0.18),
    ("ingredient_check", 0.12),
    ("tableware", 0.12),
    ("facilities", 0.10),
    ("food_safety", 0.08),
    ("staff_health", 0.08),
    ("procurement", 0.05),
    ("funds", 0.04),
    ("other", 0.03),
)
SEVERITIES = (("low", 0.70), ("medium", 0.25), ("high", 0.05))
DEADLINE_DAYS = {"low": 14, "medium": 7, "high": 3}
DESCRIPTIONS = {
    "hygiene": ("后厨地面积水，排水沟未加盖", "操作间墙面有油污，清洁不到位", "垃圾桶未加盖"),
    "records": ("食品留样记录不全", "晨检记录未按日填写", "陪餐记录填写不规范"),
    "ingredient_check": ("食材入库查验记录缺少索证索票", "部分蔬菜未见农残快检记录"),
    "tableware": ("餐具消毒记录未按要求填写", "消毒柜未正常使用", "餐具存放未做到保洁"),
    "facilities": ("防蝇防鼠设施损坏", "冷藏柜温度显示故障", "明厨亮灶摄像头离线"),
    "food_safety": ("冷藏柜内生熟食品混放", "发现过期调味品未及时清理", "留样量不足125克"),
    "staff_health": ("一名从业人员健康证过期", "从业人员未规范佩戴口罩帽子"),
    "procurement": ("大宗食材未按统一采购目录采购", "供应商资质材料未及时更新"),
    "funds": ("伙食费收支台账未按月公示", "食堂账目与票据不一致"),
    "other": ("膳食委员会未按期开展活动", "食品安全应急预案未及时修订"),
}


def ledger_date(year: int) -> date:
    """The day a year's issues ledger is compiled: the third Friday of December."""
    first = date(year, 12, 1)
    return date(year, 12, 1 + (4 - first.weekday()) % 7 + 14)


LEDGER_DATE = ledger_date(YEAR)


def survey_window(term: Term) -> np.ndarray:
    """The school days a term's survey runs on."""
    (m1, d1), (m2, d2) = SURVEY_WINDOWS[term.season]
    return school_days(date(term.year, m1, d1), date(term.year, m2, d2))


def response_prefix(term: Term) -> str:
    """Response ids of a term start with this: WJ2025Q…"""
    return f"WJ{term.year}{SEASON_LETTER[term.season]}"


def _choice(rng: np.random.Generator, options, n: int) -> np.ndarray:
    values = np.array([v for v, _ in options])
    p = np.array([w for _, w in options], dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def build_survey(rng: np.random.Generator, schools: pl.DataFrame) -> pl.DataFrame:
    """Survey responses per term, spread over the lunch-serving schools of each district."""
    n = schools.height
    frames = []
    for t, term in enumerate(TERMS):
        days = survey_window(term)
        serving = schools.filter(
            (pl.col("first_term") <= t)
            & (pl.col("last_term") >= t)
            & pl.col("lunch_start_date").is_not_null()
            & (pl.col("lunch_start_date") <= days[0].item())
        )
        seq_start = 1
        for d in DISTRICTS:
            here = serving.filter(pl.col("district_code") == d.code)
            if here.height == 0:
                continue
            small = SMALL_SURVEYS.get((d.code, term.code))
            if small is not None:
                total = scaled(small, n, 3)
            else:
                per_school = RESPONSES_PER_SCHOOL[term.season]
                total = round(here.height * per_school * rng.uniform(0.8, 1.2))
            weight = np.sqrt(here["enrolled_base"].to_numpy().astype(float))
            school = rng.choice(here.height, size=total, p=weight / weight.sum())
            school.sort()
            satisfied = d.satisfied + EARLIER_YEAR_SATISFACTION * (YEAR - term.year)
            satisfied += AUTUMN_SATISFACTION if term.season == "autumn" else 0.0
            frames.append(
                _responses(
                    rng, here["school_code"].to_numpy()[school], days, satisfied, term
                ).with_columns(seq=pl.int_range(seq_start, seq_start + total))
            )
            seq_start += total
    survey = pl.concat(frames)
    response_id = pl.col("term") + pl.col("seq").cast(pl.String).str.zfill(6)
    rest = [c for c in survey.columns if c not in ("term", "seq")]
    return survey.select(response_id.alias("response_id"), *rest).sort("response_id")


def _responses(rng, codes: np.ndarray, days: np.ndarray, satisfied: float, term: Term):
    k = len(codes)
    p_ok = np.clip(satisfied + rng.normal(0, 0.02), 0, 1)
    ok = rng.random(k) < p_ok
    overall = np.where(
        ok,
        np.where(rng.random(k) < 0.55, 5, 4),
        _choice(rng, ((3, 0.7), (2, 0.2), (1, 0.1)), k),
    )
    cols = {
        "school_code": codes,
        "date": days[rng.integers(0, len(days), k)],
        "respondent": _choice(rng, RESPONDENTS, k),
        "overall": overall.astype(np.int64),
    }
    for item in ITEMS:
        shift = (
            ((-1, 0.3), (0, 0.55), (1, 0.15))
            if item == "price"
            else ((-1, 0.18), (0, 0.64), (1, 0.18))
        )
        score = np.clip(overall + _choice(rng, shift, k), 1, 5).astype(np.int64)
        cols[item] = pl.Series(score).set(pl.Series(rng.random(k) < 0.04), None)
    u = rng.random(k)
    happy = np.array(COMMENTS_HAPPY)[rng.integers(0, len(COMMENTS_HAPPY), k)]
    unhappy = np.array(COMMENTS_UNHAPPY)[rng.integers(0, len(COMMENTS_UNHAPPY), k)]
    personal = np.array(COMMENTS_PERSONAL)[rng.integers(0, len(COMMENTS_PERSONAL), k)]
    comment = np.where(overall >= 4, happy, unhappy)
    comment = np.where(u < 0.005, personal, comment)
    cols["comment"] = pl.Series(comment).set(pl.Series(u > 0.15), None)
    return pl.DataFrame(cols).with_columns(term=pl.lit(response_prefix(term)))


@dataclass(frozen=True)
class Issues:
    ledgers: dict[int, pl.DataFrame]  # year -> its ledger, as compiled on ledger_date(year)
    final: pl.DataFrame  # as on DATA_END: what the corrected re-issue reports


def build_issues(rng: np.random.Generator, schools: pl.DataFrame) -> Issues:
    """Issues found at lunch-serving schools up to LEDGER_DATE, with a state per ledger
    and the final state."""
    days = np.concatenate([t.school_days() for t in TERMS])
    days = days[days <= np.datetime64(LEDGER_DATE)]
    rate = {d.code: d.issues_per_school for d in DISTRICTS}
    core = {d.code: d.core for d in DISTRICTS}
    # A school day's share of its year, weighted: an earlier year finds more issues.
    year_of = days.astype("datetime64[Y]").astype(np.int64) + 1970
    per_year = {y: int((year_of == y).sum()) for y in YEARS}
    weight = np.array([EARLIER_YEAR_ISSUES if y < YEAR else 1.0 for y in year_of])
    weight /= np.array([per_year[y] for y in year_of])
    cum = np.concatenate([[0.0], np.cumsum(weight)])
    serving = schools.filter(
        pl.col("lunch_start_date").is_not_null() & (pl.col("lunch_start_date") <= LEDGER_DATE)
    )
    opened = np.array([TERMS[t].first_day for t in serving["first_term"]], dtype="datetime64[D]")
    start = np.maximum(serving["lunch_start_date"].to_numpy().astype("datetime64[D]"), opened)
    first = np.searchsorted(days, start)
    closes = np.array([TERMS[t].last_day for t in serving["last_term"]], dtype="datetime64[D]")
    last = np.maximum(np.searchsorted(days, closes, side="right"), first)
    lam = np.array([rate[c] for c in serving["district_code"]]) * (cum[last] - cum[first])
    lam *= np.where(serving["location"].to_numpy() == "rural", 1.3, 1.0)
    count = rng.poisson(lam)
    owner = np.repeat(np.arange(serving.height), count)
    k = len(owner)
    u = cum[first[owner]] + rng.random(k) * (cum[last[owner]] - cum[first[owner]])
    at = np.clip(np.searchsorted(cum, u, side="right") - 1, first[owner], last[owner] - 1)
    found = days[at]
    district = serving["district_code"].to_numpy()[owner]
    is_core = np.array([core[c] for c in district])
    earlier = found < np.datetime64(date(YEAR, 1, 1))

    category = _choice(rng, ISSUE_CATEGORIES, k)
    severity = _choice(rng, SEVERITIES, k)
    severity = np.where((category == "food_safety") & (rng.random(k) < 0.3), "high", severity)
    allowed = np.array([DEADLINE_DAYS[s] for s in severity])
    allowed = np.where(category == "facilities", 30, allowed)
    deadline = found + allowed.astype("timedelta64[D]")
    pace = np.where(is_core, 0.55, 0.95)
    to_close = np.rint(allowed * pace * np.exp(rng.normal(0.0, 0.7, k))).astype(np.int64)
    never = rng.random(k) < np.where(is_core, 0.02, 0.07) * np.where(earlier, 0.5, 1.0)
    closed = found + to_close.astype("timedelta64[D]")
    closed = np.where(never, np.datetime64("NaT"), closed)
    started = rng.random(k) < 0.7

    descs = [DESCRIPTIONS[c] for c in category]
    pick = rng.integers(0, 3, k)
    base = pl.DataFrame(
        {
            "school_code": serving["school_code"].to_numpy()[owner],
            "district_code": district,
            "found_date": found,
            "source": _choice(rng, ISSUE_SOURCES, k),
            "category": category,
            "severity": severity,
            "deadline": deadline,
            "closed_on": closed,
            "started": started,
            "description": [d[p % len(d)] for d, p in zip(descs, pick, strict=True)],
        }
    ).sort("district_code", "found_date", "school_code", maintain_order=True)
    base = base.with_columns(
        issue_id=pl.lit("ZG-")
        + pl.col("district_code")
        + pl.lit("-")
        + pl.int_range(1, pl.len() + 1).over("district_code").cast(pl.String).str.zfill(5)
    )
    ledgers = {}
    for year in YEARS:
        listed = pl.col("found_date") <= ledger_date(year)
        if year - 1 in YEARS:  # new since the last ledger, or carried over still open
            before = ledger_date(year - 1)
            still_open = pl.col("closed_on").is_null() | (pl.col("closed_on") > before)
            listed &= (pl.col("found_date") > before) | still_open
        ledgers[year] = _state(base.filter(listed), ledger_date(year))
    return Issues(ledgers=ledgers, final=_state(base, DATA_END))


def _state(base: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Each issue's status and closed date as known on `as_of`."""
    closed = pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= as_of)
    waited = pl.lit(as_of) - pl.col("found_date") >= timedelta(days=3)
    return base.select(
        "issue_id",
        "school_code",
        "found_date",
        "source",
        "category",
        "severity",
        "deadline",
        status=pl.when(closed)
        .then(pl.lit("closed"))
        .when(pl.col("started") & waited)
        .then(pl.lit("in_progress"))
        .otherwise(pl.lit("open")),
        closed_date=pl.when(closed).then(pl.col("closed_on")),
        description="description",
    )
