"""Data is text wherever it is shown: a district or school named like a link, an image,
bold text or an HTML tag shows as those literal characters in the dashboard's markdown,
in every figure (labels, hover text, titles) and in the briefing's figures, SVGs and deck.

The hostile names are built into a real warehouse (the dashboard fixture with three names
replaced before the dbt build), then every page is run with AppTest and every figure
checked: markdown is rendered with a CommonMark parser (what Streamlit's markdown follows)
and figure text is checked for tags other than the charts' own `<br>`, `<b>`, `<extra>` and
small-print `<span style=…>`.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import dashboard_fixtures as fx
import duckdb
import pandas as pd
import pytest
from browser import body_text, dashboard_in_chromium, plots_drawn, wait_for
from lxml import etree
from markdown_it import MarkdownIt
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT
from schoolwh.reading import charts
from schoolwh.reading import formatting as fmt

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ("overview", "district", "funding", "satisfaction", "issues", "quality", "supervision")

IMAGE_NAME = "![x](http://127.0.0.1:9/t.png)二七区"
LINK_NAME = '<a href="https://example.com">中原区</a>'
BOLD_NAME = "**x**[点我](http://127.0.0.1:9/p)"
HOSTILE = (IMAGE_NAME, LINK_NAME, BOLD_NAME)

# the tags the charts write themselves; anything else in figure text came from the data
# the charts' own markup: line breaks, bold, hover extras and small print (a styled span)
_OWN_TAGS = re.compile(r"</?(br|b|extra)>|<span style='[a-z0-9:;#.\- ]*'>|</span>")
_MARKDOWN = MarkdownIt("commonmark")


# --- helpers --------------------------------------------------------------------------------
# what GitHub-flavoured markdown (Streamlit's) turns into a link in plain text, escaped
# or not: bare URLs, www. addresses and e-mail addresses
_AUTOLINK = re.compile(r"(https?://|www\.|[\w.+-]+@[\w-]+\.\w)", re.IGNORECASE)


def rendered(markdown: str) -> str:
    """Markdown as the HTML a CommonMark renderer makes of it."""
    return _MARKDOWN.render(markdown)


def autolinked(markdown: str) -> list[str]:
    """The text runs GFM would turn into links (raw HTML blocks are left as they are)."""
    runs = []
    for token in _MARKDOWN.parse(markdown):
        for child in token.children or []:
            if child.type == "text" and _AUTOLINK.search(child.content):
                runs.append(child.content)
    return runs


def visible_text(markup: str) -> str:
    """The text a reader sees in rendered HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def figure_strings(spec: Any) -> list[str]:
    """Every string in a figure's JSON (traces, layout, annotations, titles)."""
    out: list[str] = []
    if isinstance(spec, str):
        out.append(spec)
    elif isinstance(spec, dict):
        for value in spec.values():
            out.extend(figure_strings(value))
    elif isinstance(spec, list | tuple):
        for value in spec:
            out.extend(figure_strings(value))
    elif hasattr(spec, "tolist"):
        out.extend(figure_strings(spec.tolist()))
    return out


def assert_figure_is_text(spec: Any, expect: tuple[str, ...] = ()) -> None:
    """No markup from the data in a figure; each of `expect` shown literally."""
    strings = figure_strings(spec)
    for s in strings:
        leftover = _OWN_TAGS.sub("", s)
        assert "<" not in leftover and ">" not in leftover, s
    # what Plotly draws: its own tags dropped, entities decoded
    drawn = "\n".join(html.unescape(_OWN_TAGS.sub(" ", s)) for s in strings)
    for name in expect:
        assert name in drawn, name


# --- the escape --------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*HOSTILE, "a_b*c* `d` #e | f ~g~ $x$ :red[y] \\z", "1. 2\n# h"])
def test_html_heading_shows_the_characters(name):
    """ui.heading's markup: as markdown it is one raw HTML block, so nothing in the name
    is read as markdown, turned into a link or split into a second block."""
    source = f"<h3>{fmt.html_text('学校详情：' + name)}</h3>"
    out = rendered(source)
    assert out.strip() == source
    assert not autolinked(source)
    assert visible_text(out) == "学校详情：" + name.replace("\n", " ")


def test_html_text_escapes_plotly_markup():
    assert fmt.html_text(LINK_NAME) == '&lt;a href="https://example.com"&gt;中原区&lt;/a&gt;'
    assert fmt.html_text("A&B<br>C") == "A&amp;B&lt;br&gt;C"
    assert fmt.html_text("line\nbreak") == "line break"


# --- every chart builder --------------------------------------------------------------------
def _kpi_frame(kpi: str = "lunch_coverage", unit: str = "ratio") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_code": ["410102", "410103", "410104"],
            "district_name": list(HOSTILE),
            "kpi": kpi,
            "value": [0.91, 0.95, 0.97],
            "target": 0.95,
            "unit": unit,
            "status": ["missed", "met", "met"],
            "direction": "higher_is_better",
            "numerator": [91, 95, 97],
            "denominator": [100, 100, 100],
            "ci_lower": [0.85, 0.9, 0.93],
            "ci_upper": [0.95, 0.98, 0.99],
        }
    )


def test_every_chart_builder_writes_data_as_text():
    frame = _kpi_frame()
    figures = [
        charts.status_grid(frame, "zh"),
        charts.ranking_bars(frame, "zh", target=0.95),
        charts.satisfaction_intervals(frame, "district_name", "zh", target=0.9),
        charts.funding_bars(
            frame.assign(allocated=[1e6, 2e6, 3e6], spent=[5e5, 1e6, 2e6]), "district_name", "zh"
        ),
        charts.item_scores(
            pd.DataFrame({"item_label": list(HOSTILE), "mean_score": [4.1, 3.9, 4.5]}), "zh"
        ),
        charts.issues_breakdown(
            pd.DataFrame({"label_text": list(HOSTILE), "closed": [1, 2, 3], "open": [1, 0, 2]}),
            "label_text",
            "zh",
        ),
        charts.overdue_bars(
            pd.DataFrame({"district_name": list(HOSTILE), "severity": "high", "issues": [1, 2, 3]}),
            "district_name",
            "zh",
        ),
        charts.trend_vs_target(
            pd.DataFrame(
                {
                    "period": ["2025-09", "2025-10", IMAGE_NAME],
                    "value": [0.9, 0.92, 0.93],
                    "target": 0.95,
                    "status": "missed",
                    "unit": "ratio",
                }
            ),
            "lunch_coverage",
            "zh",
        ),
        charts.ranking_bars(frame, "zh", title=LINK_NAME),
    ]
    for fig in figures:
        assert_figure_is_text(fig.to_plotly_json())
    # the names are there, as characters
    assert_figure_is_text(figures[0].to_plotly_json(), HOSTILE)
    assert_figure_is_text(figures[1].to_plotly_json(), HOSTILE)
    assert_figure_is_text(figures[-1].to_plotly_json(), (LINK_NAME,))


def test_emphasis_is_bold_but_the_name_stays_text():
    frame = _kpi_frame().assign(**{charts.EMPHASIS: [False, True, False]})
    fig = charts.ranking_bars(frame, "zh", target=0.95)
    labels = list(fig.data[0].y)
    assert f"<b>{fmt.html_text(LINK_NAME)}</b>" in labels
    assert_figure_is_text(fig.to_plotly_json(), HOSTILE)


def test_kpi_summary_tiles_are_text():
    frame = _kpi_frame().head(1).assign(kpi="**不存在的指标**<br>")
    cards = charts.kpi_cards(frame, None, "zh")
    fig = charts.kpi_summary(cards, "zh", title=IMAGE_NAME)
    assert_figure_is_text(fig.to_plotly_json(), (IMAGE_NAME,))


# --- a warehouse with hostile names -------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory) -> Path:
    """The dashboard fixture with 金水区, 中牟县 and school A renamed in every published
    table that carries a name (what a load of such names would publish)."""
    base = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard"))
    path = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    shutil.copy(base, path)
    renames = (
        ("district_name", "district_code", fx.D_JINSHUI, IMAGE_NAME),
        ("district_name", "district_code", fx.D_ZHONGMOU, LINK_NAME),
        ("school_name", "school_code", fx.SCHOOL_A, BOLD_NAME),
    )
    con = duckdb.connect(str(path))
    try:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name "
            "from information_schema.columns c join information_schema.tables t "
            "using (table_schema, table_name) "
            "where c.table_schema in ('marts', 'raw') and t.table_type = 'BASE TABLE' "
            "order by all"
        ).fetchall()
        tables: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in columns:
            tables.setdefault((schema, table), set()).add(column)
        done = 0
        for (schema, table), names in tables.items():
            for name_col, code_col, code, new in renames:
                if name_col in names and code_col in names:
                    con.execute(
                        f'update {schema}."{table}" set {name_col} = ? where {code_col} = ?',
                        [new, code],
                    )
                    done += 1
        assert done >= 5, "the fixture's name columns moved"
    finally:
        con.close()
    return path


@pytest.fixture(autouse=True)
def _loopback():
    """Served on the loopback address without accounts: the open dashboard."""
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", previous)


def _open(monkeypatch, warehouse: Path, page: str, lang: str = "zh") -> AppTest:
    monkeypatch.setenv(ENV_WAREHOUSE, str(warehouse))
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _markdown_sources(at: AppTest) -> list[str]:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(str(e.label) for e in at.expander)
    return parts


def _page_text(at: AppTest) -> str:
    """What the page's markdown shows, as text."""
    return "\n".join(visible_text(rendered(s)) for s in _markdown_sources(at))


def _assert_page_is_text(at: AppTest) -> None:
    """No image, link or emphasis made of the data in the page's markdown or figures."""
    for source in _markdown_sources(at):
        out = rendered(source)
        assert "<img" not in out and "<a " not in out, source
        assert not autolinked(source), source
        if any(name in visible_text(out) for name in HOSTILE):
            assert "<strong>" not in out.replace("<strong>数据截至", ""), source
    for element in at.get("plotly_chart"):
        assert_figure_is_text(json.loads(element.proto.spec))


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_hostile_names_as_text(monkeypatch, hostile_warehouse, page):
    at = _open(monkeypatch, hostile_warehouse, page)
    _assert_page_is_text(at)


def test_district_heading_and_school_detail_show_the_characters(monkeypatch, hostile_warehouse):
    at = _open(monkeypatch, hostile_warehouse, "district")
    assert f"{IMAGE_NAME}（2025年秋季学期）" in _page_text(at)  # the heading, image as text
    at.selectbox(key="school").set_value(fx.SCHOOL_A).run()
    assert f"学校详情：{BOLD_NAME}" in _page_text(at)  # the school detail, bold and link as text
    at.selectbox(key="district").set_value(fx.D_ZHONGMOU).run()
    assert f"{LINK_NAME}（2025年秋季学期）" in _page_text(at)
    _assert_page_is_text(at)
    # the charts carry the names as characters too
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    assert specs


def test_supervision_lists_show_names_menus_and_suppliers_as_text(monkeypatch, hostile_warehouse):
    """The 需要关注 lists hold school names, supplier names and menu text from the files:
    cells of a table, never markup, and the figures name the districts literally."""
    at = _open(monkeypatch, hostile_warehouse, "supervision")
    _assert_page_is_text(at)
    cells = {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}
    for text in (BOLD_NAME, LINK_NAME, fx.HOSTILE_SUPPLIER, fx.HOSTILE_MENU):
        assert text in cells, text
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    assert_figure_is_text(specs[0], (IMAGE_NAME, LINK_NAME))  # the status grid


def test_overview_figures_name_the_districts_literally(monkeypatch, hostile_warehouse):
    at = _open(monkeypatch, hostile_warehouse, "overview")
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    grid = specs[0]
    assert_figure_is_text(grid, (IMAGE_NAME, LINK_NAME))


# --- the briefing: figures, SVG and deck --------------------------------------------------
def test_briefing_figures_and_deck_are_text(hostile_warehouse):
    from pptx import Presentation

    from schoolwh.briefing import data, figures, scope
    from schoolwh.briefing.compose import compose
    from schoolwh.reading.connection import Warehouse

    wh = Warehouse(hostile_warehouse)
    try:
        sc = scope.resolve_scope(wh, "2025-autumn", district=fx.D_ZHONGMOU, lang="zh")
        bd = data.load_data(wh, sc)
    finally:
        wh.close()
    assert not bd.sample  # real names, no sample mark: no sample label
    items = figures.build_figures(bd)
    assert items
    for item in items:
        assert_figure_is_text(item.fig.to_plotly_json())
    ranking = next(i for i in items if i.key == "kpi:lunch_coverage")
    assert_figure_is_text(ranking.fig.to_plotly_json(), (IMAGE_NAME, LINK_NAME))
    # the deck: python-pptx writes runs of plain text, so the name is in it as characters
    deck = compose(bd, {}, figures.TOPICS, None)
    prs = Presentation(__import__("io").BytesIO(deck.to_bytes()))
    runs = [
        r.text
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for r in p.runs
    ]
    assert any(LINK_NAME in r for r in runs)


@pytest.mark.browser
def test_briefing_svg_has_no_link_from_the_data(hostile_warehouse):
    from schoolwh.briefing import export

    if export.missing_requirements():
        pytest.skip(export.missing_requirements())
    fig = charts.ranking_bars(_kpi_frame(), "zh", target=0.95, title=LINK_NAME)
    svg = etree.fromstring(export.figure_image(fig, form="svg"))
    links = [e for e in svg.iter() if isinstance(e.tag, str) and e.tag.endswith("}a")]
    assert not links
    attributes = [v for e in svg.iter() for v in e.attrib.values()]
    assert not any("example.com" in v or "127.0.0.1" in v for v in attributes)
    text = "".join(svg.itertext())
    for name in HOSTILE:
        assert name in text


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_hostile_names_in_chromium_make_no_image_or_link(hostile_warehouse, tmp_path):
    """In the served dashboard no element is made of the data: no image is fetched, no
    link points where a name says, and the names read as their characters."""
    from selenium.webdriver.common.by import By

    with dashboard_in_chromium(hostile_warehouse, tmp_path) as (url, browser):
        for page, wanted in (
            ("district", f"{IMAGE_NAME}（2025年秋季学期）"),
            ("supervision", "监管指标（2025年秋季学期）"),
            ("overview", "指标（2025年秋季学期）"),
        ):
            browser.get(f"{url}/{page}")
            wait_for(browser, lambda b, w=wanted: w in body_text(b) and plots_drawn(b, 1), 60)
            images = [
                i.get_attribute("src") or "" for i in browser.find_elements(By.TAG_NAME, "img")
            ]
            assert not [src for src in images if "127.0.0.1:9" in src], page
            links = [
                a.get_attribute("href") or ""
                for a in browser.find_elements(By.CSS_SELECTOR, "a, svg a")
            ]
            assert not [h for h in links if "example.com" in h or "127.0.0.1:9" in h], page
            assert not browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot a"), page
            browser.save_screenshot(str(tmp_path / f"{page}.png"))
        assert "全市指标（2025年秋季学期）" in body_text(browser)


def test_summary_page_writes_names_as_text(hostile_warehouse):
    from schoolwh.briefing import data, scope
    from schoolwh.briefing.summary import summary_html
    from schoolwh.reading.connection import Warehouse

    wh = Warehouse(hostile_warehouse)
    try:
        bd = data.load_data(wh, scope.resolve_scope(wh, "2025-autumn", lang="zh"))
    finally:
        wh.close()
    page = summary_html(bd)
    assert "<a " not in page and "<img" not in page
    assert html.escape(LINK_NAME, quote=False) in page.replace("&quot;", '"')
    assert visible_text(page).count(IMAGE_NAME) >= 1
