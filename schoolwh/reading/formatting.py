"""How numbers, money, rates, dates and periods are written on screen.

Chinese readers count in 万 (10⁴) and 亿 (10⁸); English readers get k / M / bn.
Rates are percentages with one decimal. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from typing import Any

import pandas as pd

Lang = str  # "zh" or "en"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TERM_RE = re.compile(r"^(\d{4})-(autumn|spring)$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")

MISSING = "—"

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def html_text(value: Any) -> str:
    """Data as literal text inside HTML (the dashboard's headings) or a Plotly label, hover
    text or title (Plotly reads `<a>`, `<b>`, `<br>` and entities as markup): `<`, `>` and
    `&` become entities and line breaks spaces, so a name like `<a href=…>中原区</a>` or
    `![x](http://…)二七区` shows as those characters."""
    text = _LINE_BREAKS.sub(" ", str(value))
    return html.escape(text, quote=False)


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA and NaT."""
    if value is None:
        return True
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    if isinstance(result, bool):
        return result
    size = getattr(result, "size", None)
    return bool(result.item()) if size == 1 else False  # numpy scalars; lists are values


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Any, lang: Lang = "zh", digits: int = 1) -> str:
    """A count or amount: 8,400 / 84.2万 / 1.35亿 (zh), 8,400 / 84.2k / 135.0M (en)."""
    if is_missing(value):
        return MISSING
    x = float(value)
    sign = "-" if x < 0 else ""
    a = abs(x)
    if lang == "zh":
        if a >= 1e8:
            return f"{sign}{_trim(f'{a / 1e8:.{max(digits, 2)}f}')}亿"
        if a >= 1e4:
            return f"{sign}{_trim(f'{a / 1e4:.{max(digits, 2)}f}')}万"
    else:
        if a >= 1e9:
            return f"{sign}{_trim(f'{a / 1e9:.{max(digits, 2)}f}')} bn"
        if a >= 1e6:
            return f"{sign}{_trim(f'{a / 1e6:.{max(digits, 2)}f}')} M"
        if a >= 1e4:
            return f"{sign}{_trim(f'{a / 1e3:.{digits}f}')}k"
    if a == int(a):
        return f"{sign}{int(a):,}"
    return f"{sign}{_trim(f'{a:,.{digits}f}')}"


def money(value: Any, lang: Lang = "zh") -> str:
    """A headline amount (cards, sentences): 1.73亿元 from one hundred million yuan up,
    else as in tables, `money_fixed`: 7,074.75万元 (zh); ¥173.00 M (en)."""
    if is_missing(value):
        return MISSING
    if lang == "zh" and abs(float(value)) >= 1e8:
        return f"{float(value) / 1e8:,.2f}亿元"
    return money_fixed(value, lang)


def money_amount(value: Any, lang: Lang = "zh") -> str:
    """An amount for a money column: 万元 (zh) or million yuan (en), thousands separators,
    always two decimals, so a column lines up and reads in one unit (the header names it):
    70,747,500 → 7,074.75 (zh) / 70.75 (en)."""
    if is_missing(value):
        return MISSING
    return f"{float(value) / (1e4 if lang == 'zh' else 1e6):,.2f}"


def money_fixed(value: Any, lang: Lang = "zh") -> str:
    """`money_amount` with its unit, for a figure's labels: 7,074.75万元 / ¥70.75 M."""
    if is_missing(value):
        return MISSING
    amount = money_amount(value, lang)
    return f"{amount}万元" if lang == "zh" else f"¥{amount} M"


def money_scale(top: Any, lang: Lang = "zh") -> tuple[float, str]:
    """The one unit a figure writes its amounts in, chosen from its largest amount as
    `money` chooses a card's: (1e8, "亿元") from one hundred million yuan up, else
    (1e4, "万元"); (1e9, "¥ bn") or (1e6, "¥ M") in English."""
    big = not is_missing(top) and abs(float(top)) >= (1e8 if lang == "zh" else 1e9)
    if lang == "zh":
        return (1e8, "亿元") if big else (1e4, "万元")
    return (1e9, "¥ bn") if big else (1e6, "¥ M")


def money_in(value: Any, scale: tuple[float, str], lang: Lang = "zh") -> str:
    """An amount in a figure's unit (`money_scale`): 3.10亿元 / 30.99万元 / ¥0.31 bn."""
    if is_missing(value):
        return MISSING
    divisor, unit = scale
    amount = f"{float(value) / divisor:,.2f}"
    return f"{amount}{unit}" if lang == "zh" else f"{unit.split()[0]}{amount} {unit.split()[1]}"


def count(value: Any, lang: Lang = "zh") -> str:
    """A count, exact: 12,593 (never 1.26万: a quarantined row must not vanish in rounding)."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def percent(value: Any, lang: Lang = "zh", digits: int = 1) -> str:
    """A ratio as a percentage with one decimal: 0.925 → 92.5%."""
    if is_missing(value):
        return MISSING
    x = float(value)
    if math.isinf(x):
        return MISSING
    return f"{x * 100:.{digits}f}%"


def points(value: Any, lang: Lang = "zh") -> str:
    """A change between two ratios in percentage points: +2.5 个百分点 / +2.5 pp."""
    if is_missing(value):
        return MISSING
    x = round(float(value) * 100, 1)
    unit = "个百分点" if lang == "zh" else " pp"
    return f"{abs(x):.1f}{unit}" if x == 0 else f"{x:+.1f}{unit}"


def days(value: Any, lang: Lang = "zh") -> str:
    """A number of days: 7.5天 / 7.5 days."""
    if is_missing(value):
        return MISSING
    x = _trim(f"{float(value):.1f}")
    return f"{x}天" if lang == "zh" else f"{x} days"


def kpi_value(value: Any, unit: str | None, lang: Lang = "zh") -> str:
    """A KPI value in its unit: ratios as percentages, days as days."""
    if unit == "days":
        return days(value, lang)
    if unit in ("count", "students", "yuan"):
        return number(value, lang)
    return percent(value, lang)


def kpi_delta(delta: Any, unit: str | None, lang: Lang = "zh") -> str:
    """A change of a KPI value against the previous period, in the KPI's unit."""
    if is_missing(delta):
        return MISSING
    if unit == "days":
        rounded = round(float(delta), 1)
        x = "0" if rounded == 0 else _trim(f"{rounded:+.1f}")
        return f"{x}天" if lang == "zh" else f"{x} days"
    if unit in ("count", "students", "yuan"):
        return ("+" if float(delta) >= 0 else "") + number(delta, lang)
    return points(delta, lang)


def shown_change(delta: Any, unit: str | None) -> float:
    """A change as it is shown (rounded to what the reader sees): 0 when it shows as 0."""
    if is_missing(delta):
        return 0.0
    if unit in ("days", "count", "students", "yuan"):
        return round(float(delta), 1)
    return round(float(delta) * 100, 1) / 100


def as_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO string; None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])


def date(value: Any, lang: Lang = "zh") -> str:
    """2025年9月28日 / 28 Sep 2025."""
    d = as_date(value)
    if d is None:
        return MISSING
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def timestamp(value: Any, lang: Lang = "zh") -> str:
    """A load time to the minute: 2025-09-28 14:05."""
    if is_missing(value):
        return MISSING
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def period(value: str | None, lang: Lang = "zh") -> str:
    """2025-autumn → 2025年秋季学期 / Autumn term 2025; 2025-09 → 2025年9月 / Sep 2025."""
    if value is None:
        return MISSING
    text = str(value)
    if m := _TERM_RE.match(text):
        year, season = m.groups()
        if lang == "zh":
            return f"{year}年{'秋季' if season == 'autumn' else '春季'}学期"
        return f"{'Autumn' if season == 'autumn' else 'Spring'} term {year}"
    if m := MONTH_RE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return f"{year}年{month}月" if lang == "zh" else f"{_MONTHS_EN[month - 1]} {year}"
    if _YEAR_RE.match(text):
        return f"{text}年" if lang == "zh" else text
    return text


def is_term(value: str) -> bool:
    """Whether `value` is a term's code (2024-autumn)."""
    return bool(_TERM_RE.match(value))


def previous_period(period_type: str, value: str) -> str | None:
    """The period of the same type before this one: 2025-autumn → 2025-spring."""
    if period_type == "term" and (m := _TERM_RE.match(value)):
        year, season = int(m.group(1)), m.group(2)
        return f"{year}-spring" if season == "autumn" else f"{year - 1}-autumn"
    if period_type == "month" and (m := MONTH_RE.match(value)):
        year, month = int(m.group(1)), int(m.group(2))
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    if period_type == "year" and _YEAR_RE.match(value):
        return str(int(value) - 1)
    return None


def same_period_last_year(period_type: str, value: str) -> str | None:
    """同比's period: 2025-autumn → 2024-autumn, 2025-09 → 2024-09 (None for a year: its
    previous period is already the year before)."""
    if period_type == "term" and (m := _TERM_RE.match(value)):
        return f"{int(m.group(1)) - 1}-{m.group(2)}"
    if period_type == "month" and (m := MONTH_RE.match(value)):
        return f"{int(m.group(1)) - 1}-{m.group(2)}"
    return None


def period_sort_key(value: str) -> tuple[int, int]:
    """Chronological order of periods of one type (spring before autumn in a year)."""
    if m := _TERM_RE.match(value):
        return int(m.group(1)), 2 if m.group(2) == "autumn" else 1
    if m := MONTH_RE.match(value):
        return int(m.group(1)), int(m.group(2))
    if _YEAR_RE.match(value):
        return int(value), 0
    return 0, 0
