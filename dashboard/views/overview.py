"""总览 Overview: the whole jurisdiction's KPI cards, a district × KPI status grid and a
district map coloured by a chosen KPI."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.briefing.scope import whole_label
from schoolwh.reading import charts, geo, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.headline import headline
from schoolwh.reading.i18n import kpi_name, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("overview", lang))

selection = ui.period_filters(wh)
if selection is None:
    st.stop()
period_type, period = selection
previous = fmt.previous_period(period_type, period)

# KPI cards ------------------------------------------------------------------------------
# the supervision KPIs (the seed's topic) have a page of their own, 监管: the overview keeps
# to the others, so its cards, grid and headline stay readable on a page and a phone
OWN_PAGE = set(q.kpis_of_topic(wh, q.SUPERVISION_TOPIC))


def main_kpis(frame):
    return frame if frame is None else frame[~frame["kpi"].isin(OWN_PAGE)]


current = main_kpis(q.kpi_overall(wh, period_type, period))
before = main_kpis(q.kpi_overall(wh, period_type, previous)) if previous else None
place = ui.jurisdiction(wh)
ui.heading(
    t(
        "overview.cards_place",
        lang,
        place=place,
        whole=whole_label(place, lang),
        period=fmt.period(period, lang),
    )
)
year_ago = fmt.same_period_last_year(period_type, period)
last_year = main_kpis(q.kpi_overall(wh, period_type, year_ago)) if year_ago else None
by_district = main_kpis(q.kpi_district(wh, period_type, period))
ui.headline(headline(current, by_district, lang))  # the worst KPI and district, one line
ui.kpi_cards(
    charts.kpi_cards(
        current, before, lang, fmt.period(previous, lang), last_year, fmt.period(year_ago, lang)
    ),
    notes=ui.issue_notes(wh, period_type, period),
)
ui.status_legend()

# status grid ----------------------------------------------------------------------------
st.subheader(t("overview.grid", lang))
if by_district.empty:
    st.caption(t("empty.no_rows", lang))
else:
    with st.container(key="grid_wide"):  # hidden on a phone, which shows the list below
        ui.plot(
            charts.status_grid,
            by_district,
            lang,
            kpis=list(current["kpi"]),
            previous=q.kpi_district(wh, period_type, previous) if previous else None,
            last_year=q.kpi_district(wh, period_type, year_ago) if year_ago else None,
            key="grid",
            districts=q.districts(wh),
        )
    ui.phone_grid(by_district, list(current["kpi"]))
    with st.expander(t("overview.grid_table", lang)):
        ui.table(
            tables.matrix(by_district, lang, kpis=list(current["kpi"])),
            f"{t('overview.grid', lang)}_{fmt.period(period, lang)}",
            key="grid_table",
        )

# map ------------------------------------------------------------------------------------
st.subheader(t("overview.map", lang))
kpis = list(current["kpi"])
with_target = [k for k in kpis if current.loc[current["kpi"] == k, "target"].notna().any()]
kpi = ui.select(
    t("overview.map_kpi", lang),
    kpis,
    "f_map_kpi",
    lambda k: kpi_name(k, lang),
    default=with_target[0] if with_target else None,
)
if kpi is not None:
    one = q.kpi_district_one(wh, period_type, period, kpi)
    target = current.loc[current["kpi"] == kpi, "target"]
    has_target = bool(target.notna().any())
    shapes = geo.map_data(one["district_code"])
    left, right = st.columns([3, 2])
    with left:
        if shapes.geojson["features"]:
            ui.chart(  # not ui.plot: hashing the boundaries would cost what building does
                charts.district_map(one, shapes, kpi, lang, has_target),
                key="map",
                districts=q.districts(wh),
            )
            st.caption(
                t(
                    "overview.map_source",
                    lang,
                    package=geo.BOUNDARY_PACKAGE,
                    licence=geo.BOUNDARY_LICENCE,
                )
            )
        else:
            st.info(t("overview.no_boundaries", lang))
    with right:
        if shapes.without_boundary:
            st.markdown(t("overview.no_boundary", lang))
            beside = one[one["district_code"].astype(str).isin(shapes.without_boundary)]
            ui.table(
                tables.build(beside, tables.KPI_DISTRICT, lang),
                f"{kpi_name(kpi, lang)}_{fmt.period(period, lang)}_{t('file.no_boundary', lang)}",
                key="beside_table",
            )
        ui.ranking(
            wh,
            one,
            kpi,
            (period_type, period),
            target=float(target.iloc[0]) if has_target else None,
            title=t("overview.ranking", lang),
            previous=q.kpi_district_one(wh, period_type, previous, kpi) if previous else None,
            last_year=q.kpi_district_one(wh, period_type, year_ago, kpi) if year_ago else None,
            key="ranking",
        )

# the leader's lists: schools without lunch, the furthest below target, the longest
# overdue issues — tabs, the first open: a heading over three closed boxes said nothing
st.subheader(t("overview.watch", lang))
no_lunch = q.schools_without_lunch(wh)
below = q.schools_below_target(wh, period_type, period)
below_title = t("overview.below_target", lang, period=fmt.period(period, lang))
overdue = q.open_issues(wh, only_overdue=True).head(10)
lists = (
    (t("overview.no_lunch", lang, n=len(no_lunch)), tables.build(no_lunch, tables.NO_LUNCH, lang), "no_lunch_table"),
    (below_title, tables.build(below, tables.BELOW_TARGET, lang), "below_table"),
    (t("overview.most_overdue", lang), tables.build(overdue, tables.ISSUES, lang), "overdue_table"),
)  # fmt: skip
for tab, (title, shown, key) in zip(st.tabs([name for name, _, _ in lists]), lists, strict=True):
    with tab:
        ui.table(shown, title, key=key)

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
page_buttons.briefing_downloads("overview", wh, period, lang=lang)
