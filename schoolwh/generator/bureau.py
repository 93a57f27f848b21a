"""Default mode: the sample jurisdiction as the files a city bureau receives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from schoolwh.core.sample import SAMPLE_MARKER
from schoolwh.generator import bureau_daily, bureau_feedback, bureau_funds, bureau_supervision
from schoolwh.generator.bureau_daily import participation_files
from schoolwh.generator.bureau_feedback import CORRECTION_FILE, issue_files, survey_files
from schoolwh.generator.bureau_funds import budget_file, spending_files, supplement_file
from schoolwh.generator.bureau_registry import (
    DISTRICTS_FILE,
    SCHOOLS_FILE,
    districts_file,
    enrollment_file,
    enrollment_file_name,
    schools_file,
)
from schoolwh.generator.bureau_supervision import supervision_files
from schoolwh.generator.calendar import DATA_END, TERMS, YEARS
from schoolwh.generator.drafts import BureauFile, FreshCodes
from schoolwh.generator.jurisdiction import (
    SUPERVISION_LAYOUT_STREAM,
    Jurisdiction,
    random_streams,
)
from schoolwh.generator.readme import README, write_readme
from schoolwh.generator.summary import Flaw, WrittenFile
from schoolwh.generator.writers import stamp, write_csv, write_xlsx

README_TIME = stamp(DATA_END.year + 1, 1, 5, 9)


def file_names() -> tuple[str, ...]:
    """Every file name bureau mode can write."""
    return (
        DISTRICTS_FILE,
        SCHOOLS_FILE,
        *(enrollment_file_name(t) for t in TERMS),
        *bureau_daily.file_names(),
        *bureau_funds.file_names(),
        *bureau_feedback.file_names(),
        *bureau_supervision.file_names(),
        README,
        SAMPLE_MARKER,
    )


def plan(j: Jurisdiction, rng: np.random.Generator) -> Iterator[tuple[str, BureauFile]]:
    """Every bureau file with its source, built lazily in writing order (the correction last).

    The supervision files place their planted rows with a stream of their own, so that
    the other files are as they were before those sources were added."""
    fresh = FreshCodes(j.schools["school_code"].to_list(), ("410183", "410185", "410122"))
    yield "districts", districts_file(j)
    yield "schools", schools_file(j, rng, fresh)
    for term in TERMS:
        yield "enrollment", enrollment_file(j, rng, fresh, term)
    for f in participation_files(j, rng, fresh):
        yield "participation", f
    for year in YEARS:
        yield "budget", budget_file(j, rng, year)
        yield "budget", supplement_file(j, rng, year)
        for f in spending_files(j, rng, year):
            yield "expenditure", f
    for f in survey_files(j, rng):
        yield "survey", f
    yield from supervision_files(j, random_streams(j.seed)[SUPERVISION_LAYOUT_STREAM], fresh)
    for f in issue_files(j, rng):
        yield "issues", f


def write_bureau(
    out_dir: Path, j: Jurisdiction, rng: np.random.Generator
) -> tuple[list[WrittenFile], list[Flaw]]:
    """Write all bureau files and the README; return what was written and the flaws."""
    written: list[WrittenFile] = []
    flaws: list[Flaw] = []
    times = []
    for source, f in plan(j, rng):
        times.append(f.when)
        path = out_dir / f.name
        if f.is_csv:
            (draft,) = f.drafts
            write_csv(path, draft.sheet, f.encoding or "utf-8", f.when)
        else:
            sheets = [d.sheet for d in f.drafts] + f.extra_sheets
            write_xlsx(path, sheets, f.when, f.title or f.name)
        found = [x for d in f.drafts for x in d.flaws()]
        flaws += found
        rows = sum(d.data_rows for d in f.drafts)
        written.append(WrittenFile(f.name, (source,), rows, len(found)))
    # The loader lets the newest file win: the corrected re-issue must come last.
    if written[-1].name != CORRECTION_FILE or times[-1] <= max(times[:-1]):
        raise AssertionError("the corrected re-issue must be the newest file")
    written.append(write_readme(out_dir, j, written, flaws, clean=False, when=README_TIME))
    return written, flaws
