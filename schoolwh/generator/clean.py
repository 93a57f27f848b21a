"""`--clean` mode: one plain UTF-8 CSV per source (every sample year in it; participation
one file per month; suppliers: the registry's final state), canonical headers and values,
no flaws."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from schoolwh.core.sample import SAMPLE_MARKER
from schoolwh.generator.calendar import DATA_END, months_with_school_days
from schoolwh.generator.jurisdiction import SUPERVISION, Jurisdiction
from schoolwh.generator.readme import README, write_readme
from schoolwh.generator.summary import WrittenFile
from schoolwh.generator.writers import set_mtime, stamp

FILE_TIME = stamp(DATA_END.year + 1, 1, 5, 9)
SINGLE = (
    "districts", "schools", "enrollment", "budget", "expenditure", "survey", "issues",
    *SUPERVISION,
)  # fmt: skip


def _months() -> list[str]:
    return [f"{y}-{m:02d}" for y, m in months_with_school_days()]


def file_names() -> tuple[str, ...]:
    """Every file name clean mode can write."""
    return (
        *(f"{s}.csv" for s in SINGLE),
        *(f"participation_{m}.csv" for m in _months()),
        README,
        SAMPLE_MARKER,
    )


def _write(frame: pl.DataFrame, path: Path) -> None:
    # The only float columns are amounts of money: yuan with two decimals.
    frame.write_csv(path, float_precision=2, date_format="%Y-%m-%d")
    set_mtime(path, FILE_TIME)


def write_clean(out_dir: Path, j: Jurisdiction) -> list[WrittenFile]:
    written = []
    for source in SINGLE:
        frame = j.frame(source)
        _write(frame, out_dir / f"{source}.csv")
        written.append(WrittenFile(f"{source}.csv", (source,), frame.height))
    daily = j.frame("participation").with_columns(_month=pl.col("date").dt.strftime("%Y-%m"))
    for (month,), part in daily.partition_by("_month", as_dict=True, maintain_order=True).items():
        name = f"participation_{month}.csv"
        _write(part.drop("_month"), out_dir / name)
        written.append(WrittenFile(name, ("participation",), part.height))
    written.append(write_readme(out_dir, j, written, [], clean=True, when=FILE_TIME))
    return written
