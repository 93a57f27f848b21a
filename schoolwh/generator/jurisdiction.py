"""The whole synthetic jurisdiction as data frames, one per input source."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from schoolwh.core.sources import SOURCES
from schoolwh.generator.activity import build_activity
from schoolwh.generator.calendar import TERMS
from schoolwh.generator.feedback import build_issues, build_survey
from schoolwh.generator.finance import build_budget, build_expenditure
from schoolwh.generator.registry import build_districts, build_schools
from schoolwh.generator.supervision import build_supervision

# The supervision sources (docs/contract.md#supervision), in contract order.
SUPERVISION = (
    "meal_companions",
    "menus",
    "kitchen_cameras",
    "canteen_checks",
    "suppliers",
    "deliveries",
    "training",
)
# Spawned after the first eight, so that those stay as they were: the supervision data,
# and the places of the rows planted in the supervision files.
SUPERVISION_STREAM = 8
SUPERVISION_LAYOUT_STREAM = 9


@dataclass(frozen=True)
class Jurisdiction:
    """Canonical data (English values, ISO dates, yuan) plus the generator's bookkeeping."""

    seed: int
    districts: pl.DataFrame
    schools: pl.DataFrame  # registry columns plus hidden traits
    enrollment: pl.DataFrame
    participation: pl.DataFrame
    budget: pl.DataFrame
    expenditure: pl.DataFrame
    survey: pl.DataFrame
    issues: pl.DataFrame  # final state
    issues_ledgers: dict[int, pl.DataFrame]  # year -> the state that year's ledger reported
    missed: pl.DataFrame  # (school_code, date) school days not reported
    no_enrollment: pl.DataFrame  # (school_code, term) enrolment rows left out
    meal_companions: pl.DataFrame
    menus: pl.DataFrame  # with the latest term's menus published ahead, past DATA_END
    kitchen_cameras: pl.DataFrame
    canteen_checks: pl.DataFrame
    suppliers: pl.DataFrame  # final state
    suppliers_ledgers: dict[int, pl.DataFrame]  # year -> the registry on its 31 December
    deliveries: pl.DataFrame
    training: pl.DataFrame

    def frame(self, source: str) -> pl.DataFrame:
        """The rows of one source, with exactly that source's columns, in contract order."""
        return getattr(self, source).select(SOURCES[source].names)

    @property
    def students(self) -> int:
        """Students enrolled in the latest term."""
        latest = TERMS[-1].code
        return int(self.enrollment.filter(pl.col("term") == latest)["enrolled"].sum())


def random_streams(seed: int) -> list[np.random.Generator]:
    """Independent random streams derived from one seed: one per builder, one spare, the
    layout of bureau files (7), the supervision sources (8) and their files' layout (9)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(10)]


def build_jurisdiction(schools: int, seed: int) -> Jurisdiction:
    """Build every source for `schools` schools from `seed` (same inputs, same data)."""
    streams = random_streams(seed)
    registry = build_schools(streams[0], schools)
    activity = build_activity(streams[1], registry)
    budget = build_budget(streams[2], registry, activity.enrollment)
    expenditure = build_expenditure(streams[3], budget)
    survey = build_survey(streams[4], registry)
    issues = build_issues(streams[5], registry)
    supervision = build_supervision(
        streams[SUPERVISION_STREAM], registry, activity.participation, activity.missed
    )
    return Jurisdiction(
        seed=seed,
        districts=build_districts(),
        schools=registry,
        enrollment=activity.enrollment,
        participation=activity.participation,
        budget=budget,
        expenditure=expenditure,
        survey=survey,
        issues=issues.final,
        issues_ledgers=issues.ledgers,
        missed=activity.missed,
        no_enrollment=activity.no_enrollment,
        meal_companions=supervision.meal_companions,
        menus=supervision.menus,
        kitchen_cameras=supervision.kitchen_cameras,
        canteen_checks=supervision.canteen_checks,
        suppliers=supervision.suppliers,
        suppliers_ledgers=supervision.suppliers_ledgers,
        deliveries=supervision.deliveries,
        training=supervision.training,
    )
