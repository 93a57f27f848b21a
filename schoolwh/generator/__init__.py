"""Synthetic sample data: a jurisdiction calibrated on Zhengzhou, as bureau files or clean CSV.

`generate(out_dir)` writes the files `schoolwh load` reads. Same seed and options give
byte-identical files (fixed document properties and file times, seeded random streams).
"""

from __future__ import annotations

import time
from pathlib import Path

from schoolwh.generator import bureau
from schoolwh.generator.calendar import DATA_END, TERMS, YEARS
from schoolwh.generator.clean import file_names as clean_file_names
from schoolwh.generator.clean import write_clean
from schoolwh.generator.jurisdiction import (
    SUPERVISION,
    Jurisdiction,
    build_jurisdiction,
    random_streams,
)
from schoolwh.generator.summary import Flaw, GenerateSummary, WrittenFile

LAYOUT_STREAM = 7  # the random stream that places planted rows in bureau files
MIN_SCHOOLS = 20
MAX_SCHOOLS = 50_000
# Bureau mode writes a month of daily rows into one XLSX sheet (at most 1,048,576 rows).
MAX_BUREAU_SCHOOLS = 40_000

__all__ = [
    "Flaw",
    "GenerateError",
    "GenerateSummary",
    "Jurisdiction",
    "WrittenFile",
    "build_jurisdiction",
    "generate",
]


class GenerateError(ValueError):
    """Bad options or an unusable output folder; the message says what to do."""


def _check(schools: int, seed: int, clean_mode: bool) -> None:
    if isinstance(schools, bool) or not isinstance(schools, int):
        raise GenerateError(f"--schools must be a whole number, got {schools!r}.")
    limit = MAX_SCHOOLS if clean_mode else MAX_BUREAU_SCHOOLS
    if not MIN_SCHOOLS <= schools <= limit:
        hint = "" if clean_mode else " (use --clean for more)"
        raise GenerateError(
            f"--schools must be between {MIN_SCHOOLS:,} and {limit:,}{hint}; got {schools:,}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GenerateError(f"--seed must be a whole number ≥ 0, got {seed!r}.")


def _prepare(out_dir: Path) -> None:
    """Create the folder, or clear a previous sample from it; refuse anything else."""
    if out_dir.exists() and not out_dir.is_dir():
        raise GenerateError(f"{out_dir} is a file, not a folder: choose a folder to write into.")
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = set(bureau.file_names()) | set(clean_file_names())
    present = sorted(p.name for p in out_dir.iterdir())
    foreign = [name for name in present if name not in ours]
    if foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise GenerateError(
            f"{out_dir} already holds files that are not a sample written by this command "
            f"({shown}). Choose an empty or new folder."
        )
    for name in present:
        (out_dir / name).unlink()


def generate(
    out_dir: Path, *, schools: int = 1300, seed: int = 2025, clean: bool = False
) -> GenerateSummary:
    """Write the sample jurisdiction into `out_dir` and say what was written.

    Bureau mode (default) writes Chinese-named GBK/UTF-8 CSV and XLSX files with titles,
    summary rows, notes and a few planted bad rows; `clean=True` writes one UTF-8 CSV per
    source with canonical headers. Raises `GenerateError` for bad options or a folder that
    holds other files.
    """
    started = time.perf_counter()
    _check(schools, seed, clean)
    out_dir = Path(out_dir)
    j = build_jurisdiction(schools, seed)
    flaws: list[Flaw] = []
    try:
        _prepare(out_dir)
        if clean:
            files = write_clean(out_dir, j)
        else:
            files, flaws = bureau.write_bureau(out_dir, j, random_streams(seed)[LAYOUT_STREAM])
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise GenerateError(f"Cannot write the sample into {out_dir}: {reason}.") from exc
    rows = {
        source: getattr(j, source).height
        for source in (
            "districts", "schools", "enrollment", "participation",
            "budget", "expenditure", "survey", "issues", *SUPERVISION,
        )
    }  # fmt: skip
    return GenerateSummary(
        out_dir=out_dir,
        seed=seed,
        clean=clean,
        schools=j.schools.height,
        active_schools=int(j.schools["active"].sum()),
        students=j.students,
        rows=rows,
        files=tuple(files),
        flaws=tuple(flaws),
        seconds=time.perf_counter() - started,
        years=f"{YEARS[0]}–{YEARS[-1]}",
        latest_term=TERMS[-1].code,
        as_of=DATA_END.isoformat(),
    )
