"""China's public holidays and make-up working days, for the participation date checks.

The State Council publishes each year's schedule in November of the year before. A year
missing here is simply not checked for public holidays (weekends and school breaks still
are): add it when the notice comes out.
"""

from __future__ import annotations

from datetime import date

from schoolwh.core.holidays import MAKEUP_WORKDAYS, PUBLIC_HOLIDAYS

__all__ = ["MAKEUP_WORKDAYS", "PUBLIC_HOLIDAYS", "is_makeup_workday_sql", "is_public_holiday_sql"]


def _lit(d: date) -> str:
    return f"date '{d.isoformat()}'"


def is_makeup_workday_sql(date_sql: str) -> str:
    """SQL: the date is an official make-up working day."""
    return f"({date_sql} in ({', '.join(_lit(d) for d in MAKEUP_WORKDAYS)}))"


def is_public_holiday_sql(date_sql: str) -> str:
    """SQL: the date falls in a public holiday."""
    parts = [f"{date_sql} between {_lit(a)} and {_lit(b)}" for _, a, b in PUBLIC_HOLIDAYS]
    return "(" + " or ".join(parts) + ")"
