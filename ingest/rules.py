"""Row rules beyond types (docs/contract.md#row-rules): the reasons a row can be quarantined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from schoolwh.core.settings import date_floor
from schoolwh.core.sources import SOURCES


@dataclass(frozen=True)
class Rule:
    reason: str
    column: str  # the column the clerk should look at
    violated: pl.Expr  # true where the row breaks the rule


# The dates that say when something happened, per source: each must lie in the plausible
# window, from the date floor (settings.date_floor) to the load date. They make the
# as-of date and the calendar of the marts, so one mistyped year (1925, 2052) would
# otherwise move every page or the periods the KPIs are computed for. The publish gate
# names the rows of these columns when the as-of date leaps (schoolwh/pipeline/gate.py).
FACT_DATES: dict[str, tuple[str, ...]] = {
    "participation": ("date",),
    "budget": ("allocated_date",),
    "expenditure": ("date",),
    "survey": ("date",),
    "issues": ("found_date", "closed_date"),
    "meal_companions": ("date",),
    "kitchen_cameras": ("date",),
    "canteen_checks": ("date",),
    "deliveries": ("date",),
    "training": ("date",),
}
# Dates in the same window that never move the as-of date: when a menu was published,
# when a supplier was admitted or exited (a registry's dates, like a school's start date).
WINDOW_DATES: dict[str, tuple[str, ...]] = {
    "menus": ("published_date",),
    "suppliers": ("admitted_date", "exited_date"),
}
# Dates that may lie a few days after the load date (a menu is published ahead): floor ≤
# date ≤ load date + days. They never move the as-of date either.
AHEAD_DATES: dict[str, dict[str, int]] = {"menus": {"date": 14}}
# Dates that may lie ahead (a rectification deadline) are only kept above the floor.
FLOOR_ONLY_DATES: dict[str, tuple[str, ...]] = {"issues": ("deadline",)}
# Years naming a term or a fiscal year: from the floor's year to the year after the load
# (budgets are allocated ahead, enrolment is planned for the coming term).
YEAR_COLUMNS: dict[str, tuple[str, ...]] = {"enrollment": ("term",), "budget": ("fiscal_year",)}


def window_rules(source: str, load_date: dt.date, floor: dt.date | None = None) -> list[Rule]:
    """The plausible-window rules of a source's dates and years."""
    c = pl.col
    floor = floor or date_floor()
    rules: list[Rule] = []
    latest = {name: load_date for name in FACT_DATES.get(source, ()) + WINDOW_DATES.get(source, ())}
    for name, days in AHEAD_DATES.get(source, {}).items():
        latest[name] = load_date + dt.timedelta(days=days)
    for name, last in latest.items():
        rules.append(Rule("date_in_future", name, c(name) > pl.lit(last)))
    for name in (*latest, *FLOOR_ONLY_DATES.get(source, ())):
        rules.append(Rule("date_before_floor", name, c(name) < pl.lit(floor)))
    for name in YEAR_COLUMNS.get(source, ()):
        year = c(name).cast(pl.String).str.slice(0, 4).cast(pl.Int32, strict=False)
        outside = (year < floor.year) | (year > load_date.year + 1)
        rules.append(Rule("year_outside_window", name, outside))
    return rules


def contract_rules(source: str) -> list[Rule]:
    """Rules the contract states on its columns: an amount that must be positive or not
    zero, a part that may not exceed its total (Column.positive, nonzero, part_of)."""
    c = pl.col
    rules: list[Rule] = []
    for col in SOURCES[source].columns:
        if col.positive:
            rules.append(Rule("not_positive", col.name, c(col.name) <= 0))
        elif col.nonzero:
            rules.append(Rule("zero_amount", col.name, c(col.name) == 0))
        if col.part_of is not None:
            exceeds = c(col.name) > c(col.part_of)
            total = SOURCES[source].column(col.part_of)
            if total.minimum is not None:  # a total out of its own range is its own problem
                exceeds = exceeds & (c(col.part_of) >= total.minimum)
            rules.append(Rule("parts_exceed_total", col.name, exceeds))
    return rules


def rules_for(source: str, load_date: dt.date) -> list[Rule]:
    """Every row rule of a source: its own, the contract's (`contract_rules`), the window."""
    c = pl.col
    own: list[Rule] = []
    if source == "schools":
        own = [
            Rule(
                "lunch_start_missing",
                "lunch_start_date",
                (c("lunch_mode") != "none") & c("lunch_start_date").is_null(),
            )
        ]
    elif source == "enrollment":
        own = [
            Rule("need_exceeds_enrolled", "lunch_need", c("lunch_need") > c("enrolled")),
            Rule(
                "need_exceeds_enrolled",
                "after_school_need",
                c("after_school_need") > c("enrolled"),
            ),
        ]
    elif source == "issues":
        own = [
            Rule("deadline_before_found", "deadline", c("deadline") < c("found_date")),
            Rule("closed_before_found", "closed_date", c("closed_date") < c("found_date")),
            Rule(
                "closed_date_missing",
                "closed_date",
                (c("status") == "closed") & c("closed_date").is_null(),
            ),
            Rule(
                "closed_date_unexpected",
                "closed_date",
                (c("status") != "closed") & c("closed_date").is_not_null(),
            ),
        ]
    elif source == "suppliers":
        exited_early = c("exited_date") < c("admitted_date")
        own = [Rule("exited_before_admitted", "exited_date", exited_early)]
    general = contract_rules(source) if source in SOURCES else []
    return [*own, *general, *window_rules(source, load_date)]
