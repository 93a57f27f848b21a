"""Helpers for the dbt tests: a warehouse file with the raw and audit schemas, rows
inserted the way the loader lands them (with load metadata), and the worked example of
docs/kpis.md#worked-example as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from schoolwh.core.audit import ensure_audit_schema
from schoolwh.core.settings import STORAGE_VERSION
from schoolwh.core.sources import META_COLUMNS, SOURCES, raw_table_ddl

DISTRICT = "410105"
SCHOOL_A = "4101050001"
SCHOOL_B = "4101050002"
SCHOOL_C = "4101050003"


def create_warehouse(path: Path) -> Path:
    """A new warehouse file in the 1.5 storage format with empty raw.* and audit.* tables."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{path}' AS wh (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("USE wh")
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for source in SOURCES.values():
            con.execute(raw_table_ddl(source))
        ensure_audit_schema(con)
        con.execute("USE memory")
        con.execute("DETACH wh")
    finally:
        con.close()
    return path


def insert_rows(
    path: Path,
    source: str,
    rows: Iterable[Mapping[str, object]],
    *,
    batch_seq: int,
    load_id: int | None = None,
    file_name: str | None = None,
) -> int:
    """Append rows to raw.<source> as one landed batch; missing columns are NULL."""
    src = SOURCES[source]
    columns = [*src.names, *META_COLUMNS]
    values = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(src.names)
        if unknown:
            raise KeyError(f"{source}: unknown columns {sorted(unknown)}")
        meta = {
            "_load_id": load_id if load_id is not None else batch_seq,
            "_batch_seq": batch_seq,
            "_file_hash": f"hash-{source}-{batch_seq}",
            "_file_name": file_name or f"{source}_{batch_seq}.xlsx",
            "_sheet": "Sheet1",
            "_row_number": i + 2,  # row 1 is the header
        }
        values.append([row.get(c) if c in src.names else meta[c] for c in columns])
    if not values:
        return 0
    placeholders = ", ".join("?" for _ in columns)
    con = duckdb.connect(str(path))
    try:
        con.executemany(
            f"INSERT INTO raw.{source} ({', '.join(columns)}) VALUES ({placeholders})", values
        )
    finally:
        con.close()
    return len(values)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Run a read-only query on the warehouse file and return all rows."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_dicts(path: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _d(text: str) -> date:
    return date.fromisoformat(text)


def survey_rows(
    prefix: str, school_code: str, total: int, satisfied: int, last_date: date
) -> list[dict]:
    """`total` responses, `satisfied` of them with overall >= 4, the latest on last_date."""
    rows = []
    for i in range(total):
        rows.append(
            {
                "response_id": f"{prefix}{i + 1:03d}",
                "school_code": school_code,
                "date": last_date - timedelta(days=i % 10),
                "respondent": ("parent", "student", "teacher")[i % 3],
                "overall": (5 if i % 2 else 4) if i < satisfied else (3 if i % 2 else 2),
                "taste": 4,
                "comment": "家长电话 13800000000" if i == 0 else None,
            }
        )
    return rows


def worked_example() -> dict[str, list[dict]]:
    """The rows of docs/kpis.md#worked-example (district 410105 金水区, schools A, B, C)."""
    participation = [
        (SCHOOL_A, "2025-09-08", 850, 700),
        (SCHOOL_A, "2025-09-09", 870, 720),
        (SCHOOL_A, "2025-09-10", 880, 710),
        (SCHOOL_B, "2025-09-08", 0, 250),
        (SCHOOL_B, "2025-09-09", 0, 260),
        (SCHOOL_B, "2025-09-10", 380, 255),
        (SCHOOL_B, "2025-09-11", 390, 250),
    ]
    return {
        "districts": [
            {"district_code": DISTRICT, "district_name": "金水区", "district_kind": "district"}
        ],
        "schools": [
            {
                "school_code": SCHOOL_A,
                "school_name": "金水区第一小学",
                "district_code": DISTRICT,
                "stage": "primary",
                "ownership": "public",
                "location": "urban",
                "lunch_mode": "self_run",
                "lunch_start_date": _d("2020-09-01"),
                "has_after_school": True,
                "nutrition_plan": False,
                "active": True,
            },
            {
                "school_code": SCHOOL_B,
                "school_name": "金水区第二小学",
                "district_code": DISTRICT,
                "stage": "primary",
                "ownership": "public",
                "location": "urban",
                "lunch_mode": "catering",
                "lunch_start_date": _d("2025-09-10"),
                "has_after_school": True,
                "active": True,
            },
            {
                "school_code": SCHOOL_C,
                "school_name": "金水区第三小学",
                "district_code": DISTRICT,
                "stage": "junior",
                "ownership": "public",
                "location": "urban",
                "lunch_mode": "none",
                "has_after_school": False,
                "active": True,
            },
        ],
        "enrollment": [
            {
                "school_code": SCHOOL_A,
                "term": "2025-autumn",
                "enrolled": 1000,
                "lunch_need": 900,
                "after_school_need": 800,
            },
            {
                "school_code": SCHOOL_B,
                "term": "2025-autumn",
                "enrolled": 500,
                "lunch_need": 400,
                "after_school_need": 300,
            },
            {"school_code": SCHOOL_C, "term": "2025-autumn", "enrolled": 100},
        ],
        "participation": [
            {
                "school_code": s,
                "date": _d(d),
                "lunch_students": lunch,
                "after_school_students": after,
            }
            for s, d, lunch, after in participation
        ],
        "budget": [
            {
                "budget_id": "金财教〔2025〕8号-1",
                "fiscal_year": 2025,
                "district_code": DISTRICT,
                "program": "nutrition_plan",
                "funding_source": "central",
                # given as 100 in a （万元） column: the loader stores yuan
                "amount": Decimal("1000000.00"),
                "allocated_date": _d("2025-02-20"),
            },
            {
                "budget_id": "金财教〔2025〕8号-2",
                "fiscal_year": 2025,
                "district_code": DISTRICT,
                "program": "after_school",
                "funding_source": "municipal",
                "amount": Decimal("200000.00"),
                "allocated_date": _d("2025-02-20"),
            },
        ],
        "expenditure": [
            {
                "expenditure_id": f"PZ2025-{i:03d}",
                "date": _d(d),
                "district_code": DISTRICT,
                "school_code": SCHOOL_A,
                "program": "nutrition_plan",
                "category": "ingredients",
                "amount": Decimal(amount),
            }
            for i, (d, amount) in enumerate(
                [
                    ("2025-03-15", "300000.00"),
                    ("2025-06-20", "220000.00"),
                    ("2025-09-25", "150000.00"),
                    ("2025-09-28", "-10000.00"),  # refund
                ],
                start=1,
            )
        ],
        "survey": survey_rows("WJ", SCHOOL_A, 40, 37, _d("2025-09-26")),
        "issues": [
            {
                "issue_id": issue_id,
                "school_code": SCHOOL_A if n % 2 else SCHOOL_B,
                "found_date": _d(found),
                "source": "weekly_check",
                "category": "hygiene",
                "severity": "low",
                "deadline": _d(deadline),
                "status": "closed" if closed else "open",
                "closed_date": _d(closed) if closed else None,
                "description": "餐具洗消记录不全",
            }
            for n, (issue_id, found, deadline, closed) in enumerate(
                [
                    ("I1", "2025-09-08", "2025-09-15", "2025-09-12"),
                    ("I2", "2025-09-09", "2025-09-16", "2025-09-20"),
                    ("I3", "2025-09-10", "2025-09-17", None),
                    ("I4", "2025-09-11", "2025-10-30", None),
                ],
                start=1,
            )
        ],
    }


def load_rows(path: Path, data: Mapping[str, list[dict]], *, first_batch: int = 1) -> int:
    """Insert every source's rows, one batch per source; returns the next free batch."""
    batch = first_batch
    for source, rows in data.items():
        insert_rows(path, source, rows, batch_seq=batch)
        batch += 1
    return batch


# -- supervision (docs/kpis.md#supervision-worked-example) ----------------------------------

SUPERVISION_DISTRICT = "410204"
SCHOOL_S = "4102040001"


def supervision_worked_example() -> dict[str, list[dict]]:
    """The spec's supervision worked example: school S (self_run, lunch since 2019) in a
    district of its own, serving lunch Mon 2025-09-01 to Fri 2025-09-05."""
    days = [date(2025, 9, d) for d in range(1, 6)]
    return {
        "districts": [
            {
                "district_code": SUPERVISION_DISTRICT,
                "district_name": "示例区",
                "district_kind": "district",
            }
        ],
        "schools": [
            {
                "school_code": SCHOOL_S,
                "school_name": "示例区实验小学",
                "district_code": SUPERVISION_DISTRICT,
                "stage": "primary",
                "ownership": "public",
                "location": "urban",
                "lunch_mode": "self_run",
                "lunch_start_date": _d("2019-09-01"),
                "has_after_school": False,
                "active": True,
            }
        ],
        "participation": [
            {"school_code": SCHOOL_S, "date": d, "lunch_students": 600} for d in days
        ],
        "meal_companions": [
            {
                "record_id": f"PC-S-{i}",
                "school_code": SCHOOL_S,
                "date": _d(d),
                "role": role,
                "companion_name": "张校长" if role == "school_leader" else "李家长",
                "feedback": "饭菜偏咸",
            }
            for i, (d, role) in enumerate(
                [
                    ("2025-09-01", "school_leader"),
                    ("2025-09-02", "school_leader"),
                    ("2025-09-03", "parent"),
                    ("2025-09-04", "school_leader"),
                ],
                start=1,
            )
        ],
        "menus": [
            {
                "school_code": SCHOOL_S,
                "date": d,
                "dishes": 1 if d.day == 5 else 2,
                "meat_dishes": 1,
                "has_fruit": True,
                "has_staple": True,
                "published_date": _d("2025-08-29"),
                "menu_text": "红烧肉 炒青菜 苹果 米饭",
            }
            for d in days
        ],
        "kitchen_cameras": [
            {"school_code": SCHOOL_S, "date": d, "cameras": 4, "online": online}
            for d, online in zip(days, (4, 4, 3, 4, 4), strict=True)
        ],
        "canteen_checks": [
            {
                "check_id": "JC-S-1",
                "school_code": SCHOOL_S,
                "date": _d("2025-09-03"),
                "kind": "weekly",
                "result": "pass",
                "inspector": "王主任",
            }
        ],
        "suppliers": [
            {
                "supplier_id": "WA",
                "supplier_name": "供应商A",
                "certified": True,
                "admitted_date": _d("2024-01-01"),
            },
            {
                "supplier_id": "WB",
                "supplier_name": "供应商B",
                "certified": False,
                "admitted_date": _d("2024-01-01"),
            },
        ],
        "deliveries": [
            {
                "delivery_id": delivery_id,
                "school_code": SCHOOL_S,
                "date": _d("2025-09-02"),
                "supplier_id": supplier,
                "category": category,
                "unified": unified,
                "amount": Decimal(amount),
            }
            for delivery_id, supplier, category, unified, amount in [
                ("PS-S-1", "WA", "rice", True, "1000.00"),
                ("PS-S-2", "WB", "meat", False, "600.00"),
                ("PS-S-3", "WA", "vegetable", True, "300.00"),
            ]
        ],
    }
