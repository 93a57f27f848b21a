"""数据质量 Data quality: recent loads and their files, quarantined rows with reasons,
quality-check results, facts excluded from the KPIs, and reporting completeness."""

from __future__ import annotations

import streamlit as st

from dashboard import page_buttons, ui
from schoolwh.core.sources import SOURCES
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading import tables
from schoolwh.reading.i18n import enum_label, page_title, t

wh = ui.ready_warehouse()
lang = ui.lang()
st.title(page_title("quality", lang))

if not q.has_audit(wh):
    st.info(t("dq.no_audit", lang))
else:
    # loads and files -------------------------------------------------------------------
    st.subheader(t("dq.loads", lang))
    loads = q.loads(wh)
    # a district's extract blanks the city-wide counts of a load: no column of dashes
    kept = [c for c in tables.LOADS if c.source in loads and loads[c.source].notna().any()]
    ui.table(tables.build(loads, kept, lang), t("dq.loads", lang), key="loads_table")

    st.subheader(t("dq.files", lang))
    load_ids = [int(i) for i in loads["load_id"]]
    load_id = ui.select(
        t("col.load_id", lang),
        load_ids,
        "f_load",
        lambda i: f"#{i}",
        default=load_ids[0] if load_ids else None,
    )
    ui.table(
        tables.build(q.load_files(wh, load_id), tables.FILES, lang),
        f"{t('dq.files', lang)}_{load_id}",
        key="files_table",
    )

    # quarantined rows ------------------------------------------------------------------
    st.subheader(t("dq.quarantine", lang))
    c1, c2 = st.columns(2)
    reasons = ["", *q.quarantine_reasons(wh)]
    reason = ui.select(
        t("dq.reason", lang),
        reasons,
        "f_reason",
        lambda r: t("filter.all", lang) if r == "" else enum_label("quarantine_reason", r, lang),
        container=c1,
    )
    sources = ["", *SOURCES]
    source = ui.select(
        t("col.data_source", lang),
        sources,
        "f_source",
        lambda s: t("filter.all", lang) if s == "" else enum_label("source", s, lang),
        container=c2,
    )
    rows = q.quarantine(wh, None, source or None, reason or None)
    ui.table(
        tables.build(rows, tables.QUARANTINE, lang),
        t("dq.quarantine", lang),
        key="quarantine_table",
    )

    # checks ----------------------------------------------------------------------------
    st.subheader(t("dq.checks", lang))
    only_failed = st.toggle(t("dq.only_failed", lang), key="f_only_failed")
    checks = q.dq_results(wh, load_id, only_failed)
    # a check without a message (older loads) is named by its id rather than left blank
    described = checks["message"].fillna("").astype(str).str.strip() != ""
    checks["message"] = checks["message"].where(described, checks["check_name"])
    if not checks.empty:
        passed = int(checks["success"].fillna(False).sum())
        st.markdown(
            f"{t('dq.passed', lang)}: **{passed}** · {t('dq.failed', lang)}: "
            f"**{len(checks) - passed}**"
        )
    ui.table(tables.build(checks, tables.CHECKS, lang), t("dq.checks", lang), key="checks_table")

# facts excluded from the KPIs -------------------------------------------------------------
orphans = q.orphan_facts(wh)
if not orphans.empty:
    st.subheader(t("dq.orphans", lang))
    ui.table(
        tables.build(orphans, tables.ORPHANS, lang), t("dq.orphans", lang), key="orphans_table"
    )

# reporting completeness by district -------------------------------------------------------
st.subheader(t("dq.completeness", lang))
selection = ui.period_filters(wh, types=("term", "month"))
if selection is not None:
    period_type, period = selection
    completeness = q.kpi_district_one(wh, period_type, period, "reporting_completeness")
    if completeness.empty:
        st.caption(t("empty.no_rows", lang))
    else:
        target = completeness["target"].dropna()
        earlier = fmt.previous_period(period_type, period)  # for each district's rank change
        ui.ranking(
            wh,
            completeness,
            "reporting_completeness",
            (period_type, period),
            target=float(target.iloc[0]) if len(target) else None,
            previous=q.kpi_district_one(wh, period_type, earlier, "reporting_completeness")
            if earlier
            else None,
            key="completeness",
            clickable=False,  # a clerk reads this page without the 区县 page
        )
        ui.table(
            tables.build(completeness, tables.COMPLETENESS, lang),
            f"{t('dq.completeness', lang)}_{fmt.period(period, lang)}",
            key="completeness_table",
        )

# briefing: this page's figures (PNG) and deck (PPTX) ------------------------------------
if selection is not None:
    page_buttons.briefing_downloads("quality", wh, selection[1], lang=lang)
