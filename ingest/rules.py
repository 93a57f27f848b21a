"""Row rules beyond types (docs/contract.md#row-rules): the reasons a row can be quarantined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from schoolwh.core.settings import date_floor


@dataclass(frozen=True)
class Rule:
    reason: str
    column: str  # the column the clerk should look at
    violated: pl.Expr  # true where the row breaks the rule


# The dates that say when something happened, per source: each must lie in the plausible
# window, from the date floor (settings.date_floor) to the load date. They make the
# as-of date and the calendar of the marts, so one mistyped year (1925, 2052) would
# otherwise move every page or the periods the KPIs are computed for.
FACT_DATES: dict[str, tuple[str, ...]] = {
    "participation": ("date",),
    "budget": ("allocated_date",),
    "expenditure": ("date",),
    "survey": ("date",),
    "issues": ("found_date", "closed_date"),
}
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
    for name in FACT_DATES.get(source, ()):
        rules.append(Rule("date_in_future", name, c(name) > pl.lit(load_date)))
    for name in FACT_DATES.get(source, ()) + FLOOR_ONLY_DATES.get(source, ()):
        rules.append(Rule("date_before_floor", name, c(name) < pl.lit(floor)))
    for name in YEAR_COLUMNS.get(source, ()):
        year = c(name).cast(pl.String).str.slice(0, 4).cast(pl.Int32, strict=False)
        outside = (year < floor.year) | (year > load_date.year + 1)
        rules.append(Rule("year_outside_window", name, outside))
    return rules


def rules_for(source: str, load_date: dt.date) -> list[Rule]:
    c = pl.col
    window = window_rules(source, load_date)
    if source == "schools":
        return [
            Rule(
                "lunch_start_missing",
                "lunch_start_date",
                (c("lunch_mode") != "none") & c("lunch_start_date").is_null(),
            )
        ]
    if source == "enrollment":
        return [
            Rule("need_exceeds_enrolled", "lunch_need", c("lunch_need") > c("enrolled")),
            Rule(
                "need_exceeds_enrolled",
                "after_school_need",
                c("after_school_need") > c("enrolled"),
            ),
            *window,
        ]
    if source == "budget":
        return [Rule("not_positive", "amount", c("amount") <= 0), *window]
    if source == "expenditure":
        return [Rule("zero_amount", "amount", c("amount") == 0), *window]
    if source == "issues":
        return [
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
            *window,
        ]
    return window
