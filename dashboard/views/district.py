"""区县 District: one district's KPI cards, monthly trends against target, its schools
and a school drill-down."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, school_supervision, ui
from schoolwh.reading import charts, ranks, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import kpi_name, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("district", lang))

district = ui.district_filter(wh, "district", allow_all=False, bind="query-params")
selection = ui.period_filters(wh)
if selection is None or district is None:
    st.stop()
period_type, period = selection
previous = fmt.previous_period(period_type, period)
names = q.districts(wh).set_index("district_code")["district_name"]
district_name = str(names.get(district, district))

# KPI cards ------------------------------------------------------------------------------
# Every district's rows of the period and the previous one (as many queries as reading
# this district's alone; the overview reads the same): the cards' ranks come from them.
everyone = q.kpi_district(wh, period_type, period)
everyone_before = q.kpi_district(wh, period_type, previous) if previous else None
current = everyone[everyone["district_code"] == district]
before = (
    everyone_before[everyone_before["district_code"] == district]
    if everyone_before is not None
    else None
)
ui.heading(t("district.cards", lang, district=district_name, period=fmt.period(period, lang)))
if current.empty:
    st.caption(t("empty.no_rows", lang))
else:
    year_ago = fmt.same_period_last_year(period_type, period)
    last_year = q.kpi_district(wh, period_type, year_ago, district) if year_ago else None
    ui.kpi_cards(
        charts.kpi_cards(
            current,
            before,
            lang,
            fmt.period(previous, lang),
            last_year,
            fmt.period(year_ago, lang),
            ranks=ranks.of_district(everyone, everyone_before, district),
        ),
        per_row=3,  # a district's cards carry its rank too: room for it on one line
        notes=ui.issue_notes(wh, period_type, period, district),
    )
    ui.status_legend()

# monthly trends -------------------------------------------------------------------------
st.subheader(t("district.trends", lang))
series = q.kpi_series(wh, "month", district)
if series.empty:
    st.caption(t("empty.no_rows", lang))
else:
    available = list(dict.fromkeys(series["kpi"]))
    with_target = [k for k in available if series.loc[series["kpi"] == k, "target"].notna().any()]
    chosen = st.multiselect(
        t("district.trend_kpi", lang),
        available,
        default=with_target[:4] or available[:4],
        format_func=lambda k: kpi_name(k, lang),
        key="f_trend_kpis",
    )
    if chosen:  # one figure, a panel per KPI
        ui.plot(charts.trend_panels, series[series["kpi"].isin(chosen)], chosen, lang, key="trends")
    if chosen:
        with st.expander(t("district.trends", lang)):
            ui.table(
                tables.build(series[series["kpi"].isin(chosen)], tables.KPI_SERIES, lang),
                f"{district_name}_{t('district.trends', lang)}",
                key="trend_table",
            )

# schools --------------------------------------------------------------------------------
st.subheader(t("district.schools", lang))
stage, location = ui.school_filters(wh, "district")
schools = q.schools_table(wh, district, period_type, period, stage, location)
if schools.empty:
    st.info(t("district.no_schools", lang))
    st.stop()


def _open_school(row: int) -> None:
    """A click on a school's row opens its detail below."""
    st.session_state["school"] = str(schools["school_code"].iloc[row])


ui.table(
    tables.build(schools, tables.SCHOOLS, lang),
    f"{district_name}_{t('district.schools', lang)}_{fmt.period(period, lang)}",
    key="schools_table",
    on_row=_open_school,
)

labels = dict(zip(schools["school_code"], schools["school_name"], strict=False))
school_code = ui.select(
    t("district.school_pick", lang),
    list(labels),
    "school",
    lambda c: t("label.with_code", lang, name=labels.get(c, c), code=c),
    bind="query-params",
    placeholder=t("district.school_placeholder", lang),  # a school's detail on request
)
if school_code is None:
    st.caption(t("district.school_hint", lang))
else:
    ui.heading(t("district.school_detail", lang, school=labels[school_code]), level=4)
    bounds = q.period_bounds(wh, period_type, period)
    daily = q.school_daily(wh, school_code, *bounds) if bounds else None
    if daily is None or daily.empty:
        st.caption(t("empty.no_rows", lang))
    else:
        ui.plot(
            charts.daily_participation,
            daily,
            lang,
            title=t("district.daily", lang),
            key="school_daily",
        )
        ui.table(
            tables.build(daily, tables.DAILY, lang),
            f"{labels[school_code]}_{t('district.daily', lang)}",
            key="school_daily_table",
        )
    st.markdown(f"##### {t('district.school_issues', lang)}")
    ui.table(
        tables.build(q.school_issues(wh, school_code), tables.SCHOOL_ISSUES, lang),
        f"{labels[school_code]}_{t('district.school_issues', lang)}",
        key="school_issues_table",
    )
    school_supervision.show(wh, school_code, labels[school_code], lang)

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
page_buttons.briefing_downloads("district", wh, period, district=district, lang=lang)
