"""Which slides a briefing has, in which order, with which figure and findings."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from schoolwh.briefing import findings, supervision
from schoolwh.briefing.data import BriefingData
from schoolwh.briefing.deck import Deck, Picture
from schoolwh.briefing.figures import TOPICS
from schoolwh.briefing.labels import tr
from schoolwh.briefing.summary import summary_findings
from schoolwh.reading import formatting as fmt
from schoolwh.reading.headline import headline
from schoolwh.reading.i18n import kpi_name, t

TRENDS_PER_SLIDE = 4


MAX_MAIN_SLIDES = 12  # the slides presented; the rest go to the appendix


def _kpi_slide(deck: Deck, data: BriefingData, pictures: Mapping[str, Picture], kpi: str) -> None:
    lang = data.scope.lang
    row = data.kpi_row(kpi)
    unit = row.get("unit") if row is not None and isinstance(row.get("unit"), str) else None
    target = None if row is None else row.get("target")
    deck.figure_slide(
        kpi_name(kpi, lang),
        pictures.get(f"kpi:{kpi}"),
        findings.kpi_findings(data, kpi),
        value=fmt.kpi_value(None if row is None else row.get("value"), unit, lang),
        status=None if row is None else row.get("status"),
        # without a target the status badge already says so
        target=(
            t("kpi.target", lang, target=fmt.kpi_value(target, unit, lang))
            if not fmt.is_missing(target)
            else None
        ),
    )


def _main_kpis(data: BriefingData, chosen: list[str], room: int) -> list[str]:
    """The KPIs presented in the main part: below target first, then near it, at most
    `room`; the others go to the appendix."""
    order = {"missed": 0, "near": 1}
    ranked = []
    for kpi in chosen:
        row = data.kpi_row(kpi)
        status = None if row is None else row.get("status")
        if status in order:
            ranked.append((order[status], chosen.index(kpi), kpi))
    return [kpi for _, _, kpi in sorted(ranked)][: max(room, 0)]


def compose(
    data: BriefingData,
    pictures: Mapping[str, Picture],
    topics: Collection[str] = TOPICS,
    kpis: Collection[str] | None = None,
) -> Deck:
    """The deck of one scope; `pictures` maps figure keys (figures.FigureItem.key) to PNGs.

    结论与建议 first; at most MAX_MAIN_SLIDES presented slides (title, conclusions, the KPI
    table, the status grid, the KPIs below target, money, issues); then an appendix with
    the other KPIs, the monthly trends and data quality."""
    scope = data.scope
    lang = scope.lang
    deck = Deck(scope, sample=data.sample)
    deck.title_slide(headline(data.kpis, data.by_district, lang) if "kpis" in topics else "")
    deck.conclusions_slide(summary_findings(data), findings.recommendations(data))
    # the supervision KPIs have their own slide when the topic is asked for
    general = data.without_supervision() if "supervision" in topics else data
    chosen = [k for k in general.kpi_ids() if kpis is None or k in kpis]
    grid = pictures.get("status_grid") if "kpis" in topics else None
    sup_grid = pictures.get("supervision_grid") if "supervision" in topics else None
    show_supervision = "supervision" in topics and supervision.has_supervision(data)
    fixed = 2 + ("kpis" in topics and bool(chosen)) + (grid is not None)
    fixed += ("funding" in topics) + 2 * ("issues" in topics)
    fixed += show_supervision + (show_supervision and sup_grid is not None)
    main = _main_kpis(data, chosen, MAX_MAIN_SLIDES - fixed) if "kpis" in topics else []
    if "kpis" in topics and len(chosen) <= MAX_MAIN_SLIDES - fixed:
        main = chosen  # a page's small deck: every KPI it covers

    if "kpis" in topics and chosen:
        rows = data.kpis[data.kpis["kpi"].isin(chosen)]
        previous = data.previous_kpis
        if not previous.empty:
            previous = previous[previous["kpi"].isin(chosen)]
        deck.overview(rows.reset_index(drop=True), previous)
        if grid is not None:
            deck.wide_slide(tr("slide.status_grid", lang), grid)
        if data.one_district:  # one district alone: a KPI's slide only with its schools ranked
            main = [k for k in main if f"kpi:{k}" in pictures]
        for kpi in main:
            _kpi_slide(deck, data, pictures, kpi)

    if show_supervision:
        own = data.supervision_only()
        deck.supervision_slide(
            own.kpis,
            own.previous_kpis,
            supervision.watch_rows(data),
            supervision.supervision_findings(data, watch=False),  # the table has the counts
        )
        if sup_grid is not None:
            deck.wide_slide(tr("slide.supervision_grid", lang), sup_grid)

    if "funding" in topics:
        pace = data.pace
        last = pace.iloc[-1] if not pace.empty else None
        deck.figure_slide(
            tr("slide.funding", lang),
            pictures.get("funding_pace"),
            findings.funding_findings(data),
            value=fmt.percent(last["ytd_share"], lang) if last is not None else None,
            status=last["status"] if last is not None else None,
            target=(
                f"{t('funding.target_pace', lang)} {fmt.percent(last['target_pace'], lang)}"
                if last is not None
                else None
            ),
            subtitle=f"{scope.label} · {fmt.period(str(scope.pace_year), lang)}",
        )

    if "issues" in topics:
        deck.figure_slide(
            tr("slide.issues", lang),
            pictures.get("issues_month"),
            findings.issues_findings(data),
        )
        deck.overdue_slide(
            pictures.get("overdue"),
            findings.overdue_findings(data),
            data.overdue,
        )

    # the appendix: the other KPIs (the supervision ones too), the trends, data quality
    rest = [k for k in chosen if k not in main] if "kpis" in topics else []
    if show_supervision:
        rest += [k for k in data.supervision_only().kpi_ids() if kpis is None or k in kpis]
    if data.one_district:  # the KPI table has them all: no slide without a chart
        rest = [k for k in rest if f"kpi:{k}" in pictures]
    trend_kpis = [
        k
        for k in data.trend_kpis()
        if (kpis is None or k in kpis) and f"trend:{k}" in pictures and "trends" in topics
    ]
    trend_pictures = [pictures[f"trend:{k}"] for k in trend_kpis]
    if rest or trend_pictures or "quality" in topics:
        deck.section_slide(tr("slide.appendix", lang), tr("slide.appendix_note", lang))
    for kpi in rest:
        _kpi_slide(deck, data, pictures, kpi)
    for start in range(0, len(trend_pictures), TRENDS_PER_SLIDE):
        key = "slide.trends" if start == 0 else "slide.trends_more"
        shown = trend_kpis[start : start + TRENDS_PER_SLIDE]
        deck.grid_slide(
            tr(key, lang),
            trend_pictures[start : start + TRENDS_PER_SLIDE],
            [f for f in (findings.trend_finding(data, k) for k in shown) if f],
        )
    if "quality" in topics:
        deck.quality_slide(findings.quality_findings(data), data.quality.quarantine)
    return deck
