"""Allocations (budget lines) of each sample fiscal year, and the spending against them.

Amounts are yuan. Allocations are whole hundreds of yuan, so that a bureau file can
state them in 万元 with two decimals; spending is to the fen. The outer counties
execute less of their budget than the urban core; an earlier year executes a little
less than the latest in most districts. The seed canteen facts belong to the latest year.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date

import numpy as np
import polars as pl

from schoolwh.generator.calendar import YEAR, YEARS, autumn_term
from schoolwh.generator.districts import (
    DISTRICTS,
    NUTRITION_YUAN_PER_DAY,
    SEED_CANTEENS,
    scaled,
)

SCHOOL_DAYS_A_YEAR = 180


@dataclass(frozen=True)
class YearDocuments:
    """A fiscal year's municipal and provincial allocation documents: (文号, date[, yuan
    per enrolled student])."""

    after_school: tuple[str, date, float]  # 市财政局、市教育局: after-school, first batch
    after_school_2: tuple[str, date, float]  # … second batch
    equipment: tuple[str, date]
    nutrition: tuple[str, date]  # 省财政厅: the nutrition-plan pilot


# The documents of the sample years; another year's are the latest year's, renumbered.
DOCUMENTS = {
    2024: YearDocuments(
        ("郑财教〔2024〕21号", date(2024, 3, 19), 110.0),
        ("郑财教〔2024〕88号", date(2024, 9, 13), 70.0),
        ("郑财教〔2024〕57号", date(2024, 6, 14)),
        ("豫财教〔2024〕37号", date(2024, 4, 22)),
    ),
    2025: YearDocuments(
        ("郑财教〔2025〕18号", date(2025, 3, 14), 120.0),
        ("郑财教〔2025〕95号", date(2025, 9, 12), 80.0),
        ("郑财教〔2025〕63号", date(2025, 6, 20)),
        ("豫财教〔2025〕41号", date(2025, 4, 18)),
    ),
}


def documents(year: int) -> YearDocuments:
    """A year's allocation documents (see DOCUMENTS)."""
    if year in DOCUMENTS:
        return DOCUMENTS[year]
    latest, back = DOCUMENTS[max(DOCUMENTS)], max(DOCUMENTS) - year

    def moved(doc: tuple) -> tuple:
        number = doc[0].replace(f"〔{max(DOCUMENTS)}〕", f"〔{year}〕")
        return (number, doc[1].replace(year=year), *(rate * 0.95**back for rate in doc[2:]))

    return YearDocuments(*(moved(d) for d in astuple(latest)))


# An earlier year's execution rate differs from the latest by this much (mean, spread).
EARLIER_EXECUTION = (-0.02, 0.025)
# Months in which each programme pays out, with relative weights.
PAY_MONTHS = {
    "after_school": ((3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (9, 1), (10, 1), (11, 1), (12, 1.5)),
    "lunch_subsidy": ((3, 1), (4, 1), (5, 1), (6, 1), (7, 0.5), (9, 1), (10, 1), (11, 1), (12, 1)),
    "nutrition_plan": ((3, 1), (4, 1), (5, 1), (6, 1), (7, 0.5), (9, 1), (10, 1), (11, 1), (12, 1)),
    "canteen_construction": ((5, 0.3), (8, 0.4), (11, 0.3)),
    "equipment": ((7, 0.6), (10, 0.4)),
    "other": ((4, 0.3), (9, 0.3), (12, 0.4)),
}
CATEGORY = {
    "after_school": (("staff", 0.85), ("other", 0.15)),
    "lunch_subsidy": (("ingredients", 1.0),),
    "nutrition_plan": (("ingredients", 1.0),),
    "canteen_construction": (("construction", 0.75), ("equipment", 0.25)),
    "equipment": (("equipment", 1.0),),
    "other": (("other", 1.0),),
}
PROGRAM_EXECUTION = {
    "after_school": 1.03,
    "lunch_subsidy": 1.04,
    "nutrition_plan": 1.04,
    "canteen_construction": 0.97,
    "equipment": 0.95,
    "other": 0.9,
}
REFUNDS = 8  # refund vouchers at the seed city's scale


def _hundreds(x: float) -> int:
    """Round yuan to whole hundreds, at least 100."""
    return max(100, round(x / 100.0) * 100)


def _split(rng: np.random.Generator, total: int, k: int, unit: int = 100) -> list[int]:
    """Split `total` yuan (a multiple of `unit`) into `k` positive multiples of `unit`."""
    units = total // unit
    w = rng.dirichlet(np.full(k, 4.0))
    parts = np.maximum(np.floor(w * units).astype(np.int64), 1)
    parts[int(np.argmax(parts))] += units - int(parts.sum())
    return [int(p) * unit for p in parts]


def build_budget(
    rng: np.random.Generator, schools: pl.DataFrame, enrollment: pl.DataFrame
) -> pl.DataFrame:
    """Budget lines of every sample year: district-level lines and school-level canteen
    lines."""
    n = schools.height
    lines: list[dict] = []
    for year in YEARS:
        lines += _district_lines(rng, schools, enrollment, year)
        lines += _canteen_lines(rng, schools, n, year)
    frame = pl.DataFrame(lines, schema_overrides={"school_code": pl.String})
    return frame.sort("district_code", "budget_id")


def _district_lines(
    rng: np.random.Generator, schools: pl.DataFrame, enrollment: pl.DataFrame, year: int
) -> list[dict]:
    """A year's district-level lines, sized on the year's autumn enrolment."""
    docs = documents(year)
    autumn = enrollment.filter(pl.col("term") == autumn_term(year).code).join(
        schools.select("school_code", "district_code", "nutrition_plan", "seed_canteen"),
        on="school_code",
    )
    per_district = autumn.group_by("district_code").agg(
        pl.col("enrolled").sum(),
        pl.col("lunch_need").sum(),
        pl.col("enrolled").filter(pl.col("nutrition_plan")).sum().alias("nutrition_enrolled"),
    )
    totals = {r["district_code"]: r for r in per_district.iter_rows(named=True)}
    lines: list[dict] = []

    def add(budget_id, d, program, source, amount, when, school=None):
        lines.append(
            {
                "budget_id": budget_id,
                "fiscal_year": year,
                "district_code": d,
                "school_code": school,
                "program": program,
                "funding_source": source,
                "amount": float(amount),
                "allocated_date": when,
            }
        )

    for k, d in enumerate(DISTRICTS, start=1):
        t = totals.get(d.code, {"enrolled": 0, "lunch_need": 0, "nutrition_enrolled": 0})
        enrolled, need = t["enrolled"], t["lunch_need"]
        if enrolled == 0:
            continue
        doc = 10 + int(rng.integers(0, 20))
        day = lambda m: date(year, m, int(rng.integers(3, 27)))  # noqa: E731
        prefix = f"{d.budget_prefix}〔{year}〕"
        for m_doc, m_date, m_rate in (docs.after_school, docs.after_school_2):
            add(
                f"{m_doc}-{k}",
                d.code,
                "after_school",
                "municipal",
                _hundreds(enrolled * m_rate),
                m_date,
            )
        own = rng.uniform(60, 120)
        add(f"{prefix}{doc}号", d.code, "after_school", "county", _hundreds(enrolled * own), day(4))
        # Lunch help for pupils from families in difficulty, and universal subsidies.
        poor = need * 0.95 * rng.uniform(0.02, 0.05) * 4.0 * SCHOOL_DAYS_A_YEAR
        add(f"{prefix}{doc + 7}号", d.code, "lunch_subsidy", "county", _hundreds(poor), day(3))
        if d.lunch_subsidy:
            universal = need * 0.95 * d.lunch_subsidy * SCHOOL_DAYS_A_YEAR
            add(
                f"{prefix}{doc + 8}号",
                d.code,
                "lunch_subsidy",
                "county",
                _hundreds(universal),
                day(2),
            )
        if t["nutrition_enrolled"]:
            amount = t["nutrition_enrolled"] * NUTRITION_YUAN_PER_DAY * SCHOOL_DAYS_A_YEAR
            add(
                f"{docs.nutrition[0]}-{k}",
                d.code,
                "nutrition_plan",
                "central",
                _hundreds(amount),
                docs.nutrition[1],
            )
        schools_here = int((schools["district_code"] == d.code).sum())
        equipment = schools_here * rng.uniform(1.0, 3.0) * 10_000
        add(
            f"{docs.equipment[0]}-{k}",
            d.code,
            "equipment",
            "municipal",
            _hundreds(equipment),
            docs.equipment[1],
        )
        if rng.random() < 0.6:
            add(
                f"{prefix}{doc + 15}号",
                d.code,
                "other",
                "county",
                _hundreds(rng.uniform(10, 60) * 10_000),
                day(5),
            )
    return lines


def _canteen_lines(
    rng: np.random.Generator, schools: pl.DataFrame, n: int, year: int
) -> list[dict]:
    """A year's school-level canteen_construction lines: the seed facts (latest year),
    and a few elsewhere."""
    lines = []
    seeded = {f.district_code: f for f in SEED_CANTEENS} if year == YEAR else {}
    for d in DISTRICTS:
        here = schools.filter(pl.col("district_code") == d.code)
        doc = f"{d.budget_prefix}〔{year}〕{50 + int(rng.integers(0, 30))}号"
        when = date(year, int(rng.integers(3, 6)), int(rng.integers(3, 27)))
        if d.code in seeded:
            fact = seeded[d.code]
            chosen = here.filter("seed_canteen")["school_code"].to_list()
            amount = round(fact.amount_wan * 10_000 * len(chosen) / scaled(fact.schools, n))
            amounts = _split(rng, _hundreds(amount), len(chosen)) if chosen else []
        else:
            candidates = here.filter(
                (pl.col("lunch_mode") == "self_run") & pl.col("active") & ~pl.col("seed_canteen")
            )
            k = scaled(int(rng.integers(1, 3) if d.core else rng.integers(3, 8)), n, 0)
            k = min(k, candidates.height)
            if k == 0:
                continue
            rows = np.sort(rng.choice(candidates.height, size=k, replace=False))
            chosen = candidates["school_code"].gather(rows).to_list()
            amounts = [_hundreds(rng.uniform(50, 400) * 10_000) for _ in chosen]
        for j, (school, amount) in enumerate(zip(chosen, amounts, strict=True), start=1):
            lines.append(
                {
                    "budget_id": f"{doc}-{j}",
                    "fiscal_year": year,
                    "district_code": d.code,
                    "school_code": school,
                    "program": "canteen_construction",
                    "funding_source": "county",
                    "amount": float(amount),
                    "allocated_date": when,
                }
            )
    return lines


def _pay_day(rng: np.random.Generator, year: int, month: int) -> date:
    day = date(year, month, int(rng.integers(5, 29)))
    while day.weekday() >= 5:
        day = date(year, month, day.day - 1) if day.day > 1 else date(year, month, day.day + 2)
    return day


def build_expenditure(rng: np.random.Generator, budget: pl.DataFrame) -> pl.DataFrame:
    """Vouchers paying out each budget line over its year, and a few refunds."""
    execution = {(d.code, YEAR): d.execution for d in DISTRICTS}
    for year in YEARS:
        if year != YEAR:
            shift = rng.normal(*EARLIER_EXECUTION, len(DISTRICTS))
            execution |= {
                (d.code, year): d.execution + s for d, s in zip(DISTRICTS, shift, strict=True)
            }
    core = {d.code: d.core for d in DISTRICTS}
    rows: list[dict] = []
    for line in budget.iter_rows(named=True):
        program, dcode, year = line["program"], line["district_code"], line["fiscal_year"]
        rate = execution[dcode, year] * PROGRAM_EXECUTION[program] + rng.normal(0.0, 0.03)
        if program == "canteen_construction" and not core[dcode] and rng.random() < 0.35:
            rate *= rng.uniform(0.4, 0.75)  # a delayed building project
        rate = float(np.clip(rate, 0.3, 1.0))
        months = [m for m, _ in PAY_MONTHS[program] if date(year, m, 1) >= _month(line)]
        if not months:
            months = [12]
        weights = np.array([w for m, w in PAY_MONTHS[program] if m in months], dtype=float)
        spend_fen = round(line["amount"] * rate * 100)
        per_month = np.floor(weights / weights.sum() * spend_fen).astype(np.int64)
        per_month[-1] += spend_fen - int(per_month.sum())
        cats = CATEGORY[program]
        for month, fen in zip(months, per_month, strict=True):
            k = 1 if fen < 5_000_000 else int(rng.integers(1, 3))
            parts = np.floor(rng.dirichlet(np.full(k, 5.0)) * fen).astype(np.int64)
            parts[-1] += int(fen) - int(parts.sum())
            for part in parts:
                if part <= 0:
                    continue
                cat = cats[int(rng.choice(len(cats), p=[p for _, p in cats]))][0]
                rows.append(
                    {
                        "date": _pay_day(rng, year, month),
                        "district_code": dcode,
                        "school_code": line["school_code"],
                        "program": program,
                        "category": cat,
                        "fen": int(part),
                    }
                )
    rows += _refunds(rng, rows, budget.height)
    frame = pl.DataFrame(rows, schema_overrides={"school_code": pl.String}).sort(
        "district_code",
        "date",
        "fen",
        "program",
        "category",
        "school_code",
        descending=[False, False, True, False, False, False],
        nulls_last=True,
        maintain_order=True,
    )
    seq = frame.with_columns(
        month=pl.col("date").dt.strftime("%Y%m"),
    ).with_columns(seq=pl.int_range(1, pl.len() + 1).over("district_code", "month"))
    return seq.select(
        expenditure_id=pl.col("district_code")
        + pl.lit("记")
        + pl.col("month")
        + pl.col("seq").cast(pl.String).str.zfill(4),
        date="date",
        district_code="district_code",
        school_code="school_code",
        program="program",
        category="category",
        amount=pl.col("fen") / 100.0,
    )


def _month(line: dict) -> date:
    when = line["allocated_date"]
    return date(when.year, when.month, 1)


def _refunds(rng: np.random.Generator, rows: list[dict], lines: int) -> list[dict]:
    """Refunds of overpaid ingredient bills and building works, dated after the payment."""
    eligible = [
        i
        for i, r in enumerate(rows)
        if r["category"] in ("ingredients", "construction") and r["date"].month <= 10
    ]
    k = min(len(eligible), max(1, round(REFUNDS * lines / 250)))
    chosen = sorted(rng.choice(len(eligible), size=k, replace=False)) if eligible else []
    out = []
    for c in chosen:
        paid = rows[eligible[c]]
        later = paid["date"].toordinal() + int(rng.integers(10, 45))
        year_end = date(paid["date"].year, 12, 31)
        when = date.fromordinal(min(later, year_end.toordinal() - 3))
        while when.weekday() >= 5:
            when = date.fromordinal(when.toordinal() - 1)
        fen = int(paid["fen"] * rng.uniform(0.01, 0.08))
        out.append({**paid, "date": when, "fen": -max(fen, 10_000)})
    return out
