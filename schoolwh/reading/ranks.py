"""The one rule for ranking districts on a KPI, and how a rank and its change are written.

- Competition ranking ("1224"): districts with equal values share a rank and the next
  rank skips as many places as shared it. Which end is first follows the KPI's
  `direction` as the warehouse gives it (marts.kpi_definitions, carried by every KPI row):
  the highest value for `higher_is_better`, the lowest for `lower_is_better`.
- A district without a value is not ranked, and the districts ranked are those with a value.
- One district alone is not ranked either: 第 1 名（共 1 个） says nothing (a district's
  own extract holds only its own rows).
- The rank change is the rank in the previous period minus the rank now (positive: moved
  up), only when the district had a rank in the previous period (of the same period type:
  the caller passes that period's rows).

Used by the cards of 区县, the ranking charts and the briefing's findings (docs/kpis.md,
"Ranks and comparisons"); nothing here reads the warehouse or imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from schoolwh.reading.i18n import t

# Values equal to this many decimals are equal (ratios computed in SQL differ in the last bits).
DECIMALS = 9


def lower_is_better(direction: Any) -> bool:
    """Whether a smaller value is better: the KPI's `direction` as the warehouse gives it."""
    return direction == "lower_is_better"


@dataclass(frozen=True)
class Rank:
    """A district's place on one KPI in one period."""

    rank: int  # 1 = best; districts with equal values share it
    of: int  # how many districts were ranked (had a value)
    sharing: int = 1  # how many districts hold this rank (1: not tied)
    change: int | None = None  # previous rank − rank (positive: up); None: no previous rank

    @property
    def tied(self) -> bool:
        return self.sharing > 1


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, DECIMALS)


def _competition(values: list[Any], lower_better: bool) -> list[int | None]:
    """The rule: 1 + how many values are strictly better; None for a missing value."""
    numbers = [_number(v) for v in values]
    present = [n for n in numbers if n is not None]
    if lower_better:
        return [None if n is None else 1 + sum(o < n for o in present) for n in numbers]
    return [None if n is None else 1 + sum(o > n for o in present) for n in numbers]


Place = tuple[int, int, int]  # rank, of, sharing


def _places(
    frame: pd.DataFrame, key: str, kpis: list[Any], lower: dict[Any, bool]
) -> dict[tuple[Any, Hashable], Place | None]:
    """Each (KPI, key)'s place among the rows of its KPI (`kpis`: each row's KPI; the first
    row of a key counts)."""
    groups: dict[Any, dict[Hashable, Any]] = {}
    for kpi, k, value in zip(kpis, frame[key], frame["value"], strict=True):
        groups.setdefault(kpi, {}).setdefault(k, value)
    out: dict[tuple[Any, Hashable], Place | None] = {}
    for kpi, values in groups.items():
        ranked = _competition(list(values.values()), lower.get(kpi, False))
        of = sum(r is not None for r in ranked)
        for k, r in zip(values, ranked, strict=True):
            out[(kpi, k)] = None if r is None or of < 2 else (r, of, ranked.count(r))
    return out


def _ranks(
    now: pd.DataFrame, previous: pd.DataFrame | None, key: str
) -> dict[tuple[Any, Hashable], Rank | None]:
    """Every (KPI, key) of `now`: its Rank, None without a value. A frame without a `kpi`
    column is one KPI (None), and so are the previous rows then; previous rows without a
    `kpi` column are of `now`'s one KPI."""
    now_kpis = list(now["kpi"]) if "kpi" in now else [None] * len(now)
    frames = [(now, now_kpis)]
    if previous is not None and not previous.empty:
        if "kpi" in now and "kpi" in previous:
            frames.append((previous, list(previous["kpi"])))
        else:
            one = set(now_kpis)
            if len(one) > 1:
                raise ValueError("the previous rows name no KPI, but the rows now have several")
            frames.append((previous, [next(iter(one), None)] * len(previous)))
    lower: dict[Any, bool] = {}  # by KPI: from the first rows that give its direction
    for frame, kpis in frames:
        if "direction" in frame:
            for kpi, direction in zip(kpis, frame["direction"], strict=True):
                if kpi not in lower and isinstance(direction, str):
                    lower[kpi] = lower_is_better(direction)
    places = [_places(frame, key, kpis, lower) for frame, kpis in frames]
    before = places[1] if len(places) > 1 else {}
    out: dict[tuple[Any, Hashable], Rank | None] = {}
    for at, place in places[0].items():
        earlier = before.get(at)
        if place is None:
            out[at] = None
        else:
            change = None if earlier is None else earlier[0] - place[0]
            out[at] = Rank(place[0], place[1], place[2], change)
    return out


def by_key(
    now: pd.DataFrame, previous: pd.DataFrame | None = None, key: str = "district_code"
) -> dict[Hashable, Rank]:
    """One KPI's ranks by `key` (a district without a value is left out)."""
    return {k: r for (_, k), r in _ranks(now, previous, key).items() if r is not None}


def of_district(
    now: pd.DataFrame,
    previous: pd.DataFrame | None,
    district: Hashable,
    key: str = "district_code",
) -> dict[str, Rank]:
    """A district's rank on every KPI of `now` (every district's rows for one period), by
    KPI; a KPI on which the district has no value is left out."""
    found = _ranks(now, previous, key)
    return {str(kpi): r for (kpi, k), r in found.items() if k == district and r is not None}


# ---------------------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------------------
def change_text(rank: Rank, lang: str) -> str:
    """较上期 ↑2 / 较上期 ↓1 / 名次不变; "" without a previous rank."""
    if rank.change is None:
        return ""
    if rank.change > 0:
        return t("rank.up", lang, n=rank.change)
    if rank.change < 0:
        return t("rank.down", lang, n=-rank.change)
    return t("rank.same", lang)


def text(rank: Rank, lang: str) -> str:
    """第 3 名（共 16 个）· 较上期 ↑2; tied: 并列第 3 名（共 16 个）."""
    place = t("rank.place_tied" if rank.tied else "rank.place", lang, rank=rank.rank, n=rank.of)
    return joined(place, change_text(rank, lang))


def joined(*parts: str) -> str:
    """The non-empty parts as one line, with · between them (no space after a full-width
    bracket, which has room of its own: 第 3 名（共 16 个）· 较上期 ↑2)."""
    out = ""
    for part in (p for p in parts if p):
        out += ("· " if out.endswith("）") else " · ") + part if out else part
    return out


def short(rank: Rank, lang: str) -> str:
    """The rank as a figure's label fits it: 第3名 ↑2, 并列第1名, 第2名 不变."""
    place = t("rank.short_tied" if rank.tied else "rank.short", lang, rank=rank.rank)
    if rank.change is None:
        return place
    if rank.change == 0:
        return f"{place} {t('rank.short_same', lang)}"
    return f"{place} {'↑' if rank.change > 0 else '↓'}{abs(rank.change)}"
