"""China's public holidays and make-up working days (调休上班日), one list for every stage.

The State Council publishes each year's schedule in November of the year before; add the
year here when the notice comes out. The generator plans school days with it and the
quality checks flag participation on holidays with it.
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

# Weekend days officially worked in exchange: schools teach and serve lunch.
MAKEUP_WORKDAYS: tuple[date, ...] = (
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
)
