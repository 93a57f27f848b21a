"""A test county for the supervision KPIs (docs/kpis.md#supervision), as raw rows.

Built from the spec's rules, with the spec's worked example (school S, district 410204)
beside it: tests/test_dbt_supervision.py checks the figures worked out by hand on it,
tests/test_spark_parity.py builds it on both engines. The edge cases: a week spanning a
month end (it belongs to the month of its Monday), a kitchen school starting lunch
mid-term (judged at each period's last day), a catering school (never a kitchen
school), a supplier exited mid-term and one admitted mid-term, a supplier missing from
the registry, menus published beyond the as-of date, corrections (latest load wins),
an unregistered school, an inactive one, and a district with nothing to count.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dbt_fixtures as fx

D1, D2, D3, D4 = "410201", "410202", "410203", fx.SUPERVISION_DISTRICT
UNREGISTERED_DISTRICT = "410299"
K1 = "4102010001"  # self_run since 2019: a kitchen school throughout
K2 = "4102010002"  # central_kitchen, lunch from Wed 2026-04-01 (mid-term, mid-week)
I1 = "4102010009"  # inactive
C1 = "4102020001"  # catering: lunch-serving, never a kitchen school
K3 = "4102020002"  # self_run since 2018, never reports a serving day
N1 = "4102020003"  # no lunch
X = "4102019999"  # not in the registry

# Week A Mon 03-23 .. Fri 03-27, week B Mon 03-30 .. Fri 04-03 (spans the month end:
# it belongs to March), week C Mon 04-13 .. Fri 04-17. As-of date: 2026-04-17 (the
# latest camera snapshot; menus of the week after and a supplier admitted in May do not
# move it).
AS_OF = date(2026, 4, 17)


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _days(first: str, count: int) -> list[date]:
    return [_d(first) + timedelta(days=i) for i in range(count)]


WEEK_A = _days("2026-03-23", 5)
WEEK_B = _days("2026-03-30", 5)
WEEK_C = _days("2026-04-13", 5)


def _school(code: str, district: str, mode: str, start: str | None, **extra) -> dict:
    return {
        "school_code": code,
        "school_name": f"测试学校{code[-4:]}",
        "district_code": district,
        "stage": "primary",
        "ownership": "public",
        "lunch_mode": mode,
        "lunch_start_date": _d(start) if start else None,
        "has_after_school": False,
        **extra,
    }


def _county() -> dict[str, list[dict]]:
    participation = (
        [(K1, d, 500) for d in [*WEEK_A, *WEEK_B, *WEEK_C[:2]]]
        + [(K1, _d("2026-04-15"), 0)]  # 0 lunch students: not a serving day
        + [(K2, d, 300) for d in [*WEEK_B[2:], *WEEK_C[:2]]]
        + [(C1, d, 200) for d in WEEK_B[:3]]
    )
    leader = ["03-23", "03-23", "03-24", "03-25", "03-26", "03-30"]
    leader += ["04-01", "04-02", "04-03", "04-13", "04-15"]
    companions = (
        [(K1, day, "school_leader") for day in leader]
        + [(K1, "03-23", "official"), (K1, "03-27", "parent"), (K1, "03-31", "parent")]
        + [(K2, day, "school_leader") for day in ("04-01", "04-13", "04-14")]
        + [(C1, day, "school_leader") for day in ("03-30", "03-31", "04-01")]
        + [(X, "03-23", "school_leader")]
    )

    def menu(school, day, published, dishes=2, fruit=True, staple=True) -> dict:
        return {
            "school_code": school,
            "date": day,
            "dishes": dishes,
            "meat_dishes": 1,
            "has_fruit": fruit,
            "has_staple": staple,
            "price": Decimal("5.00"),
            "published_date": _d(published),
            "menu_text": "<b>红烧肉</b> 炒青菜 =1+1",
        }

    menus = (
        # week A published the Friday before, week B on its Monday: both in time
        [menu(K1, d, "2026-03-20", dishes=1 if d == _d("2026-03-25") else 2) for d in WEEK_A]
        + [menu(K1, d, "2026-03-30", fruit=d != _d("2026-04-02")) for d in WEEK_B]
        # week C published on its Tuesday: too late for disclosure
        + [menu(K1, d, "2026-04-14") for d in WEEK_C]
        # the week after the as-of date, published ahead: counts nowhere
        + [menu(K1, d, "2026-04-17", dishes=1) for d in _days("2026-04-20", 5)]
        + [menu(K2, d, "2026-03-27") for d in WEEK_B[2:]]
        + [menu(K2, d, "2026-04-10", staple=d != _d("2026-04-16")) for d in WEEK_C]
        + [menu(C1, d, "2026-03-27", dishes=3) for d in WEEK_B[:2]]
        + [menu(I1, WEEK_B[0], "2026-03-27")]
    )
    cameras = [
        (K1, "2026-03-27", 4, 4),
        (K1, "2026-04-03", 4, 3),
        (K1, "2026-04-17", 4, 4),
        (K2, "2026-03-27", 0, 0),
        (K2, "2026-04-17", 2, 1),
        (K3, "2026-03-27", 0, 0),
        (C1, "2026-04-03", 2, 2),
        (X, "2026-04-03", 3, 0),
    ]
    checks = [
        ("JC01", K1, "2025-11-10", "standard", "fail"),
        ("JC02", K1, "2026-03-20", "standard", "pass"),
        ("JC03", K1, "2026-03-25", "weekly", "pass"),
        ("JC04", K1, "2026-04-02", "weekly", "pass"),  # week B: belongs to March
        ("JC05", K1, "2026-04-14", "daily", "pass"),
        ("JC06", K2, "2026-04-10", "standard", "pass"),
        ("JC07", K2, "2026-04-15", "weekly", "pass"),
        ("JC08", K2, "2026-04-16", "standard", "pass"),  # corrected to fail below
        ("JC09", C1, "2026-03-31", "weekly", "pass"),
        ("JC10", C1, "2026-03-20", "standard", "pass"),
    ]
    suppliers = [
        ("SA", False, "2024-01-01", None),  # corrected to certified below
        ("SB", False, "2024-01-01", None),
        ("SC", True, "2024-01-01", "2026-04-01"),  # exited mid-term
        ("SD", True, "2026-04-10", None),  # admitted mid-term
        ("SE", True, "2026-05-01", None),  # admitted after the as-of date
    ]
    deliveries = [
        ("PS01", K1, "2026-03-24", "SA", "rice", True, "1000"),
        ("PS02", K1, "2026-03-31", "SC", "oil", True, "500"),
        ("PS03", K1, "2026-04-01", "SC", "oil", True, "400"),  # on SC's exit day
        ("PS04", K1, "2026-04-02", "SB", "meat", False, "600"),
        ("PS05", K1, "2026-04-03", "SD", "egg", True, "200"),  # before SD's admission
        ("PS06", K2, "2026-04-13", "SD", "milk", True, "300"),
        ("PS07", K2, "2026-04-14", "SX", "flour", True, "700"),  # SX: not in the registry
        ("PS08", K2, "2026-04-14", "SA", "vegetable", True, "900"),  # not bulk
        ("PS09", C1, "2026-03-30", "SA", "rice", False, "800"),
        ("PS10", X, "2026-03-30", "SA", "rice", True, "5000"),
    ]
    training = [
        ("PX01", D1, "2026-03-12", 40),
        ("PX02", D1, "2026-04-09", 35),
        ("PX03", D2, "2026-03-20", 25),
        ("PX04", UNREGISTERED_DISTRICT, "2026-04-10", 10),
        ("PX05", D1, "2025-12-05", 50),
    ]
    return {
        "districts": [
            {"district_code": code, "district_name": name, "district_kind": "county"}
            for code, name in ((D1, "东区"), (D2, "西区"), (D3, "北区"))
        ],
        "schools": [
            _school(K1, D1, "self_run", "2019-09-01"),
            _school(K2, D1, "central_kitchen", "2026-04-01"),
            _school(I1, D1, "self_run", "2019-09-01", active=False),
            _school(C1, D2, "catering", "2020-09-01"),
            _school(K3, D2, "self_run", "2018-09-01"),
            _school(N1, D2, "none", None),
        ],
        "participation": [
            {"school_code": s, "date": d, "lunch_students": n} for s, d, n in participation
        ],
        "meal_companions": [
            {
                "record_id": f"PC{i:02d}",
                "school_code": s,
                "date": _d(f"2026-{day}"),
                "role": role,
                "people": 2 if role == "official" else None,
                "companion_name": "赵校长",
                "feedback": "=HYPERLINK(1)",
            }
            for i, (s, day, role) in enumerate(companions, start=1)
        ],
        "menus": menus,
        "kitchen_cameras": [
            {"school_code": s, "date": _d(d), "cameras": c, "online": o} for s, d, c, o in cameras
        ],
        "canteen_checks": [
            {
                "check_id": i,
                "school_code": s,
                "date": _d(d),
                "kind": kind,
                "result": result,
                "score": 90,
                "inspector": "钱检查员",
            }
            for i, s, d, kind, result in checks
        ],
        "suppliers": [
            {
                "supplier_id": i,
                "supplier_name": f"配送企业{i}",
                "certified": certified,
                "admitted_date": _d(admitted),
                "exited_date": _d(exited) if exited else None,
            }
            for i, certified, admitted, exited in suppliers
        ],
        "deliveries": [
            {
                "delivery_id": i,
                "school_code": s,
                "date": _d(d),
                "supplier_id": supplier,
                "category": category,
                "unified": unified,
                "amount": Decimal(amount),
                "inspected": True,
            }
            for i, s, d, supplier, category, unified, amount in deliveries
        ],
        "training": [
            {
                "training_id": i,
                "district_code": district,
                "date": _d(d),
                "audience": "canteen_manager",
                "person_times": n,
                "topic": "食品安全培训（主讲：孙老师 13900000000）",
            }
            for i, district, d, n in training
        ],
    }


def load_county(path: Path) -> Path:
    """A new warehouse at `path` holding the county and the worked example, with the
    corrections of a later load (check JC08 failed; supplier SA certified)."""
    fx.create_warehouse(path)
    data = _county()
    for source, rows in fx.supervision_worked_example().items():
        data[source] = data[source] + rows
    batch = fx.load_rows(path, data)
    fx.insert_rows(
        path,
        "canteen_checks",
        [
            {
                "check_id": "JC08",
                "school_code": K2,
                "date": _d("2026-04-16"),
                "kind": "standard",
                "result": "fail",
            }
        ],
        batch_seq=batch,
    )
    fx.insert_rows(
        path,
        "suppliers",
        [
            {
                "supplier_id": "SA",
                "supplier_name": "配送企业SA",
                "certified": True,
                "admitted_date": _d("2024-01-01"),
            }
        ],
        batch_seq=batch + 1,
    )
    return path
