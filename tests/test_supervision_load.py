"""A whole load of the supervision sources (dbt builds): every file of a small county lands
with nothing quarantined, the as-of date is the latest event date (a menu published ahead
never moves it), and the names and free text of the files stay in raw.*."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from schoolwh.core.sources import raw_only_columns
from schoolwh.pipeline.load import load
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv
from tests.test_ingest_supervision import GOOD, S1, rows_of

pytestmark = pytest.mark.dbt

NAMES = ("王校长", "李四", "菜偏咸", "食品安全法规")  # the free text planted in GOOD rows


def county(folder):
    write_csv(folder / "区县.csv", [["区县代码", "区县名称"], ["410105", "金水区"]])
    write_csv(
        folder / "学校.csv",
        [SCHOOLS_HEADER_ZH, school_row(S1), school_row("4101050002", mode="企业配餐")],
    )
    write_csv(
        folder / "在校生.csv",
        [
            ["学校代码", "学期", "在校生数"],
            [S1, "2025-autumn", 400],
            ["4101050002", "2025-autumn", 400],
        ],
    )
    days = [dt.date(2025, 9, d) for d in range(1, 6)]
    write_csv(
        folder / "日报.csv",
        [["学校代码", "日期", "就餐人数"]]
        + [[s, d.isoformat(), 300] for s in (S1, "4101050002") for d in days],
    )
    for source in GOOD:
        write_csv(folder / f"{source}.csv", rows_of(source, 3))
    ahead = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    write_csv(folder / "下周食谱.csv", rows_of("menus", 1, 供餐日期=ahead))
    return folder


def test_supervision_files_load_and_publish_with_their_free_text_kept_raw(tmp_path):
    inbox = county(tmp_path / "inbox")
    wh = tmp_path / "warehouse.duckdb"
    result = load([inbox], wh)
    assert result.published, result
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select count(*) from audit.quarantine").fetchone()[0] == 0
        statuses = con.execute("select distinct status from audit.load_files").fetchall()
        assert statuses == [("loaded",)]
        for (_, table), _cols in raw_only_columns().items():
            if table == "survey":
                continue
            assert con.execute(f"select count(*) from raw.{table}").fetchone()[0] == 3
        # the as-of date: the latest event (training on 2025-10-10), not the menu ahead
        as_of = con.execute("select as_of_date from marts.build_info").fetchone()[0]
        assert as_of == dt.date(2025, 10, 10)
        # names and free text never leave raw.*
        leaked = [
            (schema, table, column)
            for (_, source), columns in raw_only_columns().items()
            for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_schema not in ('raw', 'audit') and table_name like ?",
                [f"%{source}%"],
            ).fetchall()
            if column in columns
        ]
        assert leaked == []
        text_columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('raw', 'audit') and data_type = 'VARCHAR' "
            "and table_name not like 'dbt_%'"
        ).fetchall()
        for schema, table, column in text_columns:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}" where '
                + " or ".join(f"contains(\"{column}\", '{n}')" for n in NAMES)
            ).fetchone()[0]
            assert found == 0, f"{schema}.{table}.{column} holds a name or free text"
    finally:
        con.close()
