"""The briefings' supervision part on the hand-made jurisdiction (tests/dashboard_fixtures.py,
built by dbt): the deck's 监管一屏统揽 slide with the seed's supervision KPIs and the
需要关注 counts of the 监管 page, its findings, and the one-page PDF's section of the
supervision KPIs that missed their targets."""

from __future__ import annotations

from pathlib import Path

import dashboard_fixtures as fx
import pytest
from conftest import needs_browser
from pptx import Presentation
from test_briefing import pdf_facts, slide_text, slide_title
from test_deck_render import deck_problems, office_or_skip, to_pdf

from schoolwh.briefing import downloads as bd
from schoolwh.briefing import make_briefing, render_summary
from schoolwh.briefing.compose import compose
from schoolwh.briefing.data import load_data
from schoolwh.briefing.figures import TOPICS
from schoolwh.briefing.scope import resolve_scope
from schoolwh.briefing.summary import summary_html
from schoolwh.briefing.supervision import supervision_findings
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse
from schoolwh.reading.i18n import kpi_name

PERIOD = "2025-autumn"
WATCH_WHOLE = {
    "cameras": 1,
    "leader_meals": 2,
    "menus": 2,
    "standard": 2,
    "deliveries": 4,
    "suppliers": 3,
}


@pytest.fixture(scope="module")
def dash_warehouse(tmp_path_factory) -> Path:
    return fx.shared_warehouse(tmp_path_factory.mktemp("briefing_supervision"))


def data_of(path: Path, district: str | None = None, lang: str = "zh"):
    wh = Warehouse(path)
    try:
        return load_data(wh, resolve_scope(wh, PERIOD, district=district, lang=lang))
    finally:
        wh.close()


def supervision_rows(path: Path, district: str | None = None):
    wh = Warehouse(path)
    try:
        kpis = q.kpis_of_topic(wh, "supervision")
        frame = (
            q.kpi_overall(wh, "term", PERIOD)
            if district is None
            else q.kpi_district(wh, "term", PERIOD, district)
        )
        return frame[frame["kpi"].isin(kpis)].reset_index(drop=True)
    finally:
        wh.close()


def test_the_briefing_counts_what_the_page_lists(dash_warehouse):
    data = data_of(dash_warehouse)
    assert data.watch == WATCH_WHOLE
    assert len(data.supervision_kpis) == 10
    # a district's briefing: its own schools (and the suppliers of the whole jurisdiction)
    jinshui = data_of(dash_warehouse, fx.D_JINSHUI)
    assert jinshui.watch == {
        "cameras": 0,
        "leader_meals": 0,
        "menus": 0,
        "standard": 0,
        "deliveries": 2,
        "suppliers": 2,  # S3 (金水区) and S4 (no district)
    }


def test_findings_name_the_missed_kpis_and_what_needs_attention(dash_warehouse):
    data = data_of(dash_warehouse)
    rows = supervision_rows(dash_warehouse)
    missed = rows[rows["status"] == "missed"]
    assert len(missed) > 2  # the fixture misses several
    gaps = missed.assign(gap=missed["target"] - missed["value"]).sort_values("gap")
    furthest, second = gaps["kpi"].iloc[-1], gaps["kpi"].iloc[-2]
    found = supervision_findings(data)
    assert found[0].startswith(f"{len(missed)} 项监管指标未达标，差距最大的是")
    assert found[0].index(kpi_name(furthest, "zh")) < found[0].index(kpi_name(second, "zh"))
    assert kpi_name("camera_coverage", "zh") not in found[0]  # met: 3 of 3 kitchens
    assert found[1].startswith(kpi_name(furthest, "zh")) and "低于目标" in found[1]
    assert found[-1] == (
        "截至 2025年10月31日，需要关注：摄像头未全部在线的食堂 1、有供餐日无校领导陪餐的学校 2、"
        "未达标食谱 2、未通过标准化验收的食堂 2、非统一配送或非认证供货的大宗食材 4、"
        "当年准入和清退的配送企业 3。"
    )
    assert supervision_findings(data, watch=False) == found[:-1]
    english = supervision_findings(data_of(dash_warehouse, lang="en"))
    assert english[0].startswith(f"{len(missed)} supervision KPIs below target; furthest below: ")
    assert "kitchens with cameras offline 1" in english[-1]


def test_the_deck_has_a_supervision_slide_and_keeps_its_kpis_off_the_overview(dash_warehouse):
    data = data_of(dash_warehouse)
    deck = compose(data, {}, TOPICS)
    titles = [slide_title(s) for s in deck.prs.slides]
    assert "监管一屏统揽" in titles
    slide = deck.prs.slides[titles.index("监管一屏统揽")]
    text = slide_text(slide)
    rows = supervision_rows(dash_warehouse)
    for kpi in rows["kpi"]:
        assert kpi_name(kpi, "zh") in text, kpi
    assert "需要关注（截至 2025年10月31日）" in text
    assert "非统一配送或非认证供货的大宗食材\n4" in text
    overview = slide_text(deck.prs.slides[titles.index("指标概览")])
    assert kpi_name("lunch_coverage", "zh") in overview
    assert not any(kpi_name(k, "zh") in overview for k in rows["kpi"])
    # the 监管 page's own deck: title, conclusions, the supervision slide, then a slide
    # per supervision KPI in the appendix
    topics, kpis = bd.PAGE_SCOPES["supervision"]
    page_deck = compose(data, {}, topics, kpis)
    page_titles = [slide_title(s) for s in page_deck.prs.slides]
    assert page_titles[:4] == [titles[0], "结论与建议", "监管一屏统揽", "附录"]
    assert page_titles[4:] == [kpi_name(k, "zh") for k in rows["kpi"]]
    assert [t for t in titles if t in page_titles[4:]] == page_titles[4:]  # the full deck too


def test_a_deck_without_the_topic_has_no_supervision_slide(dash_warehouse):
    data = data_of(dash_warehouse)
    deck = compose(data, {}, ("kpis", "funding"))
    titles = [slide_title(s) for s in deck.prs.slides]
    assert "监管一屏统揽" not in titles
    # then the supervision KPIs are KPIs like the others: on the overview
    overview = slide_text(deck.prs.slides[titles.index("指标概览")])
    assert kpi_name("camera_coverage", "zh") in overview


def test_the_summary_carries_the_supervision_kpis_below_target(dash_warehouse):
    data = data_of(dash_warehouse)
    page = summary_html(data)
    head = page.index("未达标的监管指标")
    section = page[head:]
    rows = supervision_rows(dash_warehouse)
    for kpi, status in zip(rows["kpi"], rows["status"], strict=True):
        shown = kpi_name(kpi, "zh") in section
        assert shown == (status == "missed"), (kpi, status)
    assert "中牟县" in section  # the districts below target, by name
    # the others' table and grid above it keep to the other KPIs
    assert kpi_name("camera_coverage", "zh") not in page[:head]
    assert kpi_name("lunch_coverage", "zh") in page[:head]


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_summary_pdf_is_one_page_with_the_section(dash_warehouse, tmp_path):
    needs_browser()
    _, pdf = render_summary(dash_warehouse, PERIOD)
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    facts, text = pdf_facts(path)
    assert facts["Pages"] == "1"
    flat = "".join(text.split())
    assert "未达标的监管指标" in flat
    assert kpi_name("leader_meal_rate", "zh") in flat


@pytest.mark.browser
@pytest.mark.timeout(600)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_supervision_slides_render_whole_in_libreoffice(dash_warehouse, tmp_path, lang):
    office_or_skip()
    needs_browser()
    result = make_briefing(
        dash_warehouse, PERIOD, tmp_path / "briefing", lang=lang, topics=("supervision",)
    )
    prs = Presentation(str(result.deck))
    titles = [slide_title(s) for s in prs.slides]
    wanted = "监管一屏统揽" if lang == "zh" else "Supervision at a glance"
    assert wanted in titles
    grid = "区县 × 监管指标达标情况" if lang == "zh" else "Districts × supervision KPIs: status"
    assert titles.index(grid) == titles.index(wanted) + 1
    problems = deck_problems(result.deck, to_pdf(result.deck, tmp_path))
    assert not problems, "\n".join(problems)
