"""What a briefing covers: a period (its type read from its form), the whole jurisdiction
or one district, the language, and the as-of date of the published build.

Bad input gets one sentence naming what exists, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from schoolwh.briefing.labels import tr
from schoolwh.reading import formatting as fmt
from schoolwh.reading import geo
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse
from schoolwh.reading.i18n import LANGS

_PERIOD_FORMS = (
    ("term", re.compile(r"^\d{4}-(autumn|spring)$")),
    ("month", re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")),
    ("year", re.compile(r"^\d{4}$")),
)
_CITY_FILE = "city.geojson"
_PROVINCE_FILE = "province.geojson"


class BriefingError(ValueError):
    """Input a person must correct (period, district, language, warehouse): one sentence."""


@dataclass(frozen=True)
class Scope:
    period_type: str
    period: str
    previous: str | None
    start: dt.date
    end: dt.date
    as_of: dt.date | None
    district_code: str | None
    district_name: str | None
    district_count: int
    jurisdiction: str
    lang: str
    own_district: bool = False  # a district's own extract: `jurisdiction` is the district

    @property
    def is_district(self) -> bool:
        return self.district_code is not None

    @property
    def whole(self) -> str:
        """The whole jurisdiction as a reader says it: 全市 for a city, 全县, 全区, 全省;
        全域 when its kind is unknown."""
        return whole_label(self.jurisdiction, self.lang)

    @property
    def label(self) -> str:
        """Who the briefing is about: the district's name, or 全市 (全县 …) / All districts."""
        return self.district_name or self.whole

    @property
    def file_label(self) -> str:
        """The scope as it appears in file names: a district's own extract is named for
        the district (金水区), never 全区."""
        own = self.jurisdiction if self.own_district else None
        return file_scope(self.jurisdiction, self.district_name or own, self.lang)

    @property
    def place(self) -> str:
        """The title's place: 郑州市 or 郑州市金水区."""
        if self.district_name:
            if self.jurisdiction and self.jurisdiction not in (
                tr("scope.jurisdiction", self.lang),
                self.district_name,  # a district's own extract
            ):
                sep = " " if self.lang == "en" else ""
                return f"{self.jurisdiction}{sep}{self.district_name}"
            return self.district_name
        return self.jurisdiction

    @property
    def period_label(self) -> str:
        return fmt.period(self.period, self.lang)

    @property
    def previous_label(self) -> str | None:
        return fmt.period(self.previous, self.lang) if self.previous else None

    @property
    def pace_year(self) -> int:
        """The fiscal year of the funding slide: the year of the period's last day with data."""
        last = min(self.end, self.as_of) if self.as_of else self.end
        return max(last, self.start).year

    def months_window(self, months: int = 12) -> tuple[str, str]:
        """First and last month (YYYY-MM) of the trend window: up to `months` months ending
        with the period's last month."""
        end = self.end
        index = end.year * 12 + end.month - 1 - (months - 1)
        return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{end.year:04d}-{end.month:02d}"


def period_type_of(period: str) -> str | None:
    """term for 2025-autumn, month for 2025-09, year for 2025; None for anything else."""
    for kind, pattern in _PERIOD_FORMS:
        if pattern.match(period):
            return kind
    return None


def _available_periods(wh: Warehouse) -> dict[str, list[str]]:
    return {kind: sorted(q.periods(wh, kind), key=fmt.period_sort_key) for kind in q.PERIOD_TYPES}


def _describe_periods(available: dict[str, list[str]]) -> str:
    parts = []
    for kind, values in available.items():
        if not values:
            continue
        shown = ", ".join(values) if len(values) <= 4 else f"{values[0]} … {values[-1]}"
        parts.append(f"{kind} {shown}")
    return "; ".join(parts) or "none"


def resolve_period(wh: Warehouse, period: str) -> str:
    """The period type of `period`, checked against the periods the warehouse holds."""
    text = period.strip()
    kind = period_type_of(text)
    available = _available_periods(wh)
    if kind is None:
        raise BriefingError(
            f"周期 {period!r} 无法识别 / Period {period!r} is not a term (2025-autumn), "
            f"a month (2025-09) or a year (2025); periods with data: {_describe_periods(available)}."
        )
    if text not in available.get(kind, []):
        raise BriefingError(
            f"没有 {text} 的数据 / No data for period {text}; periods with data: "
            f"{_describe_periods(available)}."
        )
    return kind


def resolve_district(wh: Warehouse, district: str | None) -> tuple[str | None, str | None, int]:
    """(code, name, number of districts) for a district given by code or by name."""
    frame = q.districts(wh)
    count = len(frame)
    if district is None or not str(district).strip():
        return None, None, count
    wanted = str(district).strip()
    for code, name in zip(frame["district_code"], frame["district_name"], strict=False):
        if wanted in (str(code), str(name)):
            return str(code), str(name), count
    listing = "、".join(
        f"{c} {n}" for c, n in zip(frame["district_code"], frame["district_name"], strict=False)
    )
    raise BriefingError(
        f"没有区县 {wanted!r} / Unknown district {wanted!r}; districts (code or name): {listing}."
    )


@lru_cache(maxsize=4)
def _division_names(file_name: str) -> dict[str, str]:
    """Division code (6 digits) → name from the boundary package's GeoJSON properties."""
    district_file = geo.boundary_file()
    if district_file is None:
        return {}
    path = Path(district_file).parent / file_name
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    out: dict[str, str] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        gb = str(props.get("gb") or "")
        if gb.startswith("156") and len(gb) == 9 and props.get("name"):
            out[gb[3:]] = str(props["name"])
    return out


_WHOLE = {"市": "全市", "县": "全县", "区": "全区", "旗": "全旗", "省": "全省", "州": "全州"}


def whole_label(jurisdiction: str, lang: str) -> str:
    """全市 for 郑州市, 全县 for a county, 全区 for a district … (zh); `All districts` (en)."""
    if lang != "zh":
        return tr("scope.all", lang)
    return _WHOLE.get(str(jurisdiction).strip()[-1:], tr("scope.all", lang))


def file_scope(jurisdiction: str, district_name: str | None, lang: str) -> str:
    """A briefing's scope in file names: the district (金水区), else the whole jurisdiction
    as a reader says it (全市, 全县 …; 全域 when its kind is unknown), `all-districts` (en)."""
    if district_name:
        return district_name
    return whole_label(jurisdiction, lang) if lang == "zh" else tr("scope.all_file", lang)


def jurisdiction_name(codes: list[str], lang: str) -> str:
    """The city (or province) the reporting units belong to, from their administrative
    division codes: 4101xx → 郑州市. Without codes or boundary data: 全域."""
    numeric = [c for c in codes if re.fullmatch(r"\d{6}", c)]
    if numeric:
        prefix, hits = Counter(c[:4] for c in numeric).most_common(1)[0]
        if hits * 2 > len(numeric):
            name = _division_names(_CITY_FILE).get(f"{prefix}00")
            if name:
                return name
        prefix, hits = Counter(c[:2] for c in numeric).most_common(1)[0]
        if hits * 2 > len(numeric):
            name = _division_names(_PROVINCE_FILE).get(f"{prefix}0000")
            if name:
                return name
    return tr("scope.jurisdiction", lang)


def resolve_scope(
    wh: Warehouse,
    period: str,
    *,
    district: str | None = None,
    lang: str = "zh",
    jurisdiction: str | None = None,
) -> Scope:
    """Check the request against the warehouse and describe what the briefing covers."""
    if lang not in LANGS:
        raise BriefingError(f"语言只能是 zh 或 en / Language must be zh or en, not {lang!r}.")
    kind = resolve_period(wh, period)
    period = period.strip()
    code, name, count = resolve_district(wh, district)
    bounds = q.period_bounds(wh, kind, period)
    if bounds is None:  # resolve_period found it, so the marts have its dates
        raise BriefingError(f"没有 {period} 的数据 / No data for period {period}.")
    start, end = fmt.as_date(bounds[0]), fmt.as_date(bounds[1])
    assert start is not None and end is not None
    info = q.build_info(wh)
    as_of = fmt.as_date(info["as_of_date"]) if info else None
    codes = [str(c) for c in q.districts(wh)["district_code"]]
    place = jurisdiction.strip() if jurisdiction and jurisdiction.strip() else None
    own = q.overall_place(wh)
    return Scope(
        period_type=kind,
        period=period,
        previous=fmt.previous_period(kind, period),
        start=start,
        end=end,
        as_of=as_of,
        district_code=code,
        district_name=name,
        district_count=count,
        # a district's extract (its overall figures are its own) is about the district
        jurisdiction=place or own or jurisdiction_name(codes, lang),
        lang=lang,
        own_district=place is None and own is not None,
    )
