"""监管 Supervision, 一屏统揽: the supervision KPIs of the chosen period (cards with 环比 and
同比, the district × KPI status grid, a district ranking) and 需要关注: the concrete
items as of the as-of date, each row opening its school's detail on the 区县 page.

The KPIs are the seed's `topic = supervision` rows (never a list of ids here); the lists'
rules are the marts' flags (schoolwh/reading/queries.py). A district account reads its
district's extract, so every figure and list on this page is its own district's.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.briefing.scope import whole_label
from schoolwh.reading import charts, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import kpi_name, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("supervision", lang))

kpis = list(q.kpis_of_topic(wh, q.SUPERVISION_TOPIC))
if not kpis or not q.has_supervision(wh):
    st.info(t("supervision.none", lang))
    st.stop()

selection = ui.period_filters(wh)
if selection is None:
    st.stop()
period_type, period = selection
previous = fmt.previous_period(period_type, period)
year_ago = fmt.same_period_last_year(period_type, period)


def _supervision(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame[frame["kpi"].isin(kpis)].reset_index(drop=True)


# KPI cards: the jurisdiction (a district account: its district) -------------------------
current = _supervision(q.kpi_overall(wh, period_type, period))
assert current is not None
before = _supervision(q.kpi_overall(wh, period_type, previous)) if previous else None
last_year = _supervision(q.kpi_overall(wh, period_type, year_ago)) if year_ago else None
place = ui.jurisdiction(wh)
ui.heading(
    t(
        "supervision.cards",
        lang,
        place=place,
        whole=whole_label(place, lang),
        period=fmt.period(period, lang),
    )
)
if current.empty:
    st.caption(t("empty.no_rows", lang))
else:
    ui.kpi_cards(
        charts.kpi_cards(
            current,
            before,
            lang,
            fmt.period(previous, lang),
            last_year,
            fmt.period(year_ago, lang),
        )
    )
    ui.status_legend()

# status grid and ranking by district ----------------------------------------------------
shown_kpis = list(current["kpi"])
by_district = _supervision(q.kpi_district(wh, period_type, period))
assert by_district is not None
st.subheader(t("supervision.grid", lang))
if by_district.empty:
    st.caption(t("empty.no_rows", lang))
else:
    with ui.wide_on_phones("sup_grid", 150 + 85 * len(shown_kpis)):
        ui.plot(
            charts.status_grid,
            by_district,
            lang,
            kpis=shown_kpis,
            previous=_supervision(q.kpi_district(wh, period_type, previous)) if previous else None,
            last_year=_supervision(q.kpi_district(wh, period_type, year_ago)) if year_ago else None,
            key="sup_grid",
            districts=q.districts(wh),
        )
    with st.expander(t("overview.grid_table", lang)):
        ui.table(
            tables.matrix(by_district, lang, kpis=shown_kpis),
            f"{t('supervision.grid', lang)}_{fmt.period(period, lang)}",
            key="sup_grid_table",
        )
    with_target = [
        k for k in shown_kpis if current.loc[current["kpi"] == k, "target"].notna().any()
    ]
    kpi = ui.select(
        t("supervision.ranking_kpi", lang),
        shown_kpis,
        "f_sup_rank_kpi",
        lambda k: kpi_name(k, lang),
        default=with_target[0] if with_target else None,
    )
    if kpi is not None:
        one = q.kpi_district_one(wh, period_type, period, kpi)
        target = current.loc[current["kpi"] == kpi, "target"]
        ui.plot(
            charts.ranking_bars,
            one,
            lang,
            target=float(target.iloc[0]) if target.notna().any() else None,
            title=t("overview.ranking", lang),
            previous=q.kpi_district_one(wh, period_type, previous, kpi) if previous else None,
            last_year=q.kpi_district_one(wh, period_type, year_ago, kpi) if year_ago else None,
            key="sup_ranking",
            districts=q.districts(wh),
        )

# 需要关注: concrete items as of the as-of date, each opening its school ----------------
st.subheader(t("supervision.watch", lang))
info = q.build_info(wh) or {}
as_of = info.get("as_of_date")
year = q.as_of_periods(wh)["year"] or ""
district = ui.district_filter(wh, "f_sup_district")
st.caption(
    t(
        "supervision.watch_note",
        lang,
        date=fmt.date(as_of, lang),
        days=q.WATCH_DAYS,
        year=year,
    )
)


def _opener(frame: pd.DataFrame) -> Callable[[int], None] | None:
    """A click on a row of `frame` opens its school's detail (区县 page, `&school=`)."""
    if frame.empty or "school_code" not in frame:
        return None

    def open_row(row: int) -> None:
        ui.open_school(str(frame["district_code"].iloc[row]), str(frame["school_code"].iloc[row]))

    return open_row


COLUMNS = {
    "cameras": tables.WATCH_CAMERAS,
    "leader_meals": tables.WATCH_LEADER_MEALS,
    "menus": tables.WATCH_MENUS,
    "standard": tables.WATCH_STANDARD,
    "deliveries": tables.WATCH_DELIVERIES,
    "suppliers": tables.WATCH_SUPPLIERS,
}
for name in q.WATCH_LISTS:
    frame = q.watch_list(wh, name, period_type, period, district)
    if name == "suppliers":  # a supplier without a district serves the whole jurisdiction
        frame["district_name"] = frame["district_name"].fillna(t("filter.all_districts", lang))
    label = t(f"supervision.watch.{name}", lang, n=len(frame), days=q.WATCH_DAYS, year=year)
    with st.expander(label, expanded=False):
        ui.table(
            tables.build(frame, COLUMNS[name], lang),
            f"{label}_{fmt.date(as_of, lang)}",
            key=f"sup_watch_{name}",
            on_row=_opener(frame),
        )

# briefing: this page's figures (PNG), summary (PDF) and deck (PPTX) ----------------------
page_buttons.briefing_downloads("supervision", wh, period, district=district, lang=lang)
