"""A small hand-made jurisdiction for the dashboard tests, built into a real warehouse.

Three reporting units of Zhengzhou:
- 410105 金水区 — the worked example (schools A, B, C; docs/kpis.md#worked-example), whose
  2025-autumn lunch coverage is 2 of 3 schools = 66.7 % (missed) and satisfaction
  37 of 40 = 92.5 % (near);
- 410122 中牟县 — two schools reporting September and October 2025 (and May 2025, the
  spring term), 20 survey responses (an insufficient sample), an overdue open issue;
- 410171 郑州经济技术开发区 — a development zone: no official boundary on the map.

Raw rows are written as the loader lands them (same DDL, load metadata), the audit
tables get a load, its files, quarantined rows and check results, then the dbt build
turns it into marts. The latest fact is participation on 2025-10-31: the as-of date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from schoolwh.core.audit import ensure_audit_schema
from schoolwh.core.settings import STORAGE_VERSION
from schoolwh.core.sources import SOURCES, raw_table_ddl
from tests import shared_build

AS_OF = dt.date(2025, 10, 31)
AS_OF_ZH = "2025年10月31日"
AS_OF_EN = "31 Oct 2025"

D_JINSHUI = "410105"
D_ZHONGMOU = "410122"
D_DEVZONE = "410171"

DISTRICTS = [
    (D_JINSHUI, "金水区", "district"),
    (D_ZHONGMOU, "中牟县", "county"),
    (D_DEVZONE, "郑州经济技术开发区", "dev_zone"),
]

# code, name, district, stage, ownership, location, lunch_mode, lunch_start, after_school,
# after_school_start, nutrition_plan
SCHOOLS = [
    (
        "4101050001",
        "金水区实验小学",
        D_JINSHUI,
        "primary",
        "public",
        "urban",
        "self_run",
        dt.date(2020, 9, 1),
        True,
        None,
        False,
    ),
    (
        "4101050002",
        "金水区文化路初级中学",
        D_JINSHUI,
        "junior",
        "public",
        "urban",
        "catering",
        dt.date(2025, 9, 10),
        True,
        None,
        False,
    ),
    (
        "4101050003",
        "金水区育英民办小学",
        D_JINSHUI,
        "primary",
        "private",
        "urban",
        "none",
        None,
        False,
        None,
        False,
    ),
    (
        "4101220001",
        "中牟县城关镇第一小学",
        D_ZHONGMOU,
        "primary",
        "public",
        "town",
        "self_run",
        dt.date(2019, 9, 1),
        True,
        dt.date(2019, 9, 1),
        True,
    ),
    (
        "4101220002",
        "中牟县刘集镇九年一贯制学校",
        D_ZHONGMOU,
        "nine_year",
        "public",
        "rural",
        "central_kitchen",
        dt.date(2021, 3, 1),
        True,
        None,
        True,
    ),
    (
        "4101710001",
        "经开区第一小学",
        D_DEVZONE,
        "primary",
        "public",
        "urban",
        "catering",
        dt.date(2021, 9, 1),
        True,
        None,
        False,
    ),
]
SCHOOL_A, SCHOOL_B, SCHOOL_C = "4101050001", "4101050002", "4101050003"
SCHOOL_D, SCHOOL_E, SCHOOL_F = "4101220001", "4101220002", "4101710001"

# school, term, enrolled, lunch_need, after_school_need
ENROLLMENT = [
    (SCHOOL_A, "2025-autumn", 1000, 900, 800),
    (SCHOOL_B, "2025-autumn", 500, 400, 300),
    (SCHOOL_C, "2025-autumn", 100, None, None),
    (SCHOOL_D, "2025-autumn", 600, 560, 400),
    (SCHOOL_E, "2025-autumn", 800, 700, 500),
    (SCHOOL_F, "2025-autumn", 450, 420, 300),
    (SCHOOL_A, "2025-spring", 980, 880, 780),
    (SCHOOL_D, "2025-spring", 590, 550, 390),
    (SCHOOL_E, "2025-spring", 790, 690, 490),
]


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    d = start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def participation_rows() -> list[tuple[str, dt.date, int, int | None]]:
    rows: list[tuple[str, dt.date, int, int | None]] = [
        # the worked example: A skips 11 Sep, B serves from 10 Sep, C never reports
        (SCHOOL_A, dt.date(2025, 9, 8), 850, 700),
        (SCHOOL_A, dt.date(2025, 9, 9), 870, 720),
        (SCHOOL_A, dt.date(2025, 9, 10), 880, 710),
        (SCHOOL_B, dt.date(2025, 9, 8), 0, 250),
        (SCHOOL_B, dt.date(2025, 9, 9), 0, 260),
        (SCHOOL_B, dt.date(2025, 9, 10), 380, 255),
        (SCHOOL_B, dt.date(2025, 9, 11), 390, 250),
    ]
    autumn = _weekdays(dt.date(2025, 9, 1), AS_OF)
    for i, day in enumerate(autumn):
        rows.append((SCHOOL_D, day, 520 + i % 7, 360 + i % 5))
        if i % 10 != 3:  # E misses every tenth day: completeness below 100 %
            rows.append((SCHOOL_E, day, 610 + i % 9, None if i % 4 == 0 else 420 + i % 3))
        rows.append((SCHOOL_F, day, 400 + i % 5, 280))
    for i, day in enumerate(_weekdays(dt.date(2025, 5, 5), dt.date(2025, 5, 30))):
        rows.append((SCHOOL_D, day, 500 + i % 5, 340))
        rows.append((SCHOOL_E, day, 590 + i % 3, 400))
    return rows


BUDGET = [
    (
        "金财教〔2025〕8号-1",
        2025,
        D_JINSHUI,
        None,
        "nutrition_plan",
        "municipal",
        1_000_000,
        dt.date(2025, 2, 20),
    ),
    (
        "金财教〔2025〕8号-2",
        2025,
        D_JINSHUI,
        None,
        "after_school",
        "municipal",
        200_000,
        dt.date(2025, 2, 20),
    ),
    (
        "牟财教〔2025〕3号-1",
        2025,
        D_ZHONGMOU,
        None,
        "lunch_subsidy",
        "county",
        2_000_000,
        dt.date(2025, 3, 1),
    ),
    (
        "牟财教〔2025〕3号-2",
        2025,
        D_ZHONGMOU,
        None,
        "nutrition_plan",
        "central",
        500_000,
        dt.date(2025, 3, 1),
    ),
    (
        "郑经财〔2025〕5号-1",
        2025,
        D_DEVZONE,
        None,
        "after_school",
        "municipal",
        300_000,
        dt.date(2025, 4, 1),
    ),
]

EXPENDITURE = [
    (
        "JS-2025-001",
        dt.date(2025, 3, 15),
        D_JINSHUI,
        None,
        "nutrition_plan",
        "ingredients",
        300_000,
    ),
    (
        "JS-2025-002",
        dt.date(2025, 6, 20),
        D_JINSHUI,
        None,
        "nutrition_plan",
        "ingredients",
        220_000,
    ),
    ("JS-2025-003", dt.date(2025, 9, 25), D_JINSHUI, None, "after_school", "staff", 150_000),
    ("JS-2025-004", dt.date(2025, 9, 28), D_JINSHUI, None, "after_school", "staff", -10_000),
    (
        "ZM-2025-001",
        dt.date(2025, 4, 10),
        D_ZHONGMOU,
        None,
        "lunch_subsidy",
        "ingredients",
        400_000,
    ),
    (
        "ZM-2025-002",
        dt.date(2025, 6, 10),
        D_ZHONGMOU,
        None,
        "lunch_subsidy",
        "ingredients",
        500_000,
    ),
    (
        "ZM-2025-003",
        dt.date(2025, 9, 15),
        D_ZHONGMOU,
        None,
        "lunch_subsidy",
        "ingredients",
        600_000,
    ),
    (
        "ZM-2025-004",
        dt.date(2025, 10, 15),
        D_ZHONGMOU,
        None,
        "nutrition_plan",
        "ingredients",
        250_000,
    ),
    ("KF-2025-001", dt.date(2025, 10, 20), D_DEVZONE, None, "after_school", "staff", 120_000),
]


def survey_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    respondents = ("parent", "student", "teacher")
    # 金水区: 40 responses, 37 satisfied, latest 26 Sep (worked example)
    for i in range(40):
        school = SCHOOL_A if i % 2 == 0 else SCHOOL_B
        overall = 3 if i < 3 else (5 if i % 3 else 4)
        rows.append(
            {
                "response_id": f"JS-S-{i + 1:03d}",
                "school_code": school,
                "date": dt.date(2025, 9, 20 + i % 7),
                "respondent": respondents[i % 3],
                "overall": overall,
                "taste": 4 if i % 2 else 5,
                "portion": 4,
                "hygiene": 5,
                "price": 3 if i % 5 == 0 else 4,
                "service": 4,
                "comment": None,
            }
        )
    # 中牟县: 20 responses, 18 satisfied: too few for a verdict
    for i in range(20):
        rows.append(
            {
                "response_id": f"ZM-S-{i + 1:03d}",
                "school_code": SCHOOL_D if i % 2 else SCHOOL_E,
                "date": dt.date(2025, 10, 10 + i % 5),
                "respondent": "parent" if i % 2 else "student",
                "overall": 2 if i < 2 else 4,
                "taste": 3,
                "portion": 4,
                "hygiene": 4,
                "price": 4,
                "service": None,
                "comment": "家长联系电话13800000000" if i == 0 else None,
            }
        )
    return rows


# issue_id, school, found, source, category, severity, deadline, status, closed, description
ISSUES = [
    (
        "I1",
        SCHOOL_A,
        dt.date(2025, 9, 8),
        "daily_check",
        "records",
        "low",
        dt.date(2025, 9, 15),
        "closed",
        dt.date(2025, 9, 12),
        "留样记录不全",
    ),
    (
        "I2",
        SCHOOL_A,
        dt.date(2025, 9, 9),
        "unannounced",
        "hygiene",
        "medium",
        dt.date(2025, 9, 16),
        "closed",
        dt.date(2025, 9, 20),
        "后厨地面积水",
    ),
    (
        "I3",
        SCHOOL_B,
        dt.date(2025, 9, 10),
        "accompanied_meal",
        "food_safety",
        "high",
        dt.date(2025, 9, 17),
        "open",
        None,
        "配餐温度不达标",
    ),
    (
        "I4",
        SCHOOL_B,
        dt.date(2025, 9, 11),
        "parent_report",
        "ingredient_check",
        "low",
        dt.date(2025, 10, 30),
        "open",
        None,
        "食材查验记录缺失",
    ),
    (
        "Z1",
        SCHOOL_D,
        dt.date(2025, 10, 9),
        "weekly_check",
        "tableware",
        "medium",
        dt.date(2025, 10, 16),
        "in_progress",
        None,
        "餐具消毒柜故障",
    ),
    (
        "Z2",
        SCHOOL_E,
        dt.date(2025, 10, 13),
        "monthly_review",
        "records",
        "low",
        dt.date(2025, 10, 27),
        "closed",
        dt.date(2025, 10, 24),
        "台账未及时更新",
    ),
    (
        "K1",
        SCHOOL_F,
        dt.date(2025, 10, 20),
        "daily_check",
        "staff_health",
        "low",
        dt.date(2025, 11, 20),
        "open",
        None,
        "健康证过期",
    ),
]


def _frame(
    source: str, records: list[tuple] | list[dict[str, Any]], load_id: int = 1
) -> pd.DataFrame:
    names = list(SOURCES[source].names)
    frame = (
        pd.DataFrame(records)
        if records and isinstance(records[0], dict)
        else pd.DataFrame(records, columns=names)
    )
    for name in names:
        if name not in frame:
            frame[name] = None
    frame = frame[names].astype(object)
    frame["_load_id"] = load_id
    frame["_batch_seq"] = list(SOURCES).index(source) + 1
    frame["_file_hash"] = f"hash-{source}"
    frame["_file_name"] = f"{SOURCES[source].title_zh}.xlsx"
    frame["_sheet"] = "Sheet1"
    frame["_row_number"] = range(3, 3 + len(frame))
    return frame.where(frame.notna(), None)


# --- supervision (issue #21): what the 监管 page lists as of 2025-10-31 ------------------
# Kitchen schools (self_run / central_kitchen, serving lunch): A, D, E. The last seven days
# (10-25 … 10-31) hold the serving days 10-27 … 10-31 of D, E and F.
HOSTILE_SUPPLIER = "<script>alert(1)</script>中牟肉联"
HOSTILE_MENU = "<b>红烧肉</b>![x](http://evil.example/x.png)"


def companion_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    october = _weekdays(dt.date(2025, 10, 1), AS_OF)
    for day in october:
        # D: no 校领导 on 10-29 and 10-30 (a 家长 instead); F: none on 10-31
        d_role = "parent" if day in (dt.date(2025, 10, 29), dt.date(2025, 10, 30)) else None
        rows.append(
            {
                "record_id": f"PD{day:%m%d}",
                "school_code": SCHOOL_D,
                "date": day,
                "role": d_role or "school_leader",
                "people": 1,
                "rating": 4,
                "companion_name": "张校长",
                "feedback": "<img src=x onerror=alert(1)>",
            }
        )
        rows.append(
            {
                "record_id": f"PE{day:%m%d}",
                "school_code": SCHOOL_E,
                "date": day,
                "role": "school_leader",
                "people": 2,
                "rating": 5,
            }
        )
        rows.append(
            {
                "record_id": f"PF{day:%m%d}",
                "school_code": SCHOOL_F,
                "date": day,
                "role": "parent" if day == AS_OF else "school_leader",
                "people": None,
            }
        )
    rows.append(
        {
            "record_id": "PD1031T",
            "school_code": SCHOOL_D,
            "date": AS_OF,
            "role": "teacher",
            "people": 3,
            "rating": 3,
        }
    )
    return rows


def menu_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day in _weekdays(dt.date(2025, 10, 20), dt.date(2025, 11, 7)):
        for school in (SCHOOL_D, SCHOOL_E, SCHOOL_F):
            dishes, fruit, text = 3, True, "番茄炒蛋、青椒肉丝、清炒菠菜、米饭、苹果"
            if school == SCHOOL_D and day == dt.date(2025, 10, 28):
                dishes, text = 1, "土豆烧肉、米饭、香蕉"  # one dish: below the standard
            if school == SCHOOL_E and day == dt.date(2025, 10, 30):
                fruit, text = False, HOSTILE_MENU  # no fruit
            if school == SCHOOL_D and day == dt.date(2025, 11, 3):
                dishes = 0  # after the as-of date: not yet counted, not listed
            rows.append(
                {
                    "school_code": school,
                    "date": day,
                    "dishes": dishes,
                    "meat_dishes": 1,
                    "has_fruit": fruit,
                    "has_staple": True,
                    "price": 5.0,
                    "published_date": day - dt.timedelta(days=day.weekday() + 3),
                    "menu_text": text,
                }
            )
    return rows


CAMERAS = [
    # school, date, cameras, online: E had 2 of 8 offline on its latest snapshot; D was
    # short the day before but all online on its latest; F is no kitchen school
    (SCHOOL_A, dt.date(2025, 10, 30), 4, 4),
    (SCHOOL_A, dt.date(2025, 10, 31), 4, 4),
    (SCHOOL_D, dt.date(2025, 10, 30), 6, 5),
    (SCHOOL_D, dt.date(2025, 10, 31), 6, 6),
    (SCHOOL_E, dt.date(2025, 10, 31), 8, 6),
    (SCHOOL_F, dt.date(2025, 10, 31), 2, 1),
]

CHECKS = [
    # check_id, school, date, kind, result, score, inspector: A passed 标准化验收, D's latest
    # failed (it had passed before), E has none
    ("C1", SCHOOL_A, dt.date(2025, 9, 15), "standard", "pass", 92, "李检查"),
    ("C2", SCHOOL_D, dt.date(2024, 11, 5), "standard", "pass", 90, None),
    ("C3", SCHOOL_D, dt.date(2025, 10, 10), "standard", "fail", 58, None),
    ("C4", SCHOOL_D, dt.date(2025, 10, 27), "weekly", "pass", None, None),
    ("C5", SCHOOL_E, dt.date(2025, 10, 28), "weekly", "pass", None, None),
    ("C6", SCHOOL_E, dt.date(2025, 10, 29), "daily", "fail", None, None),
]

SUPPLIERS = [
    # id, name, district, certified, admitted, exited
    ("S1", "郑州粮油配送有限公司", None, True, dt.date(2023, 3, 1), None),
    ("S2", HOSTILE_SUPPLIER, D_ZHONGMOU, False, dt.date(2025, 2, 1), None),
    ("S3", "金水区副食品公司", D_JINSHUI, True, dt.date(2022, 1, 1), dt.date(2025, 10, 15)),
    ("S4", "郑州市乳业有限公司", None, True, dt.date(2025, 6, 1), None),
]

DELIVERIES = [
    # id, school, date, supplier, category, unified, amount, inspected
    ("DL1", SCHOOL_A, dt.date(2025, 9, 8), "S1", "rice", True, 1000.0, True),
    ("DL2", SCHOOL_A, dt.date(2025, 9, 8), "S1", "meat", False, 600.0, True),  # not unified
    ("DL3", SCHOOL_A, dt.date(2025, 10, 20), "S3", "oil", True, 300.0, True),  # S3 exited
    ("DL4", SCHOOL_D, dt.date(2025, 10, 21), "S2", "meat", True, 800.0, True),  # uncertified
    ("DL5", SCHOOL_D, dt.date(2025, 10, 22), "S9", "rice", True, 500.0, False),  # unknown
    ("DL6", SCHOOL_D, dt.date(2025, 10, 22), "S2", "vegetable", False, 200.0, True),  # not bulk
    ("DL7", SCHOOL_E, dt.date(2025, 10, 23), "S1", "milk", True, 400.0, True),
]

TRAINING = [
    ("T1", dt.date(2025, 9, 20), D_JINSHUI, "canteen_manager", 120, "食品安全法规"),
    ("T2", dt.date(2025, 10, 11), D_ZHONGMOU, "staff", 80, None),
]


def supervision_frames() -> dict[str, pd.DataFrame]:
    return {
        "meal_companions": _frame("meal_companions", companion_rows()),
        "menus": _frame("menus", menu_rows()),
        "kitchen_cameras": _frame("kitchen_cameras", CAMERAS),
        "canteen_checks": _frame("canteen_checks", CHECKS),
        "suppliers": _frame("suppliers", SUPPLIERS),
        "deliveries": _frame("deliveries", DELIVERIES),
        "training": _frame("training", TRAINING),
    }


def raw_frames() -> dict[str, pd.DataFrame]:
    schools = [(*s[:10], s[10], True) for s in SCHOOLS]
    enrollment = [(*e, None, None, None) for e in ENROLLMENT]
    return {
        "districts": _frame("districts", DISTRICTS),
        "schools": _frame("schools", schools),
        "enrollment": _frame("enrollment", enrollment),
        "participation": _frame("participation", participation_rows()),
        "budget": _frame("budget", BUDGET),
        "expenditure": _frame("expenditure", EXPENDITURE),
        "survey": _frame("survey", survey_rows()),
        "issues": _frame("issues", ISSUES),
        **supervision_frames(),
    }


QUARANTINE = [
    (
        1,
        "每日就餐情况(修改版).xlsx",
        "hash-bad",
        "9月",
        "participation",
        14,
        "lunch_students",
        "-5",
        "out_of_range",
        "就餐人数不能为负数 / lunch_students must be ≥ 0",
        False,
    ),
    (
        1,
        "每日就餐情况(修改版).xlsx",
        "hash-bad",
        "9月",
        "participation",
        27,
        "date",
        "2025/13/1",
        "bad_date",
        "无法识别的日期 / not a date",
        False,
    ),
    (
        1,
        "学校名录.csv",
        "hash-rej",
        None,
        "schools",
        5,
        "stage",
        "高中",
        "unknown_label",
        "学段不在允许范围内 / stage not allowed",
        True,
    ),
]


def write_audit(con: duckdb.DuckDBPyConnection) -> None:
    """One published load with a rejected file, quarantined rows and check results."""
    ensure_audit_schema(con)
    con.execute(
        "insert into audit.loads values (1, timestamp '2025-11-01 09:00:00', "
        "timestamp '2025-11-01 09:01:10', 'published_with_rejections', 10, 8, 0, 1, "
        "?, 3, 4, date '2025-10-31', '1 file rejected', null, null)",
        [sum(len(f) for f in raw_frames().values())],
    )
    for seq, source in enumerate(SOURCES, start=1):
        con.execute(
            "insert into audit.load_files values (1, ?, ?, ?, 'Sheet1', ?, 'loaded', ?, ?, 0, 0, "
            "2, 'xlsx', null, null, null)",
            [seq, f"{SOURCES[source].title_zh}.xlsx", f"hash-{source}", source, 10, 10],
        )
    con.execute(
        "insert into audit.load_files values (1, 9, '每日就餐情况(修改版).xlsx', 'hash-bad', "
        "'9月', 'participation', 'loaded', 40, 38, 2, 1, 3, 'xlsx', null, null, null)"
    )
    con.execute(
        "insert into audit.load_files values (1, 10, '学校名录.csv', 'hash-rej', null, "
        "'schools', 'rejected', 4, 0, 1, 0, 1, 'gb18030', '超过20%的数据行未通过检查', null, null)"
    )
    for row in QUARANTINE:
        con.execute(
            "insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*row, json.dumps({row[6]: row[7]}, ensure_ascii=False)],
        )
    checks = [
        (
            "batch",
            "participation_batch",
            "lunch_students_not_above_enrolment",
            "raw.participation",
            "lunch_students",
            "warning",
            True,
            40,
            0,
            "[]",
            "",
        ),
        (
            "marts",
            "kpi_marts",
            "kpi_values_between_0_and_1",
            "marts.kpi_district",
            "value",
            "critical",
            True,
            500,
            0,
            "[]",
            "",
        ),
        (
            "build",
            "dbt",
            "relationships_participation_school",
            "stg_participation",
            "school_code",
            "warning",
            False,
            120,
            2,
            '["9999999999"]',
            "2 rows name a school not in the registry",
        ),
    ]
    for c in checks:
        con.execute(
            "insert into audit.dq_results values (1, timestamp '2025-11-01 09:01:00', "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            list(c),
        )


def write_raw(path: Path) -> None:
    """Create the warehouse file with raw tables and audit rows (no marts yet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as wh (storage_version '{STORAGE_VERSION}')")
        con.execute("use wh")
        con.execute("create schema if not exists raw")
        for name, frame in raw_frames().items():
            con.execute(raw_table_ddl(SOURCES[name]))
            con.register("incoming", frame)
            con.execute(f"insert into raw.{name} by name select * from incoming")
            con.unregister("incoming")
        write_audit(con)
        con.execute("checkpoint")
    finally:
        con.close()


def build_warehouse(path: Path) -> Path:
    """The fixture warehouse with marts: raw rows, audit rows, then the dbt build."""
    from schoolwh.pipeline.dbt_runner import build

    write_raw(path)
    result = build(path)
    if not result.success:
        raise RuntimeError(f"the dashboard fixture did not build: {result.message}")
    return path


def shared_warehouse(base: Path) -> Path:
    """The fixture warehouse, built once per test run (modules and xdist workers share the
    build; each worker reads its own copy). `base` is no longer used."""

    def build(folder: Path) -> None:
        build_warehouse(folder / "warehouse.duckdb")

    return shared_build.built_once("dashboard_wh", build) / "warehouse.duckdb"
