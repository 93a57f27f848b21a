"""Supervision (监管) data of the sample jurisdiction: the seven sources of
docs/contract.md#supervision, calibrated on the seeds' own figures.

- 陪餐 (meal_companions): a 校领导 eats with the students on most serving days (Huzhu's
  "五陪餐" 落实率 100 %, Zhengzhou's 校长陪餐制); teachers, parents, the 膳食委员会, 包联干部
  and deputies now and then.
- 食谱 (menus): one menu per serving day of a lunch-serving school, most of them
  "两菜一水果加主食"; each week's menus published the Thursday before the week, a few late;
  the latest term's menus published ahead, up to two weeks past the as-of date.
- 明厨亮灶 (kitchen_cameras): a daily snapshot for every kitchen school (自办食堂, 中央厨房)
  on its school days; coverage and online rates near 100 % (Zhengzhou: 覆盖率 100 %,
  在线率 100 %), a few schools not yet connected, mostly in the outer counties.
- 食堂检查 (canteen_checks): 周排查 in most school-weeks, 月调度 in most months, 日管控
  records sampled, 标准化验收 once per canteen (failed ones re-checked) and again for some
  in the latest autumn (Huzhu: 达标率 100 % as the 2026 target).
- 供应商 (suppliers) and 食材配送 (deliveries): a registry of 大宗食材配送企业 per district (and
  a few city-wide ones); each year some are 清退 and replaced, others newly admitted
  (Huzhu 2025: 清退 4 家、新招 9 家 in one county); kitchen schools receive a few deliveries a
  week, the bulk ones mostly unified (统一配送覆盖率 100 % as the target) from certified
  suppliers, some not unified from a vendor outside the registry, a few from a supplier
  after its exit or without certification.
- 培训 (training): sessions per district and year for each audience, about 17 person-times
  per school a year (Huzhu: 6 期 1,050 人次 for 63 schools).

Every rate differs by district (the urban core does better) and the earlier year falls a
little short of the latest in most districts, so that rankings, statuses and 同比 vary.
Personal names are synthetic (王某某).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from schoolwh.core.sources import BULK_CATEGORIES
from schoolwh.generator.calendar import DATA_END, TERMS, YEAR, YEARS, school_days
from schoolwh.generator.districts import DISTRICTS, scaled

KITCHEN_MODES = ("self_run", "central_kitchen")
# Huzhu 2025: 6 期 1,050 人次 of training for 63 schools.
TRAINING_PER_SCHOOL = 1050 / 63
# Huzhu 2025: 清退 4 家、新招 9 家 suppliers; at the seed city's scale, per year:
SUPPLIER_EXITS = 8
SUPPLIER_ADMISSIONS = 10  # besides the replacements of the exited ones
# Food cost per meal (元) and each category's share of it; deliveries of the categories
# marked with a number of weeks cover that many weeks at once.
FOOD_COST_PER_MEAL = 7.0
CATEGORY_SHARE = {
    "vegetable": 0.24,
    "meat": 0.30,
    "egg": 0.08,
    "milk": 0.10,
    "rice": 0.12,
    "flour": 0.06,
    "oil": 0.05,
    "other": 0.05,
}
# Chance of a delivery of the category in a school-week, and the weeks it covers.
DELIVERY_CHANCE = {
    "vegetable": (0.95, 1),
    "meat": (0.85, 1),
    "egg": (0.30, 3),
    "milk": (0.30, 3),
    "rice": (0.25, 4),
    "flour": (0.12, 8),
    "oil": (0.10, 10),
    "other": (0.12, 8),
}
# Which kind of supplier delivers a category.
SUPPLY_GROUP = {
    "rice": "grain",
    "flour": "grain",
    "oil": "grain",
    "meat": "meat",
    "egg": "meat",
    "milk": "milk",
    "vegetable": "fresh",
    "other": "fresh",
}
GROUP_WORD = {"grain": "粮油", "meat": "肉蛋", "milk": "乳业", "fresh": "农产品"}
# Kitchen schools one district supplier of a group serves (a district has at least one).
SCHOOLS_PER_SUPPLIER = {"grain": 45, "meat": 35, "milk": 80, "fresh": 30}
BRAND_CHARS = "鑫丰源禾康盛华瑞顺达"
COMPANY_KINDS = ("食品配送有限公司", "供应链管理有限公司", "商贸有限公司", "实业有限公司")
# USCC characters (GB 32100: no I, O, S, V, Z)
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"

MEAT_DISHES = ("红烧肉", "宫保鸡丁", "鱼香肉丝", "土豆烧牛肉", "糖醋里脊", "红烧鸡块", "清蒸鱼块",
               "肉末茄子", "青椒肉丝", "洋葱炒肉", "咖喱鸡块", "胡萝卜烧排骨")  # fmt: skip
VEG_DISHES = ("清炒油麦菜", "醋溜白菜", "蒜蓉西兰花", "手撕包菜", "酸辣土豆丝", "番茄炒蛋",
              "清炒菠菜", "家常豆腐", "蒜蓉娃娃菜", "素炒冬瓜", "韭菜炒豆芽", "凉拌黄瓜")  # fmt: skip
STAPLES = ("米饭", "馒头", "花卷", "杂粮饭", "米饭", "米饭")
FRUITS = ("苹果", "香蕉", "橙子", "梨", "西瓜", "葡萄", "猕猴桃")
SOUPS = ("紫菜蛋花汤", "冬瓜汤", "番茄蛋汤", "小米粥", "绿豆汤", "青菜豆腐汤")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
FEEDBACK_GOOD = ("饭菜温度适宜，分量充足", "菜品搭配合理", "学生就餐秩序良好", "食堂卫生整洁")
FEEDBACK_BAD = ("菜品偏咸，建议少盐", "水果分量偏少", "打菜速度慢，排队时间长", "米饭偏硬")
CHECK_NOTES = ("食材查验", "加工制作", "餐具洗消", "人员健康", "留样")
TOPICS = {
    "safety_director": "校园食品安全主体责任与食品安全总监履职",
    "canteen_manager": "食堂精细化管理与“日管控、周排查、月调度”",
    "finance": "膳食经费财务管理与伙食账目公示",
    "supervisor": "责任督学校园餐监督检查要点",
    "supplier": "大宗食材配送企业准入、查验与履约",
    "staff": "食堂从业人员操作规范与营养配餐（两菜一水果加主食）",
    "other": "营养健康教育与膳食监督委员会工作",
}
# Relative person-times of each audience, per school (supplier: per supplier).
AUDIENCE_WEIGHT = {
    "safety_director": 1.0,
    "canteen_manager": 1.0,
    "finance": 0.6,
    "supervisor": 0.3,
    "staff": 3.5,
    "other": 0.4,
}
OTHER_ROLES = (
    ("teacher", 0.34),
    ("parent", 0.30),
    ("committee", 0.16),
    ("official", 0.10),
    ("deputy", 0.05),
    ("other", 0.05),
)
PEOPLE = {  # (smallest, largest) number of people in a record of a role
    "school_leader": (1, 2),
    "teacher": (1, 3),
    "parent": (1, 4),
    "committee": (2, 6),
    "official": (1, 3),
    "deputy": (1, 3),
    "other": (1, 2),
}
MENU_WEEKS_AHEAD = 2  # the latest menus reach this many weeks past the as-of date


@dataclass(frozen=True)
class Supervision:
    meal_companions: pl.DataFrame
    menus: pl.DataFrame
    kitchen_cameras: pl.DataFrame
    canteen_checks: pl.DataFrame
    suppliers: pl.DataFrame  # final state (as on DATA_END)
    suppliers_ledgers: dict[int, pl.DataFrame]  # year -> the registry as on 31 December
    deliveries: pl.DataFrame
    training: pl.DataFrame


# ------------------------------------------------------------------ settings


def _district_settings(rng: np.random.Generator) -> pl.DataFrame:
    """Per district and year, the shortfalls (1 − rate) the sources are drawn with.

    The urban core falls short less; an earlier year falls short more in most districts
    (its shortfall × 0.8–2.0). Three districts keep every camera online.
    """
    k = len(DISTRICTS)
    core = np.array([d.core for d in DISTRICTS])

    def span(core_range, outer_range):
        lo = np.where(core, core_range[0], outer_range[0])
        hi = np.where(core, core_range[1], outer_range[1])
        return rng.uniform(lo, hi)

    latest = {
        "leader_miss": span((0.005, 0.04), (0.03, 0.12)),
        "menu_below": span((0.005, 0.03), (0.02, 0.09)),
        "menu_missing": span((0.0, 0.004), (0.004, 0.02)),
        "late_publish": span((0.0, 0.02), (0.01, 0.07)),
        "offline": span((0.0005, 0.004), (0.003, 0.012)),
        "unconnected": span((0.0, 0.0), (0.0, 0.03)),
        "weekly_miss": span((0.0, 0.04), (0.03, 0.12)),
        "monthly_miss": span((0.0, 0.05), (0.03, 0.12)),
        "standard_fail": span((0.0, 0.05), (0.03, 0.12)),
        "unified_miss": span((0.0, 0.012), (0.008, 0.05)),
        "training": rng.uniform(0.75, 1.25, k),
    }
    perfect = rng.choice(k, size=3, replace=False)
    latest["offline"][perfect] = 0.0
    frames = []
    for year in YEARS:
        if year == YEAR:
            values = latest
        else:
            worse = rng.uniform(0.8, 2.0, k)
            values = {n: v * worse for n, v in latest.items() if n != "training"}
            values["offline"] = np.where(
                latest["offline"] == 0, 0.0005 * rng.random(k), latest["offline"] * worse
            )
            values["unconnected"] = latest["unconnected"] + np.where(core, 0.0, 0.02)
            values["training"] = latest["training"] * rng.uniform(0.8, 1.02, k)
        frames.append(
            pl.DataFrame(
                {"district_code": [d.code for d in DISTRICTS], "year": year, **values}
            ).with_columns(pl.col("year").cast(pl.Int32))
        )
    return pl.concat(frames)


# --------------------------------------------------------------- school days


def _school_days(schools: pl.DataFrame, participation: pl.DataFrame, missed: pl.DataFrame):
    """Every school day of every lunch-serving school from its lunch start: reported ones
    (serving days: `lunch_students > 0`) and unreported ones, with the school's traits,
    its term's year, ISO week (its Monday) and month."""
    traits = schools.with_row_index("sid").select(
        "sid", "school_code", "district_code", "lunch_mode", "lunch_start_date"
    )
    days = pl.concat(
        [
            participation.select("school_code", "date", reported=pl.lit(True)),
            missed.select("school_code", "date", reported=pl.lit(False)),
        ]
    )
    return (
        days.join(traits, on="school_code")
        .filter((pl.col("lunch_mode") != "none") & (pl.col("date") >= pl.col("lunch_start_date")))
        .with_columns(
            # the year of the day's term (January closes the autumn term before it): the
            # year whose rates apply, so that a term's days are drawn alike
            year=(pl.col("date").dt.year() - (pl.col("date").dt.month() == 1)).cast(pl.Int32),
            week=pl.col("date").dt.truncate("1w"),
            month=pl.col("date").dt.truncate("1mo"),
            kitchen=pl.col("lunch_mode").is_in(KITCHEN_MODES),
        )
        .drop("lunch_mode", "lunch_start_date")
        .sort("sid", "date")
    )


def _school_factor(rng: np.random.Generator, schools: pl.DataFrame) -> pl.DataFrame:
    """A school's shortfalls relative to its district's (log-normal around 1), and the
    traits the sources need: size, take-up, cameras, meal price."""
    n = schools.height
    return schools.select(
        "school_code",
        "enrolled_base",
        "take_up",
        "core",
        factor=pl.Series(np.exp(rng.normal(-0.125, 0.5, n))),
        cameras=pl.Series(
            np.clip(
                np.rint(schools["enrolled_base"].to_numpy() / 300) + rng.integers(2, 6, n), 2, 16
            ).astype(np.int64)
        ),
        price=pl.Series(
            np.round((np.where(schools["core"].to_numpy(), 13.0, 10.0) + rng.normal(0, 1.0, n)) * 2)
            / 2
        ),
        price_blank=pl.Series(rng.random(n) < 0.08),
    )


@dataclass(frozen=True)
class Rates:
    settings: pl.DataFrame  # per district and year (_district_settings)
    schools: pl.DataFrame  # per school (_school_factor)

    def add(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """`frame` (with district_code, year, school_code) with the named settings and
        school traits joined on: only those, as the daily frames are large."""
        wanted = [c for c in columns if c in self.settings.columns]
        if wanted:
            frame = frame.join(
                self.settings.select("district_code", "year", *wanted),
                on=["district_code", "year"],
                how="left",
                maintain_order="left",
            )
        traits = [c for c in columns if c in self.schools.columns]
        if traits:
            frame = frame.join(
                self.schools.select("school_code", *traits),
                on="school_code",
                how="left",
                maintain_order="left",
            )
        return frame


def _uniform(rng: np.random.Generator, frame: pl.DataFrame, name: str = "u") -> pl.DataFrame:
    return frame.with_columns(pl.Series(name, rng.random(frame.height)))


def _take(options, idx: np.ndarray) -> pl.Series:
    """`options[idx]` as a polars string column (no NumPy strings: they are slow)."""
    return pl.Series(list(options), dtype=pl.String).gather(pl.Series(idx, dtype=pl.Int64))


def _names(rng: np.random.Generator, n: int, suffix: str = "某某") -> pl.Series:
    return _take(SURNAMES, rng.integers(0, len(SURNAMES), n)) + suffix


def _pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    """Indices into `options` ((value, weight) pairs), drawn by weight."""
    p = np.array([w for _, w in options], dtype=float)
    return rng.choice(len(options), size=n, p=p / p.sum())


# ------------------------------------------------------------------- 陪餐

ROLES = ("school_leader", *(r for r, _ in OTHER_ROLES))


def _companions(rng: np.random.Generator, days: pl.DataFrame, rates: Rates) -> pl.DataFrame:
    """A 校领导 record on most serving days (the days the school reported lunch); another
    role's record on some."""
    days = _uniform(rng, rates.add(days.filter("reported"), "leader_miss", "factor"))
    leader = days.filter(pl.col("u") >= pl.col("leader_miss") * pl.col("factor")).select(
        "sid", "school_code", "date", r=pl.lit(0, pl.Int64)
    )
    others = _uniform(rng, days, "v").filter(pl.col("v") < 0.16)
    others = others.select(
        "sid", "school_code", "date", r=pl.Series(_pick(rng, OTHER_ROLES, others.height) + 1)
    )
    rows = pl.concat([leader, others]).sort("sid", "date", "r")
    n = rows.height
    r = rows["r"].to_numpy()
    lo = np.array([PEOPLE[x][0] for x in ROLES])[r]
    hi = np.array([PEOPLE[x][1] for x in ROLES])[r]
    people = lo + np.floor(rng.random(n) ** 2 * (hi - lo + 1)).astype(np.int64)
    rating = np.where(rng.random(n) < 0.78, 5, np.where(rng.random(n) < 0.85, 4, 3))
    u = rng.random(n)
    good = _take(FEEDBACK_GOOD, rng.integers(0, len(FEEDBACK_GOOD), n))
    bad = _take(FEEDBACK_BAD, rng.integers(0, len(FEEDBACK_BAD), n))
    said = u < np.where(rating >= 4, 0.12, 0.8)
    feedback = pl.select(
        pl.when(pl.Series(~said)).then(None).when(pl.Series(rating >= 4)).then(good).otherwise(bad)
    ).to_series()
    return rows.select(
        record_id=pl.concat_str(
            pl.lit("PC"),
            pl.col("date").dt.strftime("%Y%m%d"),
            pl.lit("-"),
            pl.col("school_code"),
            pl.lit("-"),
            (pl.col("r") + 1).cast(pl.String),  # at most one record of a role a day
        ),
        school_code="school_code",
        date="date",
        role=_take(ROLES, r),
        people=pl.Series(people).set(pl.Series(rng.random(n) < 0.05), None),
        rating=pl.Series(rating.astype(np.int64)).set(pl.Series(rng.random(n) < 0.1), None),
        companion_name=_names(rng, n),
        feedback=feedback,
    )


# ------------------------------------------------------------------- 食谱


def _ahead(days: pl.DataFrame) -> pl.DataFrame:
    """The school days after DATA_END whose menus are already published: the latest
    term's lunch-serving schools still open, for the next MENU_WEEKS_AHEAD weeks."""
    last_monday = DATA_END - timedelta(days=DATA_END.weekday())
    until = last_monday + timedelta(days=7 * (MENU_WEEKS_AHEAD + 1) - 3)
    ahead = school_days(DATA_END + timedelta(days=1), until)
    latest = days.filter(pl.col("date") >= TERMS[-1].first_day).unique(
        "school_code", keep="last", maintain_order=True
    )
    grid = latest.drop("date", "week", "month", "reported").join(
        pl.DataFrame({"date": ahead}).with_columns(pl.col("date").cast(pl.Date)), how="cross"
    )
    return grid.with_columns(
        week=pl.col("date").dt.truncate("1w"),
        month=pl.col("date").dt.truncate("1mo"),
        reported=pl.lit(False),
    ).select(days.columns)


def _menus(rng: np.random.Generator, days: pl.DataFrame, rates: Rates) -> pl.DataFrame:
    """One menu per school day (a few missing); published the Thursday before its week
    (a few weeks late, a few without a date), the future ones by DATA_END."""
    days = rates.add(
        pl.concat([days, _ahead(days)]),
        *("menu_missing", "menu_below", "late_publish", "factor", "price", "price_blank"),
    )
    days = _uniform(rng, days).filter(pl.col("u") >= pl.col("menu_missing") * pl.col("factor"))
    n = days.height
    below = rng.random(n) < (days["menu_below"] * days["factor"]).to_numpy()
    flaw = rng.random(n)  # which part a menu below the standard lacks
    dishes = np.where(rng.random(n) < 0.7, 2, np.where(rng.random(n) < 0.8, 3, 4))
    dishes = np.where(below & (flaw < 0.45), 1, dishes)
    has_fruit = ~(below & (flaw >= 0.45) & (flaw < 0.9))
    has_staple = ~(below & (flaw >= 0.9))
    meat = np.where(dishes == 1, rng.integers(0, 2, n), np.maximum(1, dishes // 2))
    base = rng.integers(0, 1 << 20, n)
    parts = []
    for i in range(4):
        meat_name = _take(MEAT_DISHES, (base + i) % len(MEAT_DISHES))
        veg_name = _take(VEG_DISHES, (base // 7 + i - meat) % len(VEG_DISHES))
        name = pl.select(
            pl.when(pl.Series(i >= dishes))
            .then(None)
            .when(pl.Series(i < meat))
            .then(meat_name)
            .otherwise(veg_name)
            .alias(f"d{i}")
        ).to_series()
        parts.append(name)
    staple = _take(STAPLES, base % len(STAPLES)).set(pl.Series(~has_staple), None).alias("s")
    fruit = _take(FRUITS, base // 3 % len(FRUITS)).set(pl.Series(~has_fruit), None).alias("f")
    soup = _take(SOUPS, base // 11 % len(SOUPS)).alias("p")
    text = pl.DataFrame([*parts, staple, soup, fruit]).select(
        pl.concat_str(pl.all(), separator="、", ignore_nulls=True).alias("menu_text")
    )["menu_text"]

    # publication: per school-week, the Thursday before (by DATA_END for later weeks)
    weeks = days.select("school_code", "week", "late_publish", "factor").unique(
        ["school_code", "week"], maintain_order=True
    )
    w = weeks.height
    late = rng.random(w) < (weeks["late_publish"] * weeks["factor"]).to_numpy()
    blank = rng.random(w) < 0.003
    monday = weeks["week"].to_numpy().astype("datetime64[D]")
    on_time = np.minimum(monday - np.timedelta64(4, "D"), np.datetime64(DATA_END))
    behind = monday + rng.integers(1, 4, w).astype("timedelta64[D]")
    # a week published late: only where that day has come by the as-of date
    published = np.where(late & (behind <= np.datetime64(DATA_END)), behind, on_time)
    weeks = weeks.select(
        "school_code",
        "week",
        published_date=pl.Series(published).cast(pl.Date).set(pl.Series(blank), None),
    )
    year = days["date"].dt.year().to_numpy()
    price = days["price"].to_numpy() + np.where(year >= YEAR, 0.5, 0.0)
    return (
        days.select(
            "sid",
            "school_code",
            "date",
            "week",
            dishes=pl.Series(dishes.astype(np.int64)),
            meat_dishes=pl.Series(meat.astype(np.int64)).set(pl.Series(rng.random(n) < 0.04), None),
            has_fruit=pl.Series(has_fruit),
            has_staple=pl.Series(has_staple),
            price=pl.Series(price).set(days["price_blank"], None),
            menu_text=text,
        )
        .join(weeks, on=["school_code", "week"], how="left", maintain_order="left")
        .sort("sid", "date")
        .select(
            "school_code",
            "date",
            "dishes",
            "meat_dishes",
            "has_fruit",
            "has_staple",
            "price",
            "published_date",
            "menu_text",
        )
    )


# --------------------------------------------------------------- 明厨亮灶


def _cameras(rng: np.random.Generator, days: pl.DataFrame, rates: Rates) -> pl.DataFrame:
    """A snapshot per school day of every kitchen school connected that year: its
    cameras (more in the latest year at some schools) and how many were online."""
    kitchen = rates.add(days.filter("kitchen"), "offline", "factor", "cameras")
    per_year = rates.add(
        kitchen.select("school_code", "district_code", "year").unique(
            ["school_code", "year"], maintain_order=True
        ),
        "unconnected",
    )
    m = per_year.height
    connected = rng.random(m) >= per_year["unconnected"].to_numpy()
    # a few connected schools with no camera installed yet (the earlier year)
    empty = (rng.random(m) < 0.004) & (per_year["year"].to_numpy() < YEAR)
    added = np.where(
        (per_year["year"].to_numpy() >= YEAR) & (rng.random(m) < 0.3), rng.integers(1, 3, m), 0
    )
    per_year = per_year.select(
        "school_code",
        "year",
        connected=pl.Series(connected),
        empty=pl.Series(empty),
        added=pl.Series(added.astype(np.int64)),
    )
    rows = kitchen.join(per_year, on=["school_code", "year"], maintain_order="left")
    rows = rows.filter("connected")
    cameras = np.where(rows["empty"].to_numpy(), 0, rows["cameras"].to_numpy() + rows["added"])
    q = np.minimum((rows["offline"] * rows["factor"]).to_numpy(), 0.5)
    offline = rng.binomial(cameras, q)
    return rows.select(
        "school_code",
        "date",
        cameras=pl.Series(cameras.astype(np.int64)),
        online=pl.Series((cameras - offline).astype(np.int64)),
    )


# ------------------------------------------------------------------- 检查


def _one_per(rng: np.random.Generator, frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One random row of each group."""
    picked = _uniform(rng, frame, "_r")
    return picked.filter(pl.col("_r") == pl.col("_r").min().over(by)).drop("_r")


def _checks(rng: np.random.Generator, days: pl.DataFrame, rates: Rates) -> pl.DataFrame:
    kitchen = days.filter("kitchen")
    weekly = rates.add(_one_per(rng, kitchen, ["sid", "week"]), "weekly_miss", "factor")
    weekly = _uniform(rng, weekly).filter(pl.col("u") >= pl.col("weekly_miss") * pl.col("factor"))
    monthly = rates.add(_one_per(rng, kitchen, ["sid", "month"]), "monthly_miss", "factor")
    monthly = _uniform(rng, monthly).filter(
        pl.col("u") >= pl.col("monthly_miss") * pl.col("factor")
    )
    daily = _uniform(rng, kitchen).filter(pl.col("u") < 0.04)
    open_result = {"result": pl.lit(None, pl.String)}
    frames = [
        weekly.select("school_code", "date", kind=pl.lit("weekly"), **open_result),
        monthly.select("school_code", "date", kind=pl.lit("monthly"), **open_result),
        daily.select("school_code", "date", kind=pl.lit("daily"), **open_result),
        _standard_checks(rng, kitchen, rates),
    ]
    rows = (
        pl.concat(frames)
        .unique(["school_code", "date", "kind"], maintain_order=True)
        .sort("school_code", "date", "kind")  # the draws below in a fixed order
    )
    n = rows.height
    daily_kind = (rows["kind"] == "daily").to_numpy()
    fail = rng.random(n) < np.where(daily_kind, 0.01, 0.03)
    rows = rows.with_columns(
        result=pl.col("result").fill_null(
            pl.when(pl.Series(fail)).then(pl.lit("fail")).otherwise(pl.lit("pass"))
        )
    )
    passed = (rows["result"] == "pass").to_numpy()
    score = np.where(passed, rng.integers(85, 101, n), rng.integers(55, 85, n))
    prefix = {"daily": "RG", "weekly": "ZP", "monthly": "YD", "standard": "BZ"}
    return (
        rows.with_columns(
            score=pl.Series(score.astype(np.int64)).set(
                pl.Series(daily_kind | (rng.random(n) < 0.05)), None
            ),
            inspector=_names(rng, n, "某"),
        )
        .with_columns(
            check_id=pl.concat_str(
                pl.col("kind").replace_strict(prefix),
                pl.col("date").dt.strftime("%Y%m%d"),
                pl.lit("-"),
                pl.col("school_code"),
            )
        )
        .select("check_id", "school_code", "date", "kind", "result", "score", "inspector")
        .sort("date", "school_code", "check_id")
    )


def _standard_checks(rng: np.random.Generator, kitchen: pl.DataFrame, rates: Rates):
    """标准化验收: each canteen checked once (in 2024, or after it opened), a failed one
    re-checked some weeks later; a few not yet checked; some re-checked in the latest
    autumn. Dates are school days of the canteen."""
    schools = kitchen.group_by("sid", maintain_order=True).agg(
        pl.col("school_code", "district_code", "year").first(),
        pl.col("date").first().alias("start"),
    )
    schools = rates.add(schools, "standard_fail", "factor", "core")
    days = kitchen.select("school_code", "date")
    k = schools.height
    unchecked = rng.random(k) < np.where(schools["core"].to_numpy(), 0.005, 0.03)
    delay = rng.integers(5, 120, k)  # school days after the canteen's first day in the data
    shortfall = (schools["standard_fail"] * schools["factor"]).to_numpy()
    fail_first = rng.random(k) < np.minimum(shortfall * 2.5, 0.6)
    plan = schools.select(
        "school_code",
        first=pl.Series(delay),
        fail_first=pl.Series(fail_first),
        recheck=pl.Series(delay + rng.integers(20, 80, k)),
        still_fail=pl.Series(rng.random(k) < 0.2),
        autumn=pl.Series(rng.random(k) < 0.35),
        autumn_fail=pl.Series(rng.random(k) < shortfall / 2),
    ).filter(pl.Series(~unchecked))
    numbered = days.with_columns(i=pl.int_range(pl.len()).over("school_code"))
    first = numbered.join(plan, left_on=["school_code", "i"], right_on=["school_code", "first"])
    first = first.select(
        "school_code",
        "date",
        result=pl.when(pl.col("fail_first")).then(pl.lit("fail")).otherwise(pl.lit("pass")),
    )
    again = numbered.join(
        plan.filter("fail_first"), left_on=["school_code", "i"], right_on=["school_code", "recheck"]
    ).select(
        "school_code",
        "date",
        result=pl.when(pl.col("still_fail")).then(pl.lit("fail")).otherwise(pl.lit("pass")),
    )
    autumn_days = days.filter(pl.col("date") >= TERMS[-1].first_day)
    earlier = schools.filter(pl.col("start") < TERMS[-1].first_day)["school_code"]
    again_in_autumn = plan.filter(pl.col("autumn") & pl.col("school_code").is_in(earlier.implode()))
    candidates = autumn_days.join(again_in_autumn, on="school_code", maintain_order="left")
    autumn = _one_per(rng, candidates, ["school_code"])
    autumn = autumn.select(
        "school_code",
        "date",
        result=pl.when(pl.col("autumn_fail")).then(pl.lit("fail")).otherwise(pl.lit("pass")),
    )
    return pl.concat([first, again, autumn]).select(
        "school_code", "date", kind=pl.lit("standard"), result="result"
    )


# ------------------------------------------------------------- 供应商 and 配送


def _uscc(rng: np.random.Generator, prefix: str, area: str, n: int) -> list[str]:
    """Codes shaped like a 统一社会信用代码: `prefix` (91 a company, 92 a sole trader),
    the area code and ten more characters."""
    chars = np.array(list(USCC))
    tails = chars[rng.integers(0, len(chars), (n, 10))]
    return [f"{prefix}{area}{''.join(t)}" for t in tails]


def _area(district: str | None) -> str:
    return "410100" if district is None else district[:6]


def _slots(kitchens: dict[str, int]) -> list[tuple[str | None, str, int]]:
    """(district or None for city-wide, group, slot number) of every supply slot: milk
    comes from two city-wide suppliers, the rest from each district's own."""
    slots: list[tuple[str | None, str, int]] = [(None, "milk", 0), (None, "milk", 1)]
    for d in DISTRICTS:
        for group in ("grain", "meat", "fresh"):
            n = max(1, -(-kitchens.get(d.code, 0) // SCHOOLS_PER_SUPPLIER[group]))
            slots += [(d.code, group, s) for s in range(n)]
    return slots


def _supplier_name(rng: np.random.Generator, district: str | None, group: str) -> str:
    where = next((d for d in DISTRICTS if d.code == district), None)
    place = "郑州市" if where is None else where.places[int(rng.integers(0, len(where.places)))]
    brand = "".join(rng.choice(list(BRAND_CHARS), 2, replace=False))
    kind = COMPANY_KINDS[int(rng.integers(0, len(COMPANY_KINDS)))]
    return f"{place}{brand}{GROUP_WORD[group]}{kind}"


def _registry(rng: np.random.Generator, kitchens: dict[str, int], n_schools: int):
    """The supplier registry (final state) and each slot's chain of suppliers over time:
    (district key, group, slot, supplier_id, serving from)."""
    slots = _slots(kitchens)
    rows: list[dict] = []
    chain: list[dict] = []
    all_days = np.concatenate([t.school_days() for t in TERMS])

    def admit(district, group, admitted: date, certified: bool) -> str:
        sid = _uscc(rng, "91", _area(district), 1)[0]
        rows.append(
            {
                "supplier_id": sid,
                "supplier_name": _supplier_name(rng, district, group),
                "district_code": district,
                "certified": certified,
                "admitted_date": admitted,
                "exited_date": None,
            }
        )
        return sid

    # One grain supplier of an outer district sharing its schools with another lacks the
    # certification: about a sixth of that district's bulk supply is not certified.
    shared = [i for i, (d, g, s) in enumerate(slots) if g == "grain" and s == 1
              and d is not None and not next(x for x in DISTRICTS if x.code == d).core]  # fmt: skip
    uncertified = shared[int(rng.integers(0, len(shared)))] if shared else -1
    current: dict[int, str] = {}
    for i, (district, group, slot) in enumerate(slots):
        since = date(2018, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 6)))
        certified = bool(rng.random() < 0.75) if group == "fresh" else i != uncertified
        current[i] = admit(district, group, since, certified)
        chain.append({"key": district or "", "group": group, "slot": slot,
                      "supplier_id": current[i], "from": date(2000, 1, 1)})  # fmt: skip
    index = {r["supplier_id"]: r for r in rows}
    outer = np.array([0.5 if d is None or next(x for x in DISTRICTS if x.code == d).core else 1.0
                      for d, _, _ in slots])  # fmt: skip
    if uncertified >= 0:
        outer[uncertified] = 0.0  # it keeps delivering through both years
    for year in YEARS:
        days = all_days[(all_days >= np.datetime64(date(year, 2, 1)))
                        & (all_days <= np.datetime64(date(year, 12, 15)))]  # fmt: skip
        exits = scaled(SUPPLIER_EXITS, n_schools)
        chosen = rng.choice(len(slots), size=min(exits, len(slots)), replace=False,
                            p=outer / outer.sum())  # fmt: skip
        when = np.sort(days[rng.integers(0, len(days), len(chosen))])
        if year == YEAR and len(chosen) >= 2:
            # one supplier admitted and exited within the year: its slot changes twice
            chosen[-1] = chosen[0]
            when[0] = min(when[0], np.datetime64(date(year, 4, 30)))
            when[-1] = max(when[-1], np.datetime64(date(year, 10, 9)))
        order = np.argsort(when, kind="stable")
        for s, day in zip(chosen[order], when[order], strict=True):
            exit_day = day.item()
            district, group, slot = slots[s]
            index[current[s]]["exited_date"] = exit_day
            admitted = exit_day - timedelta(days=int(rng.integers(7, 31)))
            current[s] = admit(district, group, admitted, True)
            index[current[s]] = rows[-1]
            chain.append({"key": district or "", "group": group, "slot": slot,
                          "supplier_id": current[s], "from": exit_day})  # fmt: skip
        # newly admitted suppliers on standby (入围), not yet delivering
        for _ in range(scaled(SUPPLIER_ADMISSIONS, n_schools)):
            district, group, _slot = slots[int(rng.integers(0, len(slots)))]
            admitted = days[int(rng.integers(0, len(days)))].item()
            index_id = admit(district, group, admitted, bool(rng.random() < 0.9))
            index[index_id] = rows[-1]
    registry = pl.DataFrame(
        rows,
        schema={
            "supplier_id": pl.String,
            "supplier_name": pl.String,
            "district_code": pl.String,
            "certified": pl.Boolean,
            "admitted_date": pl.Date,
            "exited_date": pl.Date,
        },
    )
    chain_frame = pl.DataFrame(chain).with_columns(
        pl.col("from").cast(pl.Date), pl.col("slot").cast(pl.Int64)
    )
    return registry.sort("supplier_id"), chain_frame


def _ledgers(registry: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """The registry as each year's list shows it on 31 December: the suppliers admitted by
    then, with their exit date if they had left by then."""
    out = {}
    for year in YEARS:
        end = date(year, 12, 31)
        out[year] = registry.filter(pl.col("admitted_date") <= end).with_columns(
            exited_date=pl.when(pl.col("exited_date") <= end).then(pl.col("exited_date"))
        )
    return out


def _deliveries(
    rng: np.random.Generator, days: pl.DataFrame, rates: Rates, chain: pl.DataFrame, n_slots: dict
) -> pl.DataFrame:
    """A few deliveries per kitchen school-week (see DELIVERY_CHANCE)."""
    kitchen = days.filter("kitchen")
    weeks = kitchen.group_by("sid", "week", maintain_order=True).agg(
        pl.col("date"), pl.col("school_code", "district_code", "year").first()
    )
    weeks = rates.add(weeks, "enrolled_base", "take_up", "unified_miss", "factor")
    schools = weeks.select("school_code", "district_code").unique(
        "school_code", maintain_order=True
    )
    s = schools.height
    pick = rng.integers(0, 1 << 20, (s, 3))
    districts = schools["district_code"].to_list()
    slot_of = {
        "grain": [int(pick[i, 0] % n_slots[(d, "grain")]) for i, d in enumerate(districts)],
        "meat": [int(pick[i, 1] % n_slots[(d, "meat")]) for i, d in enumerate(districts)],
        "fresh": [int(pick[i, 2] % n_slots[(d, "fresh")]) for i, d in enumerate(districts)],
        "milk": list(pick[:, 0] % 2),
    }
    local = schools.select("school_code", local_id=pl.Series(
        [v for d in districts for v in _uscc(rng, "92", _area(d), 1)]))  # fmt: skip
    frames = []
    for category, (chance, covers) in DELIVERY_CHANCE.items():
        here = _uniform(rng, weeks).filter(pl.col("u") < chance)
        n = here.height
        at = (rng.random(n) * here["date"].list.len().to_numpy()).astype(np.int64)
        group = SUPPLY_GROUP[category]
        slots = schools.select(
            "school_code",
            key=pl.lit("") if group == "milk" else pl.col("district_code"),
            slot=pl.Series(slot_of[group], dtype=pl.Int64),
        )
        n_days = here["date"].list.len().to_numpy()
        students = here["enrolled_base"].to_numpy() * here["take_up"].to_numpy()
        amount = students * n_days * covers * FOOD_COST_PER_MEAL * CATEGORY_SHARE[category]
        amount *= np.exp(rng.normal(0.0, 0.15, n))
        amount = np.where(rng.random(n) < 0.5, np.round(amount), np.round(amount, 2))
        bulk = category in BULK_CATEGORIES
        miss = (here["unified_miss"] * here["factor"]).to_numpy() if bulk else np.full(n, 0.08)
        frames.append(
            here.select(
                "school_code",
                date=pl.col("date").list.get(pl.Series(at)),
                category=pl.lit(category),
                group=pl.lit(group),
                unified=pl.Series(rng.random(n) >= miss),
                amount=pl.Series(np.maximum(amount, 1.0)),
                # some deliveries still come from the supplier of a week before
                lag=pl.Series(np.where(rng.random(n) < 0.2, 8, 0)),
            ).join(slots, on="school_code", how="left")
        )
    rows = pl.concat(frames).with_columns(_as_of=pl.col("date") - pl.duration(days=pl.col("lag")))
    rows = (
        rows.sort("_as_of")
        .join_asof(
            chain.rename({"from": "_from"}).sort("_from"),
            left_on="_as_of",
            right_on="_from",
            by=["key", "group", "slot"],
            check_sortedness=False,  # sorted on the dates; the groups are not checked
        )
        .join(local, on="school_code", how="left")
        .sort("date", "school_code", "category")  # the draws below in a fixed order
    )
    n = rows.height
    inspected = pl.Series(rng.random(n) < 0.975).set(pl.Series(rng.random(n) < 0.01), None)
    code = {"rice": "DM", "flour": "MF", "oil": "SY", "meat": "RL", "egg": "DL", "milk": "NL",
            "vegetable": "SC", "other": "QT"}  # fmt: skip
    return (
        rows.with_columns(
            supplier_id=pl.when("unified").then("supplier_id").otherwise("local_id"),
            inspected=inspected,
            delivery_id=pl.concat_str(
                pl.lit("PS"),
                pl.col("date").dt.strftime("%Y%m%d"),
                pl.lit("-"),
                pl.col("school_code"),
                pl.lit("-"),
                pl.col("category").replace_strict(code),
            ),
        )
        .select(
            "delivery_id",
            "school_code",
            "date",
            "supplier_id",
            "category",
            "unified",
            "amount",
            "inspected",
        )
        .sort("date", "school_code", "delivery_id")
    )


# ------------------------------------------------------------------- 培训


def _training(
    rng: np.random.Generator,
    schools: pl.DataFrame,
    settings: pl.DataFrame,
    registry: pl.DataFrame,
) -> pl.DataFrame:
    """Each district's sessions of a year, one per audience (the staff in two), about
    TRAINING_PER_SCHOOL person-times per school."""
    rows = []
    for year in YEARS:
        weekdays = np.arange(np.datetime64(date(year, 1, 5)), np.datetime64(date(year, 12, 20)))
        weekdays = weekdays[np.is_busday(weekdays)]
        for d in DISTRICTS:
            here = schools.filter(
                (pl.col("district_code") == d.code) & pl.col("active")
                | (pl.col("district_code") == d.code) & (pl.col("last_term") >= 0) & (year < YEAR)
            ).height
            if here == 0:
                continue
            factor = settings.filter(
                (pl.col("district_code") == d.code) & (pl.col("year") == year)
            )["training"].item()
            suppliers = registry.filter(pl.col("district_code") == d.code).height
            sessions = [(a, here * w) for a, w in AUDIENCE_WEIGHT.items() if a != "staff"]
            sessions += [("staff", here * AUDIENCE_WEIGHT["staff"] / 2)] * 2
            sessions.append(("supplier", max(suppliers, 1) * 2.0))
            total = TRAINING_PER_SCHOOL * here * factor
            scale = total / sum(w for _, w in sessions)
            dates = np.sort(weekdays[rng.choice(len(weekdays), len(sessions), replace=False)])
            for k, ((audience, weight), day) in enumerate(zip(sessions, dates, strict=True)):
                person_times = max(1, round(weight * scale * rng.uniform(0.85, 1.15)))
                rows.append(
                    {
                        "training_id": f"PX{year}-{d.code}-{k + 1:02d}",
                        "date": day.item(),
                        "district_code": d.code,
                        "audience": audience if rng.random() > 0.03 else None,
                        "person_times": person_times,
                        "topic": TOPICS[audience],
                    }
                )
    return pl.DataFrame(rows).with_columns(pl.col("date").cast(pl.Date)).sort("training_id")


# ---------------------------------------------------------------------- all


def build_supervision(
    rng: np.random.Generator,
    schools: pl.DataFrame,
    participation: pl.DataFrame,
    missed: pl.DataFrame,
) -> Supervision:
    """The seven supervision sources for the jurisdiction's schools and school days."""
    streams = [np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(8)]
    settings = _district_settings(streams[0])
    factor = _school_factor(streams[0], schools)
    rates = Rates(settings, factor)
    days = _school_days(schools, participation, missed)
    kitchens = dict(
        schools.filter(pl.col("lunch_mode").is_in(KITCHEN_MODES))
        .group_by("district_code")
        .len()
        .iter_rows()
    )
    registry, chain = _registry(streams[5], kitchens, schools.height)
    n_slots = {
        (d, g): int(chain.filter((pl.col("key") == d) & (pl.col("group") == g))["slot"].max() + 1)
        for d in [x.code for x in DISTRICTS]
        for g in ("grain", "meat", "fresh")
    }
    return Supervision(
        meal_companions=_companions(streams[1], days, rates),
        menus=_menus(streams[2], days, rates),
        kitchen_cameras=_cameras(streams[3], days, rates),
        canteen_checks=_checks(streams[4], days, rates),
        suppliers=registry,
        suppliers_ledgers=_ledgers(registry),
        deliveries=_deliveries(streams[6], days, rates, chain, n_slots),
        training=_training(streams[7], schools, settings, registry),
    )
