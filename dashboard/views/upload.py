"""数据上报 Upload: templates, an instant check, correction sheets, submit.

Clerks (for their districts) and bureau staff drop files here; each file is checked at
once exactly as a load would (schoolwh/pipeline/check.py). Problem rows can be taken
away as a correction sheet, fixed in Excel and dropped again. Submit loads the files with
`schoolwh load` in a process of its own (schoolwh/pipeline/uploads.py: the load's memory
cap and lock, one load at a time), follows its progress lines and shows its load report
when it is done.
"""

from __future__ import annotations

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
    check_file,
    correction_sheet,
    published_schools,
    safe_file_name,
    vet_upload,
)
from schoolwh.pipeline.report import file_line
from schoolwh.pipeline.templates import PREFILLED, TemplateError, template_bytes
from schoolwh.reading.connection import warehouse_path
from schoolwh.reading.downloads import XLSX_MIME

JOB_KEY = "upload_job"
lang = ui.lang()
account = auth.current_account()
scope = account.scope if account is not None else None
warehouse = warehouse_path()


def _t(zh: str, en: str) -> str:
    return zh if lang == "zh" else en


st.title(_t("数据上报", "Upload"))
st.caption(
    _t(
        "下载填报模板 → 填写 → 上传后立即检查 → 下载问题行修改 → 提交导入。",
        "Download a template → fill it in → upload for an instant check → fix the problem "
        "rows → submit.",
    )
)

# templates -------------------------------------------------------------------------------
with st.expander(_t("填报模板", "Templates"), expanded=False):
    left, right = st.columns(2)
    source = left.selectbox(
        _t("数据类型", "Source"),
        list(SOURCES),
        format_func=lambda s: f"{SOURCES[s].zh} ({s})",
        key="template_source",
    )
    districts = list(scope) if scope else []
    district = (
        right.selectbox(_t("区县（预填学校）", "District (schools filled in)"), districts)
        if districts
        else right.text_input(_t("区县代码（可选，预填学校）", "District code (optional)"))
    )
    try:
        data = template_bytes(
            source,
            district=(district or None) if source in PREFILLED else None,
            warehouse=warehouse,
        )
    except TemplateError as exc:
        st.error(str(exc))
    else:
        st.download_button(
            _t("下载模板", "Download the template"),
            data,
            file_name=f"{SOURCES[source].zh}_模板.xlsx",
            mime=XLSX_MIME,
            key="template_download",
        )

# the instant check -----------------------------------------------------------------------
files = st.file_uploader(
    _t(
        f"选择文件（{' / '.join(UPLOAD_SUFFIXES)}，每个不超过 {MAX_UPLOAD_BYTES >> 20} MB）",
        f"Files ({' / '.join(UPLOAD_SUFFIXES)}, {MAX_UPLOAD_BYTES >> 20} MB each at most)",
    ),
    type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
    accept_multiple_files=True,
    key="upload_files",
)
accepted: list[tuple[str, bytes]] = []
any_rejected = False
if files:
    schools = published_schools(warehouse) if scope is not None else {}
    for i, f in enumerate(files, start=1):
        data = f.getvalue()
        st.subheader(f.name)
        try:
            vet_upload(f.name, data)
            safe = safe_file_name(f.name, i)
        except UploadRefused as exc:
            st.error(str(exc))
            any_rejected = True
            continue
        result = check_file(Path(safe), data, scope=scope, schools=schools)
        lines = [file_line(o) for o in result.outcomes]
        if result.rejected:
            any_rejected = True
            st.error("\n".join(lines))
        elif result.problem_count:
            st.warning("\n".join(lines))
        else:
            st.success("\n".join(lines))
        problems = result.problems()
        if problems.height:
            frame = pd.DataFrame(
                {
                    _t("工作表", "Sheet"): problems["sheet"].to_list(),
                    _t("行", "Row"): problems["row_number"].to_list(),
                    _t("列", "Column"): problems["column_name"].to_list(),
                    _t("值", "Value"): problems["raw_value"].to_list(),
                    _t("问题", "Problem"): problems["message"].to_list(),
                }
            )
            st.dataframe(frame, hide_index=True, use_container_width=True)
            sheet = correction_sheet(result)
            if sheet is not None:
                st.download_button(
                    _t("下载问题行（修改后重新上传）", "Download the problem rows to fix"),
                    sheet,
                    file_name=f"{Path(safe).stem}_问题行.xlsx",
                    mime=XLSX_MIME,
                    key=f"correction_{i}",
                )
        accepted.append((f.name, data))

# submit ----------------------------------------------------------------------------------
if accepted:
    if any_rejected:
        st.info(
            _t(
                "有文件会被拒绝；提交时只导入可以导入的行，被拒绝的文件需修改后重新上传。",
                "A file would be rejected: submitting loads what can be loaded; fix the "
                "rejected file and upload it again.",
            )
        )
    if st.button(_t("提交导入", "Submit"), type="primary", key="upload_submit"):
        try:
            saved = uploads.save_uploads(warehouse, accepted)
        except (UploadRefused, OSError) as exc:
            st.error(str(exc))
        else:
            job = uploads.submit(
                warehouse,
                saved,
                user=account.name if account is not None else None,
                scope=scope,
            )
            st.session_state[JOB_KEY] = job.id


@st.fragment(run_every=1.0)
def _progress() -> None:
    job_id = st.session_state.get(JOB_KEY)
    job = uploads.get_job(job_id) if job_id else None
    if job is None:
        return
    import time

    elapsed = (job.finished or time.time()) - job.started
    states = {
        "queued": _t("排队中", "queued"),
        "loading": _t("导入中（读取、检查、构建、发布）", "loading (read, check, build, publish)"),
        "published": _t("已发布", "published"),
        "not_published": _t("未发布", "not published"),
        "failed": _t("失败", "failed"),
    }
    text = f"{states[job.state]} · {elapsed:.0f} s"
    if job.state == "published":
        st.success(text)
    elif job.done:
        st.error(text)
    else:
        st.info(text)
    if job.steps and not job.done:
        st.caption(" → ".join(job.steps[-4:]))
    if job.report:
        st.code(job.report, language=None)


_progress()
