"""满意度 Satisfaction: the rate with its 95 % interval by district and by respondent
type, item scores and sample sizes; too small samples are shown as such."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.reading import charts, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import enum_label, page_title, t

KPI = "satisfaction_rate"

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("satisfaction", lang))

selection = ui.period_filters(wh, types=("term", "year"))
if selection is None:
    st.stop()
period_type, period = selection
minimum = q.min_sample(wh, KPI)

overall = q.kpi_overall(wh, period_type, period)
overall = overall[overall["kpi"] == KPI]
if overall.empty:
    st.info(t("empty.no_rows", lang))
    st.stop()
previous = fmt.previous_period(period_type, period)
before = q.kpi_overall(wh, period_type, previous) if previous else None
year_ago = fmt.same_period_last_year(period_type, period)  # 同比 beside 环比, as on 总览
last_year = q.kpi_overall(wh, period_type, year_ago) if year_ago else None
ui.kpi_cards(
    charts.kpi_cards(
        overall, before, lang, fmt.period(previous, lang), last_year, fmt.period(year_ago, lang)
    )
)
target_row = overall.iloc[0]
target = None if target_row["target"] != target_row["target"] else float(target_row["target"])
st.caption(t("sat.insufficient_note", lang, n=minimum))

# by district (the KPI mart) -------------------------------------------------------------
st.subheader(t("sat.by_district", lang))
by_district = q.kpi_district_one(wh, period_type, period, KPI)
by_district = by_district[by_district["denominator"].fillna(0) > 0]
if by_district.empty:
    st.caption(t("empty.no_rows", lang))
else:
    if len(by_district) > 1:  # a district's own figures: its card says it, no chart of one
        ui.plot(
            charts.satisfaction_intervals,
            by_district,
            "district_name",
            lang,
            target=target,
            key="by_district",
        )
    ui.table(
        tables.build(by_district, tables.SATISFACTION_DISTRICT, lang),
        f"{t('sat.by_district', lang)}_{fmt.period(period, lang)}",
        key="district_table",
    )

# by respondent type and item scores (filterable by district, stage, urban/rural) ---------
st.subheader(t("sat.by_respondent", lang))
st.caption(t("filter.school_scope_note", lang))
c1, c2 = st.columns([1, 2])
with c1:
    district = ui.district_filter(wh, "f_sat_district")
with c2:
    stage, location = ui.school_filters(wh, "sat")
groups = q.satisfaction_groups(wh, period_type, period, district, stage, location)
if groups.empty:
    st.caption(t("empty.no_rows", lang))
else:
    groups["label"] = [enum_label("respondent", r, lang) for r in groups["respondent"]]
    groups["denominator"] = groups["responses"]
    left, right = st.columns(2)
    with left:
        ui.plot(
            charts.satisfaction_intervals, groups, "label", lang, target=target, key="by_respondent"
        )
    items = q.satisfaction_items(wh, period_type, period, district, stage, location)
    items["item_label"] = [enum_label("score_item", i, lang) for i in items["item"]]
    with right:
        ui.plot(charts.item_scores, items, lang, title=t("sat.items", lang), key="items")
    ui.table(
        tables.build(groups, tables.SATISFACTION_RESPONDENT, lang),
        f"{t('sat.by_respondent', lang)}_{fmt.period(period, lang)}",
        key="respondent_table",
    )
    ui.table(
        tables.build(items, tables.SATISFACTION_ITEMS, lang),
        f"{t('sat.items', lang)}_{fmt.period(period, lang)}",
        key="items_table",
    )

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
page_buttons.briefing_downloads("satisfaction", wh, period, district=district, lang=lang)
