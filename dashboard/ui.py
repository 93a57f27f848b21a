"""Streamlit building blocks the pages compose: language, filters, cards, tables.

Pages call these and the query and chart modules; they hold no SQL and no figure code.
"""

from __future__ import annotations

import html
import runpy
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from schoolwh.briefing.scope import jurisdiction_name
from schoolwh.reading import charts, downloads, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading import status as st_
from schoolwh.reading.connection import Warehouse, get_warehouse, warehouse_path
from schoolwh.reading.i18n import DEFAULT_LANG, LANGS, enum_label, kpi_name, t

LANG_KEY = "lang"
SAMPLE_KEY = "_sample_warehouse"  # set on every run by as_of_caption
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    # the camera button saves a PNG at print resolution
    "toImageButtonOptions": {"format": "png", "scale": 3},
}


# ---------------------------------------------------------------------------------------
# language and warehouse
# ---------------------------------------------------------------------------------------
def lang() -> str:
    """The language chosen in the sidebar (Chinese unless switched)."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


# Filter widgets: keys starting with `f_`, and the two a page's address carries.
FILTER_PREFIX = "f_"
ADDRESS_KEYS = ("district", "school")


def _relabel_filters() -> None:
    """After a language switch, hand every filter its value again: a widget whose value
    was set from Python is redrawn by the browser with its labels in the new language
    (otherwise the browser keeps showing the old language's label of the chosen option)."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and (key.startswith(FILTER_PREFIX) or key in ADDRESS_KEYS):
            value = st.session_state[key]
            st.session_state[key] = list(value) if isinstance(value, list) else value


# Streamlit's own English inside its widgets, on a Chinese page: the "Press Enter to submit
# form" hints under text boxes are left out (Enter still submits), and a failed file chip
# says why in Chinese (its tooltip is Streamlit's English).
WIDGET_TEXT_CSS = """<style>
[data-testid="InputInstructions"] { display: none !important; }
[data-testid="stFileChip"]:has([data-testid="stFileChipIconError"])::after {
  content: "文件过大或类型不支持"; color: #B00020; font-size: 0.8rem; margin-left: 0.5rem; }
</style>"""


def widget_text_css(current: str) -> None:
    """No English of Streamlit's widgets on a Chinese page (every page, the login too)."""
    if current == "zh":
        st.markdown(WIDGET_TEXT_CSS, unsafe_allow_html=True)


def file_uploader(
    label: str, types: Sequence[str], limit_mb: int, key: str, *, multiple: bool = True
) -> Any:
    """A file uploader that refuses a file over `limit_mb` in the browser already, and on
    a Chinese page says 选择文件 and its limit in Chinese instead of Streamlit's English
    (`Upload`, `200MB per file • CSV`)."""
    current = lang()
    if current == "zh":
        kinds = "、".join(s.lstrip(".").upper() for s in types)
        button = t("upload.pick", current)
        hint = t("upload.limit", current, mb=limit_mb, kinds=kinds)
        scope = f".st-key-{key}"
        button_at = f'{scope} [data-testid="stFileUploaderDropzone"] button'
        hint_at = f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] > div'
        st.markdown(
            "<style>"
            f'{button_at} [data-testid="stMarkdownContainer"] p {{ display: none; }}'
            f'{button_at} [data-testid="stMarkdownContainer"]::after '
            f'{{ content: "{_css_text(button)}"; }}'
            f"{hint_at} span {{ display: none; }}"
            f'{hint_at}::after {{ font-size: 0.8rem; content: "{_css_text(hint)}"; }}'
            "</style>",
            unsafe_allow_html=True,
        )
    return st.file_uploader(
        label,
        type=[s.lstrip(".") for s in types],
        accept_multiple_files=multiple,
        key=key,
        max_upload_size=limit_mb,
    )


def _css_text(text: str) -> str:
    """Text for a CSS `content` string: only letters, digits, CJK and plain punctuation."""
    return "".join(ch for ch in text if ch.isalnum() or ch in " .,、·，（）()-/")


NOTE_LEVELS = {
    "success": ("#E8F5E9", "#1B5E20"),
    "info": ("#E3F2FD", "#0D47A1"),
    "warning": ("#FFF8E1", "#7A4F01"),
    "error": ("#FDECEA", "#8B1A10"),
}


def note(level: str, text: str) -> None:
    """A coloured notice whose text holds data (a sheet's name, a cell): shown as text,
    never as markdown or markup, unlike st.error / st.warning."""
    bg, fg = NOTE_LEVELS.get(level, NOTE_LEVELS["info"])
    st.markdown(
        f'<div class="schoolwh-note" data-level="{level}" style="background:{bg};color:{fg};'
        f'padding:0.75rem 1rem;border-radius:0.5rem;margin-bottom:0.5rem">'
        f"{fmt.html_text(text)}</div>",
        unsafe_allow_html=True,
    )


def language_switch() -> str:
    """The sidebar's language switch; returns the chosen language."""
    current = lang()
    widget_text_css(current)
    st.sidebar.radio(
        t("app.language", current),
        options=list(LANGS),
        index=LANGS.index(current),
        format_func=lambda v: t(f"lang.{v}", current),
        key=LANG_KEY,
        horizontal=True,
        on_change=_relabel_filters,
    )
    return lang()


def home_page(script: Path, title: str) -> Any:
    """The hidden default page at "/" running `script` (the first page a role may open).
    Streamlit serves its default page only at "/" and reserves that page's own path, so
    with the overview itself as default `/overview` would say "Page not found"."""

    def run() -> None:
        runpy.run_path(str(script), run_name="__page__")

    return st.Page(run, title=title, url_path="home", default=True, visibility="hidden")


def warehouse() -> Warehouse | None:
    return get_warehouse()


def ready_warehouse() -> Warehouse:
    """The published warehouse with its marts, or guidance on loading data and a stop."""
    wh = get_warehouse()
    if wh is None or not wh.is_ready():
        show_empty(wh)
        st.stop()
    assert wh is not None
    return wh


def show_empty(wh: Warehouse | None) -> None:
    """How to load data, instead of an error, when there is nothing to show."""
    current = lang()
    path = str(wh.path if wh is not None else warehouse_path())
    st.info(f"### {t('empty.title', current)}")
    key = "empty.missing" if wh is None else "empty.not_built"
    st.markdown(t(key, current, path=path))
    st.markdown(t("empty.how", current))
    st.code(f"schoolwh load {t('empty.folder', current)}", language="bash")
    st.markdown(t("empty.demo", current))
    st.code("schoolwh demo --no-serve", language="bash")
    st.caption(t("empty.after", current))


# Printing a page (Ctrl+P) to A4: no sidebar, header, toolbars or download rows; the
# content uses the paper's width and charts and tables are not cut across pages.
PRINT_CSS = """<style>
@media print {
  @page { size: A4 portrait; margin: 10mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stDownloadButton"],
  .modebar-container, [data-testid="stElementToolbar"] { display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], .stMain, .main,
  [data-testid="stMainBlockContainer"], .block-container {
    margin: 0 !important; padding: 0 !important; max-width: 100% !important;
    width: 100% !important; overflow: visible !important; height: auto !important; }
  [data-testid="stPlotlyChart"], [data-testid="stVerticalBlockBorderWrapper"],
  [data-testid="stDataFrame"], table { break-inside: avoid; }
  html, body, .stApp { height: auto !important; overflow: visible !important; }
  /* charts keep their screen width: scale the page down to the paper's width */
  [data-testid="stMainBlockContainer"], .block-container { zoom: 0.62; }
}
</style>"""


def jurisdiction(wh: Warehouse) -> str:
    """The place the overall KPIs are of: a district's own extract names the district
    (金水区), else the jurisdiction from its districts' codes (郑州市), else 全域."""
    own = q.overall_place(wh)
    if own:
        return own
    codes = tuple(str(c) for c in q.districts(wh)["district_code"])
    return _jurisdiction(codes, lang())


@st.cache_data(show_spinner=False, max_entries=8)
def _jurisdiction(codes: tuple[str, ...], current: str) -> str:
    return jurisdiction_name(list(codes), current)


# A phone (below 700 px): the cards two to a row and smaller; the district × KPI grid
# (a figure too wide to read there: value, 环比 and 同比 smear together) gives way to one
# list per district (`phone_grid`), each KPI's status and value only.
PHONE_WIDTH = 700
PHONE_CSS = f"""<style>
.schoolwh-phone-grid {{ display: none; }}
@media (max-width: {PHONE_WIDTH}px) {{
  .st-key-grid_wide {{ display: none !important; }}
  .schoolwh-phone-grid {{ display: block; }}
  .schoolwh-cards {{ grid-template-columns: repeat(2, minmax(0, 1fr)) !important;
    gap: 0.5rem !important; }}
  .schoolwh-card {{ padding: 0.45rem !important; font-size: 0.85em; }}
  .schoolwh-card .v {{ font-size: 1.45em !important; }}
}}
.schoolwh-phone-grid details {{ border-bottom: 1px solid rgba(49, 51, 63, 0.15);
  padding: 0.35rem 0; }}
.schoolwh-phone-grid summary {{ cursor: pointer; font-weight: 600; }}
.schoolwh-phone-grid summary span {{ font-weight: 400; margin-left: 0.5rem; }}
.schoolwh-phone-grid li {{ list-style: none; margin: 0.2rem 0; display: flex;
  justify-content: space-between; gap: 0.5rem; }}
.schoolwh-phone-grid ul {{ padding-left: 0.2rem; margin: 0.3rem 0; }}
</style>"""


def login_heading(lang: str) -> None:
    """The login page names the product and whose figures it shows (学校午餐与课后服务监测 ·
    郑州市): the place from the districts' codes only, read before anyone may read more."""
    place = _place_of(str(warehouse_path()), lang)
    st.markdown(f"### {html.escape(t('app.title', lang))}")
    st.caption(" · ".join(p for p in (place, t("app.subtitle", lang)) if p))


@st.cache_data(show_spinner=False, ttl=600, max_entries=4)
def _place_of(path: str, current: str) -> str:
    try:
        wh = Warehouse(Path(path))
        try:
            codes = q.district_codes(wh)
        finally:
            wh.close()
    except Exception:  # no warehouse yet, or no marts: the product's name alone
        return ""
    return jurisdiction_name(codes, current) if codes else ""


def print_css() -> None:
    st.markdown(PRINT_CSS + PHONE_CSS, unsafe_allow_html=True)


def phone_grid(frame: pd.DataFrame, kpis: Sequence[str]) -> None:
    """The district × KPI grid as a phone shows it (only below PHONE_WIDTH): one list per
    district, opened by a tap, its summary counting the statuses (✔ 7 ▲ 2 ✖ 2), each line
    a KPI's name, status and value — no 环比 or 同比."""
    current = lang()
    cells = {(r.district_name, r.kpi): r for r in frame.itertuples(index=False)}
    blocks = []
    for district in dict.fromkeys(frame["district_name"]):
        lines, counts = [], dict.fromkeys(st_.ORDER[:3], 0)
        for kpi in kpis:
            r = cells.get((district, kpi))
            if r is None:
                continue
            key = st_.normalise(r.status)
            if key in counts:
                counts[key] += 1
            unit = getattr(r, "unit", None)
            value = fmt.kpi_value(r.value, unit if isinstance(unit, str) else None, current)
            lines.append(
                f"<li><span>{html.escape(kpi_name(kpi, current))}</span>"
                f"<span>{_badge(key, current)} <b>{html.escape(value)}</b></span></li>"
            )
        tally = " ".join(f"{st_.STYLES[k].glyph} {n}" for k, n in counts.items() if n)
        blocks.append(
            f"<details><summary>{fmt.html_text(district)} <span>{html.escape(tally)}</span>"
            f"</summary><ul>{''.join(lines)}</ul></details>"
        )
    st.markdown(f'<div class="schoolwh-phone-grid">{"".join(blocks)}</div>', unsafe_allow_html=True)


def as_of_caption(wh: Warehouse | None) -> None:
    """数据截至 … at the top of every page (and when the build ran)."""
    st.session_state[SAMPLE_KEY] = False
    if wh is None:
        return
    info = q.build_info(wh)
    if info is None:
        return
    current = lang()
    print_css()
    st.session_state[SAMPLE_KEY] = q.is_sample(wh)
    if st.session_state[SAMPLE_KEY]:
        st.warning(t("sample.banner", current), icon=":material/science:")
    text = t("app.as_of", current, date=fmt.date(info["as_of_date"], current))
    text = f"{jurisdiction(wh)} · {text}"  # the place, from the data's district codes
    if info.get("built_at") is not None:
        text += " · " + t("app.built_at", current, time=fmt.timestamp(info["built_at"], current))
    st.caption(f"**{text}**")


# ---------------------------------------------------------------------------------------
# filters: a page's filters are its own (keys name the page where one could leak), the
# period is shared because every page shows it
# ---------------------------------------------------------------------------------------
def select(
    label: str,
    options: Sequence[Any],
    key: str,
    format_func: Callable[[Any], str] = str,
    default: Any = None,
    container: Any = None,
    bind: str | None = None,
    placeholder: str | None = None,
) -> Any:
    """A selectbox whose value is remembered for the session; set to `default` (else the
    first option; with a `placeholder`, nothing chosen) when the remembered value is not
    among the options, so the box and what the page shows below it always agree.
    `bind="query-params"` puts the value in the page's address (`/district?district=410105`)."""
    options = list(options)
    if not options:
        return None
    if bind and key not in st.session_state:  # a page opened from its address
        st.session_state[key] = st.query_params.get(key)
    if st.session_state.get(key) not in options:
        # set from Python, so the browser redraws the box with this value
        fallback = None if placeholder else options[0]
        st.session_state[key] = default if default in options else fallback
    box = container or st
    return box.selectbox(
        label,
        options,
        format_func=format_func,
        key=key,
        persist_state="session",
        bind=bind,
        placeholder=placeholder,
    )


def period_filters(wh: Warehouse, types: Sequence[str] | None = None) -> tuple[str, str] | None:
    """Period type and period, newest period first; None when no KPI rows exist."""
    current = lang()
    available = q.period_types(wh)
    if types:
        available = [p for p in available if p in types]
    if not available:
        st.info(t("empty.no_rows", current))
        return None
    c1, c2 = st.columns([1, 2])
    period_type = select(
        t("filter.period_type", current),
        available,
        "f_period_type",
        lambda v: enum_label("period_type", v, current),
        default="term",
        container=c1,
    )
    periods = q.periods(wh, period_type)
    period = select(
        t("filter.period", current),
        periods,
        f"f_period_{period_type}",
        lambda v: fmt.period(v, current),
        default=periods[0] if periods else None,
        container=c2,
    )
    if period is None:
        return None
    return period_type, period


def district_filter(
    wh: Warehouse, key: str, allow_all: bool = True, bind: str | None = None
) -> str | None:
    """A district (code) or None for all districts. Each page passes its own key: a
    district chosen on 区县 does not silently filter 资金."""
    current = lang()
    frame = q.districts(wh)
    names = dict(zip(frame["district_code"], frame["district_name"], strict=False))
    options = ([""] if allow_all else []) + list(names)
    value = select(
        t("filter.district", current),
        options,
        key,
        lambda v: t("filter.all_districts", current) if v == "" else names.get(v, v),
        bind=bind,
    )
    return value or None


def school_filters(wh: Warehouse, page: str) -> tuple[str | None, str | None]:
    """School stage and urban/rural, each None for all (the page's own filters)."""
    current = lang()
    c1, c2 = st.columns(2)
    stages = ["", *q.school_values(wh, "stage")]
    locations = ["", *q.school_values(wh, "location")]
    stage = select(
        t("filter.stage", current),
        stages,
        f"f_{page}_stage",
        lambda v: t("filter.all", current) if v == "" else enum_label("stage", v, current),
        container=c1,
    )
    location = select(
        t("filter.location", current),
        locations,
        f"f_{page}_location",
        lambda v: t("filter.all", current) if v == "" else enum_label("location", v, current),
        container=c2,
    )
    return stage or None, location or None


# ---------------------------------------------------------------------------------------
# cards, legends, tables, charts
# ---------------------------------------------------------------------------------------
def _badge(key: str, current: str) -> str:
    style = st_.STYLES[key]
    label = enum_label("status", key, current)
    border = "border:1px dashed #333;" if style.pattern else ""
    return (
        f'<span style="background:{style.colour};color:{style.text_colour};{border}'
        f'padding:1px 8px;border-radius:10px;font-size:0.85em;white-space:nowrap">'
        f"{style.glyph} {html.escape(label)}</span>"
    )


def status_legend() -> None:
    current = lang()
    st.markdown(
        " ".join(_badge(k, current) for k in st_.ORDER),
        unsafe_allow_html=True,
    )


def issue_notes(
    wh: Warehouse, period_type: str, period: str, district: str | None = None
) -> dict[str, str]:
    """The note under 问题整改率 when issues found in the period are open but not yet due:
    they count in its denominator, and a leader should not read them as late."""
    pending = q.issues_not_yet_due(wh, period_type, period, district)
    if not pending:
        return {}
    return {"issue_closure_rate": t("kpi.not_yet_due", lang(), n=fmt.number(pending, lang()))}


CARD_GRID_CSS = """<style>
.schoolwh-cards { display: grid; gap: 1rem; margin-bottom: 0.5rem;
  grid-template-columns: repeat(auto-fill,
    minmax(max(13rem, calc((100% - (var(--per-row) - 1) * 1rem) / var(--per-row))), 1fr)); }
.schoolwh-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  padding: calc(1rem - 1px); break-inside: avoid; }
</style>"""


def kpi_cards(
    cards: Sequence[charts.KpiCard], per_row: int = 4, notes: Mapping[str, str] | None = None
) -> None:
    """KPI cards: name, value, status badge, target and change against the last period;
    `notes` (by KPI) adds a line under a card's detail. One element for all cards (a CSS
    grid of at most `per_row` columns, each at least 13rem wide, so a narrow window gets
    fewer): a browser draws it far faster than a bordered container and a markdown
    element per card."""
    current = lang()
    notes = notes or {}
    shown = [
        f'<div class="schoolwh-card">{_card(c, notes.get(c.kpi), current)}</div>' for c in cards
    ]
    st.markdown(
        f'{CARD_GRID_CSS}<div class="schoolwh-cards" style="--per-row:{int(per_row)}">'
        f"{''.join(shown)}</div>",
        unsafe_allow_html=True,
    )


def _card(card: charts.KpiCard, note: str | None, current: str) -> str:
    arrow = ""
    if card.delta is not None and card.delta_is_good is not None:
        arrow = "↑ " if card.delta > 0 else "↓ "
    delta_colour = {True: "#0072B2", False: "#D55E00", None: "#555555"}[card.delta_is_good]
    yoy_colour = {True: "#0072B2", False: "#D55E00", None: "#555555"}[card.yoy_is_good]
    # without a target the badge already says 无目标值: not a second time beside it
    target = "" if card.status == "no_target" else html.escape(card.target_text)
    return (
        f'<div style="border-left:6px solid {card.colour};padding-left:10px">'
        f'<div style="font-size:0.95em;color:#333">{html.escape(card.name)}</div>'
        f'<div class="v" style="font-size:1.9em;font-weight:600;line-height:1.3">'
        f"{html.escape(card.value_text)}</div>"
        f"<div>{_badge(card.status, current)} "
        f'<span style="color:#555;font-size:0.85em;white-space:nowrap">{target}'
        f"</span></div>"
        f'<div style="color:{delta_colour};font-size:0.85em;margin-top:4px">'
        f"{arrow}{html.escape(card.delta_text)}</div>"
        + (
            f'<div style="color:{yoy_colour};font-size:0.85em">{html.escape(card.yoy_text)}</div>'
            if card.yoy_text
            else ""
        )
        + f'<div class="x" style="color:#777;font-size:0.8em">{html.escape(card.detail)}</div>'
        + (f'<div style="color:#777;font-size:0.8em">{html.escape(note)}</div>' if note else "")
        + "</div>"
    )


def headline(text: str) -> None:
    """The period's one-line headline (schoolwh/reading/headline.py) over the cards: as
    escaped text, a place name in it stays literal."""
    if text:
        st.markdown(
            f'<p class="schoolwh-headline" style="font-size:1.1em;font-weight:600;'
            f'margin:0 0 0.5rem 0">{fmt.html_text(text)}</p>',
            unsafe_allow_html=True,
        )


def wide_on_phones(key: str, min_width: int = 960) -> Any:
    """A container whose figure (keyed `key`) keeps `min_width` pixels on a narrow screen
    (a phone) and scrolls sideways, instead of squeezing a wide grid's cells until their
    text overlaps; on a wider screen it changes nothing. Draw the figure inside it."""
    st.markdown(
        f"<style>@media (max-width: 640px) {{ .st-key-{key}_box {{ overflow-x: auto; }} "
        f".st-key-{key}_box .st-key-{key} {{ min-width: {int(min_width)}px; }} }}</style>",
        unsafe_allow_html=True,
    )
    return st.container(key=f"{key}_box")


def heading(text: str, level: int = 3) -> None:
    """A heading whose text holds data (a district's or school's name): written as escaped
    HTML, so nothing in it becomes a link, an image, emphasis or an emoji. Escaping the
    markdown is not enough: GitHub-flavoured markdown turns a bare `http://…` into a link."""
    st.markdown(f"<h{level}>{fmt.html_text(text)}</h{level}>", unsafe_allow_html=True)


def ranking(
    wh: Warehouse,
    rows: pd.DataFrame,
    kpi: str,
    period: tuple[str, str],
    *,
    key: str,
    title: str | None = None,
    target: float | None = None,
    previous: pd.DataFrame | None = None,
    last_year: pd.DataFrame | None = None,
    clickable: bool = True,
) -> None:
    """The districts ranked on one KPI (`rows`: kpi_district rows of the period; with
    `clickable`, a click on a bar opens the district's page); where
    there is one district only (a district leader's own extract) its schools are ranked
    instead on a KPI with a value per school, and otherwise no ranking is drawn: never a
    ranking of one bar."""
    current = lang()
    if len(rows) > 1:
        plot(
            charts.ranking_bars,
            rows,
            current,
            target=target,
            title=title,
            previous=previous,
            last_year=last_year,
            key=key,
            districts=q.districts(wh) if clickable else None,
        )
        return
    place = jurisdiction(wh)
    schools = q.school_kpi_values(wh, *period, kpi).head(q.SCHOOLS_RANKED)
    if schools.empty:
        st.caption(t("overview.alone", current, place=place))
        return
    plot(
        charts.ranking_bars,
        schools.assign(status=None),  # a school's value has no status of its own
        current,
        target=target,
        label_col="school_name",
        title=t("overview.school_ranking", current, place=place, n=len(schools)),
        key=f"{key}_schools",
    )


def chart(fig: Any, key: str | None = None, districts: pd.DataFrame | None = None) -> None:
    """A figure; with the synthetic sample loaded, its footer says so. With `districts`
    (`district_code, district_name`), clicking a district's bar, cell or shape opens its
    区县 page."""
    if st.session_state.get(SAMPLE_KEY):
        fig = charts.mark_sample(fig, lang())
    _show(fig, key, districts)


def plot(
    builder: Callable[..., Any],
    *args: Any,
    key: str,
    districts: pd.DataFrame | None = None,
    **kwargs: Any,
) -> None:
    """`chart(builder(*args, **kwargs))`, the figure built once for the same data and
    kept for every session: building a Plotly figure costs far more than its query, and
    a leader clicking back to a page should not wait for it again."""
    sample = bool(st.session_state.get(SAMPLE_KEY))
    name = f"{builder.__module__}.{builder.__qualname__}"  # the key: a function is not hashed
    _show(_built(builder, name, args, kwargs, lang() if sample else None), key, districts)


@st.cache_resource(show_spinner=False, max_entries=512)
def _built(
    _builder: Callable[..., Any],
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    sample_lang: str | None,
) -> Any:
    """A figure keyed by its builder and the data it is built from (hashed by value); the
    sample mark goes on here, so nothing changes the shared figure afterwards."""
    fig = _builder(*args, **kwargs)
    return charts.mark_sample(fig, sample_lang) if sample_lang else fig


def _show(fig: Any, key: str | None, districts: pd.DataFrame | None) -> None:
    if districts is None or key is None:
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key=key, theme=None)
        return
    event = st.plotly_chart(
        fig,
        config=PLOTLY_CONFIG,
        key=key,
        theme=None,
        on_select="rerun",
        selection_mode="points",
    )
    code = clicked_district(fig, event, districts)
    if code is not None:
        open_district(code)


def clicked_district(fig: Any, event: Any, districts: pd.DataFrame) -> str | None:
    """The district a click selected: by the label of its bar or grid row, or by the
    shape (trace) of the map it fell in."""
    points = (getattr(event, "selection", None) or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    by_label = {
        fmt.html_text(n): str(c)
        for c, n in zip(districts["district_code"], districts["district_name"], strict=False)
    }
    for axis in ("y", "label"):
        label = str(point.get(axis, "")).removeprefix("<b>").removesuffix("</b>")
        if label in by_label:
            return by_label[label]
    curve = point.get("curve_number")
    if curve is not None and 0 <= int(curve) < len(fig.data):
        trace = fig.data[int(curve)]
        meta = getattr(trace, "meta", None)
        if isinstance(meta, dict) and meta.get("district_code"):
            return str(meta["district_code"])
    return None


def open_district(code: str) -> None:
    """The 区县 page of one district (its address: /district?district=<code>)."""
    st.session_state["district"] = code
    st.session_state.pop("school", None)
    st.switch_page("views/district.py", query_params={"district": code})


def open_school(district_code: str, school_code: str) -> None:
    """A school's detail on the 区县 page (/district?district=<code>&school=<code>)."""
    st.session_state["district"] = str(district_code)
    st.session_state["school"] = str(school_code)
    for key in ("f_district_stage", "f_district_location"):  # the school must be listed
        st.session_state[key] = ""
    st.switch_page(
        "views/district.py",
        query_params={"district": str(district_code), "school": str(school_code)},
    )


def table(
    data: tables.Table | pd.DataFrame,
    name: str,
    key: str,
    height: int | str = "auto",
    on_row: Callable[[int], None] | None = None,
) -> None:
    """A table with CSV (UTF-8 with BOM) and Excel downloads of the same rows."""
    current = lang()
    tbl = data if isinstance(data, tables.Table) else tables.Table(data, data)
    if tbl.empty:
        st.caption(t("empty.no_rows", current))
        return
    if on_row is None:
        st.dataframe(tbl.display, hide_index=True, height=height)
    else:  # a click on a row opens what the row is about
        event = st.dataframe(
            tbl.display,
            hide_index=True,
            height=height,
            key=f"{key}_rows",
            on_select="rerun",
            selection_mode="single-row",
        )
        rows = (getattr(event, "selection", None) or {}).get("rows") or []
        picked = int(rows[0]) if rows else None
        if picked is not None and st.session_state.get(f"{key}_picked") != picked:
            on_row(picked)  # once per click: the picker below may be changed afterwards
        st.session_state[f"{key}_picked"] = picked
    stem = downloads.file_stem(name)
    row = st.container(horizontal=True)
    row.download_button(
        t("download.csv", current),
        data=partial(downloads.to_csv_bytes, tbl.export),  # made when clicked
        file_name=f"{stem}.csv",
        mime=downloads.CSV_MIME,
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        t("download.xlsx", current),
        data=partial(downloads.to_xlsx_bytes, tbl.export, name),
        file_name=f"{stem}.xlsx",
        mime=downloads.XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
