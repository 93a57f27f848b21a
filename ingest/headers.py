"""Finding the header block and recognising the source from it.

A header is one row, or a block of up to four rows joined by merged cells (a parent over
its sub-columns, a cell merged down). Each column is named by its path, top to bottom,
joined with `/`: `在校生数（个）/合计`. Header cells match a column's canonical name or an
alias whole, after ignoring case, surrounding spaces, full-width/half-width differences
and a unit in brackets. A sub-column `合计`/`计`/`小计`/`总计` stands for its parent; no
other sub-column is ever matched by its parent's name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.readers import HEAD_ROWS, HEADER_DEPTH, Merge
from schoolwh.core.sources import SOURCES, Source, aliases

_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_SPACES = re.compile(r"\s+")
TOTAL_WORDS = ("合计", "计", "小计", "总计")

# Units understood, as multipliers: money to yuan, counts to ones.
MONEY_UNITS = {
    "元": 1,
    "yuan": 1,
    "rmb": 1,
    "人民币元": 1,
    "千元": 1_000,
    "万元": 10_000,
    "万": 10_000,
    "亿元": 100_000_000,
}
COUNT_UNITS = {
    "人": 1,
    "个": 1,
    "所": 1,
    "次": 1,
    "人次": 1,
    "名": 1,
    "路": 1,  # camera channels (接入路数)
    "台": 1,
    "道": 1,  # dishes (菜品数（道）)
    "家": 1,
    "千人": 1_000,
    "万人": 10_000,
    "万人次": 10_000,
}


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


def path_key(path: str | list[str]) -> str:
    """The matching form of a header path: each part folded, its unit in brackets dropped."""
    parts = path.split("/") if isinstance(path, str) else path
    return "/".join(split_unit(p)[0] for p in parts if p and p.strip())


def unit_factor(kind: str, unit: str | None) -> int | None:
    """Multiplier for a numeric column's unit (money → yuan, counts → ones); None when the
    unit is not understood. No unit: 1."""
    if unit is None or unit == "":
        return 1
    table = MONEY_UNITS if kind == "money" else COUNT_UNITS
    return table.get(unit.lower())


def per_unit(unit: str, per: tuple[str, ...]) -> str:
    """A unit without what it is per, when the column allows it (`元/餐` → `元` for a meal
    price, whose `per` lists 餐); any other unit unchanged."""
    base, slash, rest = unit.partition("/")
    if slash and fold(rest).replace(" ", "") in {fold(p) for p in per}:
        return base.strip()
    return unit


def units_understood(kind: str) -> str:
    """The units of a kind a clerk can write, for messages."""
    return "、".join(
        u for u in (MONEY_UNITS if kind == "money" else COUNT_UNITS) if not u.isascii()
    )


_ALIAS_INDEX: dict[str, dict[str, str]] = {
    name: {fold(a): col.name for col in src.columns for a in aliases(col)}
    for name, src in SOURCES.items()
}


@dataclass
class HeaderMatch:
    source: Source
    header_index: int  # 0-based row index of the block's first row within the sheet
    columns: dict[str, int]  # canonical column -> cell index
    units: dict[str, str | None]  # canonical column -> unit text found in the header
    ignored: list[str] = field(default_factory=list)  # header cells matching no column
    repeated: list[str] = field(default_factory=list)  # second cells naming a column already seen
    depth: int = 1  # rows in the header block
    labels: dict[str, str] = field(default_factory=dict)  # canonical column -> header path
    paths: list[list[str]] = field(default_factory=list)  # path parts of every cell
    mapped: dict[str, str] = field(default_factory=dict)  # canonical column -> mapping key used
    constants: dict[str, str] = field(default_factory=dict)  # canonical column -> mapping constant
    mapping: str | None = None  # the mapping's name, when one was used

    @property
    def width(self) -> int:
        return max(self.columns.values()) + 1 if self.columns else 0

    @property
    def data_start(self) -> int:
        return self.header_index + self.depth


@dataclass
class Closest:
    source: Source
    missing: list[str]
    matched: int = 0  # columns of `source` the best row named
    header_index: int = 0
    recognised: dict[str, str] = field(default_factory=dict)  # column -> header path
    suggestions: dict[str, str] = field(default_factory=dict)  # missing column -> closest cell
    cells: list[str] = field(default_factory=list)  # the header paths of the best row


def block_depth(start: int, merges: list[Merge], rows: int) -> int:
    """Rows in the header block starting at `start`: extended by cells merged down from it
    and by parents merged across (their sub-columns are on the next row), at most 4."""
    last = start
    changed = True
    while changed:
        changed = False
        for (r0, c0), (r1, c1) in merges:
            if start <= r0 <= last:
                below = r1 if r1 > r0 else (r0 + 1 if c1 > c0 else r0)
                if below > last and below < start + HEADER_DEPTH and below < rows:
                    last = below
                    changed = True
    return last - start + 1


def header_paths(
    head: list[list[str | None]], start: int, depth: int, merges: list[Merge]
) -> list[list[str]]:
    """The path of every column of the block: its distinct cells, top to bottom (a cell
    covered by a merge reads the merge's first cell)."""
    block = range(start, start + depth)
    width = max((len(head[r]) for r in block if r < len(head)), default=0)
    for (r0, _c0), (_r1, c1) in merges:
        if r0 in block:
            width = max(width, c1 + 1)
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in merges:
        for r in range(max(r0, start), min(r1, start + depth - 1) + 1):
            for c in range(c0, c1 + 1):
                origin[(r, c)] = (r0, c0)
    paths = []
    for c in range(width):
        parts: list[str] = []
        seen: set[tuple[int, int]] = set()
        for r in block:
            at = origin.get((r, c), (r, c))
            if at in seen:
                continue
            seen.add(at)
            row = head[at[0]] if at[0] < len(head) else []
            cell = row[at[1]] if at[1] < len(row) else None
            if cell is not None and str(cell).strip():
                parts.append(str(cell).strip())
        paths.append(parts)
    return paths


def _lookup(parts: list[str], index: dict[str, str]) -> tuple[str | None, list[str]]:
    """The column a path names and the parts that named it: the whole path; a 合计-like
    sub-column as its parent; a sub-column by its own name. Never a sub-column by its
    parent's name."""
    if not parts:
        return None, parts
    whole = index.get(path_key(parts))
    if whole is not None:
        return whole, parts
    if len(parts) == 1:
        name, _unit = split_unit(parts[0])
        return index.get(name) or index.get(fold(parts[0])), parts
    last = split_unit(parts[-1])[0].replace(" ", "")
    if last in TOTAL_WORDS:
        return _lookup(parts[:-1], index)
    own = index.get(path_key(parts[-1:]))
    return own, parts[-1:]


def _unit(parts: list[str]) -> str | None:
    for p in reversed(parts):
        unit = split_unit(p)[1]
        if unit:
            return unit
    return None


def match_paths(
    paths: list[list[str]],
    source: Source,
    extra: dict[str, str] | None = None,
) -> HeaderMatch:
    """Which cells of a header block name `source`'s columns; `extra` maps path keys to
    columns (a mapping's own names, tried first)."""
    index = dict(_ALIAS_INDEX[source.name])
    mapped_keys = dict(extra or {})
    columns: dict[str, int] = {}
    units: dict[str, str | None] = {}
    labels: dict[str, str] = {}
    mapped: dict[str, str] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for i, parts in enumerate(paths):
        if not parts:
            continue
        label = "/".join(parts)
        col = None
        key = path_key(parts)
        if key in mapped_keys:
            col = mapped_keys[key]
            mapped[col] = key
        else:
            col, _named = _lookup(parts, index)
        if col is None:
            ignored.append(label)
        elif col in columns:
            repeated.append(label)
        else:
            columns[col] = i
            units[col] = _unit(parts)
            labels[col] = label
    return HeaderMatch(source, -1, columns, units, ignored, repeated, 1, labels, paths, mapped)


def find_header(
    head: list[list[str | None]],
    forced: str | None = None,
    merges: list[Merge] | None = None,
    mapped: dict[str, dict[str, str]] | None = None,
    constants: set[str] | frozenset[str] = frozenset(),
) -> HeaderMatch | Closest | None:
    """The first header block of `head` naming all required columns of a source.

    Returns the match, or the closest source (its best row, what it recognised there and
    what it lacks), or None for an empty sheet. With `forced`, only that source is tried.
    `mapped` adds a mapping's names per source; `constants` are columns a mapping supplies.
    """
    merges = merges or []
    mapped = mapped or {}
    candidates = [SOURCES[forced]] if forced else list(SOURCES.values())
    best: Closest | None = None
    best_score: tuple[float, int] = (-1.0, -1)
    for start in range(min(HEAD_ROWS, len(head))):
        filled = sum(1 for c in head[start] if c is not None and str(c).strip())
        if filled == 0 or (filled == 1 and not constants):
            continue  # a title line (often merged across the table) is no header
        deepest = block_depth(start, merges, len(head))
        found: list[HeaderMatch] = []
        # The block the merges outline first; a shallower one only where it names more
        # (a merged cell over data, not over sub-columns) — and then a parent merged over
        # columns it stood above is never matched.
        for depth in range(deepest, 0, -1):
            paths = header_paths(head, start, depth, merges)
            if depth < deepest:
                paths = _without_parents(paths, start, start + depth - 1, merges)
            for src in candidates:
                m = match_paths(paths, src, mapped.get(src.name))
                present = set(m.columns) | set(constants)
                missing = [c for c in src.required if c not in present]
                if not missing and m.columns:
                    m.header_index, m.depth = start, depth
                    found.append(m)
                    continue
                # the source whose required columns are most nearly all there
                have = len(src.required) - len(missing)
                score = (have / max(len(src.required), 1), len(m.columns))
                if m.columns and score > best_score:
                    best_score = score
                    best = Closest(
                        src,
                        missing,
                        len(m.columns),
                        start,
                        dict(m.labels),
                        _suggest(src, missing, m.ignored),
                        ["/".join(p) for p in paths if p],
                    )
            if found:
                # A schools header also names district columns: the fullest match wins.
                return max(found, key=lambda m: (len(m.columns), len(m.source.required)))
    if best is None and not any(any(c for c in r) for r in head):
        return None
    if best is None:
        start = _fullest_row(head)
        src = candidates[0]
        row = [str(c).strip() for c in head[start] if c is not None and str(c).strip()]
        best = Closest(src, list(src.required), 0, start, {}, {}, row)
    return best


def _without_parents(
    paths: list[list[str]], start: int, last: int, merges: list[Merge]
) -> list[list[str]]:
    """Paths without the cells of the block (rows `start`..`last`) merged across columns:
    parents whose sub-columns the block leaves out name no single column."""
    out = [list(p) for p in paths]
    for (r0, c0), (_r1, c1) in merges:
        if start <= r0 <= last and c1 > c0:
            for c in range(c0, min(c1 + 1, len(out))):
                out[c] = []
    return out


def _fullest_row(head: list[list[str | None]]) -> int:
    counts = [sum(1 for c in r if c is not None and str(c).strip()) for r in head[:HEAD_ROWS]]
    return counts.index(max(counts)) if counts else 0


def _suggest(src: Source, missing: list[str], cells: list[str]) -> dict[str, str]:
    """For each missing column, the unrecognised header cell closest to one of its names."""
    out: dict[str, str] = {}
    for col in missing:
        names = [split_unit(a)[0] for a in aliases(src.column(col))]
        best, score = None, 0.0
        for cell in cells:
            key = path_key(cell.split("/")[-1:])
            for n in names:
                r = difflib.SequenceMatcher(None, n, key).ratio()
                if r > score:
                    best, score = cell, r
        if best is not None and score >= 0.4:
            out[col] = best
    return out


def accepted_names(src: Source, column: str) -> str:
    return "、".join(dict.fromkeys([*src.column(column).aliases, column]))
