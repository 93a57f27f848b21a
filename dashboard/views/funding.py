"""资金 Funding: allocation against spending by programme and by district, and the
year-to-date spending against the target pace."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.reading import charts, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import enum_label, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("funding", lang))

years = q.funding_years(wh)
if not years:
    st.info(t("funding.no_budget", lang))
    st.stop()
c1, c2 = st.columns([1, 2])
year = ui.select(
    t("filter.year", lang), years, "f_year", lambda y: fmt.period(str(y), lang), container=c1
)
with c2:
    district = ui.district_filter(wh, "f_funding_district")

# the year's execution rate as a card ----------------------------------------------------------
if district is None:
    year_kpi = q.kpi_overall(wh, "year", str(year))
    before = q.kpi_overall(wh, "year", str(year - 1))
else:
    year_kpi = q.kpi_district(wh, "year", str(year), district)
    before = q.kpi_district(wh, "year", str(year - 1), district)
year_kpi = year_kpi[year_kpi["kpi"] == "budget_execution"]
before = before[before["kpi"] == "budget_execution"]
if not year_kpi.empty:
    ui.kpi_cards(charts.kpi_cards(year_kpi, before, lang, fmt.period(str(year - 1), lang)))

frame = q.funding(wh, int(year), district)
if frame.empty:
    st.info(t("funding.no_budget", lang))
    st.stop()

by_district = frame.groupby("district_name", as_index=False, sort=False)[
    ["allocated", "spent"]
].sum()
# one district (chosen, or a district leader's own figures): no bar of it alone
left, right = st.columns(2) if len(by_district) > 1 else (st.container(), None)
with left:
    by_program = frame.groupby("program", as_index=False)[["allocated", "spent"]].sum()
    by_program["label"] = [enum_label("program", p, lang) for p in by_program["program"]]
    ui.plot(
        charts.funding_bars,
        by_program,
        "label",
        lang,
        title=t("funding.by_program", lang),
        key="by_program",
    )
if right is not None:
    with right:
        ui.plot(
            charts.funding_bars,
            by_district,
            "district_name",
            lang,
            title=t("funding.by_district", lang),
            key="by_district",
        )

st.subheader(t("funding.pace", lang))
pace = q.budget_pace(wh, int(year), district)
if pace.empty:
    st.caption(t("empty.no_rows", lang))
else:
    ui.plot(charts.ytd_pace, pace, lang, key="pace")
    ui.table(
        tables.build(pace, tables.PACE, lang),
        f"{t('funding.pace', lang)}_{fmt.period(str(year), lang)}",
        key="pace_table",
    )

st.subheader(t("funding.table", lang))
ui.table(
    tables.build(frame, tables.FUNDING, lang),
    f"{t('funding.table', lang)}_{fmt.period(str(year), lang)}",
    key="funding_table",
)

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
page_buttons.briefing_downloads("funding", wh, year, district=district, lang=lang)
