"""China's public holidays and make-up working days (调休上班日), one calendar for every stage.

The dates come from the `chinesecalendar` package, which carries the State Council's
schedule and is released every November, when the next year's notice comes out
(`uv lock --upgrade-package chinesecalendar` picks it up). For a year the installed
package does not know yet, write the notice's dates into `holidays.toml` beside this
module; a year listed there replaces the package's for that year. A year known to
neither is *unknown*: its holidays cannot be told from school days, and the quality
report says so. The generator plans school days with this calendar and the quality
checks flag participation on holidays with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

from schoolwh.core.settings import SettingError

OVERRIDES = Path(__file__).with_name("holidays.toml")


class CalendarFileError(SettingError):
    """holidays.toml is not as documented in its header."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"节假日日历文件有误 / the holiday calendar file is wrong: {detail}")


@dataclass(frozen=True)
class HolidayCalendar:
    """Public-holiday days (every day of a break, weekends included) and make-up working
    days, for the years in `years`."""

    years: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holidays

    def is_makeup_workday(self, day: dt.date) -> bool:
        return day in self.workdays

    def holidays_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        return sorted(d for d in self.holidays if first <= d <= last)

    def workdays_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        return sorted(d for d in self.workdays if first <= d <= last)


def _package_years() -> dict[int, tuple[set[dt.date], set[dt.date]]]:
    """chinesecalendar's schedule as {year: (holidays, make-up working days)}, for every
    year from its first to its last (the range it answers for)."""
    known = chinese_calendar.holidays  # every day of every break, weekends included
    years: dict[int, tuple[set[dt.date], set[dt.date]]] = {
        year: (set(), set()) for year in range(min(known).year, max(known).year + 1)
    }
    for day in known:
        years[day.year][0].add(day)
    for day in chinese_calendar.workdays:  # weekend days worked in exchange
        if day.year in years:
            years[day.year][1].add(day)
    return years


def _days(value: object, where: str) -> list[dt.date]:
    if not isinstance(value, list) or not all(type(v) is dt.date for v in value):
        raise CalendarFileError(f"{where}: expected a list of dates like [2027-02-06]")
    return value


def read_overrides(path: Path) -> dict[int, tuple[set[dt.date], set[dt.date]]]:
    """The years written in an override file, as {year: (holidays, make-up working days)}."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CalendarFileError(f"{path}: {exc}") from exc
    years: dict[int, tuple[set[dt.date], set[dt.date]]] = {}
    for key, table in data.items():
        where = f"{path.name} [{key}]"
        if not key.isdigit() or not isinstance(table, dict):
            raise CalendarFileError(f"{where}: expected a table named after a year, like [2027]")
        year = int(key)
        holidays: set[dt.date] = set()
        for span in table.get("holidays", []):
            if not isinstance(span, dict) or not {"first", "last"} <= span.keys():
                raise CalendarFileError(
                    f"{where}: each holiday is {{ name = ..., first = DATE, last = DATE }}"
                )
            first, last = _days([span["first"], span["last"]], where)
            if last < first:
                raise CalendarFileError(f"{where}: holiday ends before it starts ({first})")
            holidays.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        workdays = set(_days(table.get("makeup_workdays", []), where))
        outside = sorted(d for d in holidays | workdays if d.year != year)
        if outside:
            raise CalendarFileError(f"{where}: {outside[0]} is not in {year}")
        years[year] = (holidays, workdays)
    return years


def load_calendar(overrides: Path = OVERRIDES) -> HolidayCalendar:
    """The package's years, with the years of `overrides` replacing or adding to them."""
    years = _package_years()
    years.update(read_overrides(overrides))
    return HolidayCalendar(
        years=frozenset(years),
        holidays=frozenset(d for h, _ in years.values() for d in h),
        workdays=frozenset(d for _, w in years.values() for d in w),
    )


@functools.cache
def calendar() -> HolidayCalendar:
    """The calendar of this installation (package + holidays.toml), read once."""
    return load_calendar(OVERRIDES)
