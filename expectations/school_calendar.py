"""China's public holidays and make-up working days, for the participation date checks.

The State Council publishes each year's schedule in November of the year before. A year
missing here is simply not checked for public holidays (weekends and school breaks still
are): add it when the notice comes out.
"""

from __future__ import annotations

from datetime import date

# Public holidays (first and last day) - State Council notice of 12 Nov 2024 for 2025.
PUBLIC_HOLIDAYS: tuple[tuple[str, date, date], ...] = (
    ("元旦", date(2025, 1, 1), date(2025, 1, 1)),
    ("春节", date(2025, 1, 28), date(2025, 2, 4)),
    ("清明节", date(2025, 4, 4), date(2025, 4, 6)),
    ("劳动节", date(2025, 5, 1), date(2025, 5, 5)),
    ("端午节", date(2025, 5, 31), date(2025, 6, 2)),
    ("国庆节、中秋节", date(2025, 10, 1), date(2025, 10, 8)),
)

# Weekend days officially worked in exchange (调休上班日): schools teach and serve lunch.
MAKEUP_WORKDAYS: tuple[date, ...] = (
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
)


def _lit(d: date) -> str:
    return f"date '{d.isoformat()}'"


def is_makeup_workday_sql(date_sql: str) -> str:
    """SQL: the date is an official make-up working day."""
    return f"({date_sql} in ({', '.join(_lit(d) for d in MAKEUP_WORKDAYS)}))"


def is_public_holiday_sql(date_sql: str) -> str:
    """SQL: the date falls in a public holiday."""
    parts = [f"{date_sql} between {_lit(a)} and {_lit(b)}" for _, a, b in PUBLIC_HOLIDAYS]
    return "(" + " or ".join(parts) + ")"
