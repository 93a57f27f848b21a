"""What a suite is, as plain data: the frame to validate and the checks to run on it.

Suites are described here without importing Great Expectations (slow to import); the
runner turns each `Check` into a GX expectation when it validates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

CRITICAL = "critical"
WARNING = "warning"


@dataclass(frozen=True)
class Check:
    """One expectation: a GX expectation class, its arguments, severity and meaning."""

    expectation: str  # GX expectation class name, e.g. "ExpectColumnValuesToBeBetween"
    kwargs: Mapping[str, Any]
    severity: str  # CRITICAL blocks the publish; WARNING is recorded and shown
    description: str  # "中文 / English", shown in audit.dq_results and in Data Docs
    examples: tuple[str, ...] | None = None  # frame columns shown for unexpected rows
    # Appended to the GX expectation type in check_name when a suite checks one column
    # twice with the same expectation type (e.g. a contract minimum and a plausible maximum).
    qualifier: str | None = None

    @property
    def column(self) -> str | None:
        kw = self.kwargs
        if "column" in kw:
            return kw["column"]
        if "column_A" in kw:
            return f"{kw['column_A']},{kw['column_B']}"
        if "column_list" in kw:
            return ",".join(kw["column_list"])
        return None


@dataclass
class SuiteSpec:
    """A frame and the checks to validate it with."""

    name: str  # suite name, e.g. "raw.participation"
    target: str  # the table the frame was read from, e.g. "raw.participation"
    frame: pd.DataFrame
    checks: list[Check]
    examples: tuple[str, ...] = ()  # default columns shown for unexpected rows
    notes: list[str] = field(default_factory=list)


# --- builders for the checks used by the suites -----------------------------------------


def not_null(column: str, description: str, severity: str = CRITICAL) -> Check:
    return Check("ExpectColumnValuesToNotBeNull", {"column": column}, severity, description)


def between(
    column: str,
    description: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    strict_min: bool = False,
    severity: str = CRITICAL,
    examples: Sequence[str] | None = None,
    qualifier: str | None = None,
) -> Check:
    kwargs: dict[str, Any] = {"column": column}
    if min_value is not None:
        kwargs["min_value"] = min_value
        kwargs["strict_min"] = strict_min
    if max_value is not None:
        kwargs["max_value"] = max_value
    return Check(
        "ExpectColumnValuesToBeBetween",
        kwargs,
        severity,
        description,
        tuple(examples) if examples else None,
        qualifier,
    )


def in_set(
    column: str,
    values: Sequence[Any],
    description: str,
    *,
    severity: str = CRITICAL,
    examples: Sequence[str] | None = None,
) -> Check:
    return Check(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values)},
        severity,
        description,
        tuple(examples) if examples else None,
    )


def is_true(
    column: str,
    description: str,
    *,
    severity: str = CRITICAL,
    examples: Sequence[str] | None = None,
) -> Check:
    """Every non-null value of a boolean flag column is true (null = not applicable)."""
    return in_set(column, [True], description, severity=severity, examples=examples)


def unique(columns: Sequence[str], description: str, severity: str = CRITICAL) -> Check:
    if len(columns) == 1:
        return Check("ExpectColumnValuesToBeUnique", {"column": columns[0]}, severity, description)
    return Check(
        "ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, severity, description
    )


def matches(column: str, regex: str, description: str, severity: str = CRITICAL) -> Check:
    return Check(
        "ExpectColumnValuesToMatchRegex", {"column": column, "regex": regex}, severity, description
    )


def pair_at_least(
    column_a: str,
    column_b: str,
    description: str,
    *,
    severity: str = CRITICAL,
    examples: Sequence[str] | None = None,
) -> Check:
    """column_a >= column_b on every row where both are filled."""
    return Check(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": column_a,
            "column_B": column_b,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        severity,
        description,
        tuple(examples) if examples else None,
    )


def aggregate(expectation: str, description: str, severity: str = WARNING, **kwargs: Any) -> Check:
    """A column aggregate expectation (max, mean, unique count...): no row examples."""
    return Check(expectation, kwargs, severity, description)
