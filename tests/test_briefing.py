"""Briefings (`schoolwh briefing`): on the demo warehouse the command writes every figure
(PNG at print resolution and SVG) and a deck whose slides carry the districts and numbers
of the warehouse, computed here independently with SQL; Chinese is drawn with the CJK
font, not as boxes; bad input and a missing browser get one clear sentence.

Rendering needs Debian's `chromium` and `fonts-noto-cjk`: without them those tests are
skipped, unless REQUIRE_BROWSER=1 (CI), which makes them fail.
"""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import pytest
from conftest import needs_browser, require_browser
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Emu

from schoolwh.briefing import (
    BriefingError,
    ExportError,
    export,
    findings,
    make_briefing,
    names,
    period_type_of,
)
from schoolwh.briefing import downloads as bd
from schoolwh.briefing.data import load_data
from schoolwh.briefing.scope import resolve_scope
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading import status as st_
from schoolwh.reading.connection import Warehouse

PERIOD = "2025-autumn"
PREVIOUS = "2025-spring"
DISTRICT = "金水区"


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def whole_data(warehouse: Path):
    """The briefing data of the whole jurisdiction for PERIOD (a fresh copy: tests change it)."""
    wh = Warehouse(warehouse)
    try:
        return load_data(wh, resolve_scope(wh, PERIOD))
    finally:
        wh.close()


def sql(warehouse: Path, query: str, params: tuple = ()) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def slide_text(slide) -> str:
    parts: list[str] = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            for row in shape.table.rows:
                parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def slide_title(slide) -> str:
    """The title bar's text: the first text box at the top of the slide."""
    boxes = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()]
    top = min(boxes, key=lambda s: (s.top, s.left))
    return top.text_frame.text


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def expected_kpis(warehouse: Path) -> list[tuple[str, str, float | None, str | None]]:
    return sql(
        warehouse,
        "select kpi, kpi_name_zh, value, status from marts.kpi_overall "
        "where period_type = 'term' and period = ? order by kpi_sort_order",
        (PERIOD,),
    )


# ---------------------------------------------------------------------------------------
# one full briefing of the whole jurisdiction, shared by the tests below
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def briefing(demo_warehouse, tmp_path_factory):
    needs_browser()
    out = tmp_path_factory.mktemp("briefing")
    return make_briefing(demo_warehouse, PERIOD, out)


@pytest.fixture(scope="session")
def deck(briefing):
    return Presentation(str(briefing.deck))


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_command_writes_every_figure_and_the_deck(briefing, demo_warehouse):
    written = {p.name for p in briefing.files}
    scope = "全市"  # 郑州市, a city: 全市 in the file names (全域 only for an unknown kind)
    expected = {f"{PERIOD}_{scope}_简报.pptx"}
    for _kpi, name, value, _status in expected_kpis(demo_warehouse):
        if value is None:
            continue
        stem = "满意率" if name == "满意率" else f"{name}_区县排名"
        expected |= {f"{PERIOD}_{scope}_{stem}.png", f"{PERIOD}_{scope}_{stem}.svg"}
    for stem in ("指标概览", "区县达标情况", "资金执行进度", "问题发现与整改"):
        expected |= {f"{PERIOD}_{scope}_{stem}.png", f"{PERIOD}_{scope}_{stem}.svg"}
    monthly = sql(
        demo_warehouse,
        "select distinct kpi_name_zh from marts.kpi_overall where period_type = 'month' "
        "and kpi <> 'budget_execution' and value is not null "
        "and period between '2025-02' and '2026-01'",
    )
    assert monthly, "the demo warehouse has monthly KPIs"
    expected |= {f"{PERIOD}_{scope}_{name}_月度趋势.png" for (name,) in monthly}
    overdue = sql(demo_warehouse, "select count(*) from marts.fct_issues where is_overdue")[0][0]
    if overdue:
        expected.add(f"{PERIOD}_{scope}_逾期问题.png")
    missing = expected - written
    assert not missing, f"not written: {sorted(missing)}"
    assert all(p.exists() for p in briefing.files)
    assert not list(briefing.out_dir.glob(".*partial")), "no half-written files are left"
    # the example name of the issue, for a district, is produced by the same rule
    assert names.file_name(PERIOD, DISTRICT, "满意率", "png") == "2025-autumn_金水区_满意率.png"


@pytest.mark.browser
def test_pngs_are_print_resolution_and_svgs_are_drawings(briefing):
    from PIL import Image

    pngs = [p for p in briefing.figures if p.suffix == ".png"]
    svgs = [p for p in briefing.figures if p.suffix == ".svg"]
    assert len(pngs) == len(svgs) >= 20
    for path in pngs:
        width, height = png_size(path.read_bytes())
        assert width >= 1900 and height >= 700, f"{path.name} is {width}×{height}"
        assert path.stat().st_size > 30_000, f"{path.name} is nearly empty"
        with Image.open(path) as image:
            colours = image.convert("RGB").resize((300, 200)).getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 20, f"{path.name} looks blank"
    for path in svgs:
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg") and "<text" in text


@pytest.mark.browser
def test_deck_is_16_9_with_the_slides_in_order(deck, demo_warehouse):
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.01)
    slides = list(deck.slides)
    titles = [slide_title(s) for s in slides]
    kpis = [k for k in expected_kpis(demo_warehouse)]
    # title, 结论与建议, overview, status grid, the KPIs below or near target, funding,
    # issues, overdue issues (at most 12 presented); then the appendix: the other KPIs,
    # trends, data quality
    assert "郑州市" in slide_text(slides[0]) and "2025年秋季学期" in slide_text(slides[0])
    assert "数据截至 2025年12月31日" in slide_text(slides[0])
    assert titles[1] == "结论与建议"
    assert titles[2] == "指标概览"
    assert titles[3] == "区县 × 指标达标情况"
    appendix = titles.index("附录")
    assert appendix <= 12  # the presented part
    main = titles[:appendix]
    assert main[-3:] == ["资金执行进度：累计支出与目标进度", "问题发现与整改", "逾期未整改问题"]
    below = [name for _, name, _, status in kpis if status in ("missed", "near")]
    # the supervision slide and its grid stand after the KPIs off target
    assert main[-5:-3] == ["监管一屏统揽", "区县 × 监管指标达标情况"]
    shown = main[4:-5]
    assert shown and all(name in below for name in shown)  # the main part: KPIs off target
    assert [n for n in below if n in shown] == shown[: len(shown)]
    # every KPI has its slide, in the main part or the appendix
    assert {name for _, name, _, _ in kpis} <= set(titles)
    assert "月度趋势与目标" in titles[appendix:] and titles[-1] == "数据质量"
    for slide in slides:
        if slide_title(slide) in {name for _, name, value, _ in kpis if value is not None}:
            assert len(pictures(slide)) == 1, f"the {slide_title(slide)} slide has its figure"
    for slide in slides:
        assert slide.shapes, "no empty slide"


@pytest.mark.browser
def test_overview_table_has_values_and_status_colours(deck, demo_warehouse):
    # the overview's table, and the supervision slide's for the supervision KPIs
    tables = [
        next(s for s in slide.shapes if s.has_table).table
        for slide in deck.slides
        if slide_title(slide) in ("指标概览", "监管一屏统揽")
    ]
    assert len(tables) == 2
    rows = {t.cell(r, 0).text: (t, r) for t in tables for r in range(1, len(t.rows))}
    units = dict(sql(demo_warehouse, "select kpi, unit from marts.kpi_definitions"))
    for kpi, name, value, status in expected_kpis(demo_warehouse):
        table, r = rows[name]
        unit = units[kpi]
        assert table.cell(r, 1).text == fmt.kpi_value(value, unit, "zh")
        style = st_.style(status)
        assert style.glyph in table.cell(r, 3).text
        assert str(table.cell(r, 3).fill.fore_color.rgb) == style.colour.lstrip("#").upper()


@pytest.mark.browser
def test_kpi_slide_names_the_districts_below_target(deck, demo_warehouse):
    below = sql(
        demo_warehouse,
        "select district_name, value from marts.kpi_district where period_type = 'term' "
        "and period = ? and kpi = 'lunch_coverage' and status in ('near', 'missed') "
        "order by value, district_name",
        (PERIOD,),
    )
    assert below, "the demo sample has districts below the lunch coverage target"
    slide = next(s for s in deck.slides if slide_title(s) == "午餐供餐覆盖率")
    text = slide_text(slide).replace("\n", "")
    assert f"{len(below)} 个区县低于目标：" in text
    for name, value in below[:5]:
        assert f"{name} {fmt.percent(value)}" in text
    overall = sql(
        demo_warehouse,
        "select value from marts.kpi_overall where period_type = 'term' and period = ? "
        "and kpi = 'lunch_coverage'",
        (PERIOD,),
    )[0][0]
    assert f"全市 {fmt.percent(overall)}" in text  # 郑州市: 全市, not 全域


@pytest.mark.browser
def test_kpi_slide_names_the_largest_change(deck, demo_warehouse):
    changes = sql(
        demo_warehouse,
        "select a.district_name, a.value - b.value as change, b.value, a.value "
        "from marts.kpi_district a join marts.kpi_district b "
        "on a.district_code = b.district_code and a.kpi = b.kpi and b.period = ? "
        "where a.period_type = 'term' and a.period = ? and a.kpi = 'eating_share' "
        "and a.value is not null and b.value is not null "
        "order by round(abs(a.value - b.value) * 1000) desc, a.district_name",
        (PREVIOUS, PERIOD),
    )
    name, change, before, after = changes[0]
    slide = next(s for s in deck.slides if slide_title(s) == "在校就餐学生占比")
    text = slide_text(slide).replace("\n", "")
    assert (
        f"较2025年春季学期变化最大：{name} {fmt.points(change)}"
        f"（{fmt.percent(before)} → {fmt.percent(after)}）"
    ) in text


@pytest.mark.browser
def test_overdue_and_quality_slides_carry_the_counts(deck, demo_warehouse):
    overdue = sql(
        demo_warehouse,
        "select s.school_name, i.days_overdue from marts.fct_issues i "
        "join marts.dim_school s using (school_code) where i.is_overdue "
        "order by i.days_overdue desc",
    )
    slide = next(s for s in deck.slides if slide_title(s) == "逾期未整改问题")
    text = slide_text(slide)
    assert f"逾期未整改问题 {len(overdue)} 个" in text
    if overdue:
        assert f"最长逾期 {overdue[0][1]} 天" in text
        assert overdue[0][0] in text, "the most overdue school is listed"

    quarantined = sql(demo_warehouse, "select count(*) from audit.quarantine")[0][0]
    completeness = sql(
        demo_warehouse,
        "select value from marts.kpi_overall where period_type = 'term' and period = ? "
        "and kpi = 'reporting_completeness'",
        (PERIOD,),
    )[0][0]
    slide = next(s for s in deck.slides if slide_title(s) == "数据质量")
    text = slide_text(slide)
    assert f"累计隔离数据行 {fmt.number(quarantined)} 行" in text
    assert f"数据填报完整率：{fmt.percent(completeness)}" in text


@pytest.mark.browser
def test_deck_text_names_the_cjk_font(deck):
    runs = [
        run
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for para in shape.text_frame.paragraphs
        for run in para.runs
    ]
    assert runs
    for run in runs:
        r_pr = run._r.find(qn("a:rPr"))
        assert r_pr.find(qn("a:latin")).get("typeface") == "Noto Sans CJK SC"
        assert r_pr.find(qn("a:ea")).get("typeface") == "Noto Sans CJK SC"


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_district_briefing_in_english(demo_warehouse, tmp_path):
    needs_browser()
    code = sql(
        demo_warehouse,
        "select district_code from marts.dim_district where district_name = ?",
        (DISTRICT,),
    )[0][0]
    result = make_briefing(
        demo_warehouse,
        PERIOD,
        tmp_path,
        district=code,
        lang="en",
        topics=("kpis",),
        kpis=("lunch_demand_met", "satisfaction_rate"),
    )
    written = {p.name for p in result.files}
    assert f"{PERIOD}_{DISTRICT}_satisfaction-rate.png" in written
    assert f"{PERIOD}_{DISTRICT}_Lunch-demand-met_district-ranking.svg" in written
    assert f"{PERIOD}_{DISTRICT}_briefing.pptx" in written

    rows = sql(
        demo_warehouse,
        "select district_code, value from marts.kpi_district where period_type = 'term' "
        "and period = ? and kpi = 'lunch_demand_met' and value is not null",
        (PERIOD,),
    )
    mine = next(v for c, v in rows if c == code)
    rank = 1 + sum(1 for _, v in rows if v > mine)
    prs = Presentation(str(result.deck))
    assert "School lunch and after-school briefing: 郑州市 金水区" in slide_text(prs.slides[0])
    slide = next(s for s in prs.slides if slide_title(s) == "Lunch demand met")
    text = slide_text(slide).replace("\n", " ")
    assert f"{DISTRICT}: {fmt.percent(mine, 'en')}" in text
    assert f"Ranked {rank} of {len(rows)} districts" in text


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_chinese_is_drawn_with_the_cjk_font_not_boxes():
    """The SVG names Noto Sans CJK SC, fontconfig resolves that name to the Noto CJK file,
    and the PNG shows real glyphs: two different characters draw differently (missing
    glyphs are all the same box), and a run of ten full-width characters is ten ems wide
    (fallback boxes are narrower)."""
    needs_browser()
    from PIL import Image, ImageChops

    from schoolwh.reading import charts

    def figure(text: str) -> go.Figure:
        fig = go.Figure()
        fig.add_annotation(
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            text=text,
            showarrow=False,
            font={"family": charts.FONT, "size": 40, "color": "#000000"},
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.update_layout(template="plotly_white", margin={"l": 0, "r": 0, "t": 0, "b": 0})
        return fig

    requests = [
        export.ImageRequest(figure("金"), 200, 100, ("png",)),
        export.ImageRequest(figure("水"), 200, 100, ("png",)),
        export.ImageRequest(figure("金" * 10), 600, 100, ("png", "svg")),
    ]
    gold, water, run = export.render(requests, scale=1)

    svg = run["svg"].decode("utf-8")
    assert "font-family: 'Noto Sans CJK SC'" in svg
    matched = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}", "Noto Sans CJK SC"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Noto Sans CJK" in matched and "NotoSansCJK" in matched.replace(" ", "")

    def ink(data: bytes) -> Image.Image:
        return Image.open(io.BytesIO(data)).convert("L").point(lambda v: 255 if v < 128 else 0)

    a, b = ink(gold["png"]), ink(water["png"])
    assert a.getbbox() and b.getbbox(), "the characters are drawn"
    assert ImageChops.difference(a, b).getbbox(), "different characters look different"
    left, _, right, _ = ink(run["png"]).getbbox()
    assert 0.9 * 400 <= right - left <= 1.02 * 400, "ten full-width glyphs are ten ems wide"


# ---------------------------------------------------------------------------------------
# the dashboard's download helpers
# ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.timeout(120)
def test_dashboard_downloads_png_and_page_deck(demo_warehouse):
    needs_browser()
    fig = go.Figure(go.Bar(x=[1, 2], y=["金水区", "中牟县"], orientation="h"))
    fig.update_layout(height=300)
    png = bd.figure_png(fig)
    assert png_size(png) == (3000, 900)
    archive = zipfile.ZipFile(io.BytesIO(bd.figures_zip({"排名": fig, "排名 二": fig})))
    assert sorted(archive.namelist()) == ["排名-二.png", "排名.png"]

    deck_bytes = bd.page_deck(demo_warehouse, "satisfaction", PERIOD)
    prs = Presentation(io.BytesIO(deck_bytes))
    titles = [slide_title(s) for s in list(prs.slides)[1:]]
    assert titles == ["结论与建议", "指标概览", "满意率"]
    assert bd.deck_file_name(PERIOD, None, "zh", "satisfaction", jurisdiction="郑州市") == (
        "2025-autumn_全市_简报-satisfaction.pptx"
    )


# ---------------------------------------------------------------------------------------
# without a browser: input, messages, names, findings
# ---------------------------------------------------------------------------------------
def test_period_type_is_read_from_the_form():
    assert period_type_of("2025-autumn") == "term"
    assert period_type_of("2026-spring") == "term"
    assert period_type_of("2025-09") == "month"
    assert period_type_of("2025") == "year"
    for bad in ("2025-13", "2025-fall", "25-09", "2025/09", ""):
        assert period_type_of(bad) is None


def test_unknown_period_or_district_says_what_exists(demo_warehouse, tmp_path):
    with pytest.raises(BriefingError) as exc:
        make_briefing(demo_warehouse, "2027-spring", tmp_path)
    assert "2027-spring" in str(exc.value) and "2025-autumn" in str(exc.value)
    with pytest.raises(BriefingError) as exc:
        make_briefing(demo_warehouse, "2025-13", tmp_path)
    assert "2025-autumn" in str(exc.value) and "(2025-09)" in str(exc.value)
    with pytest.raises(BriefingError) as exc:
        make_briefing(demo_warehouse, PERIOD, tmp_path, district="不存在区")
    assert "不存在区" in str(exc.value) and "金水区" in str(exc.value)
    with pytest.raises(BriefingError) as exc:
        make_briefing(tmp_path / "missing.duckdb", PERIOD, tmp_path)
    assert "schoolwh load" in str(exc.value)
    assert not list(tmp_path.glob("*.p*")), "nothing is written for bad input"


def test_missing_browser_or_font_names_what_to_install(monkeypatch, demo_warehouse, tmp_path):
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    monkeypatch.setattr(export, "find_cjk_font", lambda: "Noto Sans CJK SC")
    with pytest.raises(ExportError) as exc:
        make_briefing(demo_warehouse, PERIOD, tmp_path)
    message = str(exc.value)
    assert "apt-get install chromium fonts-noto-cjk" in message and "Chromium" in message
    assert "\n" not in message

    monkeypatch.setattr(export, "find_chromium", lambda: Path("/usr/bin/chromium"))
    monkeypatch.setattr(export, "find_cjk_font", lambda: None)
    message = export.missing_requirements()
    assert message and "Noto Sans CJK SC" in message and "fonts-noto-cjk" in message


def test_file_names_are_stable_and_safe():
    assert names.file_name("2025-autumn", "金水区", "满意率", "png") == (
        "2025-autumn_金水区_满意率.png"
    )
    assert names.file_name("2025", "all-districts", "Budget execution/rate", ".svg") == (
        "2025_all-districts_Budget-execution_rate.svg"
    )
    assert names.safe_part('a:b*c?"d<e>f|g') == "a_b_c_d_e_f_g"
    # the whole jurisdiction by its kind: 全市 for a city, 全县 for a county, 全域 unknown
    assert bd.deck_file_name(PERIOD, None, "zh", jurisdiction="登封县") == (
        "2025-autumn_全县_简报.pptx"
    )
    assert bd.summary_file_name(PERIOD, None, "zh", jurisdiction="全域") == (
        "2025-autumn_全域_一页摘要.pdf"
    )
    assert bd.summary_file_name(PERIOD, None, "en", jurisdiction="郑州市") == (
        "2025-autumn_all-districts_one-page-summary.pdf"
    )
    assert bd.figures_file_name(PERIOD, "金水区", "zh", "区县", jurisdiction="郑州市") == (
        "2025-autumn_金水区_图表-区县.zip"
    )


def test_quality_only_deck_needs_no_browser_and_is_replaced(monkeypatch, demo_warehouse, tmp_path):
    """A deck without figures is written without Chromium; running again replaces it."""
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    first = make_briefing(demo_warehouse, PERIOD, tmp_path, topics=("quality",))
    before = first.deck.stat().st_mtime_ns
    second = make_briefing(demo_warehouse, PERIOD, tmp_path, topics=("quality",))
    assert second.deck == first.deck and second.deck.stat().st_mtime_ns >= before
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.deck.name]
    prs = Presentation(str(second.deck))
    assert [slide_title(s) for s in list(prs.slides)[1:]] == ["结论与建议", "附录", "数据质量"]
    assert second.summary_pdf is None  # the summary is made with the KPI figures
    assert prs.slide_width == Emu(12_192_000)


def test_findings_for_a_district(demo_warehouse):
    wh = Warehouse(demo_warehouse)
    try:
        scope = resolve_scope(wh, PERIOD, district=DISTRICT)
        data = load_data(wh, scope)
    finally:
        wh.close()
    (value,) = sql(
        demo_warehouse,
        "select value from marts.kpi_district where period_type = 'term' "
        "and period = ? and kpi = 'lunch_coverage' and district_name = ?",
        (PERIOD, DISTRICT),
    )[0]
    found = findings.kpi_findings(data, "lunch_coverage")
    assert 2 <= len(found) <= 3
    assert found[0].startswith(f"{DISTRICT} {fmt.percent(value)}（目标 100.0%）")
    assert "个区县中排第" in found[1] or "并列" in found[1]  # ties share a rank
    numerator, denominator = sql(
        demo_warehouse,
        "select numerator, denominator from marts.kpi_district where period_type = 'term' "
        "and period = ? and kpi = 'lunch_coverage' and district_name = ?",
        (PERIOD, DISTRICT),
    )[0]
    assert found[2] == f"{int(denominator)} 所学校中 {int(numerator)} 所供应午餐。"


# ---------------------------------------------------------------------------------------
# the synthetic sample is labelled (the demo warehouse is the generator's sample, loaded)
# ---------------------------------------------------------------------------------------
@pytest.mark.browser
def test_sample_is_labelled_on_the_title_slide_and_every_footer(deck):
    assert "示例数据（合成）" in slide_text(deck.slides[0])
    for number, slide in enumerate(deck.slides, start=1):
        assert "示例数据（合成）" in slide_text(slide), number


def test_sample_is_labelled_in_every_briefing_figure(demo_warehouse):
    from schoolwh.briefing.figures import build_figures

    wh = Warehouse(demo_warehouse)
    try:
        data = load_data(wh, resolve_scope(wh, PERIOD, lang="en"))
    finally:
        wh.close()
    assert data.sample
    items = build_figures(data)
    assert items
    for item in items:
        notes = [a.text for a in item.fig.layout.annotations]
        assert "Sample data (synthetic)" in notes, item.key


# ---------------------------------------------------------------------------------------
# the one-page A4 summary (PDF printed by Chromium)
# ---------------------------------------------------------------------------------------
def pdf_tools() -> tuple[str, str]:
    import shutil

    info, text = shutil.which("pdfinfo"), shutil.which("pdftotext")
    if info and text:
        return info, text
    if require_browser():
        pytest.fail("REQUIRE_BROWSER=1 but poppler-utils (pdfinfo, pdftotext) is missing")
    pytest.skip("poppler-utils (pdfinfo, pdftotext) is needed to read the PDF")


def pdf_facts(path: Path) -> tuple[dict[str, str], str]:
    info, text = pdf_tools()
    meta = subprocess.run([info, str(path)], capture_output=True, text=True, check=True).stdout
    facts = {
        k.strip(): v.strip() for k, _, v in (line.partition(":") for line in meta.splitlines())
    }
    body = subprocess.run([text, str(path), "-"], capture_output=True, text=True, check=True)
    return facts, body.stdout


@pytest.mark.browser
def test_briefing_writes_a_one_page_a4_summary_with_searchable_chinese(briefing, demo_warehouse):
    path = briefing.summary_pdf
    assert path.name == f"{PERIOD}_全市_一页摘要.pdf" and path in briefing.files
    facts, text = pdf_facts(path)
    assert facts["Pages"] == "1"
    width, height = (float(x) for x in facts["Page size"].split()[0:3:2])
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait, in points
    flat = "".join(text.split())
    place, as_of = sql(
        demo_warehouse,
        "select '郑州市', strftime(as_of_date, '%Y年%-m月%-d日') from marts.build_info",
    )[0]
    for expected in (f"{place}学校午餐与课后服务工作简报", "2025年秋季学期", f"数据截至{as_of}",
                     "示例数据（合成）", "午餐供餐覆盖率", "未达标", "要点"):  # fmt: skip
        assert expected in flat, expected
    # the district table: every district of the warehouse by name
    for (name,) in sql(demo_warehouse, "select district_name from marts.dim_district"):
        assert name in flat, name
    assert "一页摘要" in briefing.summary()


def test_summary_findings_are_three_to_five(demo_warehouse):
    from schoolwh.briefing.summary import summary_findings

    data = whole_data(demo_warehouse)
    found = summary_findings(data)
    assert 3 <= len(found) <= 5
    assert any("低于目标" in f for f in found)


def test_the_briefings_rankings_show_year_on_year_with_the_previous_period(demo_warehouse):
    """The deck's rankings had 环比 and the rank change, but no 同比 though last year's
    term is in the warehouse (the sample covers 2024 and 2025)."""
    from schoolwh.briefing.figures import kpi_figure

    data = whole_data(demo_warehouse)
    assert not data.districts_of("lunch_coverage", year_ago=True).empty
    item = kpi_figure(data, "lunch_coverage")
    texts = [a.text for a in item.fig.layout.annotations]
    beside = [x for x in texts if "环比" in x]
    assert beside and all("同比" in x for x in beside), beside


def test_the_briefings_issue_figure_keeps_not_yet_due_apart_from_overdue(demo_warehouse):
    """The deck's 问题发现与整改 counted issues not yet due as unclosed, like the page did."""
    from schoolwh.briefing.figures import issues_month

    data = whole_data(demo_warehouse)
    item = issues_month(data)
    assert item is not None and item.name == "问题发现与整改"
    assert [tr.name for tr in item.fig.data[:3]] == ["已整改", "已逾期", "未到期"]
    assert "未到期问题不计入整改率" in item.fig.layout.title.text


# ---------------------------------------------------------------------------------------
# the deck's words: 持平, ties, "…等；另有"
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def city_data(demo_warehouse):
    wh = Warehouse(demo_warehouse)
    try:
        return load_data(wh, resolve_scope(wh, PERIOD, district=DISTRICT))
    finally:
        wh.close()


def test_no_change_reads_chiping_not_zero():
    """ "较2025年春季学期0.0个百分点" and "0天" where 持平 belongs."""
    import pandas as pd

    from schoolwh.reading import charts

    now = pd.DataFrame({"kpi": ["a", "b"], "value": [0.9, 7.0], "unit": ["ratio", "days"],
                        "status": "met", "target": None})  # fmt: skip
    cards = charts.kpi_cards(now, now.assign(value=[0.90001, 7.02]), "zh", "2025年春季学期")
    assert [c.delta_text for c in cards] == ["与2025年春季学期持平"] * 2
    assert all(c.delta_is_good is None for c in cards)


def test_headline_says_chiping(city_data):
    kpis = city_data.kpis.copy()
    kpi = str(kpis["kpi"].iloc[0])
    before = city_data.previous_kpis.copy()
    before.loc[before["kpi"] == kpi, "value"] = float(kpis["value"].iloc[0])
    city_data.previous_kpis = before
    text = findings.headline(city_data, kpi)
    assert "持平" in text and "0.0个百分点" not in text


def test_rank_is_tie_aware(city_data):
    """ "第 1 名（共 16 个）" when all 16 tie at 100 %."""
    by_district = city_data.by_district.copy()
    by_district.loc[by_district["kpi"] == "lunch_coverage", "value"] = 1.0
    city_data.by_district = by_district
    text = findings.rank(city_data, "lunch_coverage")
    n = int((by_district["kpi"] == "lunch_coverage").sum())
    assert text.startswith(f"{n} 个区县均为 100.0%，并列") and "排第" not in text
    assert "全市为" in text


def test_below_target_never_says_deng_dun_ling_you(demo_warehouse):
    data = whole_data(demo_warehouse)
    frame = data.by_district
    sat = frame["kpi"] == "satisfaction_rate"
    codes = list(frame.loc[sat, "district_code"])
    status = ["missed"] * 7 + ["insufficient_sample"] * (len(codes) - 7)
    frame.loc[sat, "status"] = status
    data.by_district = frame
    text = findings.below_target(data, "satisfaction_rate")
    assert "等；另有" in text and "等、另有" not in text


def test_an_image_drawn_once_is_not_drawn_again(monkeypatch):
    """The PNG, PDF and PPTX buttons of a page draw the same figures: an image already
    drawn in the process (same figure, size, format, scale) comes from memory; a changed
    figure, size or format is drawn."""
    drawn: list[tuple[str, int, tuple[str, ...]]] = []

    async def fake_draw(chromium, requests, scale, tabs, timeout):
        out = []
        for r in requests:
            drawn.append((r.fig.layout.title.text, r.width, r.formats))
            out.append({f: f"{r.fig.layout.title.text}:{r.width}:{f}".encode() for f in r.formats})
        return out

    monkeypatch.setattr(export, "_render_all", fake_draw)
    monkeypatch.setattr(export, "require_browser", lambda: Path("chromium"))
    monkeypatch.setattr(export, "_DRAWN", export._Drawn(10_000))

    def fig(title: str) -> go.Figure:
        return go.Figure(layout={"title": {"text": title}})

    first = export.render([export.ImageRequest(fig("甲"), 100, 50, ("png", "svg"))])
    assert first == [{"png": b"\xe7\x94\xb2:100:png", "svg": b"\xe7\x94\xb2:100:svg"}]
    again = export.render(
        [
            export.ImageRequest(fig("甲"), 100, 50, ("png",)),  # drawn before
            export.ImageRequest(fig("乙"), 100, 50, ("png",)),  # another figure
            export.ImageRequest(fig("甲"), 200, 50, ("png",)),  # another size
        ]
    )
    assert [sorted(one) for one in again] == [["png"], ["png"], ["png"]]
    assert again[0]["png"] == first[0]["png"]
    assert drawn == [("甲", 100, ("png", "svg")), ("乙", 100, ("png",)), ("甲", 200, ("png",))]
    # bounded: an image larger than the whole store is returned but not kept
    monkeypatch.setattr(export, "_DRAWN", export._Drawn(5))
    export.render([export.ImageRequest(fig("丙"), 100, 50, ("png",))])
    export.render([export.ImageRequest(fig("丙"), 100, 50, ("png",))])
    assert drawn[-2:] == [("丙", 100, ("png",)), ("丙", 100, ("png",))]


# ---------------------------------------------------------------------------------------
# a district leader's briefing: read from the district's own extract
# ---------------------------------------------------------------------------------------
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_a_district_leaders_deck_has_no_one_bar_ranking_and_says_sample(demo_warehouse, tmp_path):
    """The deck a district leader downloaded had about 11 slides ranking one bar
    (「1 个区县低于目标：金水区」) and no 示例数据（合成）."""
    import shutil

    from schoolwh.briefing.compose import compose
    from schoolwh.briefing.deck import Picture
    from schoolwh.briefing.figures import build_figures
    from schoolwh.pipeline.extracts import ensure_extract

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, copy)
    extract = ensure_extract(copy, ("410105",))
    wh = Warehouse(extract)
    try:
        data = load_data(wh, resolve_scope(wh, PERIOD))
    finally:
        wh.close()
    assert data.sample and data.one_district and data.schools
    items = build_figures(data)
    assert "status_grid" not in {i.key for i in items}  # one row is no grid
    for item in items:
        for trace in item.fig.data:
            if trace.type == "bar" and trace.orientation == "h" and item.key.startswith("kpi:"):
                assert len(trace.y) > 1, item.key
    ranked = [i for i in items if i.key.startswith("kpi:")]
    assert ranked and {i.kpi for i in ranked} <= set(data.schools)  # its schools, ranked
    deck = compose(data, {i.key: Picture(TINY_PNG, i.width, i.height) for i in items})
    slides = [slide_text(s) for s in deck.prs.slides]
    assert "示例数据（合成）" in slides[0]
    assert "项指标" in slides[0] and "最弱" not in slides[0]  # the headline; no district to compare
    text = "\n".join(slides)
    for wrong in ("1 个区县", "共 1 个", "第 1 名", "暂无数据"):
        assert wrong not in text, wrong
    assert "所学校低于目标" in text  # what a district's leader acts on: its schools
    # its files are named for the district, not 全区, the period in one form
    assert data.scope.file_label == "金水区"
    assert (
        bd.summary_file_name(
            data.scope.period_label,
            q.overall_place(Warehouse(extract)),
            "zh",
            jurisdiction="金水区",
        )
        == "2025年秋季学期_金水区_一页摘要.pdf"
    )


def test_the_pdf_and_the_deck_lead_with_the_headline_and_the_furthest_kpi(demo_warehouse):
    """The PDF's 要点 and the deck's 结论 left out the KPI furthest from its target, and
    neither had a headline."""
    from schoolwh.briefing.compose import compose
    from schoolwh.briefing.summary import summary_findings, summary_html
    from schoolwh.reading.headline import furthest_first, headline
    from schoolwh.reading.i18n import kpi_name

    data = whole_data(demo_warehouse)
    line = headline(data.kpis, data.by_district, "zh")
    assert "项达标" in line and "最弱：" in line
    furthest = furthest_first(data.kpis)
    assert not furthest.empty
    name = kpi_name(str(furthest.iloc[0]["kpi"]), "zh")
    assert f"距目标最远：{name}" in line
    assert summary_findings(data)[0].startswith(name)  # 要点 and 结论 lead with it
    page = summary_html(data)
    assert line in page
    deck = compose(data, {}, topics=("kpis",))
    assert line in slide_text(deck.prs.slides[0])


def test_recommendations_name_what_to_do_in_sentences_of_their_own(demo_warehouse):
    """The four recommendations repeated one pattern (「…未达标：请…重点整改，下期复核。」)."""
    from schoolwh.reading.headline import furthest_first
    from schoolwh.reading.i18n import kpi_name

    data = whole_data(demo_warehouse)
    recs = findings.recommendations(data)
    assert 2 <= len(recs) <= findings.MAX_RECOMMENDATIONS
    assert recs[0].startswith(kpi_name(str(furthest_first(data.kpis).iloc[0]["kpi"]), "zh"))
    actions = [r.rsplit("：", 1)[-1][-10:] for r in recs]
    assert len(set(actions)) == len(actions), recs  # no two end the same way
    assert not any("重点整改，下期复核" in r for r in recs)


def test_trend_slides_carry_their_points(demo_warehouse):
    """The trend slides were four charts and no 要点."""
    from schoolwh.briefing.compose import compose
    from schoolwh.briefing.deck import Picture
    from schoolwh.briefing.figures import build_figures
    from schoolwh.reading.i18n import kpi_name

    data = whole_data(demo_warehouse)
    items = build_figures(data)
    deck = compose(data, {i.key: Picture(TINY_PNG, i.width, i.height) for i in items})
    trend_slides = [slide_text(s) for s in deck.prs.slides if "趋势" in slide_title(s)]
    assert trend_slides
    for text in trend_slides:
        lines = [line for line in text.splitlines() if "→" in line and "最差" in line]
        assert 1 <= len(lines) <= 4, text
    first = data.trend_kpis()[0]
    assert any(kpi_name(first, "zh") + "：" in t for t in trend_slides)
