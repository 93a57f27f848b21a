"""Building blocks of bureau-mode files: drafts with planted flaws, and cell formats."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import polars as pl

from schoolwh.core.sources import SOURCES
from schoolwh.generator.districts import DISTRICTS
from schoolwh.generator.summary import Flaw
from schoolwh.generator.writers import Cell, Sheet

# strftime patterns of the date forms bureaus type.
DATE_TEXT = {
    "iso": "%Y-%m-%d",
    "slash": "%Y/%-m/%-d",
    "dot": "%Y.%-m.%-d",
    "zh": "%Y年%-m月%-d日",
}
DISTRICT_ORDER = {d.code: i for i, d in enumerate(DISTRICTS)}
# Planted bad rows stay well under the loader's 20 % limit in every sheet.
MAX_BAD_SHARE = 0.10
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def labels(source: str, column: str) -> dict[str, str]:
    """English value → Chinese label of an enumerated column."""
    enum = SOURCES[source].column(column).enum
    if enum is None:
        raise KeyError(f"{source}.{column} is not an enumeration")
    return enum


def zh(column: str, source: str, name: str | None = None) -> pl.Expr:
    """A column's enumeration values as their Chinese labels."""
    return pl.col(column).replace_strict(labels(source, name or column), default=None)


def date_text(column: str, form: str) -> pl.Expr:
    return pl.col(column).dt.strftime(DATE_TEXT[form])


def yes_no(column: str, yes: str = "是", no: str = "否") -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit(yes)).otherwise(pl.lit(no)).alias(column)


def thousands(value: float | int | None, decimals: int = 0) -> str:
    """1234567 → '1,234,567' (with `decimals` places); None → ''."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"


def full_width(text: str) -> str:
    """ASCII digits as full-width digits (１２３), as some input methods type them."""
    return text.translate(FULL_WIDTH)


def day_text(day: date, form: str) -> str:
    """One date in a bureau's date form."""
    y, m, d = day.year, day.month, day.day
    return {
        "iso": f"{y:04d}-{m:02d}-{d:02d}",
        "slash": f"{y}/{m}/{d}",
        "dot": f"{y}.{m}.{d}",
        "zh": f"{y}年{m}月{d}日",
    }[form]


def by_district(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Rows in the bureau's district order, then by `keys`."""
    order = pl.col("district_code").replace_strict(DISTRICT_ORDER, return_dtype=pl.Int32)
    return frame.with_columns(_order=order).sort("_order", *keys).drop("_order")


def notes(filler: str, reviewer: str, unit: str = "郑州市教育局") -> list[list[Cell]]:
    """The footer a clerk adds under a table (every line starts with a note word)."""
    return [
        [],
        [f"填表人：{filler}", None, f"审核人：{reviewer}"],
        ["联系电话：0371-00000000"],
        [f"填报单位：{unit}"],
    ]


@dataclass
class Draft:
    """One sheet of one file being built, with the flaws planted in it."""

    file: str
    sheet: Sheet
    sheet_name: str | None  # None for CSV
    non_data: int = 0  # 小计 rows inside the body
    # (row, kind, column, detail, expected reason or "")
    marks: list[tuple[list[Cell], str, str, str, str]] = field(default_factory=list)

    def room(self, k: int = 1) -> bool:
        """Whether `k` more bad rows keep this sheet's bad rows within MAX_BAD_SHARE.

        The loader rejects a whole file past 20 % bad rows; small samples plant fewer.
        """
        bad = sum(1 for mark in self.marks if mark[1] != "orphan") + k
        return bad <= MAX_BAD_SHARE * (self.data_rows + k)

    def plant(
        self, at: int, row: list[Cell], kind: str, column: str, detail: str, reason: str = ""
    ) -> bool:
        """Insert a flawed row at body position `at` and remember it (if there is room).

        `reason`: the quarantine reason expected, where the kind alone does not say it
        (summary.KIND_REASON)."""
        if kind != "orphan" and not self.room():
            return False
        at = max(0, min(at, len(self.sheet.body)))
        self.sheet.body.insert(at, row)
        self.marks.append((row, kind, column, detail, reason))
        return True

    def mark(self, row: list[Cell], kind: str, column: str, detail: str, reason: str = "") -> None:
        """Remember a flaw in a row already in the body (check `room` first)."""
        self.marks.append((row, kind, column, detail, reason))

    @property
    def data_rows(self) -> int:
        return len(self.sheet.body) - self.non_data

    def flaws(self) -> list[Flaw]:
        position = {id(row): i for i, row in enumerate(self.sheet.body)}
        found = [
            Flaw(self.file, self.sheet_name, self.sheet.row_number(position[id(row)]), k, c, d, r)
            for row, k, c, d, r in self.marks
        ]
        return sorted(found, key=lambda f: f.row)

    def number_rows(self, column: int = 0) -> None:
        """Fill a 序号 column with 1, 2, 3 … down the data rows (skipping 小计 rows)."""
        n = 0
        for row in self.sheet.body:
            if row[column] == "小计":
                continue
            n += 1
            row[column] = n


@dataclass
class BureauFile:
    """One file to write: its drafts (sheets of data), extra sheets, and its time."""

    name: str
    drafts: list[Draft]
    when: datetime
    encoding: str | None = None  # CSV only
    extra_sheets: list[Sheet] = field(default_factory=list)
    title: str = ""

    @property
    def is_csv(self) -> bool:
        return self.name.endswith(".csv")


class FreshCodes:
    """School codes that are not in the registry, for rows that must not match a school."""

    def __init__(self, used: Iterable[str], prefixes: Iterable[str]):
        self._used = set(used)
        self._iter = self._codes(list(prefixes))

    def _codes(self, prefixes: list[str]) -> Iterator[str]:
        for seq in range(9999, 0, -1):
            for prefix in prefixes:
                code = f"{prefix}{seq:04d}"
                if code not in self._used:
                    yield code

    def __next__(self) -> str:
        code = next(self._iter)
        self._used.add(code)
        return code


def rows_of(frame: pl.DataFrame) -> list[list[Cell]]:
    """A frame's rows as mutable lists of cells."""
    return [list(r) for r in frame.iter_rows()]


def spot(rng: np.random.Generator, body: list, lo: float = 0.05, hi: float = 0.95) -> int:
    """A random body position well inside the table."""
    n = len(body)
    return int(rng.integers(int(n * lo), max(int(n * hi), int(n * lo) + 1)))
