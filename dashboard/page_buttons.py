"""The dashboard's download row: the page's figures as PNG and the page's briefing deck,
for the page's current selection. Files are made only when a button is clicked
(Streamlit runs the callable then), so the page itself stays fast.

A page adds one call near its end:

    page_buttons.briefing_downloads("overview", wh, period, lang=lang)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from schoolwh.briefing import PPTX_MIME
from schoolwh.briefing import downloads as bd
from schoolwh.briefing.export import missing_requirements
from schoolwh.briefing.labels import tr
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse


@lru_cache(maxsize=1)
def _browser_problem() -> str | None:
    return missing_requirements()


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
    district_name = None
    if district is not None:
        frame = q.districts(wh)
        match = frame.loc[frame["district_code"] == district, "district_name"]
        district_name = str(match.iloc[0]) if len(match) else None
    row = st.container(horizontal=True)
    row.download_button(
        tr("download.figures", lang),
        data=lambda: bd.page_figures_zip(warehouse, page, period, district=district, lang=lang),
        file_name=bd.figures_file_name(period, district_name, lang, page),
        mime=bd.ZIP_MIME,
        key=f"briefing_png_{page}",
        on_click="ignore",
        icon=":material/image:",
        help=tr("download.help", lang),
    )
    row.download_button(
        tr("download.summary", lang),
        data=lambda: bd.page_summary(warehouse, period, district=district, lang=lang),
        file_name=bd.summary_file_name(period, district_name, lang),
        mime=bd.PDF_MIME,
        key=f"briefing_pdf_{page}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=tr("download.help", lang),
    )
    row.download_button(
        tr("download.deck", lang),
        data=lambda: bd.page_deck(warehouse, page, period, district=district, lang=lang),
        file_name=bd.deck_file_name(period, district_name, lang, page),
        mime=PPTX_MIME,
        key=f"briefing_deck_{page}",
        on_click="ignore",
        icon=":material/slideshow:",
        help=tr("download.help", lang),
    )
