"""Enrolment per school and term, and daily lunch and after-school participation.

Lunch take-up is calibrated so that the city-wide eating share (Σ schools' average
daily lunch students ÷ Σ enrolled, docs/kpis.md#eating_share) comes out at
`eating_share(term)` per term. Earlier years differ by district and school (take-up,
after-school take-up, reporting), so that the change on a year before is mostly an
improvement but not everywhere the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from schoolwh.generator.calendar import TERMS, YEAR, Term, weekday
from schoolwh.generator.districts import DISTRICTS, eating_share, scaled
from schoolwh.generator.registry import pick

# Relative change of lunch and after-school numbers by day of week (Mon … Sun).
LUNCH_WEEKDAY = np.array([0.004, 0.008, 0.0, 0.002, -0.014, -0.01, -0.01])
AFTER_SCHOOL_WEEKDAY = np.array([0.02, 0.02, 0.02, 0.02, -0.08, -0.03, -0.03])
# Schools missing their enrolment row for a term (at the seed city's scale).
MISSING_ENROLMENT = 5
# Share of schools with a run of consecutive unreported days in a term, and the run's length.
GAP_SHARE = 0.02
GAP_DAYS = (3, 10)
TAKE_UP_CAP = 0.97
# Mean yearly enrolment growth by location: the urban core grows, villages empty.
GROWTH = {"urban": 0.025, "town": 0.01, "rural": -0.025}
# An earlier year than the latest, per district: after-school take-up (× factor) and the
# share of days not reported (× factor); mostly worse than the latest year, not everywhere.
EARLIER_AFTER_SCHOOL = (0.93, 1.01)
EARLIER_MISSING = (0.85, 1.6)


@dataclass(frozen=True)
class Activity:
    enrollment: pl.DataFrame
    participation: pl.DataFrame
    missed: pl.DataFrame  # (school_code, date) school days a school did not report
    no_enrollment: pl.DataFrame  # (school_code, term) pairs deliberately left out


def _enrollment(rng: np.random.Generator, schools: pl.DataFrame) -> pl.DataFrame:
    """Enrolment per school and term, from the latest autumn term backwards.

    A spring term has about the students of the autumn before it (the same school year);
    an autumn term grows on the spring before it by the school's yearly growth. Each
    school has rows from its first to its last term only.
    """
    n = schools.height
    growth_mean = schools["location"].replace_strict(GROWTH, return_dtype=pl.Float64)
    enrolled = schools["enrolled_base"].to_numpy().astype(float)
    by_term: list[np.ndarray] = []
    for term in reversed(TERMS):
        by_term.append(np.maximum(np.rint(enrolled), 30).astype(np.int64))
        if term.season == "autumn":  # the spring term before it: a new school year
            growth = np.clip(rng.normal(growth_mean.to_numpy(), 0.02, n), -0.08, 0.1)
            enrolled = enrolled / (1.0 + growth)
        else:  # the autumn term before it: the same school year, a few transfers
            enrolled = enrolled * (1.0 + rng.normal(0.003, 0.006, n))
    frames = []
    first = schools["first_term"].to_numpy()
    last = schools["last_term"].to_numpy()
    for t, (term, counts) in enumerate(zip(TERMS, reversed(by_term), strict=True)):
        here = (first <= t) & (t <= last)
        frames.append(
            schools.select("school_code")
            .with_columns(term=pl.lit(term.code), enrolled=pl.Series(counts))
            .filter(pl.Series(here))
        )
    return pl.concat(frames)


def _earlier_years(rng: np.random.Generator, schools: pl.DataFrame) -> dict[int, dict]:
    """Per earlier year: take-up, after-school take-up and missing-day factors per school."""
    n = schools.height
    district = schools["district_code"].to_numpy()
    index = {d.code: i for i, d in enumerate(DISTRICTS)}
    di = np.array([index[c] for c in district])
    out: dict[int, dict] = {}
    for year in sorted({t.year for t in TERMS if t.year != YEAR}):
        k = len(DISTRICTS)
        out[year] = {
            "take": np.exp(rng.normal(0.0, 0.03, k)[di] + rng.normal(0.0, 0.04, n)),
            "after": rng.uniform(*EARLIER_AFTER_SCHOOL, k)[di],
            "missing": rng.uniform(*EARLIER_MISSING, k)[di],
        }
    return out


def _serving_fraction(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Share of `days` on or after each school's lunch start (0 where start is NaT)."""
    first = np.searchsorted(days, start.astype("datetime64[D]"))
    frac = (len(days) - first) / len(days)
    return np.where(np.isnat(start), 0.0, frac)


def _calibrate(take: np.ndarray, weight: np.ndarray, target: float, denominator: float):
    """Scale take-up so that Σ weight·take = target·denominator, within the cap."""
    out = take.copy()
    for _ in range(8):
        factor = target * denominator / max(float((weight * out).sum()), 1e-9)
        out = np.minimum(out * factor, TAKE_UP_CAP)
    return out


def build_activity(rng: np.random.Generator, schools: pl.DataFrame) -> Activity:
    """Enrolment rows, participation rows, the days not reported, the rows left out."""
    enrollment = _enrollment(rng, schools)
    n = schools.height
    active = schools["active"].to_numpy()
    codes = schools["school_code"].to_numpy()
    start = schools["lunch_start_date"].to_numpy().astype("datetime64[D]")
    core = schools["core"].to_numpy()
    first_term = schools["first_term"].to_numpy()
    last_term = schools["last_term"].to_numpy()
    earlier = _earlier_years(rng, schools)

    # A few schools without an enrolment row in a term (never the same school twice).
    left_out = []
    taken = np.zeros(n, dtype=bool)
    for t, term in enumerate(TERMS):
        there = (first_term <= t) & (t <= last_term) & active
        chosen = pick(rng, there & ~taken, scaled(MISSING_ENROLMENT, n), np.where(core, 1, 3))
        taken[chosen] = True
        left_out.append(pl.DataFrame({"school_code": codes[chosen], "term": term.code}))
    no_enrollment = pl.concat(left_out)
    enrollment = enrollment.join(no_enrollment, on=["school_code", "term"], how="anti").sort(
        "term", "school_code"
    )

    gap_school = rng.random(n) < GAP_SHARE * len(TERMS)
    gap_term = rng.integers(0, len(TERMS), n)
    frames, missed, takes = [], [], []
    for t, term in enumerate(TERMS):
        frame, miss, take = _term_rows(
            rng,
            schools,
            enrollment,
            t,
            gap_school & (gap_term == t),
            start,
            earlier.get(term.year),
        )
        frames.append(frame)
        missed.append(miss)
        takes.append(take)
    participation = pl.concat(frames).sort("date", "school_code")
    calibrated = enrollment.join(
        pl.concat(takes), on=["school_code", "term"], maintain_order="left"
    )
    need = _needs(rng, schools, calibrated)
    return Activity(
        enrollment=need,
        participation=participation,
        missed=pl.concat(missed).sort("date", "school_code"),
        no_enrollment=no_enrollment,
    )


def _term_rows(
    rng: np.random.Generator,
    schools: pl.DataFrame,
    enrollment: pl.DataFrame,
    t: int,
    gap_school: np.ndarray,
    start: np.ndarray,
    earlier: dict | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One term's participation rows, unreported days, and calibrated lunch take-up.

    `earlier`: the factors of an earlier year than the latest (None in the latest year).
    """
    term: Term = TERMS[t]
    days = term.school_days()
    first_term = schools["first_term"].to_numpy()
    reporting = (first_term <= t) & (t <= schools["last_term"].to_numpy())
    sub = schools.filter(pl.Series(reporting))
    idx = np.flatnonzero(reporting)
    s, d = len(idx), len(days)

    enrolled_term = (
        sub.select("school_code")
        .join(
            enrollment.filter(pl.col("term") == term.code),
            on="school_code",
            how="left",
            maintain_order="left",
        )
        .get_column("enrolled")
    )
    has_row = enrolled_term.is_not_null().to_numpy()
    # Schools without an enrolment row still have students: use the registry size.
    size = np.where(has_row, enrolled_term.fill_null(0).to_numpy(), sub["enrolled_base"])
    serving_from = np.where(start[idx] <= days[-1], start[idx], np.datetime64("NaT"))
    frac = _serving_fraction(serving_from, days)
    miss_rate = sub["miss_rate"].to_numpy()
    take_up = sub["take_up"].to_numpy()
    as_rate = sub["as_need"].to_numpy() * sub["as_take"].to_numpy()
    if earlier is not None:
        take_up = np.clip(take_up * earlier["take"][idx], 0.2, TAKE_UP_CAP)
        as_rate = as_rate * earlier["after"][idx]
        miss_rate = np.clip(miss_rate * earlier["missing"][idx], 0.0, 0.5)
    take = _calibrate(
        take_up,
        np.where(has_row, size * frac, 0.0),
        eating_share(term.code),
        float(size[has_row].sum()),
    )

    dow = weekday(days)
    lunch = size[:, None] * take[:, None] * (1.0 + LUNCH_WEEKDAY[dow][None, :])
    lunch *= 1.0 + rng.normal(0.0, 0.015, (s, d))
    lunch = np.where(days[None, :] >= serving_from[:, None], lunch, 0.0)
    lunch = np.clip(np.rint(lunch), 0, size[:, None]).astype(np.int64)

    after = size[:, None] * as_rate[:, None] * (1.0 + AFTER_SCHOOL_WEEKDAY[dow][None, :])
    after *= 1.0 + rng.normal(0.0, 0.02, (s, d))
    after = np.clip(np.rint(after), 0, size[:, None]).astype(np.int64)
    blank_rate = np.where(sub["core"].to_numpy(), 0.005, 0.02)
    after_blank = rng.random((s, d)) < blank_rate[:, None]

    reported = rng.random((s, d)) >= miss_rate[:, None]
    gaps = np.flatnonzero(gap_school[idx])
    length = rng.integers(GAP_DAYS[0], GAP_DAYS[1] + 1, len(gaps))
    first = rng.integers(0, d, len(gaps))
    for row, lo, k in zip(gaps, first, length, strict=True):
        reported[row, lo : lo + k] = False

    si, di = np.nonzero(reported)
    frame = pl.DataFrame(
        {
            "school_code": sub["school_code"].to_numpy()[si],
            "date": days[di],
            "lunch_students": lunch[si, di],
            "after_school_students": pl.Series(after[si, di]).set(
                pl.Series(after_blank[si, di]), None
            ),
        }
    )
    mi, mj = np.nonzero(~reported)
    missed = pl.DataFrame({"school_code": sub["school_code"].to_numpy()[mi], "date": days[mj]})
    calibrated = pl.DataFrame({"school_code": sub["school_code"], "term": term.code, "take": take})
    return frame, missed, calibrated


def _needs(rng: np.random.Generator, schools: pl.DataFrame, enrollment: pl.DataFrame):
    """Add lunch and after-school need and the priority groups to the enrolment rows."""
    traits = schools.select(
        "school_code", "lunch_mode", "location", "core", "need_gap", "none_need", "as_need"
    )
    rows = enrollment.join(traits, on="school_code", how="left", maintain_order="left")
    n = rows.height
    enrolled = rows["enrolled"].to_numpy()
    serving = (rows["lunch_mode"] != "none").to_numpy()
    need_rate = np.where(
        serving,
        np.minimum(rows["take"].to_numpy() + rows["need_gap"].to_numpy(), 1.0),
        rows["none_need"].to_numpy(),
    )
    lunch_need = np.minimum(np.rint(enrolled * need_rate), enrolled).astype(np.int64)
    as_need = np.minimum(np.rint(enrolled * rows["as_need"].to_numpy()), enrolled)
    loc = rows["location"].to_numpy()
    left_share = np.select(
        [loc == "urban", loc == "town"],
        [rng.uniform(0.0, 0.02, n), rng.uniform(0.04, 0.10, n)],
        rng.uniform(0.08, 0.20, n),
    )
    migrant_share = np.select(
        [loc == "urban", loc == "town"],
        [rng.uniform(0.15, 0.35, n), rng.uniform(0.05, 0.15, n)],
        rng.uniform(0.0, 0.03, n),
    )
    # A few schools leave the optional need figures blank (more in the outer counties).
    blank = rng.random(n) < np.where(rows["core"].to_numpy(), 0.002, 0.01)
    return rows.select(
        "school_code",
        "term",
        "enrolled",
        lunch_need=pl.Series(lunch_need).set(pl.Series(blank), None),
        after_school_need=pl.Series(as_need.astype(np.int64)).set(pl.Series(blank), None),
        left_behind=pl.Series(np.rint(enrolled * left_share).astype(np.int64)),
        migrant=pl.Series(np.rint(enrolled * migrant_share).astype(np.int64)),
        disabled=pl.Series(rng.binomial(enrolled, 0.004).astype(np.int64)),
    ).sort("term", "school_code")
