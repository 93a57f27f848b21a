"""The dashboard's read-only connection: reopens when a load replaces the published file,
and says "missing" instead of failing when there is no file."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from schoolwh.core.settings import STORAGE_VERSION
from schoolwh.reading.connection import Warehouse, WarehouseMissing, get_warehouse


def _write(path: Path, value: int) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{path}' as wh (storage_version '{STORAGE_VERSION}')")
    con.execute("create table wh.t as select ? as v", [value])
    con.execute("detach wh")
    con.close()


def test_reopens_after_atomic_replace(tmp_path):
    published = tmp_path / "warehouse.duckdb"
    _write(published, 1)
    wh = Warehouse(published)
    assert wh.scalar("select v from t") == 1
    assert wh.scalar("select v from t") == 1  # cached, same connection
    assert wh.reopen_count == 1

    # a load builds a new file beside it and renames it over the published path
    build = tmp_path / "warehouse.duckdb.build"
    _write(build, 2)
    os.replace(build, published)
    assert wh.scalar("select v from t") == 2
    assert wh.reopen_count == 2
    wh.close()


def test_open_connection_is_read_only(tmp_path):
    published = tmp_path / "warehouse.duckdb"
    _write(published, 1)
    wh = Warehouse(published)
    with pytest.raises(duckdb.Error):
        wh.current().execute("create table x as select 1")
    wh.close()


def test_missing_file_gives_none_and_a_deleted_file_says_missing(tmp_path):
    path = tmp_path / "nowhere.duckdb"
    assert get_warehouse(path) is None
    _write(path, 5)
    wh = get_warehouse(path)
    assert wh is not None and wh.scalar("select v from t") == 5
    assert not wh.is_ready()  # no marts yet
    path.unlink()
    with pytest.raises(WarehouseMissing):
        wh.query("select v from t")
    assert get_warehouse(path) is None


def test_parameters_are_bound_not_formatted(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    _write(path, 7)
    wh = Warehouse(path)
    hostile = "x' or 1=1 --"
    assert (
        wh.query("select count(*) as n from t where cast(v as varchar) = ?", (hostile,)).iat[0, 0]
        == 0
    )
    # list parameters (KPI selections) are bound too, and cached results keyed by them
    sql = "select len(?) as a, ? is null as b"
    assert wh.query(sql, (["a", "b"], None)).iloc[0].tolist() == [2, True]
    assert wh.query(sql, (["a"], None)).iloc[0].tolist() == [1, True]
    wh.close()
