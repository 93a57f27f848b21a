"""The briefing's figures, built by the dashboard's own builders (`schoolwh.reading.charts`) from
the data of one scope, each with the size it is exported at and a stable name."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from schoolwh.briefing.data import BriefingData
from schoolwh.briefing.findings import overdue_groups
from schoolwh.briefing.labels import tr
from schoolwh.reading import charts
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.i18n import kpi_name, t

# Export widths in CSS pixels: about 1 px per 1/96 inch of the box the figure fills on a
# slide, so the charts' 11–13 px text prints at 8–10 pt.
WIDE = 1100
MAIN = 800
CELL = 640

TOPICS = ("kpis", "supervision", "trends", "funding", "issues", "quality")


@dataclass
class FigureItem:
    key: str  # stable id: "ranking:lunch_coverage", "trend:eating_share", "funding_pace" …
    name: str  # the file-name part, in the briefing's language
    fig: go.Figure
    width: int
    height: int
    kpi: str | None = None


def _height(fig: go.Figure, default: int = 400) -> int:
    return int(fig.layout.height or default)


def _title(fig: go.Figure, text: str) -> go.Figure:
    fig.update_layout(
        title={
            "text": fmt.html_text(text),  # the place's name is data: literal text
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 0.985,
            "yanchor": "top",
            "font": {"size": 15},
        },
        margin={"t": 80},
    )
    return fig


def _highlight(frame: pd.DataFrame, data: BriefingData) -> tuple[pd.DataFrame, str]:
    """The districts' labels, with the briefing's own district marked (and drawn in bold
    by the chart, which writes every label as literal text)."""
    code = data.scope.district_code
    if code is None:
        return frame, "district_name"
    own = frame["district_code"] == code
    labels = [
        tr("slide.highlight", data.scope.lang, name=n) if mine else str(n)
        for mine, n in zip(own, frame["district_name"], strict=False)
    ]
    return frame.assign(_label=labels, **{charts.EMPHASIS: own}), "_label"


def kpi_summary(data: BriefingData) -> FigureItem | None:
    scope = data.scope
    if data.kpis.empty:
        return None
    cards = charts.kpi_cards(data.kpis, data.previous_kpis, scope.lang, scope.previous_label)
    fig = charts.kpi_summary(cards, scope.lang, per_row=4)
    fig = _title(fig, f"{scope.label} · {tr('fig.kpi_summary', scope.lang)} · {scope.period_label}")
    fig.update_layout(height=_height(fig) + 50)
    return FigureItem("kpi_summary", tr("fig.kpi_summary", scope.lang), fig, WIDE, _height(fig))


def status_grid(data: BriefingData) -> FigureItem | None:
    scope = data.scope
    if scope.is_district or data.one_district:  # one row is no grid: the KPI table says it
        return None
    fig = charts.status_grid(data.by_district, scope.lang, kpis=data.kpi_ids())
    fig = _title(fig, f"{tr('slide.status_grid', scope.lang)} · {scope.period_label}")
    # Rows a little lower and text a little larger than on screen: the grid has to fit a
    # slide's height and stay readable there.
    rows = data.by_district["district_code"].nunique()
    height = 28 * rows + 190
    fig.update_traces(textfont={"size": 13})
    fig.update_layout(height=height, margin={"t": 170})
    return FigureItem("status_grid", tr("fig.status_grid", scope.lang), fig, WIDE, height)


def supervision_grid(data: BriefingData) -> FigureItem | None:
    """The districts × supervision KPIs status grid (the 监管 page's), for the whole
    jurisdiction's briefing."""
    item = status_grid(data.supervision_only())
    if item is None:
        return None
    scope = data.scope
    _title(item.fig, f"{tr('slide.supervision_grid', scope.lang)} · {scope.period_label}")
    item.key = "supervision_grid"
    item.name = tr("fig.supervision_grid", scope.lang)
    return item


def kpi_figure(data: BriefingData, kpi: str) -> FigureItem | None:
    """The districts ranked on one KPI (satisfaction: with 95 % intervals), the target as
    a dashed line; a district's briefing marks that district."""
    scope = data.scope
    lang = scope.lang
    if data.one_district:
        return _school_figure(data, kpi)
    frame = data.districts_of(kpi)
    if frame.empty or not frame["value"].notna().any():
        return None
    target_values = frame["target"].dropna()
    target = float(target_values.iloc[0]) if len(target_values) else None
    if kpi == "satisfaction_rate":
        frame = frame[frame["denominator"].fillna(0) > 0]
        frame, label = _highlight(frame, data)
        fig = charts.satisfaction_intervals(frame, label, lang, target=target)
        fig = _title(fig, f"{t('sat.by_district', lang)} · {scope.period_label}")
        name = tr("fig.satisfaction", lang)
    else:
        frame, label = _highlight(frame, data)
        fig = charts.ranking_bars(
            frame,
            lang,
            target=target,
            label_col=label,
            previous=data.districts_of(kpi, previous=True),  # 环比 and each rank's change
            last_year=data.districts_of(kpi, year_ago=True),  # 同比
        )
        fig = _title(
            fig, f"{kpi_name(kpi, lang)} · {t('overview.ranking', lang)} · {scope.period_label}"
        )
        name = tr("fig.ranking", lang, kpi=kpi_name(kpi, lang))
    return FigureItem(f"kpi:{kpi}", name, fig, MAIN, _height(fig), kpi=kpi)


def _school_figure(data: BriefingData, kpi: str) -> FigureItem | None:
    """One district alone: its schools ranked on a KPI with a value per school (the lowest
    SCHOOLS_RANKED), the target dashed; None for another KPI: never a ranking of one bar."""
    lang = data.scope.lang
    frame = data.schools.get(kpi)
    if frame is None or frame.empty:
        return None
    frame = frame.head(q.SCHOOLS_RANKED)
    target_values = frame["target"].dropna()
    fig = charts.ranking_bars(
        frame.assign(status=None),  # a school's value has no status of its own
        lang,
        target=float(target_values.iloc[0]) if len(target_values) else None,
        label_col="school_name",
    )
    title = t("overview.school_ranking", lang, place=data.scope.label, n=len(frame))
    fig = _title(fig, f"{kpi_name(kpi, lang)} · {title} · {data.scope.period_label}")
    name = tr("fig.ranking", lang, kpi=kpi_name(kpi, lang))
    return FigureItem(f"kpi:{kpi}", name, fig, MAIN, _height(fig), kpi=kpi)


def trend_figure(data: BriefingData, kpi: str) -> FigureItem | None:
    lang = data.scope.lang
    rows = data.monthly[data.monthly["kpi"] == kpi]
    if rows.empty:
        return None
    fig = charts.trend_vs_target(rows, kpi, lang)
    fig = _title(fig, f"{kpi_name(kpi, lang)} · {data.scope.label}")
    fig.update_layout(height=320)
    return FigureItem(
        f"trend:{kpi}", tr("fig.trend", lang, kpi=kpi_name(kpi, lang)), fig, CELL, 320, kpi=kpi
    )


def funding_pace(data: BriefingData) -> FigureItem | None:
    scope = data.scope
    if data.pace.empty or not data.pace["allocated"].fillna(0).gt(0).any():
        return None
    fig = charts.ytd_pace(data.pace, scope.lang)
    fig = _title(fig, f"{t('funding.pace', scope.lang)} · {scope.label} · {scope.pace_year}")
    fig.update_layout(height=460)
    return FigureItem(
        "funding_pace", tr("fig.funding_pace", scope.lang), fig, MAIN, 460, kpi="budget_execution"
    )


def issues_month(data: BriefingData) -> FigureItem | None:
    scope = data.scope
    if data.issues_monthly.empty:
        return None
    # overdue apart from not yet due: an issue within its deadline is not a failure
    fig = charts.issues_closure_by_month(data.issues_monthly, scope.lang)
    fig = _title(fig, f"{t('issues.closure_by_month', scope.lang)} · {scope.label}")
    fig.update_layout(height=460)
    return FigureItem("issues_month", tr("fig.issues_month", scope.lang), fig, MAIN, 460)


def overdue(data: BriefingData) -> FigureItem | None:
    scope = data.scope
    grouped, label = overdue_groups(data)
    if grouped.empty:
        return None
    key = "overdue.by_category" if scope.is_district else "overdue.by_district"
    fig = charts.overdue_bars(grouped, label, scope.lang)
    fig = _title(fig, f"{tr(key, scope.lang)} · {scope.label}")
    return FigureItem("overdue", tr("fig.overdue", scope.lang), fig, 640, max(_height(fig), 360))


def build_figures(
    data: BriefingData,
    topics: Collection[str] = TOPICS,
    kpis: Collection[str] | None = None,
) -> list[FigureItem]:
    """Every figure of the briefing, in the order they appear in the deck."""
    general = data.without_supervision() if "supervision" in topics else data
    chosen = [k for k in general.kpi_ids() if kpis is None or k in kpis]
    items: list[FigureItem | None] = []
    if "kpis" in topics:
        items += [kpi_summary(general), status_grid(general) if kpis is None else None]
        items += [kpi_figure(data, k) for k in chosen]
    if "supervision" in topics:
        own = [k for k in data.supervision_only().kpi_ids() if kpis is None or k in kpis]
        items.append(supervision_grid(data) if kpis is None else None)
        items += [kpi_figure(data, k) for k in own]  # the appendix's slides
    if "trends" in topics:
        items += [trend_figure(data, k) for k in data.trend_kpis() if kpis is None or k in kpis]
    if "funding" in topics:
        items.append(funding_pace(data))
    if "issues" in topics:
        items += [issues_month(data), overdue(data)]
    shown = [i for i in items if i is not None]
    if data.sample:
        for item in shown:
            charts.mark_sample(item.fig, data.scope.lang)
    return shown
