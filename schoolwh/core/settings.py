"""Paths and settings shared by every command."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = PROJECT_ROOT / "dbt"
ENV_WAREHOUSE = "SCHOOLWH_WAREHOUSE"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
# DuckDB storage format of the warehouse file: readable by the 1.5.x command-line client.
STORAGE_VERSION = "v1.5.0"


def resolve_warehouse(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --warehouse, else $SCHOOLWH_WAREHOUSE, else data/warehouse.duckdb."""
    if path:
        return Path(path).expanduser().resolve()
    env = os.environ.get(ENV_WAREHOUSE)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


def archive_dir(warehouse: Path) -> Path:
    """Where loaded files are kept by content hash, beside the warehouse."""
    return warehouse.parent / "archive"


# --- plausible dates ------------------------------------------------------------------
# A fact date (a serving day, a payment, a survey, an issue found or closed) must lie
# between the date floor and the load date; a row outside is quarantined. The bureau
# sets the floor with $SCHOOLWH_DATE_FLOOR (YYYY-MM-DD); data before 2000 is not expected.
ENV_DATE_FLOOR = "SCHOOLWH_DATE_FLOOR"
DEFAULT_DATE_FLOOR = dt.date(2000, 1, 1)

# The publish gate blocks a load that moves the as-of date (数据截至) forward by more than
# this many days ($SCHOOLWH_MAX_AS_OF_JUMP_DAYS): bureaus load at least once a term, so a
# jump of more than a year is a wrong year in a date, not new data.
ENV_MAX_AS_OF_JUMP = "SCHOOLWH_MAX_AS_OF_JUMP_DAYS"
DEFAULT_MAX_AS_OF_JUMP_DAYS = 400
# It also blocks a load whose as-of date is carried by a handful of rows dated more than
# this many days ($SCHOOLWH_AS_OF_GAP_DAYS; 0 turns the check off) beyond the rest of the
# load's dates: a typo year within the jump (a survey dated 2026-11-30 in a warehouse whose
# facts end 2025-12-31). A quarter: longer than any school holiday without facts.
ENV_AS_OF_GAP = "SCHOOLWH_AS_OF_GAP_DAYS"
DEFAULT_AS_OF_GAP_DAYS = 92


# --- alerts (issue #24) -------------------------------------------------------------------
# Alert rules, thresholds and delivery routes (WeCom / DingTalk robots, e-mail) live in a
# TOML file: $SCHOOLWH_ALERTS, else alerts.toml beside the warehouse (docs/deploy.md). Secrets
# (robot keys, signing secrets, SMTP passwords) are never in it: it names the environment
# variables that hold them. The record of sent alerts sits beside the warehouse, so a
# publish (which replaces the warehouse file) never loses it.
ENV_ALERTS = "SCHOOLWH_ALERTS"
ALERTS_FILE_NAME = "alerts.toml"
ALERTS_RECORD_NAME = "alerts-sent.json"
# Defaults of the [thresholds] table of the alerts file.
ALERT_DEFAULTS: dict[str, int] = {
    "top_items": 10,  # items listed per rule in a message
    "reminder_hours": 24,  # an unchanged alert is sent again after this long
    "retries": 3,  # further attempts after a failed send
    "retry_backoff_seconds": 2,  # first wait; doubled after each failure
    "camera_snapshots": 2,  # cameras not all online on this many latest snapshots
    "leader_meal_days": 7,  # look-back window (days) for 校领导陪餐 and menus
    "not_reported_days": 3,  # serving days without participation before a school is named
}


def alerts_file(warehouse: Path) -> Path:
    """The alerts settings file: $SCHOOLWH_ALERTS, else alerts.toml beside the warehouse."""
    env = os.environ.get(ENV_ALERTS, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return warehouse.parent / ALERTS_FILE_NAME


def alerts_record(warehouse: Path) -> Path:
    """The record of sent alerts, beside the warehouse."""
    return warehouse.parent / ALERTS_RECORD_NAME


# --- 上报情况: when each source is due (issue #24) ------------------------------------------
# The on-time share of the reporting page compares when a source's file was received (the
# load's start, or `schoolwh load --received DATE`) with the deadline of the last day it
# covers: "week:D@H" — weekday D (1 = Monday) of the following week at H:00;
# "month:D@H" — day D of the following month at H:00 (H = 24: the end of that day).
# The [deadlines] table of the alerts file overrides them per source.
REPORT_DEADLINES: dict[str, str] = {
    "participation": "week:1@12",  # daily figures: by the next Monday 12:00
    "expenditure": "month:5@24",  # spending: by the 5th of the next month
}
REPORT_WINDOW_DAYS = 14  # 上报情况 lists the serving days of the last two weeks


def report_deadline(rule: str, day: dt.date) -> dt.datetime:
    """The deadline by which a file covering up to `day` is due, under `rule`."""
    try:
        kind, rest = rule.split(":", 1)
        number, hour = (int(x) for x in rest.split("@", 1))
        if not 0 <= hour <= 24:
            raise ValueError
        if kind == "week" and 1 <= number <= 7:
            monday = day + dt.timedelta(days=7 - day.weekday())
            due = monday + dt.timedelta(days=number - 1)
        elif kind == "month" and 1 <= number <= 28:
            first = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            due = first.replace(day=number)
        else:
            raise ValueError
    except ValueError:
        raise SettingError(
            f"截止规则 {rule!r} 无效 / deadline rule is not valid (use week:1@12 or month:5@24)"
        ) from None
    return dt.datetime.combine(due, dt.time()) + dt.timedelta(hours=hour)


class SettingError(ValueError):
    """A setting given in the environment that cannot be used."""


def date_floor() -> dt.date:
    """The earliest fact date accepted ($SCHOOLWH_DATE_FLOOR, default 2000-01-01)."""
    text = os.environ.get(ENV_DATE_FLOOR, "").strip()
    if not text:
        return DEFAULT_DATE_FLOOR
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SettingError(
            f"{ENV_DATE_FLOOR}={text!r} 不是日期（如 2000-01-01）/ is not a date "
            "(use YYYY-MM-DD, e.g. 2000-01-01)"
        ) from None


def max_as_of_jump() -> dt.timedelta:
    """How far one load may move the as-of date forward ($SCHOOLWH_MAX_AS_OF_JUMP_DAYS)."""
    return dt.timedelta(days=_int_setting(ENV_MAX_AS_OF_JUMP, DEFAULT_MAX_AS_OF_JUMP_DAYS))


def as_of_gap() -> dt.timedelta:
    """How far beyond the rest of a load's dates a handful of rows may carry the as-of
    date ($SCHOOLWH_AS_OF_GAP_DAYS; 0 days: the check is off)."""
    return dt.timedelta(days=_int_setting(ENV_AS_OF_GAP, DEFAULT_AS_OF_GAP_DAYS))


# --- memory -----------------------------------------------------------------------------
# A load of a city peaks at about 0.7 GB of memory, a province at about 2.2 GB. The load
# (the CLI process and the dbt child) may use this much address space
# ($SCHOOLWH_LOAD_MEMORY_MB), so a hostile file fails its own load with a message instead
# of exhausting the machine. Address space is more than memory in use: libraries, thread
# stacks and allocator arenas reserve about 2.6 GB beyond it (a city load: 0.6 GB in use,
# 3.2 GB of address space), so 8 GB leaves a province about 3 GB of headroom.
ENV_LOAD_MEMORY = "SCHOOLWH_LOAD_MEMORY_MB"
DEFAULT_LOAD_MEMORY_MB = 8192
# DuckDB's own limit inside the load's connections: well below the address-space limit,
# so DuckDB stops a runaway query with its out-of-memory error first.
ENV_DUCKDB_MEMORY = "SCHOOLWH_DUCKDB_MEMORY"
DEFAULT_DUCKDB_MEMORY = "3GB"


def load_memory_bytes() -> int:
    """The address-space limit of a load's processes, in bytes (0 = no limit)."""
    return _int_setting(ENV_LOAD_MEMORY, DEFAULT_LOAD_MEMORY_MB) * 1024 * 1024


def duckdb_memory() -> str:
    """DuckDB's memory_limit in the load's connections ($SCHOOLWH_DUCKDB_MEMORY)."""
    return os.environ.get(ENV_DUCKDB_MEMORY, "").strip() or DEFAULT_DUCKDB_MEMORY


def limit_address_space(limit: int) -> bool:
    """Cap this process's address space (RLIMIT_AS) at `limit` bytes, never raising an
    existing lower cap; False where the platform has no such limit or `limit` is 0."""
    if limit <= 0:
        return False
    try:
        import resource
    except ImportError:  # not on Windows
        return False
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        return True
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return True


# --- files ------------------------------------------------------------------------------
# Everything a load writes (the warehouse, its build copy, the archive of loaded files)
# and the accounts and mappings beside it are readable by their owner only: a load runs
# with this umask (docs/deploy.md). Readers in the same group get access through the
# dashboard, never the files.
PRIVATE_UMASK = 0o077


def _int_setting(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingError(f"{name}={text!r} 不是整数 / is not a whole number") from None
    if value < 0:
        raise SettingError(f"{name}={text!r} 不能为负数 / must not be negative")
    return value
