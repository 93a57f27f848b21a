"""The dashboard's download row: the page's figures as PNG, the one-page A4 summary (PDF)
and the page's briefing deck, for the page's current selection.

A file is made only when its 生成 button is clicked, under a spinner that counts the
seconds, so the page itself stays fast and the wait is never silent; once made, the button
becomes the download of that file until the selection (period, district, language) changes.

A page adds one call near its end:

    page_buttons.briefing_downloads("overview", wh, period, lang=lang)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import streamlit as st

from dashboard.auth import session_owner
from dashboard.ui import jurisdiction
from schoolwh.briefing import PPTX_MIME
from schoolwh.briefing import downloads as bd
from schoolwh.briefing.export import missing_requirements
from schoolwh.briefing.labels import tr
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse
from schoolwh.reading.i18n import page_title, t

MADE_KEY = "briefing_made"  # session state: (kind, page) → (selection, file bytes)
# a selection names the account and the file read as well: nobody gets another's file


@lru_cache(maxsize=1)
def _browser_problem() -> str | None:
    return missing_requirements()


@dataclass(frozen=True)
class _File:
    kind: str  # png, pdf, pptx
    label: str  # the download button's label
    make_label: str  # the button that makes the file
    make: Callable[[], bytes]
    file_name: str
    mime: str
    icon: str


def briefing_downloads(
    page: str,
    wh: Warehouse,
    period: str | int | None,
    *,
    district: str | None = None,
    lang: str = "zh",
) -> None:
    """Three buttons: the page's figures (PNG, zipped), the one-page A4 summary (PDF) and
    the deck (PPTX), for `period` and the whole jurisdiction or `district` (code); or,
    without Chromium or the CJK font, the one sentence saying what to install."""
    if period is None:
        return
    period = str(period)
    problem = _browser_problem()
    if problem:
        st.caption(problem)
        return
    warehouse = Path(wh.path)
    district_name = q.overall_place(wh)  # a district's own extract: named for the district
    if district is not None:
        frame = q.districts(wh)
        match = frame.loc[frame["district_code"] == district, "district_name"]
        district_name = str(match.iloc[0]) if len(match) else None
    # file names in the page's language: its period and its title, not their codes
    shown_period = fmt.period(period, lang)
    title = page_title(page, lang)
    deck_page = None if page in ("overview", "district") else title
    place = jurisdiction(wh)  # 全市 / 全县 … in the file names of the whole jurisdiction
    files = (
        _File(
            "png",
            tr("download.figures", lang),
            t("download.make_figures", lang),
            lambda: bd.page_figures_zip(warehouse, page, period, district=district, lang=lang),
            bd.figures_file_name(shown_period, district_name, lang, title, jurisdiction=place),
            bd.ZIP_MIME,
            ":material/image:",
        ),
        _File(
            "pdf",
            tr("download.summary", lang),
            t("download.make_summary", lang),
            lambda: bd.page_summary(warehouse, period, district=district, lang=lang),
            bd.summary_file_name(shown_period, district_name, lang, jurisdiction=place),
            bd.PDF_MIME,
            ":material/picture_as_pdf:",
        ),
        _File(
            "pptx",
            tr("download.deck", lang),
            t("download.make_deck", lang),
            lambda: bd.page_deck(warehouse, page, period, district=district, lang=lang),
            bd.deck_file_name(shown_period, district_name, lang, deck_page, jurisdiction=place),
            PPTX_MIME,
            ":material/slideshow:",
        ),
    )
    # a file is this session's owner's, of the file this session reads
    selection = (period, district, lang, str(wh.path), session_owner())
    row = st.container(horizontal=True)
    for file in files:
        _button(row.empty(), file, page, selection, lang)


def _button(slot, file: _File, page: str, selection: tuple, lang: str) -> None:
    """The file's download when it is made for this selection; else the button that makes
    it, with a spinner (and the seconds) while it is made."""
    made = st.session_state.setdefault(MADE_KEY, {})
    ready = made.get((file.kind, page))
    if ready is None or ready[0] != selection:
        clicked = slot.button(
            file.make_label,
            key=f"briefing_make_{file.kind}_{page}",
            icon=file.icon,
            help=tr("download.help", lang),
        )
        if not clicked:
            return
        with slot, st.spinner(t("download.making", lang, what=file.label), show_time=True):
            try:
                data = file.make()
            except Exception as exc:  # a failed render is said in words, never a traceback
                st.session_state[MADE_KEY].pop((file.kind, page), None)
                slot.error(t("download.failed", lang, what=file.label, error=exc))
                return
        made[(file.kind, page)] = (selection, data)
        ready = made[(file.kind, page)]
    slot.download_button(
        file.label,
        data=ready[1],
        file_name=file.file_name,
        mime=file.mime,
        key=f"briefing_{file.kind}_{page}",
        on_click="ignore",
        icon=file.icon,
        type="primary",
    )
