"""Briefings for bureau meetings: the dashboard's figures as PNG (print resolution) and
SVG, and a 16:9 PPTX deck with findings written from the data.

    make_briefing(warehouse, "2025-autumn", Path("briefings"), district="金水区")

writes `2025-autumn_金水区_满意率.png`, … and `2025-autumn_金水区_简报.pptx`. Names are
stable, so running it again replaces the files. The warehouse is opened read-only.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from schoolwh.briefing import export, names
from schoolwh.briefing.compose import compose
from schoolwh.briefing.data import BriefingData, load_data
from schoolwh.briefing.deck import Picture
from schoolwh.briefing.export import ExportError
from schoolwh.briefing.figures import TOPICS, FigureItem, build_figures
from schoolwh.briefing.labels import tr
from schoolwh.briefing.scope import BriefingError, Scope, period_type_of, resolve_scope
from schoolwh.briefing.summary import summary_pdf
from schoolwh.core.atomic import write_bytes
from schoolwh.reading.connection import Warehouse, WarehouseError

__all__ = [
    "TOPICS",
    "BriefingError",
    "BriefingResult",
    "ExportError",
    "Scope",
    "make_briefing",
    "period_type_of",
]

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class BriefingResult:
    """What a briefing run wrote."""

    scope: Scope
    out_dir: Path
    deck: Path
    figures: tuple[Path, ...]  # PNG and SVG files, in deck order
    summary_pdf: Path | None  # the one-page A4 summary (with the KPIs topic)
    slides: int
    seconds: float

    @property
    def files(self) -> list[Path]:
        summary = [self.summary_pdf] if self.summary_pdf else []
        return [*self.figures, self.deck, *summary]

    def summary(self) -> str:
        """A few lines for the command line."""
        pngs = sum(1 for f in self.figures if f.suffix == ".png")
        lines = [f"简报 / Briefing: {self.deck}"]
        if self.summary_pdf:
            lines.append(f"一页摘要 / One-page summary (A4 PDF): {self.summary_pdf}")
        lines.append(
            f"  {self.slides} 张幻灯片 / slides; {pngs} 张图 / figures (PNG + SVG) in "
            f"{self.out_dir}; {self.seconds:.1f} s"
        )
        return "\n".join(lines)


def _open(warehouse: Path) -> Warehouse:
    wh = Warehouse(Path(warehouse))
    if not wh.exists:
        raise BriefingError(
            f"没有找到数据仓库 {warehouse} / The warehouse {warehouse} does not exist: "
            "load data first with `schoolwh load FOLDER`."
        )
    try:
        ready = wh.is_ready()
    except WarehouseError as exc:
        raise BriefingError(f"数据仓库无法读取 / The warehouse cannot be read: {exc}") from exc
    if not ready:
        wh.close()
        raise BriefingError(
            f"数据仓库 {warehouse} 中还没有指标结果表 / The warehouse {warehouse} has no KPI "
            "tables yet: load data first with `schoolwh load FOLDER`."
        )
    return wh


def _unique_names(items: list[FigureItem]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for item in items:
        count = seen.get(item.name, 0)
        seen[item.name] = count + 1
        out.append(item.name if count == 0 else f"{item.name}-{count + 1}")
    return out


def render_briefing(
    warehouse: Path,
    period: str,
    *,
    district: str | None = None,
    lang: str = "zh",
    jurisdiction: str | None = None,
    topics: Collection[str] = TOPICS,
    kpis: Collection[str] | None = None,
    formats: tuple[str, ...] = ("png", "svg"),
) -> tuple[Scope, list[tuple[str, dict[str, bytes]]], bytes, int]:
    """Build a briefing in memory: (scope, [(figure name, format → bytes)], deck, slides)."""
    _check_topics(topics)
    scope, data = _read(warehouse, period, district, lang, jurisdiction)
    named, deck, slides = _render(data, topics, kpis, formats)
    return scope, named, deck, slides


def _check_topics(topics: Collection[str]) -> None:
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise BriefingError(f"Unknown topics {sorted(unknown)}; topics: {', '.join(TOPICS)}.")


def _read(
    warehouse: Path, period: str, district: str | None, lang: str, jurisdiction: str | None
) -> tuple[Scope, BriefingData]:
    """The request checked against the warehouse, and everything a briefing shows of it."""
    wh = _open(Path(warehouse))
    try:
        scope = resolve_scope(wh, period, district=district, lang=lang, jurisdiction=jurisdiction)
        return scope, load_data(wh, scope)
    except WarehouseError as exc:
        raise BriefingError(f"数据仓库无法读取 / The warehouse cannot be read: {exc}") from exc
    finally:
        wh.close()


def _render(
    data: BriefingData,
    topics: Collection[str],
    kpis: Collection[str] | None,
    formats: tuple[str, ...],
) -> tuple[list[tuple[str, dict[str, bytes]]], bytes, int]:
    """The figures (by name and format) and the deck drawn from the data."""
    items = build_figures(data, topics, kpis)
    # Chromium and the CJK font are checked here, after the request itself was checked:
    # a mistyped period gets its own message on a machine without a browser too.
    wanted = tuple(dict.fromkeys(("png", *formats)))  # the deck needs the PNGs
    images = export.render([export.ImageRequest(i.fig, i.width, i.height, wanted) for i in items])
    pictures = {
        item.key: Picture(image["png"], item.width, item.height)
        for item, image in zip(items, images, strict=True)
    }
    deck = compose(data, pictures, topics, kpis)
    named = [
        (name, {f: image[f] for f in formats})
        for name, image in zip(_unique_names(items), images, strict=True)
    ]
    return named, deck.to_bytes(), len(deck.prs.slides)


def render_summary(
    warehouse: Path,
    period: str,
    *,
    district: str | None = None,
    lang: str = "zh",
    jurisdiction: str | None = None,
) -> tuple[Scope, bytes]:
    """The one-page A4 summary (PDF) of a period for the jurisdiction or one district."""
    scope, data = _read(warehouse, period, district, lang, jurisdiction)
    return scope, summary_pdf(data)


def make_briefing(
    warehouse: Path,
    period: str,
    out_dir: Path,
    *,
    district: str | None = None,
    lang: str = "zh",
    jurisdiction: str | None = None,
    topics: Collection[str] = TOPICS,
    kpis: Collection[str] | None = None,
) -> BriefingResult:
    """Write the figures (PNG and SVG) and the deck of one period, for the whole
    jurisdiction or one district (code or name), into `out_dir`.

    `period`: `2025-autumn` (term), `2025-09` (month) or `2025` (year). `jurisdiction`
    names the title's place when the district codes do not tell it (default: the city of
    the codes, e.g. 郑州市). Raises `BriefingError` for input to correct and `ExportError`
    when Chromium or the CJK font is missing, each with one sentence to show as it is.
    """
    started = time.perf_counter()
    _check_topics(topics)
    scope, data = _read(warehouse, period, district, lang, jurisdiction)  # read once
    named, deck_bytes, slides = _render(data, topics, kpis, ("png", "svg"))
    # drawn by Chromium, as the figures are
    summary = summary_pdf(data) if "kpis" in topics else None
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for name, images in named:
            for form, content in images.items():
                path = out / names.file_name(scope.period, scope.file_label, name, form)
                write_bytes(path, content)  # a reader never sees half a file
                written.append(path)
        deck_path = out / names.file_name(
            scope.period, scope.file_label, tr("fig.deck", lang), "pptx"
        )
        write_bytes(deck_path, deck_bytes)
        summary_path = None
        if summary is not None:
            summary_path = out / names.file_name(
                scope.period, scope.file_label, tr("fig.summary", lang), "pdf"
            )
            write_bytes(summary_path, summary)
    except OSError as exc:
        raise BriefingError(
            f"无法写入 {out} / Cannot write to {out}: {exc.strerror or exc}."
        ) from exc
    return BriefingResult(
        scope=scope,
        out_dir=out,
        deck=deck_path,
        figures=tuple(written),
        summary_pdf=summary_path,
        slides=slides,
        seconds=time.perf_counter() - started,
    )
