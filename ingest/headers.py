"""Finding the header row and recognising the source from it.

Header cells match a column's canonical name or an alias whole, after ignoring case,
surrounding spaces, full-width/half-width differences and a unit in brackets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from schoolwh.core.sources import SOURCES, Source, aliases

_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_SPACES = re.compile(r"\s+")
TEN_THOUSAND_UNITS = {"万元", "万"}
YUAN_UNITS = {"元", "yuan", "rmb", "人民币元"}


def fold(text: str) -> str:
    """NFKC (full-width → half-width, `（` → `(`), trimmed, lower-case, inner spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def split_unit(cell: str) -> tuple[str, str | None]:
    """`金额（万元）` → (`金额`, `万元`); a cell without a bracketed suffix has unit None."""
    folded = fold(cell).rstrip("*").strip()
    m = _UNIT.search(folded)
    if not m:
        return folded, None
    return folded[: m.start()].strip(), m.group(1).strip()


_ALIAS_INDEX: dict[str, dict[str, str]] = {
    name: {fold(a): col.name for col in src.columns for a in aliases(col)}
    for name, src in SOURCES.items()
}


@dataclass
class HeaderMatch:
    source: Source
    header_index: int  # 0-based row index within the sheet
    columns: dict[str, int]  # canonical column -> cell index
    units: dict[str, str | None]  # canonical column -> unit text found in the header
    ignored: list[str] = field(default_factory=list)  # header cells matching no column
    repeated: list[str] = field(default_factory=list)  # second cells naming a column already seen

    @property
    def width(self) -> int:
        return max(self.columns.values()) + 1 if self.columns else 0


def match_row(row: list[str | None], source: Source) -> HeaderMatch:
    index = _ALIAS_INDEX[source.name]
    columns: dict[str, int] = {}
    units: dict[str, str | None] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for i, cell in enumerate(row):
        if cell is None or not str(cell).strip():
            continue
        name, unit = split_unit(str(cell))
        col = index.get(name) or index.get(fold(str(cell)))
        if col is None:
            ignored.append(str(cell))
        elif col in columns:
            repeated.append(str(cell))
        else:
            columns[col] = i
            units[col] = unit
    return HeaderMatch(source, -1, columns, units, ignored, repeated)


@dataclass
class Closest:
    source: Source
    missing: list[str]
    matched: int = 0  # columns of `source` the best row named


def find_header(
    head: list[list[str | None]], forced: str | None = None
) -> HeaderMatch | Closest | None:
    """The first row of `head` naming all required columns of a source.

    Returns the match, or the closest source and the columns it lacks, or None for an
    empty sheet. With `forced`, only that source is tried.
    """
    candidates = [SOURCES[forced]] if forced else list(SOURCES.values())
    best: Closest | None = None
    best_score = (-1, 0)
    for i, row in enumerate(head):
        found: list[HeaderMatch] = []
        for src in candidates:
            m = match_row(row, src)
            missing = [c for c in src.required if c not in m.columns]
            if not missing:
                m.header_index = i
                found.append(m)
            else:
                score = (len(src.required) - len(missing), -len(missing))
                if len(m.columns) and score > best_score:
                    best_score = score
                    best = Closest(src, missing, len(m.columns))
        if found:
            # A schools header also names district columns: the fullest match wins.
            return max(found, key=lambda m: (len(m.columns), len(m.source.required)))
    if best is None and not any(any(c for c in r) for r in head):
        return None
    if best is None:
        best = Closest(candidates[0], list(candidates[0].required))
    return best


def amount_factor(unit: str | None) -> int | None:
    """Multiplier to yuan for a money column's header unit; None when the unit is unknown."""
    if unit is None or unit.lower() in YUAN_UNITS:
        return 1
    if unit in TEN_THOUSAND_UNITS:
        return 10_000
    return None
