"""The school calendar of the sample year 2025: terms, school days and public holidays.

School days are the weekdays of a term's teaching span, minus China's public holidays,
plus the weekend days officially worked in exchange (调休上班日), on which schools hold
classes too; both from schoolwh.core.holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from schoolwh.core.holidays import calendar

YEAR = 2025

# The last day the sample holds data for (the autumn term itself runs to 31 Jan 2026).
DATA_END = date(2025, 12, 31)


@dataclass(frozen=True)
class Term:
    """A term: its canonical code, Chinese name, teaching span in the data, and term end."""

    code: str
    zh: str
    first_day: date
    last_day: date
    end: date

    def school_days(self) -> np.ndarray:
        """The term's school days in the data, as sorted `datetime64[D]`."""
        return school_days(self.first_day, self.last_day)


TERMS: tuple[Term, ...] = (
    Term("2025-spring", "2025年春季学期", date(2025, 2, 17), date(2025, 7, 4), date(2025, 8, 31)),
    Term("2025-autumn", "2025年秋季学期", date(2025, 9, 1), DATA_END, date(2026, 1, 31)),
)


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
