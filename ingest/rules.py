"""Row rules of data-contract §1.2 beyond types, and the reasons a row can be quarantined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Rule:
    reason: str
    column: str  # the column the clerk should look at
    violated: pl.Expr  # true where the row breaks the rule


def rules_for(source: str, load_date: dt.date) -> list[Rule]:
    c = pl.col
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
        ]
    if source == "participation":
        return [Rule("date_in_future", "date", c("date") > pl.lit(load_date))]
    if source == "budget":
        return [Rule("not_positive", "amount", c("amount") <= 0)]
    if source == "expenditure":
        return [Rule("zero_amount", "amount", c("amount") == 0)]
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
        ]
    return []
