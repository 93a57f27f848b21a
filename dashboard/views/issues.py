"""问题整改 Issues: found and closed per month, closure and on-time rates, median days to
close, open and overdue issues, by category and by source."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.reading import charts, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import enum_label, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("issues", lang))

selection = ui.period_filters(wh)
if selection is None:
    st.stop()
period_type, period = selection
c1, c2 = st.columns([1, 2])
with c1:
    district = ui.district_filter(wh, "f_issues_district")
with c2:
    stage, location = ui.school_filters(wh, "issues")

# rates of the period (whole districts) ----------------------------------------------------
previous = fmt.previous_period(period_type, period)
year_ago = fmt.same_period_last_year(period_type, period)  # 同比 beside 环比, as on 总览
if district is None:
    current = q.kpi_overall(wh, period_type, period)
    before = q.kpi_overall(wh, period_type, previous) if previous else None
    last_year = q.kpi_overall(wh, period_type, year_ago) if year_ago else None
else:
    current = q.kpi_district(wh, period_type, period, district)
    before = q.kpi_district(wh, period_type, previous, district) if previous else None
    last_year = q.kpi_district(wh, period_type, year_ago, district) if year_ago else None
current = current[current["kpi"].isin(q.kpis_of_topic(wh, "issues"))]
if not current.empty:
    ui.kpi_cards(
        charts.kpi_cards(
            current,
            before,
            lang,
            fmt.period(previous, lang),
            last_year,
            fmt.period(year_ago, lang),
        ),
        per_row=3,
        notes=ui.issue_notes(wh, period_type, period, district),
    )
    st.caption(t("filter.school_scope_note", lang))

# per month ------------------------------------------------------------------------------
st.subheader(t("issues.per_month", lang))
monthly = q.issues_per_month(wh, district, stage, location)
if monthly.empty:
    st.caption(t("empty.no_rows", lang))
else:
    ui.plot(charts.issues_per_month, monthly, lang, key="per_month")

st.subheader(t("issues.closure_by_month", lang))
closure = q.issues_closure_by_month(wh, district, stage, location)
if closure.empty:
    st.caption(t("empty.no_rows", lang))
else:
    ui.plot(charts.issues_closure_by_month, closure, lang, key="closure_by_month")

# open and overdue -------------------------------------------------------------------------
st.subheader(t("issues.open_list", lang))
only_overdue = st.toggle(t("issues.only_overdue", lang), key="f_only_overdue")
still_open = q.open_issues(wh, district, stage, location, only_overdue)
ui.table(
    tables.build(still_open, tables.ISSUES, lang),
    t("issues.open_list", lang),
    key="open_table",
)

# by category and by source (issues found in the period) -----------------------------------
left, right = st.columns(2)
for column, box, title_key, spec, enum in (
    ("category", left, "issues.by_category", tables.ISSUE_BREAKDOWN_CATEGORY, "issue_category"),
    ("source", right, "issues.by_source", tables.ISSUE_BREAKDOWN_SOURCE, "issue_source"),
):
    with box:
        st.subheader(t(title_key, lang))
        frame = q.issues_breakdown(wh, column, period_type, period, district, stage, location)
        if frame.empty:
            st.caption(t("empty.no_rows", lang))
            continue
        frame["label_text"] = [enum_label(enum, v, lang) for v in frame["label"]]
        ui.plot(charts.issues_breakdown, frame, "label_text", lang, key=f"by_{column}")
        ui.table(
            tables.build(frame, spec, lang),
            f"{t(title_key, lang)}_{fmt.period(period, lang)}",
            key=f"{column}_table",
        )

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
page_buttons.briefing_downloads("issues", wh, period, district=district, lang=lang)
