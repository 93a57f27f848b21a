"""Public holidays and make-up working days as SQL, for the participation date checks.

The dates are schoolwh.core.holidays' (chinesecalendar plus its override file). A date
whose year that calendar does not know is not checked for public holidays (weekends and
school breaks still are); `calendar_knows_year_sql` lets the quality report say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from schoolwh.core.holidays import calendar

__all__ = ["calendar_knows_year_sql", "is_makeup_workday_sql", "is_public_holiday_sql"]


def _in_dates(date_sql: str, days: Iterable[date]) -> str:
    listed = ", ".join(f"date '{d.isoformat()}'" for d in sorted(days))
    return f"({date_sql} in ({listed}))" if listed else "false"


def is_makeup_workday_sql(date_sql: str) -> str:
    """SQL: the date is an official make-up working day."""
    return _in_dates(date_sql, calendar().workdays)


def is_public_holiday_sql(date_sql: str) -> str:
    """SQL: the date falls in a public holiday."""
    return _in_dates(date_sql, calendar().holidays)


def calendar_knows_year_sql(date_sql: str) -> str:
    """SQL: the holiday calendar knows the date's year (null for a null date)."""
    years = ", ".join(str(y) for y in sorted(calendar().years))
    if not years:
        return f"(case when {date_sql} is not null then false end)"
    return f"(year({date_sql}) in ({years}))"
