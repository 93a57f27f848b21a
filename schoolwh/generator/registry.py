"""The school registry of the sample jurisdiction, with each school's hidden traits.

`build_schools` returns one row per school: the registry columns of the `schools`
source plus trait columns (take-up rates, reporting reliability, size) that the
other builders read and the writers leave out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from schoolwh.generator.calendar import TERMS, YEARS, autumn_term, school_days, term_index
from schoolwh.generator.districts import (
    BASE_SCHOOLS,
    BASE_STUDENTS,
    CENTRAL_KITCHENS,
    DISTRICTS,
    NO_LUNCH_SHARE,
    NUTRITION_PLAN_DISTRICTS,
    SEED_CANTEENS,
    scaled,
)
from schoolwh.generator.names import school_names

LOCATIONS = ("urban", "town", "rural")
STAGES = ("primary", "junior", "nine_year", "complete_secondary", "twelve_year")
STAGE_MIX = {
    "urban": (0.62, 0.25, 0.08, 0.03, 0.02),
    "town": (0.60, 0.25, 0.13, 0.02, 0.0),
    "rural": (0.72, 0.12, 0.16, 0.0, 0.0),
}
PRIVATE_SHARE = {"urban": 0.14, "town": 0.08, "rural": 0.02}
# Median enrolment of a school by stage (columns) and location (rows).
MEDIAN_SIZE = {
    "urban": (1700, 1900, 2400, 2600, 3000),
    "town": (800, 1100, 1300, 1600, 1800),
    "rural": (220, 450, 500, 900, 900),
}
# Lunch take-up among enrolled students of a lunch-serving school, before calibration.
TAKE_UP = {"urban": 0.84, "town": 0.68, "rural": 0.55}
# Relative chance of serving no lunch.
NO_LUNCH_WEIGHT = {"urban": 0.2, "town": 1.0, "rural": 2.5}
CATERING_SHARE = {"urban": 0.45, "town": 0.25, "rural": 0.15}

CORE_LUNCH_STARTS = (
    (date(2019, 9, 2), 0.70),
    (date(2020, 9, 1), 0.20),
    (date(2021, 9, 1), 0.07),
    (date(2023, 9, 1), 0.02),
    (date(2024, 9, 2), 0.01),
)
OUTER_LUNCH_STARTS = (
    (date(2020, 9, 1), 0.20),
    (date(2021, 9, 1), 0.30),
    (date(2022, 9, 1), 0.25),
    (date(2023, 9, 1), 0.15),
    (date(2024, 9, 2), 0.10),
)
# 郑东新区 piloted after-school service in October 2019; the city followed in 2020.
AFTER_SCHOOL_STARTS = ((date(2020, 9, 1), 0.75), (date(2021, 9, 1), 0.20), (date(2023, 9, 1), 0.05))
PILOT_AFTER_SCHOOL_START = date(2019, 10, 8)
# Outer schools that open their canteen over a summer (the lunch start dates above already
# hold September 2024) or during an autumn term, per sample year.
SUMMER_STARTERS = {2025: 14}
MID_TERM_STARTERS = {2024: 8, 2025: 12}
# Rural schools closed over a summer (撤并): in the registry as not active, with data
# up to the spring term before.
CLOSED_SCHOOLS = {2024: 3, 2025: 4}
# New schools opened in September in the growing urban core: data from that autumn term,
# lunch and after-school service from their first day.
NEW_SCHOOLS = {2024: 6, 2025: 5}


def allocate(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    share = weights / weights.sum() * total
    parts = np.maximum(np.floor(share).astype(np.int64), minimum)
    remainder = total - int(parts.sum())
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    if remainder > 0:
        parts[order[:remainder]] += 1
    elif remainder < 0:
        for i in np.argsort(-parts, kind="stable")[:-remainder]:
            parts[i] -= 1
    return parts


def draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of `probs` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def pick(rng: np.random.Generator, eligible: np.ndarray, k: int, weights=None) -> np.ndarray:
    """Indices of `k` rows chosen among `eligible` ones (weighted, without replacement)."""
    idx = np.flatnonzero(eligible)
    k = min(k, len(idx))
    if k <= 0:
        return np.array([], dtype=np.int64)
    w = np.ones(len(idx)) if weights is None else np.asarray(weights, dtype=float)[idx]
    keys = np.log(np.maximum(w, 1e-12)) + rng.gumbel(size=len(idx))
    return np.sort(idx[np.argsort(-keys, kind="stable")[:k]])


def _mid_term_window(year: int) -> np.ndarray:
    """School days from two weeks into the autumn term to the end of November."""
    first = autumn_term(year).first_day
    return school_days(date(year, 9, first.day + 14), date(year, 11, 28))


def _dates(rng: np.random.Generator, options: tuple[tuple[date, float], ...], n: int):
    probs = np.array([p for _, p in options])
    choice = rng.choice(len(options), size=n, p=probs / probs.sum())
    values = np.array([d for d, _ in options], dtype="datetime64[D]")
    return values[choice]


def build_districts() -> pl.DataFrame:
    """The `districts` source: code, name and kind of the 16 reporting units."""
    return pl.DataFrame(
        {
            "district_code": [d.code for d in DISTRICTS],
            "district_name": [d.name for d in DISTRICTS],
            "district_kind": [d.kind for d in DISTRICTS],
            "core": [d.core for d in DISTRICTS],
        }
    )


def build_schools(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """The registry of `n` schools with their traits (see module docstring)."""
    counts = allocate(n, np.array([d.weight for d in DISTRICTS], dtype=float))
    di = np.repeat(np.arange(len(DISTRICTS)), counts)
    core = np.array([DISTRICTS[i].core for i in di])

    mix = np.array([DISTRICTS[i].location_mix for i in di])
    loc = draw(rng, mix)
    loc_name = np.array(LOCATIONS)[loc]
    stage = draw(rng, np.array([STAGE_MIX[x] for x in loc_name]))
    private = rng.random(n) < np.array([PRIVATE_SHARE[x] for x in loc_name])
    private |= stage == STAGES.index("twelve_year")

    size = np.array([MEDIAN_SIZE[x][s] for x, s in zip(loc_name, stage, strict=True)])
    size = size * np.exp(rng.normal(0.0, 0.35, n)) * np.where(private, 0.8, 1.0)
    enrolled = np.maximum(np.rint(size), 40).astype(np.int64)

    codes = np.empty(n, dtype=object)
    for i, d in enumerate(DISTRICTS):
        rows = np.flatnonzero(di == i)
        numeric = d.code[:6]
        span = min(9999, int(len(rows) * 1.3) + 1)
        seq = np.sort(rng.choice(np.arange(1, span + 1), size=len(rows), replace=False))
        codes[rows] = [f"{numeric}{s:04d}" for s in seq]

    # Seed facts first: 金水区's central kitchens and the three canteen programmes.
    mode = np.full(n, "", dtype=object)
    seed_canteen = np.zeros(n, dtype=bool)
    district_code = np.array([DISTRICTS[i].code for i in di])
    for code, k in CENTRAL_KITCHENS.items():
        chosen = pick(rng, (district_code == code) & ~private & (loc_name == "urban"), scaled(k, n))
        mode[chosen] = "central_kitchen"
    for fact in SEED_CANTEENS:
        eligible = (district_code == fact.district_code) & (mode == "")
        chosen = pick(rng, eligible, scaled(fact.schools, n), np.where(private, 0.05, 1.0))
        private[chosen] = False  # 航空港区: "58所公办学校"
        seed_canteen[chosen] = True
        mode[chosen] = "self_run"
    protected = mode != ""

    # Rural schools closed over a summer, schools opened in September, then the schools
    # without lunch.
    outer = ~core
    active = np.ones(n, dtype=bool)
    first_term = np.zeros(n, dtype=np.int8)
    last_term = np.full(n, len(TERMS) - 1, dtype=np.int8)
    for year, k in CLOSED_SCHOOLS.items():
        if year not in YEARS:
            continue
        eligible = outer & (loc_name == "rural") & ~protected & active
        closed = pick(rng, eligible, scaled(k, n, 0))
        active[closed] = False
        last_term[closed] = term_index(f"{year}-spring")
    for year, k in NEW_SCHOOLS.items():
        if year not in YEARS:
            continue
        eligible = core & (loc_name == "urban") & ~protected & active & (first_term == 0)
        opened = pick(rng, eligible & ~private, scaled(k, n, 0))
        first_term[opened] = term_index(f"{year}-autumn")
    new = first_term > 0
    # The city's student total refers to the schools still open.
    target = BASE_STUDENTS * n / BASE_SCHOOLS
    enrolled = np.maximum(np.rint(enrolled * target / enrolled[active].sum()), 40).astype(np.int64)
    factor = np.where(core, 0.6, 1.3) * np.where(private, 0.5, 1.0)
    weight = np.array([NO_LUNCH_WEIGHT[x] for x in loc_name]) * factor
    k_none = round(NO_LUNCH_SHARE * int(active.sum()))
    none = pick(rng, active & ~protected & ~new, k_none, weight)
    mode[none] = "none"
    rest = mode == ""
    catering = rng.random(n) < np.array([CATERING_SHARE[x] for x in loc_name])
    mode[rest] = np.where(catering[rest], "catering", "self_run")

    serving = mode != "none"
    start = np.where(
        core,
        _dates(rng, CORE_LUNCH_STARTS, n),
        _dates(rng, OUTER_LUNCH_STARTS, n),
    )
    fresh = serving & active & ~protected & outer & ~new
    for year in YEARS:
        summer = pick(rng, fresh, scaled(SUMMER_STARTERS.get(year, 0), n, 0))
        start[summer] = np.datetime64(autumn_term(year).first_day)
        fresh[summer] = False
        k = MID_TERM_STARTERS.get(year, 0)
        mid = pick(rng, fresh, scaled(k, n, 1 if k else 0))
        window = _mid_term_window(year)
        start[mid] = window[rng.integers(0, len(window), len(mid))]
        fresh[mid] = False

    as_start = _dates(rng, AFTER_SCHOOL_STARTS, n)
    as_start[district_code == "410100ZD"] = np.datetime64(PILOT_AFTER_SCHOOL_START)
    opening = np.array([TERMS[t].first_day for t in first_term], dtype="datetime64[D]")
    start = np.where(new, opening, start)
    as_start = np.where(new, opening, as_start)
    as_missing = (rng.random(n) < 0.05) & ~new

    nutrition = np.isin(district_code, NUTRITION_PLAN_DISTRICTS) & (loc_name == "rural")
    nutrition &= ~private & serving

    names = school_names(
        rng,
        [DISTRICTS[i].name for i in di],
        [DISTRICTS[i].places for i in di],
        list(loc_name),
        [STAGES[s] for s in stage],
        ["private" if p else "public" for p in private],
    )

    bias = np.array([DISTRICTS[i].eating_bias for i in di])
    take = np.array([TAKE_UP[x] for x in loc_name]) + bias + np.where(private, 0.05, 0.0)
    take += np.where(mode == "central_kitchen", 0.03, 0.0) + rng.normal(0.0, 0.06, n)
    need_gap = np.where(core, rng.uniform(0.01, 0.06, n), rng.uniform(0.04, 0.15, n))
    as_need = np.where(core, rng.uniform(0.88, 0.98, n), rng.uniform(0.80, 0.95, n))
    as_take = np.where(core, rng.uniform(0.94, 1.0, n), rng.uniform(0.86, 0.98, n))
    completeness = np.array([DISTRICTS[i].completeness for i in di])
    # Share of school days a school fails to report; its mean is 1 − completeness.
    miss_rate = rng.beta(2.0, 2.0 * completeness / (1.0 - completeness))

    return pl.DataFrame(
        {
            "school_code": codes.astype(str),
            "school_name": names,
            "district_code": district_code,
            "stage": np.array(STAGES)[stage],
            "ownership": np.where(private, "private", "public"),
            "location": loc_name,
            "lunch_mode": mode.astype(str),
            "lunch_start_date": np.where(serving, start, np.datetime64("NaT")),
            "has_after_school": np.ones(n, dtype=bool),
            "after_school_start_date": np.where(as_missing, np.datetime64("NaT"), as_start),
            "nutrition_plan": nutrition,
            "active": active,
            # traits, not written
            "core": core,
            "enrolled_base": enrolled,
            "take_up": np.clip(take, 0.2, 0.97),
            "need_gap": need_gap,
            "none_need": rng.uniform(0.15, 0.45, n),
            "as_need": as_need,
            "as_take": as_take,
            "miss_rate": miss_rate,
            "seed_canteen": seed_canteen,
            "first_term": first_term,  # index into TERMS of the first term with data
            "last_term": last_term,  # … and of the last
        }
    ).with_columns(
        pl.col("lunch_start_date").cast(pl.Date),
        pl.col("after_school_start_date").cast(pl.Date),
    )
