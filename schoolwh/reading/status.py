"""The one status colour scheme: met / near / missed / no data / insufficient sample.

Colours come from the Okabe-Ito palette, which people with the common forms of colour
blindness tell apart; every status also has a glyph, so colour is never the only cue.
A KPI without a target has no status (`None`): it is drawn in a neutral blue-grey.
Statuses themselves are never computed here: dbt gives every KPI row (and every
satisfaction group) its status by the one rule of `dbt/macros/kpi_rules.sql`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StatusStyle:
    key: str
    colour: str  # fill
    text_colour: str  # readable on the fill
    glyph: str
    pattern: str  # Plotly marker pattern shape ("" = solid)


MET = StatusStyle("met", "#009E73", "#FFFFFF", "✔", "")  # bluish green
NEAR = StatusStyle("near", "#E69F00", "#000000", "▲", "")  # orange
MISSED = StatusStyle("missed", "#D55E00", "#FFFFFF", "✖", "")  # vermillion
NO_DATA = StatusStyle("no_data", "#BBBBBB", "#000000", "–", "")  # grey
INSUFFICIENT = StatusStyle("insufficient_sample", "#CDE7F5", "#000000", "?", "/")  # light, hatched
NO_TARGET = StatusStyle("no_target", "#56B4E9", "#000000", "·", "")  # sky blue: value only

STYLES: dict[str, StatusStyle] = {
    s.key: s for s in (MET, NEAR, MISSED, NO_DATA, INSUFFICIENT, NO_TARGET)
}
# Order used in legends and in the status grid's colour scale.
ORDER: tuple[str, ...] = ("met", "near", "missed", "insufficient_sample", "no_data", "no_target")

# Sequential scale for maps of KPIs without a target (colour-blind safe: light to dark blue).
SEQUENTIAL_SCALE = ["#DEEBF7", "#9ECAE1", "#4292C6", "#2171B5", "#08519C"]


def text_colour_on(fill: str) -> str:
    """Black or white, whichever reads better on a #RRGGBB fill (relative luminance)."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if luminance > 0.18 else "#FFFFFF"


def normalise(status: Any) -> str:
    """A status value from the marts as one of ORDER (NULL status → `no_target`)."""
    if status is None:
        return "no_target"
    text = str(status)
    if text in STYLES:
        return text
    if text in ("", "nan", "None", "<NA>"):
        return "no_target"
    return "no_data"


def style(status: Any) -> StatusStyle:
    return STYLES[normalise(status)]


def colour(status: Any) -> str:
    return style(status).colour


def glyph(status: Any) -> str:
    return style(status).glyph
