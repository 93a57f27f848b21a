"""The school calendar of the sample years: terms, school days and public holidays.

The sample covers the calendar years `YEARS` (two, so that every period of the latest
year has the same period a year before: 同比). Each year has a spring and an autumn
term; the autumn term's teaching runs on into January of the next year, so January of
the first year belongs to a term before the sample and has no school days, while
January of a later year closes the previous autumn term.

School days are the weekdays of a term's teaching span, minus China's public holidays,
plus the weekend days officially worked in exchange (调休上班日), on which schools hold
classes too; both from schoolwh.core.holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from schoolwh.core.holidays import calendar

YEARS: tuple[int, ...] = (2024, 2025)
YEAR = YEARS[-1]  # the latest year: the one the planted flaws and seed facts belong to

# The last day the sample holds data for (the autumn term itself runs to 31 Jan next year).
DATA_END = date(YEAR, 12, 31)


@dataclass(frozen=True)
class Term:
    """A term: its canonical code, Chinese name, teaching span in the data, and term end."""

    code: str
    zh: str
    first_day: date
    last_day: date
    end: date

    @property
    def year(self) -> int:
        return self.first_day.year

    @property
    def season(self) -> str:
        return self.code.split("-")[1]

    def school_days(self) -> np.ndarray:
        """The term's school days in the data, as sorted `datetime64[D]`."""
        return school_days(self.first_day, self.last_day)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _spring_festival_end(year: int) -> date:
    """The last day of the Spring Festival break: the longest run of holidays in Jan–Feb."""
    days = calendar().holidays_between(date(year, 1, 10), date(year, 2, 28))
    best_end, best, run = days[0], 0, 0
    for i, day in enumerate(days):
        run = run + 1 if i and (day - days[i - 1]).days == 1 else 1
        if run > best:
            best, best_end = run, day
    return best_end


def spring_term(year: int) -> Term:
    """Teaching from the second Monday after the Spring Festival break to the first
    Friday of July (2025: 17 Feb – 4 Jul)."""
    first = _weekday_on_or_after(_spring_festival_end(year) + timedelta(days=1), 0)
    first += timedelta(days=7)
    last = _weekday_on_or_after(date(year, 7, 1), 4)
    return Term(f"{year}-spring", f"{year}年春季学期", first, last, date(year, 8, 31))


def autumn_term(year: int) -> Term:
    """Teaching from the first weekday of September to the third Friday of January
    (cut at DATA_END)."""
    first = date(year, 9, 1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    last = _weekday_on_or_after(date(year + 1, 1, 1), 4) + timedelta(days=14)
    end = date(year + 1, 1, 31)
    return Term(f"{year}-autumn", f"{year}年秋季学期", first, min(last, DATA_END), end)


TERMS: tuple[Term, ...] = tuple(t for y in YEARS for t in (spring_term(y), autumn_term(y)))


def terms_of(year: int) -> tuple[Term, ...]:
    """The spring and autumn term that start in `year`."""
    return tuple(t for t in TERMS if t.year == year)


def term_index(code: str) -> int:
    return next(i for i, t in enumerate(TERMS) if t.code == code)


def school_days(first: date, last: date) -> np.ndarray:
    """School days from `first` to `last` inclusive, as sorted `datetime64[D]`."""
    known = calendar()
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1, dtype="datetime64[D]")
    holidays = np.array(known.holidays_between(first, last), dtype="datetime64[D]")
    open_day = np.is_busday(days, holidays=holidays)
    makeup = np.array(known.workdays_between(first, last), dtype="datetime64[D]")
    open_day |= np.isin(days, makeup)
    return days[open_day]


def weekday(days: np.ndarray) -> np.ndarray:
    """Day of week, Monday = 0 … Sunday = 6, for `datetime64[D]` values."""
    return ((days.astype("int64") + 3) % 7).astype(np.int8)


def months_with_school_days() -> list[tuple[int, int]]:
    """(year, month) of every month holding school days, in order."""
    seen: dict[tuple[int, int], None] = {}
    for term in TERMS:
        for day in term.school_days():
            d = day.item()
            seen[(d.year, d.month)] = None
    return list(seen)
