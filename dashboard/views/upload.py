"""数据上报 Upload: templates, an instant check, correction sheets, submit.

Clerks (for their districts) and bureau staff drop files here; each file is checked once,
exactly as a load would (schoolwh/pipeline/check.py `checked_upload`: keyed by its
content, a bounded result kept, a bounded number of checks at once). Problem rows can be
taken away as a correction sheet, fixed in Excel and dropped again. Submit loads the
files with `schoolwh load` in a process of its own (schoolwh/pipeline/uploads.py: the
load's memory cap and lock, one load at a time) and follows its progress. What the page
says is a clerk's summary (schoolwh/pipeline/report.py): counts in words, no server path,
table name, check id or dbt output.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline import uploads
from schoolwh.pipeline.check import (
    MAX_UPLOAD_BYTES,
    UPLOAD_SUFFIXES,
    UploadRefused,
    checked_upload,
)
from schoolwh.pipeline.report import clerk_file_notes, clerk_load_notes
from schoolwh.pipeline.templates import DAILY, PREFILLED, TemplateError, template_bytes
from schoolwh.reading import downloads
from schoolwh.reading import queries as q
from schoolwh.reading.connection import warehouse_path
from schoolwh.reading.downloads import XLSX_MIME
from schoolwh.reading.i18n import enum_label, page_title, t

JOB_KEY = "upload_job"
DIGESTS_KEY = "_upload_digests"  # the browser's file id -> its content's hash
lang = ui.lang()
account = auth.current_account()
scope = account.scope if account is not None else None
warehouse = warehouse_path()
LIMIT_MB = MAX_UPLOAD_BYTES >> 20


def _said(message: str) -> str:
    """A `中文 / English` message of the pipeline in the page's language."""
    zh, sep, en = str(message).partition(" / ")
    return zh if lang == "zh" or not sep else en


def _notes(notes) -> None:
    for level, zh, en in notes:
        ui.note(level, zh if lang == "zh" else en)


def _district_names() -> dict[str, str]:
    """District code → name, from the warehouse this session reads."""
    wh = ui.warehouse()
    if wh is None or not wh.is_ready():
        return {}
    try:
        frame = q.districts(wh)
    except Exception:  # an empty or older warehouse: codes are shown as they are
        return {}
    return {
        str(c): str(n) for c, n in zip(frame["district_code"], frame["district_name"], strict=True)
    }


@st.cache_data(show_spinner=False, max_entries=16)
def _template(source: str, district: str | None, published: str, version: int) -> bytes:
    """The template, made once per source, district and published warehouse."""
    return template_bytes(source, district=district, warehouse=Path(published))


def _version() -> int:
    try:
        return warehouse.stat().st_mtime_ns
    except OSError:
        return 0


st.title(page_title("upload", lang))
st.caption(t("upload.steps", lang))

# templates: a clerk's daily template for their district, first ---------------------------
names = _district_names()
with st.expander(
    t("upload.templates", lang), expanded=account is None or not account.sees_dashboard
):
    left, right = st.columns(2)
    kinds = list(SOURCES)
    source = left.selectbox(
        t("upload.source", lang),
        kinds,
        index=kinds.index(DAILY) if DAILY in kinds else 0,
        format_func=lambda s: enum_label("source", s, lang),
        key="template_source",
    )
    choices: list[str] = list(scope) if scope else ["", *names]
    district = right.selectbox(
        t("upload.district", lang),
        choices,
        format_func=lambda d: names.get(d, d) if d else t("upload.no_district", lang),
        key="template_district",
        disabled=source not in PREFILLED,
    )
    district = district if source in PREFILLED and district else None
    if district:
        st.caption(t("upload.template_hint", lang))
    try:
        data = _template(source, district, str(warehouse), _version())
    except TemplateError as exc:
        ui.note("error", _said(str(exc)))
    else:
        place = names.get(district, district) + "_" if district else ""
        stem = t(
            "upload.template_file", lang, place=place, source=enum_label("source", source, lang)
        )
        st.download_button(
            t("upload.download_template", lang),
            data,
            file_name=f"{downloads.file_stem(stem)}.xlsx",
            mime=XLSX_MIME,
            key="template_download",
            icon=":material/download:",
        )

# the instant check: once per file -------------------------------------------------------
files = ui.file_uploader(
    t("upload.files", lang, mb=LIMIT_MB), UPLOAD_SUFFIXES, LIMIT_MB, key="upload_files"
)
digests: dict[str, str] = st.session_state.setdefault(DIGESTS_KEY, {})
accepted: list[tuple[str, bytes]] = []
any_rejected = False
for i, f in enumerate(files or [], start=1):
    data = f.getvalue()
    digest = digests.get(f.file_id) or hashlib.sha256(data).hexdigest()
    digests[f.file_id] = digest
    ui.heading(f.name, 4)
    result = checked_upload(f.name, data, scope=scope, warehouse=warehouse, digest=digest)
    if result.refused is not None:
        ui.note("error", _said(result.refused))
        any_rejected = True
        continue
    any_rejected |= result.rejected
    _notes(clerk_file_notes(result.outcomes, loaded=False))
    if result.problems is not None and result.problems.height:
        p = result.problems
        frame = pd.DataFrame(
            {
                t("col.sheet", lang): p["sheet"].to_list(),
                t("col.row_number", lang): p["row_number"].to_list(),
                t("col.column_name", lang): p["column_name"].to_list(),
                t("col.raw_value", lang): p["raw_value"].to_list(),
                t("col.reason", lang): [
                    enum_label("quarantine_reason", r, lang) for r in p["reason"].to_list()
                ],
            }
        )
        st.dataframe(frame, hide_index=True)
        if result.problem_cells > p.height:
            st.caption(t("upload.problems_more", lang, shown=p.height, n=result.problem_cells))
    if result.correction is not None:
        stem = t("upload.problems_file", lang, name=f.name.rsplit(".", 1)[0])
        st.download_button(
            t("upload.download_problems", lang),
            result.correction,
            file_name=f"{downloads.file_stem(stem)}.xlsx",
            mime=XLSX_MIME,
            key=f"correction_{i}",
            icon=":material/download:",
        )
    if any(o.status == "loaded" for o in result.outcomes):
        accepted.append((f.name, data))

# submit ----------------------------------------------------------------------------------
if accepted:
    if any_rejected:
        ui.note("info", t("upload.some_rejected", lang))
    if st.button(t("upload.submit", lang), type="primary", key="upload_submit"):
        try:
            saved = uploads.save_uploads(warehouse, accepted)
        except (UploadRefused, OSError) as exc:
            ui.note("error", _said(str(exc)))
        else:
            job = uploads.submit(
                warehouse,
                saved,
                user=account.name if account is not None else None,
                scope=scope,
                names=[name for name, _ in accepted],
            )
            st.session_state[JOB_KEY] = job.id


@st.fragment(run_every=1.0)
def _progress() -> None:
    job_id = st.session_state.get(JOB_KEY)
    job = uploads.get_job(job_id) if job_id else None
    if job is None:
        return
    elapsed = (job.finished or time.time()) - job.started
    state = t(f"upload.state.{job.state}", lang)
    text = t("upload.elapsed", lang, state=state, seconds=f"{elapsed:.0f}")
    if not job.done:
        ui.note("info", text)
        return
    st.caption(text)
    _notes(clerk_load_notes(job.summary or {"exit_code": job.exit_code, "outcomes": []}))
    for outcome_notes in _per_file(job):
        _notes(outcome_notes)
    if job.report and (account is None or account.sees_dashboard):  # never for a clerk
        with st.expander(t("upload.report", lang)):
            st.code(job.report, language=None)


def _per_file(job: uploads.UploadJob):
    """The load's notes for each file submitted, under the name it was uploaded with."""
    from schoolwh.pipeline.report import outcomes_of

    outcomes = outcomes_of(job.summary or {})
    for path, name in zip(job.files, job.names, strict=False):
        mine = [o for o in outcomes if o.file_name.endswith(path.name)]
        if mine:
            ui.heading(name, 5)
            yield clerk_file_notes(mine, loaded=True)


_progress()
