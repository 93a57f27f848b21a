"""Plotly figure builders: DataFrames and a language in, figures out.

Shared by the dashboard pages and the briefings (which export them as PNG/SVG), so
nothing here imports Streamlit or reads the warehouse. Every status is drawn with the
palette and glyphs of `dashboard.status`; every label comes from `dashboard.i18n`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting as fmt
from dashboard import status as st_
from dashboard.geo import MapData
from dashboard.i18n import kpi_name, status_label, t

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SERIES = {
    "allocated": "#9ECAE1",
    "spent": "#0072B2",
    "found": "#CC79A7",
    "closed": "#0072B2",
    "lunch": "#0072B2",
    "after_school": "#CC79A7",
    "line": "#0072B2",
    "target": "#000000",
}
STATUS_SYMBOL = {
    "met": "circle",
    "near": "triangle-up",
    "missed": "x",
    "no_data": "line-ew-open",
    "insufficient_sample": "circle-open",
    "no_target": "circle",
}


def _layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def _value_text(value: Any, unit: str | None, lang: str) -> str:
    return fmt.kpi_value(value, unit, lang)


# ---------------------------------------------------------------------------------------
# KPI cards
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KpiCard:
    kpi: str
    name: str
    value: float | None
    value_text: str
    target_text: str
    status: str  # one of status.ORDER
    status_text: str
    glyph: str
    colour: str
    text_colour: str
    delta: float | None
    delta_text: str
    delta_is_good: bool | None  # None when there is nothing to compare or no direction
    detail: str  # numerator / denominator or sample size


def lower_is_better(direction: Any, kpi: str | None = None) -> bool:
    """Whether a smaller value is better (`direction` = lower_is_better in the seed)."""
    if isinstance(direction, str) and direction:
        return direction.startswith("lower")
    return kpi == "median_days_to_close"


def kpi_cards(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    lang: str,
    previous_label: str | None = None,
) -> list[KpiCard]:
    """Cards for one period: value, target, status and change against the previous period.

    `current` / `previous`: rows of kpi_overall (or one district of kpi_district) with
    `kpi, value, target, status, unit` and optionally `direction, numerator, denominator`.
    """
    prev_values: dict[str, Any] = {}
    if previous is not None and not previous.empty:
        prev_values = dict(zip(previous["kpi"], previous["value"], strict=False))
    cards: list[KpiCard] = []
    for _, row in current.iterrows():
        kpi = str(row["kpi"])
        unit = row.get("unit")
        unit = unit if isinstance(unit, str) else None
        value = None if fmt.is_missing(row.get("value")) else float(row["value"])
        key = st_.normalise(row.get("status"))
        style = st_.STYLES[key]
        target = row.get("target")
        target_text = (
            t("kpi.target", lang, target=_value_text(target, unit, lang))
            if not fmt.is_missing(target)
            else t("kpi.no_target", lang)
        )
        prev = prev_values.get(kpi)
        delta = None if value is None or fmt.is_missing(prev) else value - float(prev)
        if delta is None:
            delta_text = t("kpi.no_prev", lang)
            good = None
        else:
            delta_text = fmt.kpi_delta(delta, unit, lang)
            if previous_label:
                delta_text = f"{delta_text} {t('kpi.vs_prev', lang, period=previous_label)}"
            good = (
                None
                if abs(delta) < 1e-12
                else (delta > 0) != lower_is_better(row.get("direction"), kpi)
            )
        if kpi == "satisfaction_rate" and not fmt.is_missing(row.get("denominator")):
            detail = t("kpi.n", lang, n=fmt.number(row["denominator"], lang))
        elif not fmt.is_missing(row.get("denominator")) and unit != "days":
            detail = (
                f"{fmt.number(row.get('numerator'), lang)} / {fmt.number(row['denominator'], lang)}"
            )
        else:
            detail = ""
        cards.append(
            KpiCard(
                kpi=kpi,
                name=kpi_name(kpi, lang),
                value=value,
                value_text=_value_text(value, unit, lang),
                target_text=target_text,
                status=key,
                status_text=status_label(row.get("status"), lang),
                glyph=style.glyph,
                colour=style.colour,
                text_colour=style.text_colour,
                delta=delta,
                delta_text=delta_text,
                delta_is_good=good,
                detail=detail,
            )
        )
    return cards


# ---------------------------------------------------------------------------------------
# Status grid and map
# ---------------------------------------------------------------------------------------
def status_legend_text(lang: str) -> str:
    """One line naming every status with its glyph (the legend of grids and maps)."""
    return "   ".join(
        f"{st_.STYLES[k].glyph} {status_label(k if k != 'no_target' else None, lang)}"
        for k in st_.ORDER
    )


def status_grid(frame: pd.DataFrame, lang: str, kpis: list[str] | None = None) -> go.Figure:
    """District × KPI heatmap coloured by status, each cell showing glyph and value.

    `frame`: kpi_district rows with `district_code, district_name, kpi, value, unit, status`
    (and `target`), for one period.
    """
    kpi_ids = kpis or list(dict.fromkeys(frame["kpi"]))
    districts = list(dict.fromkeys(frame["district_name"]))
    index = {key: i for i, key in enumerate(st_.ORDER)}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    cells = {(r.district_name, r.kpi): r for r in frame.itertuples(index=False)}
    for d in districts:
        z_row, t_row, h_row = [], [], []
        for k in kpi_ids:
            r = cells.get((d, k))
            if r is None:
                z_row.append(None)
                t_row.append("")
                h_row.append("")
                continue
            key = st_.normalise(r.status)
            unit = getattr(r, "unit", None)
            value = _value_text(r.value, unit, lang)
            z_row.append(index[key])
            t_row.append(f"{st_.STYLES[key].glyph} {value}")
            target = getattr(r, "target", None)
            h_row.append(
                f"{d}<br>{kpi_name(k, lang)}: {value}"
                + (
                    f"<br>{t('col.target', lang)}: {_value_text(target, unit, lang)}"
                    if not fmt.is_missing(target)
                    else ""
                )
                + f"<br>{status_label(r.status, lang)}"
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    n = len(st_.ORDER)
    scale: list[list[Any]] = []
    for i, key in enumerate(st_.ORDER):
        scale.append([i / n, st_.STYLES[key].colour])
        scale.append([(i + 1) / n, st_.STYLES[key].colour])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[kpi_name(k, lang) for k in kpi_ids],
            y=districts,
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    # Black text reads on every fill of the palette (contrast ≥ 4.5:1).
    fig.update_traces(textfont={"size": 12, "color": "#000000"})
    fig.update_xaxes(side="top", tickangle=-30)
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(260, 34 * len(districts) + 140))


def district_map(
    frame: pd.DataFrame,
    geo: MapData,
    kpi: str,
    lang: str,
    has_target: bool,
) -> go.Figure:
    """Choropleth of one KPI by district: status colours when the KPI has a target,
    else a light-to-dark blue scale of its value. Names and values are written on the map.

    `frame`: `district_code, district_name, value, unit, status` for one KPI and period.
    """
    rows = frame[frame["district_code"].astype(str).isin(geo.codes)].copy()
    rows["district_code"] = rows["district_code"].astype(str)
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    rows["value_text"] = [_value_text(v, unit, lang) for v in rows["value"]]
    rows["status_key"] = [st_.normalise(s) for s in rows["status"]]
    rows["status_text"] = [status_label(s, lang) for s in rows["status"]]
    fig = go.Figure()
    hover = "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"
    if has_target:
        for key in st_.ORDER:
            part = rows[rows["status_key"] == key]
            if part.empty:
                continue
            style = st_.STYLES[key]
            fig.add_trace(
                go.Choropleth(
                    geojson=geo.geojson,
                    locations=part["district_code"],
                    z=[1] * len(part),
                    colorscale=[[0, style.colour], [1, style.colour]],
                    showscale=False,
                    marker={"line": {"color": "#FFFFFF", "width": 1.2}},
                    customdata=part[["district_name", "value_text", "status_text"]].to_numpy(),
                    hovertemplate=hover,
                    name=f"{style.glyph} {status_label(key if key != 'no_target' else None, lang)}",
                    showlegend=True,
                )
            )
    else:
        fig.add_trace(
            go.Choropleth(
                geojson=geo.geojson,
                locations=rows["district_code"],
                z=rows["value"].astype(float),
                colorscale=st_.SEQUENTIAL_SCALE,
                marker={"line": {"color": "#FFFFFF", "width": 1.2}},
                customdata=rows[["district_name", "value_text", "status_text"]].to_numpy(),
                hovertemplate=hover,
                colorbar={"title": {"text": kpi_name(kpi, lang)}, "tickformat": ".0%"}
                if unit != "days"
                else {"title": {"text": kpi_name(kpi, lang)}},
            )
        )
    labelled = rows[rows["district_code"].isin(geo.centroids)]
    if not labelled.empty:
        glyphs = [st_.STYLES[k].glyph if has_target else "" for k in labelled["status_key"]]
        fig.add_trace(
            go.Scattergeo(
                lon=[geo.centroids[c][0] for c in labelled["district_code"]],
                lat=[geo.centroids[c][1] for c in labelled["district_code"]],
                text=[
                    f"{n}<br>{g} {v}".strip()
                    for n, g, v in zip(
                        labelled["district_name"], glyphs, labelled["value_text"], strict=False
                    )
                ],
                mode="text",
                textfont={"family": FONT, "size": 11, "color": "#000000"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    return _layout(fig, height=520)


def ranking_bars(
    frame: pd.DataFrame,
    lang: str,
    target: float | None = None,
    label_col: str = "district_name",
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of one KPI by district (best at the top), coloured by status,
    insufficient samples hatched, with the target as a dashed line.

    `frame`: `<label_col>, value, unit, status` (and optionally `direction`).
    """
    rows = frame.copy()
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    kpi = str(rows["kpi"].iloc[0]) if "kpi" in rows and len(rows) else None
    direction = (
        rows["direction"].dropna().iloc[0]
        if "direction" in rows and rows["direction"].notna().any()
        else None
    )
    ascending = lower_is_better(direction, kpi)
    rows = rows.sort_values("value", ascending=not ascending, na_position="first")
    keys = [st_.normalise(s) for s in rows["status"]]
    values = rows["value"].astype(float).fillna(0.0)
    text = [
        f"{st_.STYLES[k].glyph} {_value_text(v, unit, lang)}"
        for k, v in zip(keys, rows["value"], strict=False)
    ]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=rows[label_col],
            orientation="h",
            marker={
                "color": [st_.STYLES[k].colour for k in keys],
                "pattern": {"shape": [st_.STYLES[k].pattern for k in keys], "fgcolor": "#555"},
                "line": {"color": "#666666", "width": 0.5},
            },
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=[status_label(k if k != "no_target" else None, lang) for k in keys],
            hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if target is not None and not fmt.is_missing(target):
        fig.add_vline(
            x=float(target),
            line={"color": SERIES["target"], "dash": "dash", "width": 1.5},
            annotation_text=f"{t('chart.target', lang)} {_value_text(target, unit, lang)}",
            annotation_position="top",
        )
    if unit != "days":
        top = max(1.0, float(values.max()) if len(values) else 1.0)
        fig.update_xaxes(tickformat=".0%", range=[0, top * 1.15])
    return _layout(fig, title, height=max(240, 28 * len(rows) + 110))


# ---------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------
def trend_vs_target(frame: pd.DataFrame, kpi: str, lang: str) -> go.Figure:
    """One KPI by month: the value as a line with status-coloured markers, the target dashed.

    `frame`: `period, value, target, status, unit` for one KPI, any order.
    """
    rows = frame.copy()
    rows["_key"] = [fmt.period_sort_key(str(p)) for p in rows["period"]]
    rows = rows.sort_values("_key")
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    labels = [fmt.period(p, lang) for p in rows["period"]]
    keys = [st_.normalise(s) for s in rows["status"]]
    value_text = [_value_text(v, unit, lang) for v in rows["value"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rows["value"].astype(float),
            mode="lines+markers",
            name=kpi_name(kpi, lang),
            line={"color": SERIES["line"], "width": 2},
            marker={
                "size": 11,
                "color": [st_.STYLES[k].colour for k in keys],
                "symbol": [STATUS_SYMBOL[k] for k in keys],
                "line": {"color": "#333333", "width": 1},
            },
            customdata=[
                f"{v} · {st_.STYLES[k].glyph} {status_label(k if k != 'no_target' else None, lang)}"
                for v, k in zip(value_text, keys, strict=False)
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    if "target" in rows and rows["target"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=rows["target"].astype(float),
                mode="lines",
                name=t("chart.target", lang),
                line={"color": SERIES["target"], "dash": "dash", "width": 1.5, "shape": "hv"},
                hovertemplate="%{x}: %{y:.1%}<extra></extra>" if unit != "days" else None,
            )
        )
    if unit != "days":
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(fig, kpi_name(kpi, lang), height=300)


# ---------------------------------------------------------------------------------------
# Funding
# ---------------------------------------------------------------------------------------
def funding_bars(
    frame: pd.DataFrame, label_col: str, lang: str, title: str | None = None
) -> go.Figure:
    """Allocated against spent, side by side, per programme or district.

    `frame`: `<label_col>, allocated, spent` (yuan).
    """
    rows = frame.copy()
    alloc_text = [fmt.money(v, lang) for v in rows["allocated"]]
    spent_text = [fmt.money(v, lang) for v in rows["spent"]]
    share = [
        fmt.percent(s / a if a else None, lang)
        for a, s in zip(rows["allocated"].fillna(0), rows["spent"].fillna(0), strict=False)
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=rows[label_col],
            y=rows["allocated"].astype(float),
            name=t("funding.allocated", lang),
            marker_color=SERIES["allocated"],
            text=alloc_text,
            textposition="outside",
            hovertemplate="%{x}<br>" + t("funding.allocated", lang) + ": %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=rows[label_col],
            y=rows["spent"].astype(float),
            name=t("funding.spent", lang),
            marker_color=SERIES["spent"],
            text=[f"{s}<br>{p}" for s, p in zip(spent_text, share, strict=False)],
            textposition="outside",
            hovertemplate="%{x}<br>" + t("funding.spent", lang) + ": %{text}<extra></extra>",
        )
    )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(title=t("chart.amount", lang), rangemode="tozero")
    return _layout(fig, title, height=380)


def ytd_pace(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Year-to-date spending as a share of the year's allocation, month by month, against
    the target pace (95 % of the allocation spread evenly over the year).

    `frame`: `month` (YYYY-MM), `ytd_share`, `target_pace`, optionally `status`.
    """
    rows = frame.sort_values("month")
    labels = [fmt.period(m, lang) for m in rows["month"]]
    keys = [st_.normalise(s) for s in rows.get("status", pd.Series([None] * len(rows)))]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rows["target_pace"].astype(float),
            mode="lines",
            name=t("funding.target_pace", lang),
            line={"color": SERIES["target"], "dash": "dash", "width": 1.5},
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rows["ytd_share"].astype(float),
            mode="lines+markers",
            name=t("funding.ytd_share", lang),
            line={"color": SERIES["spent"], "width": 2.5},
            marker={
                "size": 10,
                "color": [st_.STYLES[k].colour for k in keys],
                "symbol": [STATUS_SYMBOL[k] for k in keys],
                "line": {"color": "#333333", "width": 1},
            },
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(fig, title, height=340)


# ---------------------------------------------------------------------------------------
# Satisfaction
# ---------------------------------------------------------------------------------------
def satisfaction_intervals(
    frame: pd.DataFrame,
    label_col: str,
    lang: str,
    target: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Satisfaction rate with its 95 % interval per group; insufficient samples hollow.

    `frame`: `<label_col>, value, ci_lower, ci_upper, status, denominator` (responses).
    """
    rows = frame.sort_values("value", ascending=True, na_position="first")
    keys = [st_.normalise(s) for s in rows["status"]]
    value = rows["value"].astype(float)
    lower = rows["ci_lower"].astype(float)
    upper = rows["ci_upper"].astype(float)
    hover = [
        f"{fmt.percent(v, lang)} [{fmt.percent(lo, lang)} – {fmt.percent(hi, lang)}]"
        f"<br>{t('sat.responses', lang)}: {fmt.number(n, lang)}"
        f"<br>{st_.STYLES[k].glyph} {status_label(k if k != 'no_target' else None, lang)}"
        for v, lo, hi, n, k in zip(value, lower, upper, rows["denominator"], keys, strict=False)
    ]
    fig = go.Figure(
        go.Scatter(
            x=value,
            y=[
                f"{lbl}（n={fmt.number(n, lang)}）"
                if lang == "zh"
                else f"{lbl} (n={fmt.number(n, lang)})"
                for lbl, n in zip(rows[label_col], rows["denominator"], strict=False)
            ],
            mode="markers",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (upper - value).clip(lower=0).fillna(0),
                "arrayminus": (value - lower).clip(lower=0).fillna(0),
                "color": "#555555",
                "thickness": 1.5,
            },
            marker={
                "size": 13,
                "color": [st_.STYLES[k].colour for k in keys],
                "symbol": [STATUS_SYMBOL[k] for k in keys],
                "line": {"color": "#333333", "width": 1.5},
            },
            customdata=hover,
            hovertemplate="%{y}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if target is not None and not fmt.is_missing(target):
        fig.add_vline(
            x=float(target),
            line={"color": SERIES["target"], "dash": "dash", "width": 1.5},
            annotation_text=f"{t('chart.target', lang)} {fmt.percent(target, lang)}",
            annotation_position="top",
        )
    low = float(lower.min()) if lower.notna().any() else 0.0
    fig.update_xaxes(tickformat=".0%", range=[max(0.0, min(low, 0.8) - 0.05), 1.02])
    return _layout(fig, title, height=max(240, 30 * len(rows) + 110))


def item_scores(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Mean score (1–5) of each survey item. `frame`: `item_label, mean_score, responses`."""
    fig = go.Figure(
        go.Bar(
            x=frame["mean_score"].astype(float),
            y=frame["item_label"],
            orientation="h",
            marker_color=SERIES["line"],
            text=[
                f"{v:.2f}" if not fmt.is_missing(v) else fmt.MISSING for v in frame["mean_score"]
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[1, 5.3])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(220, 34 * len(frame) + 90))


# ---------------------------------------------------------------------------------------
# Issues
# ---------------------------------------------------------------------------------------
def issues_per_month(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Issues found and closed per month. `frame`: `month` (YYYY-MM), `found`, `closed`."""
    rows = frame.sort_values("month")
    labels = [fmt.period(m, lang) for m in rows["month"]]
    fig = go.Figure()
    for col, key in (("found", "issues.found"), ("closed", "issues.closed")):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=rows[col],
                name=t(key, lang),
                marker_color=SERIES[col],
                text=rows[col],
                textposition="outside",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(title=t("chart.count", lang), rangemode="tozero")
    return _layout(fig, title, height=340)


def issues_breakdown(
    frame: pd.DataFrame, label_col: str, lang: str, title: str | None = None
) -> go.Figure:
    """Closed and still-open issues per category or source, stacked.

    `frame`: `<label_col>, closed, open`.
    """
    rows = frame.assign(_total=frame["closed"] + frame["open"]).sort_values("_total")
    fig = go.Figure()
    for col, key, colour in (
        ("closed", "issues.closed", SERIES["closed"]),
        ("open", "issues.open_count", SERIES["found"]),
    ):
        fig.add_trace(
            go.Bar(
                x=rows[col],
                y=rows[label_col],
                orientation="h",
                name=t(key, lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x}<extra>" + t(key, lang) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    return _layout(fig, title, height=max(240, 30 * len(rows) + 110))


# ---------------------------------------------------------------------------------------
# School drill-down
# ---------------------------------------------------------------------------------------
def daily_participation(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """A school's daily lunch and after-school students, with its enrolment as a line.

    `frame`: `date, lunch_students, after_school_students`, optionally `enrolled`.
    """
    rows = frame.sort_values("date")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=rows["date"],
            y=rows["lunch_students"],
            mode="lines+markers",
            name=t("col.lunch_students", lang),
            line={"color": SERIES["lunch"]},
            marker={"size": 5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=rows["date"],
            y=rows["after_school_students"],
            mode="lines+markers",
            name=t("col.after_school_students", lang),
            line={"color": SERIES["after_school"], "dash": "dot"},
            marker={"size": 5, "symbol": "square"},
        )
    )
    if "enrolled" in rows and rows["enrolled"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["enrolled"],
                mode="lines",
                name=t("col.enrolled", lang),
                line={"color": "#999999", "dash": "dash", "shape": "hv"},
            )
        )
    fig.update_yaxes(title=t("chart.students", lang), rangemode="tozero")
    return _layout(fig, title, height=320)
