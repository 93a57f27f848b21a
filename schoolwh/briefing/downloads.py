"""Bytes for the dashboard's download buttons: a page's figures as PNG and the page's
briefing deck. Nothing here imports Streamlit; the pages pass these functions (not their
results) to `st.download_button(data=...)`, so Chromium only starts when someone clicks.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import plotly.graph_objects as go

from schoolwh.briefing import PPTX_MIME, names, render_briefing, render_summary
from schoolwh.briefing.export import PRINT_SCALE, ImageRequest, render
from schoolwh.briefing.labels import tr
from schoolwh.briefing.scope import file_scope
from schoolwh.briefing.summary import PDF_MIME

__all__ = [
    "PAGE_SCOPES",
    "PDF_MIME",
    "PNG_MIME",
    "PPTX_MIME",
    "ZIP_MIME",
    "deck_file_name",
    "figure_png",
    "figures_file_name",
    "figures_zip",
    "page_deck",
    "page_figures_zip",
    "page_summary",
    "summary_file_name",
]

PNG_MIME = "image/png"
ZIP_MIME = "application/zip"
DEFAULT_WIDTH = 1000

ISSUE_KPIS = ("issue_closure_rate", "issue_on_time_rate", "median_days_to_close")

# The slides of each dashboard page's deck: (topics, KPIs or None for all).
PAGE_SCOPES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    "overview": (("kpis", "supervision", "trends", "funding", "issues", "quality"), None),
    "district": (("kpis", "supervision", "trends", "funding", "issues", "quality"), None),
    "funding": (("kpis", "funding"), ("budget_execution",)),
    "satisfaction": (("kpis",), ("satisfaction_rate",)),
    "issues": (("kpis", "issues"), ISSUE_KPIS),
    "quality": (("kpis", "quality"), ("reporting_completeness",)),
    # the seed's supervision KPIs (topic = supervision) and the 需要关注 counts
    "supervision": (("supervision",), None),
}


def _size(fig: go.Figure, width: int | None) -> tuple[int, int]:
    return width or DEFAULT_WIDTH, int(fig.layout.height or 450)


def figure_png(fig: go.Figure, width: int | None = None, scale: float = PRINT_SCALE) -> bytes:
    """One dashboard figure as a print-resolution PNG (white background)."""
    w, h = _size(fig, width)
    return render([ImageRequest(fig, w, h, ("png",))], scale=scale, tabs=1)[0]["png"]


def figures_zip(figures: Mapping[str, go.Figure], width: int | None = None) -> bytes:
    """Several figures as PNGs in one zip, drawn in one browser session; the mapping's
    keys are the file names without `.png`."""
    keys = list(figures)
    requests = [ImageRequest(figures[k], *_size(figures[k], width), ("png",)) for k in keys]
    images = render(requests)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, image in zip(keys, images, strict=True):
            archive.writestr(f"{names.safe_part(key)}.png", image["png"])
    return buffer.getvalue()


def page_deck(
    warehouse: Path,
    page: str,
    period: str,
    *,
    district: str | None = None,
    lang: str = "zh",
) -> bytes:
    """The briefing deck of a dashboard page's current selection (period, district)."""
    if page not in PAGE_SCOPES:
        raise ValueError(f"Unknown page {page!r}; pages: {', '.join(PAGE_SCOPES)}")
    topics, kpis = PAGE_SCOPES[page]
    _, _, deck, _ = render_briefing(
        warehouse, period, district=district, lang=lang, topics=topics, kpis=kpis, formats=()
    )
    return deck


def deck_file_name(
    period: str,
    district_name: str | None,
    lang: str,
    page: str | None = None,
    *,
    jurisdiction: str,
) -> str:
    """`2025-autumn_金水区_简报.pptx` (the command's name), with the page for a page's deck."""
    scope = file_scope(jurisdiction, district_name, lang)
    name = tr("fig.deck", lang)
    if page and page not in ("overview", "district"):
        name = f"{name}-{page}"
    return names.file_name(period, scope, name, "pptx")


def page_figures_zip(
    warehouse: Path,
    page: str,
    period: str,
    *,
    district: str | None = None,
    lang: str = "zh",
) -> bytes:
    """The figures of a dashboard page's selection as print-resolution PNGs in a zip, named
    as the zip is: the period as the page writes it (2025年秋季学期, never 2025-autumn
    beside it), the scope, the figure."""
    if page not in PAGE_SCOPES:
        raise ValueError(f"Unknown page {page!r}; pages: {', '.join(PAGE_SCOPES)}")
    topics, kpis = PAGE_SCOPES[page]
    scope, named, _, _ = render_briefing(
        warehouse, period, district=district, lang=lang, topics=topics, kpis=kpis, formats=("png",)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, images in named:
            archive.writestr(
                names.file_name(scope.period_label, scope.file_label, name, "png"), images["png"]
            )
    return buffer.getvalue()


def page_summary(
    warehouse: Path, period: str, *, district: str | None = None, lang: str = "zh"
) -> bytes:
    """The one-page A4 summary (PDF) of a page's selection (period, district)."""
    return render_summary(warehouse, period, district=district, lang=lang)[1]


def summary_file_name(
    period: str, district_name: str | None, lang: str, *, jurisdiction: str
) -> str:
    """`2025-autumn_金水区_一页摘要.pdf` (the name `schoolwh briefing` gives it)."""
    scope = file_scope(jurisdiction, district_name, lang)
    return names.file_name(period, scope, tr("fig.summary", lang), "pdf")


def figures_file_name(
    period: str, district_name: str | None, lang: str, page: str, *, jurisdiction: str
) -> str:
    """`2025-autumn_全市_图表-overview.zip`."""
    scope = file_scope(jurisdiction, district_name, lang)
    return names.file_name(period, scope, f"{tr('fig.figures', lang)}-{page}", "zip")
