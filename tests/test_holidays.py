"""The public-holiday calendar: chinesecalendar's State Council schedule, holidays.toml for a
year the package does not know yet, and the school days the generator plans with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schoolwh.core.holidays import (
    OVERRIDES,
    CalendarFileError,
    calendar,
    load_calendar,
    read_overrides,
)
from schoolwh.generator.calendar import school_days

D = dt.date


def _span(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def test_2025_is_the_state_council_schedule() -> None:
    # State Council notice of 12 Nov 2024 (国办发明电〔2024〕12号)
    expected = set().union(
        _span(D(2025, 1, 1), D(2025, 1, 1)),
        _span(D(2025, 1, 28), D(2025, 2, 4)),
        _span(D(2025, 4, 4), D(2025, 4, 6)),
        _span(D(2025, 5, 1), D(2025, 5, 5)),
        _span(D(2025, 5, 31), D(2025, 6, 2)),
        _span(D(2025, 10, 1), D(2025, 10, 8)),
    )
    cal = calendar()
    assert set(cal.holidays_between(D(2025, 1, 1), D(2025, 12, 31))) == expected
    assert cal.workdays_between(D(2025, 1, 1), D(2025, 12, 31)) == [
        D(2025, 1, 26),
        D(2025, 2, 8),
        D(2025, 4, 27),
        D(2025, 9, 28),
        D(2025, 10, 11),
    ]


def test_2026_is_known_so_the_autumn_term_can_run_into_january() -> None:
    cal = calendar()
    assert cal.knows(2026)
    assert cal.is_holiday(D(2026, 1, 1)) and cal.is_holiday(D(2026, 2, 17))  # 元旦, 春节
    assert cal.is_makeup_workday(D(2026, 1, 4))  # a Sunday worked for 元旦
    assert not cal.is_holiday(D(2026, 1, 5)) and not cal.is_makeup_workday(D(2026, 1, 10))
    assert not cal.knows(2040)


def test_the_shipped_override_file_is_valid() -> None:
    assert OVERRIDES.is_file()
    read_overrides(OVERRIDES)  # raises if the file does not follow its own header


def test_an_override_year_becomes_known(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(
        "[2040]\n"
        "holidays = [\n"
        '    { name = "元旦", first = 2040-01-01, last = 2040-01-01 },\n'
        '    { name = "国庆节", first = 2040-10-01, last = 2040-10-07 },\n'
        "]\n"
        "makeup_workdays = [2040-09-29]\n",
        encoding="utf-8",
    )
    cal = load_calendar(path)
    assert cal.knows(2040) and cal.knows(2025)  # the package's years stay
    assert cal.holidays_between(D(2040, 1, 1), D(2040, 12, 31)) == [
        D(2040, 1, 1),
        *sorted(_span(D(2040, 10, 1), D(2040, 10, 7))),
    ]
    assert cal.workdays_between(D(2040, 1, 1), D(2040, 12, 31)) == [D(2040, 9, 29)]


def test_an_override_year_replaces_the_package_year(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(
        '[2025]\nholidays = [{ name = "国庆节", first = 2025-10-01, last = 2025-10-03 }]\n',
        encoding="utf-8",
    )
    cal = load_calendar(path)
    assert cal.holidays_between(D(2025, 1, 1), D(2025, 12, 31)) == sorted(
        _span(D(2025, 10, 1), D(2025, 10, 3))
    )
    assert cal.workdays_between(D(2025, 1, 1), D(2025, 12, 31)) == []
    assert cal.is_holiday(D(2026, 2, 17))  # other years still from the package


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[next]\n", "named after a year"),
        ("[2040]\nmakeup_workdays = ['2040-09-29']\n", "list of dates"),
        ("[2040]\nholidays = [{ name = 'x', first = 2040-10-01 }]\n", "first = DATE, last = DATE"),
        ("[2040]\nholidays = [{ first = 2040-10-07, last = 2040-10-01 }]\n", "ends before"),
        ("[2040]\nmakeup_workdays = [2041-01-02]\n", "is not in 2040"),
        ("[2040\n", "holidays.toml"),
    ],
)
def test_a_malformed_override_file_says_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=message):
        load_calendar(path)


def test_school_days_skip_holidays_and_keep_makeup_days() -> None:
    days = {d.astype(dt.date) for d in school_days(D(2025, 9, 22), D(2025, 10, 12))}
    assert D(2025, 9, 28) in days  # Sunday worked in exchange
    assert D(2025, 10, 11) in days  # Saturday worked in exchange
    assert not days & _span(D(2025, 10, 1), D(2025, 10, 8))  # 国庆节、中秋节
    assert D(2025, 9, 27) not in days and D(2025, 10, 12) not in days  # plain weekend
    assert D(2025, 9, 30) in days and D(2025, 10, 9) in days
