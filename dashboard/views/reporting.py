"""上报情况 Reporting: per district and source the last file received (when, by whom, what it
covered) and the on-time share against the source's deadline; the schools that have not
reported participation on serving days of the last two weeks, with the list as text to
paste into a WeCom or DingTalk group. A district's account reads its own extract, so it
only ever sees its own districts."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from schoolwh.alerts import AlertConfigError, load_config
from schoolwh.core.settings import alerts_file
from schoolwh.reading import queries as q
from schoolwh.reading import tables
from schoolwh.reading.connection import warehouse_path
from schoolwh.reading.i18n import deadline_text, enum_label, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("reporting", lang))

try:  # the deadlines of the settings file beside the published warehouse
    deadlines = load_config(alerts_file(warehouse_path())).deadlines
except AlertConfigError as exc:
    st.error(str(exc))
    st.stop()
district = ui.district_filter(wh, "f_reporting_district")

st.subheader(t("reporting.sources", lang))
summary = q.reporting_summary(q.reporting_files(wh, district), deadlines)
ui.table(
    tables.build(summary, tables.REPORTING_SOURCES, lang),
    t("reporting.sources", lang),
    key="reporting_sources",
)
rules = "；".join(
    f"{enum_label('source', s, lang)} {deadline_text(r, lang)}" for s, r in deadlines.items()
)
st.caption(t("reporting.deadline_note", lang, rules=rules) + t("reporting.no_deadline", lang))

st.subheader(t("reporting.missing", lang))
missing = q.reporting_missing(wh, district)
if missing.empty:
    st.caption(t("reporting.all_reported", lang))
else:
    ui.table(
        tables.build(missing, tables.REPORTING_MISSING, lang),
        t("reporting.missing", lang),
        key="reporting_missing",
    )
    st.caption(t("reporting.missing_note", lang))
    as_of = wh.scalar("select max(as_of_date) from marts.build_info")
    st.markdown(f"**{t('reporting.copy', lang)}**")
    # st.code shows text as text (never markup) and has its own copy button
    st.code(q.missing_report_text(missing, str(as_of)[:10]), language=None, wrap_lines=True)
