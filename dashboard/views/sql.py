"""SQL 查询: ad hoc read-only queries through the same sandbox as `schoolwh sql` (timeout,
row and byte caps, read-only worker), with the list of tables and columns and example
queries.

A result is held once for the whole server (a shared cache keyed by the file, its
signature, the query and the account), never copied into each session: a session keeps
only the key, and shows a result only while its key names this session's owner and the
file this session reads — after a logout, a login or a change of district it is gone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from schoolwh.reading import tables
from schoolwh.reading.connection import file_signature
from schoolwh.reading.i18n import t
from schoolwh.sandbox import SqlError, limits, list_tables, run_sql

QUERY_KEY = "sql_query"
RESULT_KEY = "sql_result"
TABLES_KEY = "sql_tables"
# Results kept for all sessions together (each at most limits.DASHBOARD_MAX_BYTES).
SHARED_RESULTS = 4

# example id (its title is `sql.example.<id>` in the translation table) -> query
EXAMPLES: dict[str, str] = {
    "coverage": (
        "select district_name, period, value, target, status\n"
        "from marts.kpi_district\n"
        "where kpi = 'lunch_coverage' and period_type = 'term'\n"
        "  and period_start_date = (select max(period_start_date) from marts.kpi_district\n"
        "                           where period_type = 'term')\n"
        "order by value"
    ),
    "kpis": (
        "select period, kpi_name_zh, kpi_name_en, value, target, status\n"
        "from marts.kpi_overall\n"
        "where period_type = 'term'\n"
        "order by period desc, kpi_sort_order"
    ),
    "overdue": (
        "select i.issue_id, s.district_name, s.school_name, i.category, i.deadline_date,\n"
        "       i.days_overdue\n"
        "from marts.fct_issues i join marts.dim_school s using (school_code)\n"
        "where i.is_overdue\n"
        "order by i.days_overdue desc"
    ),
    "spending": (
        "select month, program, sum(amount) as spent_yuan\n"
        "from marts.fct_expenditure\n"
        "group by all\n"
        "order by month, program"
    ),
    "quarantine": (  # never raw_row: the SQL box refuses raw free text
        "select file_name, sheet, row_number, column_name, raw_value, reason, message\n"
        "from audit.quarantine\n"
        "order by load_id desc, file_name, row_number\n"
        "limit 200"
    ),
}


@st.cache_resource(max_entries=SHARED_RESULTS, show_spinner=False)
def _shared_result(path: str, signature: object, query: str, owner: object = None) -> dict:
    """One query's result for every session of one account (a SqlError is raised, never
    kept)."""
    del signature, owner  # part of the key only: a new file or account, a new result
    result = run_sql(
        Path(path),
        query,
        timeout=limits.DEFAULT_TIMEOUT,
        max_rows=limits.DEFAULT_MAX_ROWS,
        max_bytes=limits.DASHBOARD_MAX_BYTES,
    )
    return {
        "frame": pd.DataFrame(result.rows, columns=result.columns),
        "truncated": result.truncated,
        "elapsed": result.elapsed,
    }


lang = ui.lang()
st.title(t("sql.title", lang))
wh = ui.warehouse()
if wh is None:
    ui.show_empty(None)
    st.stop()

st.caption(
    t("sql.intro", lang, timeout=int(limits.DEFAULT_TIMEOUT), rows=f"{limits.DEFAULT_MAX_ROWS:,}")
)
if QUERY_KEY not in st.session_state:
    st.session_state[QUERY_KEY] = next(iter(EXAMPLES.values()))


def _use_example() -> None:
    chosen = st.session_state.get("sql_example")
    if chosen in EXAMPLES:
        st.session_state[QUERY_KEY] = EXAMPLES[chosen]


left, right = st.columns([2, 1])
left.selectbox(
    t("sql.examples", lang),
    list(EXAMPLES),
    format_func=lambda e: t(f"sql.example.{e}", lang),
    key="sql_example",
    on_change=_use_example,
)
with left.form("sql_form"):
    st.text_area(t("sql.query", lang), key=QUERY_KEY, height=180)
    submitted = st.form_submit_button(t("sql.run", lang), type="primary")

owner = auth.session_owner()
if submitted:
    # the session keeps the key of its result, not the rows
    st.session_state[RESULT_KEY] = {
        "key": (str(wh.path), file_signature(wh.path), st.session_state[QUERY_KEY], owner)
    }

outcome = st.session_state.get(RESULT_KEY)
if outcome is not None and (
    outcome.get("owner", owner) != owner
    or ("key" in outcome and tuple(outcome["key"][::3]) != (str(wh.path), owner))
):
    outcome = None  # another account's result, or another file's: never shown
    st.session_state.pop(RESULT_KEY, None)
if outcome is not None and "key" in outcome:
    try:
        outcome = _shared_result(*outcome["key"])
    except SqlError as exc:
        outcome = {"error": str(exc), "owner": owner}
        st.session_state[RESULT_KEY] = outcome
if outcome is not None:
    if "error" in outcome:
        st.error(t("sql.error", lang, message=outcome["error"]))
    else:
        frame = outcome["frame"]
        st.caption(t("sql.elapsed", lang, rows=f"{len(frame):,}", seconds=outcome["elapsed"]))
        if outcome["truncated"]:
            st.warning(t("sql.truncated", lang, rows=f"{len(frame):,}"))
        ui.table(frame, "query_result", key="sql_result_table")

# tables and columns ----------------------------------------------------------------------
with right:
    st.markdown(f"**{t('sql.tables', lang)}**")
    signature = file_signature(wh.path)
    cached = st.session_state.get(TABLES_KEY)
    if cached is None or cached[0] != signature:
        try:
            columns = list_tables(wh.path)
        except SqlError as exc:
            st.error(t("sql.error", lang, message=str(exc)))
            columns = []
        cached = (signature, columns)
        st.session_state[TABLES_KEY] = cached
    listing = pd.DataFrame(cached[1], columns=["schema", "table_name", "column", "type"])
    listing = listing[listing["schema"].isin(["marts", "audit"])]
    listing["table"] = listing["schema"] + "." + listing["table_name"]
    # the marts first (what analysts read), then the audit tables
    names = sorted(dict.fromkeys(listing["table"]), key=lambda n: (not n.startswith("marts."), n))
    default = names.index("marts.kpi_district") if "marts.kpi_district" in names else 0
    chosen = st.selectbox(t("col.table", lang), names, index=default, key="sql_table_pick")
    shown = listing[listing["table"] == chosen] if chosen else listing
    ui.table(tables.build(shown, tables.TABLE_COLUMNS, lang), "tables", key="tables_table")
