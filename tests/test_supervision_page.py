"""The 监管 page (一屏统揽) and a school's supervision facts, with Streamlit's AppTest on the
hand-made jurisdiction (tests/dashboard_fixtures.py, its supervision rows built by dbt):
what a bureau leader reads, and where a click on a 需要关注 row takes them."""

from __future__ import annotations

import dashboard_fixtures as fx
import pandas as pd
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT
from schoolwh.reading import i18n
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse

APP = str(PROJECT_ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def dash_warehouse(tmp_path_factory):
    return fx.shared_warehouse(tmp_path_factory.mktemp("supervision"))


@pytest.fixture(autouse=True)
def _loopback():
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", previous)


def open_page(monkeypatch, dash_warehouse, lang: str | None = None) -> AppTest:
    monkeypatch.setenv(ENV_WAREHOUSE, str(dash_warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/supervision.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def cards(at: AppTest) -> list[str]:
    marker = '<div class="schoolwh-card">'
    grids = [m.value for m in at.markdown if marker in m.value]
    return [card for grid in grids for card in grid.split(marker)[1:]]


def expander_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def test_the_page_shows_the_seeds_supervision_kpis_by_district(monkeypatch, dash_warehouse):
    at = open_page(monkeypatch, dash_warehouse)
    assert at.title[0].value == "监管一屏统揽"
    supervision = q.kpis_of_topic(Warehouse(dash_warehouse), "supervision")
    assert len(supervision) == 10  # the seed's topic, not a list in the page
    on_cards = cards(at)
    term_kpis = q.kpi_overall(Warehouse(dash_warehouse), "term", "2025-autumn")
    shown = [k for k in term_kpis["kpi"] if k in supervision]
    assert len(on_cards) == len(shown) > 0
    for kpi in shown:
        assert any(i18n.kpi_name(kpi, "zh") in card for card in on_cards), kpi
    # no other topic's KPI on this page
    assert not any(i18n.kpi_name("lunch_coverage", "zh") in card for card in on_cards)
    # the district × KPI grid and the ranking, as on the overview
    assert len(at.get("plotly_chart")) == 2
    grid = table_with(at, "区县")
    assert set(grid["区县"]) == {n for _, n, _ in fx.DISTRICTS}
    assert set(grid.columns) - {"区县"} == {i18n.kpi_name(k, "zh") for k in shown}
    # the page's figures, summary and deck, each made on request
    makers = {b.key for b in at.button if b.key and b.key.startswith("briefing_make_")}
    assert makers == {f"briefing_make_{k}_supervision" for k in ("png", "pdf", "pptx")} or (
        "Chromium" in "\n".join(str(c.value) for c in at.caption)
    )


def test_needs_attention_lists_the_items_as_of_the_as_of_date(monkeypatch, dash_warehouse):
    at = open_page(monkeypatch, dash_warehouse)
    labels = expander_labels(at)
    for expected in (
        "明厨亮灶未全部在线的食堂（1 所）",
        "最近 7 天有供餐日无校领导陪餐的学校（2 所）",
        "最近 7 天未达“两菜一水果加主食”的食谱（2 份）",
        "未通过食堂标准化验收的自办食堂学校（2 所）",
        "非统一配送或非认证企业供货的大宗食材（4 笔）",
        "2025 年准入和清退的配送企业（3 家）",
    ):
        assert expected in labels, labels

    cameras = table_with(at, "离线数")  # E: 2 of 8 offline; D was short only the day before
    assert list(cameras["学校代码"]) == [fx.SCHOOL_E]
    assert list(cameras["离线数"]) == ["2"]

    leaders = table_with(at, "无校领导陪餐天数")
    assert list(leaders["学校代码"]) == [fx.SCHOOL_D, fx.SCHOOL_F]
    assert list(leaders["无校领导陪餐日期"]) == ["2025-10-29、2025-10-30", "2025-10-31"]

    menus = table_with(at, "菜单")  # 11-03 (after the as-of date) is not listed
    assert list(zip(menus["学校代码"], menus["供餐日期"], strict=True)) == [
        (fx.SCHOOL_E, "2025-10-30"),
        (fx.SCHOOL_D, "2025-10-28"),
    ]
    assert fx.HOSTILE_MENU in set(menus["菜单"])  # as text, never markup

    standard = table_with(at, "最近标准化验收日期")  # E has none, D's latest failed
    assert list(standard["学校代码"]) == [fx.SCHOOL_E, fx.SCHOOL_D]
    assert list(standard["检查结果"]) == ["—", "不合格"]

    deliveries = table_with(at, "配送单号")
    assert list(deliveries["配送单号"]) == ["DL4", "DL2", "DL5", "DL3"]  # largest first
    problems = dict(zip(deliveries["配送单号"], deliveries["供应商问题"], strict=True))
    assert problems == {
        "DL4": "供应商未通过体系认证",
        "DL2": "—",  # not unified, from a certified supplier
        "DL5": "供应商不在名录中",
        "DL3": "供应商当日不在准入期内（未准入或已清退）",
    }

    suppliers = table_with(at, "变动")
    assert list(suppliers["供应商编号"]) == ["S3", "S4", "S2"]
    assert list(suppliers["变动"]) == ["已清退", "新准入", "新准入"]
    assert "全部区县" in set(suppliers["区县"])  # S4 serves the whole jurisdiction
    assert fx.HOSTILE_SUPPLIER in set(suppliers["供应商"])


def test_needs_attention_follows_the_district_filter(monkeypatch, dash_warehouse):
    at = open_page(monkeypatch, dash_warehouse)
    at.selectbox(key="f_sup_district").set_value(fx.D_JINSHUI).run()
    labels = expander_labels(at)
    assert "明厨亮灶未全部在线的食堂（0 所）" in labels
    assert "非统一配送或非认证企业供货的大宗食材（2 笔）" in labels
    deliveries = table_with(at, "配送单号")
    assert list(deliveries["配送单号"]) == ["DL2", "DL3"]
    assert set(deliveries["区县"]) == {"金水区"}


def test_a_row_opens_its_school_with_its_supervision_facts(monkeypatch, dash_warehouse):
    at = open_page(monkeypatch, dash_warehouse)
    at.session_state["sup_watch_cameras_rows"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "区县详情"
    assert at.session_state["district"] == fx.D_ZHONGMOU
    assert at.session_state["school"] == fx.SCHOOL_E
    headings = [m.value for m in at.markdown]
    assert "<h4>学校详情：中牟县刘集镇九年一贯制学校</h4>" in headings
    assert "<h5>监管情况</h5>" in headings
    text = "\n".join(str(m.value) for m in at.markdown)
    assert "2025年10月31日：摄像头 8 路，在线 6 路" in text
    companions = table_with(at, "陪餐人员类别")
    assert list(companions["陪餐人员类别"]) == ["校领导"]  # October, E: a leader every day
    checks = table_with(at, "检查编号")
    assert list(checks["检查编号"]) == ["C6", "C5"]
    assert list(checks["检查类型"]) == ["日管控", "周排查"]
    menus = table_with(at, "两菜一水果加主食")
    assert menus.iloc[0]["供餐日期"] == "2025-10-31"  # the last menu on or before the as-of date
    assert (
        dict(zip(menus["供餐日期"], menus["两菜一水果加主食"], strict=False))["2025-10-30"] == "否"
    )
    deliveries = table_with(at, "配送笔数")
    assert list(deliveries["金额（元）"]) == ["400"]


def test_a_school_detail_counts_its_companions_by_role(monkeypatch, dash_warehouse):
    monkeypatch.setenv(ENV_WAREHOUSE, str(dash_warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/district.py")
    at.session_state["district"] = fx.D_ZHONGMOU
    at.session_state["school"] = fx.SCHOOL_D
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    companions = table_with(at, "陪餐人员类别")
    counts = dict(zip(companions["陪餐人员类别"], companions["记录数"], strict=True))
    assert counts == {"校领导": "21", "家长": "2", "教师": "1"}  # October 2025
    people = dict(zip(companions["陪餐人员类别"], companions["人次"], strict=True))
    assert people["教师"] == "3"
    # this term: DL4 and DL5 bulk, unified, not from a certified active supplier; DL6
    # vegetables, not unified
    deliveries = table_with(at, "配送笔数")
    assert deliveries.values.tolist() == [
        ["是", "是", "否", "2", "1,300"],
        ["否", "否", "否", "1", "200"],
    ]
    assert "张校长" not in "\n".join(str(m.value) for m in at.markdown)  # raw only


def test_the_page_in_english(monkeypatch, dash_warehouse):
    at = open_page(monkeypatch, dash_warehouse, lang="en")
    assert at.title[0].value == "Supervision at a glance"
    labels = expander_labels(at)
    assert "Kitchens whose cameras were not all online (1)" in labels
    deliveries = table_with(at, "Delivery ID")
    assert "Supplier not in the registry" in set(deliveries["Supplier problem"])
