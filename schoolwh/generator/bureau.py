"""Default mode: the sample jurisdiction as the files a city bureau receives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from schoolwh.generator.bureau_daily import STYLES, file_name, participation_files
from schoolwh.generator.bureau_feedback import (
    CORRECTION_FILE,
    LEDGER_FILE,
    SURVEY_AUTUMN_FILE,
    SURVEY_SPRING_FILE,
    issue_files,
    survey_files,
)
from schoolwh.generator.bureau_funds import (
    BUDGET_FILE,
    SPENDING_H1_FILE,
    SPENDING_H2_FILE,
    SUPPLEMENT_FILE,
    budget_file,
    spending_files,
    supplement_file,
)
from schoolwh.generator.bureau_registry import (
    AUTUMN_FILE,
    DISTRICTS_FILE,
    SCHOOLS_FILE,
    SPRING_FILE,
    autumn_enrollment_file,
    districts_file,
    schools_file,
    spring_enrollment_file,
)
from schoolwh.generator.drafts import BureauFile, FreshCodes
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.readme import README, write_readme
from schoolwh.generator.summary import Flaw, WrittenFile
from schoolwh.generator.writers import stamp, write_csv, write_xlsx

README_TIME = stamp(2026, 1, 5, 9)


def file_names() -> tuple[str, ...]:
    """Every file name bureau mode can write."""
    return (
        DISTRICTS_FILE,
        SCHOOLS_FILE,
        SPRING_FILE,
        AUTUMN_FILE,
        *(file_name(m, s) for m, s in STYLES.items()),
        BUDGET_FILE,
        SUPPLEMENT_FILE,
        SPENDING_H1_FILE,
        SPENDING_H2_FILE,
        SURVEY_SPRING_FILE,
        SURVEY_AUTUMN_FILE,
        LEDGER_FILE,
        CORRECTION_FILE,
        README,
    )


def plan(j: Jurisdiction, rng: np.random.Generator) -> list[tuple[str, BureauFile]]:
    """Every bureau file with its source, in writing order (the correction last)."""
    fresh = FreshCodes(j.schools["school_code"].to_list(), ("410183", "410185", "410122"))
    groups: list[tuple[str, list[BureauFile]]] = [
        ("districts", [districts_file(j)]),
        ("schools", [schools_file(j, rng, fresh)]),
        ("enrollment", [spring_enrollment_file(j, rng, fresh),
                        autumn_enrollment_file(j, rng, fresh)]),
        ("participation", participation_files(j, rng, fresh)),
        ("budget", [budget_file(j, rng), supplement_file(j, rng)]),
        ("expenditure", spending_files(j, rng)),
        ("survey", survey_files(j, rng)),
        ("issues", issue_files(j, rng)),
    ]  # fmt: skip
    files = [(source, f) for source, group in groups for f in group]
    latest = max(f.when for _, f in files[:-1])
    if files[-1][1].name != CORRECTION_FILE or files[-1][1].when <= latest:
        raise AssertionError("the corrected re-issue must be the newest file")
    return files


def write_bureau(
    out_dir: Path, j: Jurisdiction, rng: np.random.Generator
) -> tuple[list[WrittenFile], list[Flaw]]:
    """Write all bureau files and the README; return what was written and the flaws."""
    written: list[WrittenFile] = []
    flaws: list[Flaw] = []
    for source, f in plan(j, rng):
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
    written.append(write_readme(out_dir, j, written, flaws, clean=False, when=README_TIME))
    return written, flaws
