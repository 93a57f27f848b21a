"""Plotly figure builders: DataFrames and a language in, figures out.

Shared by the dashboard pages and the briefings (which export them as PNG/SVG), so
nothing here imports Streamlit or reads the warehouse. Every status is drawn with the
palette and glyphs of `schoolwh.reading.status`; every label comes from `schoolwh.reading.i18n`.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from schoolwh.reading import formatting as fmt
from schoolwh.reading import ranks as rk
from schoolwh.reading import status as st_
from schoolwh.reading.geo import MapData
from schoolwh.reading.i18n import kpi_name, status_label, t
from schoolwh.reading.queries import definitions_in_use
from schoolwh.reading.ranks import lower_is_better

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SERIES = {
    "allocated": "#9ECAE1",
    "spent": "#0072B2",
    "found": "#CC79A7",
    "closed": "#0072B2",
    "overdue": "#D55E00",
    "not_yet_due": "#BBBBBB",
    "lunch": "#0072B2",
    "after_school": "#CC79A7",
    "line": "#0072B2",
    "target": "#000000",
}
INSUFFICIENT_MARKER = "#3D7AB0"
STATUS_SYMBOL = {
    "met": "circle",
    "near": "triangle-up",
    "missed": "x",
    "no_data": "line-ew-open",
    "insufficient_sample": "circle-open",
    "no_target": "circle",
}


def marker_colour(key: str) -> str:
    """A status colour for markers: the light fill of an insufficient sample would vanish
    on white, so its (hollow) marker is drawn in a darker blue."""
    return INSUFFICIENT_MARKER if key == "insufficient_sample" else st_.STYLES[key].colour


def _layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        title={
            "text": fmt.html_text(title),  # a title is text: a place name in it stays literal
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0.98,
            "yanchor": "top",
        }
        if title
        else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 80 if title else 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def _nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2, 2.5 or 5 × a power of ten)."""
    if not top or top <= 0 or math.isnan(top):
        return [0.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _count_ticks(top: float) -> list[float]:
    """Whole-number ticks for counts."""
    ticks = _nice_ticks(max(top, 1.0))
    step = max(1.0, math.ceil(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0)
    return [i * step for i in range(int(top // step) + 2)]


def amount_axis(fig: go.Figure, top: float, lang: str, axis: str = "y") -> None:
    """Ticks of an amount axis written in 万/亿 (zh) or k/M (en)."""
    ticks = _nice_ticks(top)
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickvals=ticks, ticktext=[fmt.number(v, lang) for v in ticks])


def _value_text(value: Any, unit: str | None, lang: str) -> str:
    return fmt.kpi_value(value, unit, lang)


def _p(value: Any) -> str:
    """A value from the data as literal text in a figure (no link, bold or line break)."""
    return fmt.html_text(value)


# A boolean column a frame may carry: the rows whose label is drawn in bold (a briefing's
# own district among the others).
EMPHASIS = "_emphasis"


def _labels(rows: pd.DataFrame, label_col: str) -> list[str]:
    """The rows' labels as literal text, in bold where the frame's EMPHASIS column is true."""
    bold = rows[EMPHASIS] if EMPHASIS in rows else pd.Series(False, index=rows.index)
    return [
        f"<b>{_p(v)}</b>" if bool(b) else _p(v)
        for v, b in zip(rows[label_col], bold.fillna(False), strict=False)
    ]


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
    detail: str  # the district's rank and its change, then numerator / denominator or sample
    yoy_text: str = ""  # 同比: the change on the same period a year before, when it exists
    yoy_is_good: bool | None = None
    rank: rk.Rank | None = None  # a district's place among the districts on this KPI


def _change_text(delta: float, unit: str | None, lang: str, label: str | None) -> str:
    """A change in the KPI's unit against `label`'s period; 持平 when it shows as 0."""
    if fmt.shown_change(delta, unit) == 0:  # 持平, not "0.0个百分点" or "0天"
        return t("kpi.flat", lang, period=label) if label else t("kpi.flat_plain", lang)
    text = fmt.kpi_delta(delta, unit, lang)
    return f"{text} {t('kpi.vs_prev', lang, period=label)}" if label else text


def _year_on_year(
    kpi: str,
    value: float | None,
    unit: str | None,
    row: Any,
    last_year: pd.DataFrame | None,
    label: str | None,
    lang: str,
) -> dict[str, Any]:
    """同比: the change on the same period a year before, when that period has a value."""
    if value is None or last_year is None or last_year.empty:
        return {}
    before = dict(zip(last_year["kpi"], last_year["value"], strict=False)).get(kpi)
    if fmt.is_missing(before):
        return {}
    delta = value - float(before)
    shown = fmt.shown_change(delta, unit)
    good = None if shown == 0 else (shown > 0) != lower_is_better(row.get("direction"))
    text = f"{t('kpi.yoy', lang)} {_change_text(delta, unit, lang, label)}"
    return {"yoy_text": text, "yoy_is_good": good}


def _short_change(delta: float, unit: str | None, lang: str) -> str:
    """A change as a figure can fit it: +1.2 (percentage points of a share), +0.5天, 持平."""
    shown = fmt.shown_change(delta, unit)
    if shown == 0:
        return t("kpi.flat_plain", lang)
    if unit in (None, "ratio"):
        return f"{shown * 100:+.1f}"
    return fmt.kpi_delta(delta, unit, lang)


def comparisons(
    value: Any,
    unit: str | None,
    before: Any,
    year_ago: Any,
    lang: str,
    sep: str = " · ",
) -> str:
    """环比 and 同比 of one value, short (`环比 +1.2 · 同比 持平`; `sep` between them); a
    side without a value in its period is left out, and both missing give ""."""
    if fmt.is_missing(value):
        return ""
    parts = []
    for other, key in ((before, "kpi.prev_short"), (year_ago, "kpi.yoy_short")):
        if not fmt.is_missing(other):
            parts.append(f"{t(key, lang)} {_short_change(float(value) - float(other), unit, lang)}")
    return sep.join(parts)


def _values_by(frame: pd.DataFrame | None, *keys: str) -> dict[Any, Any]:
    if frame is None or frame.empty:
        return {}
    index = zip(*(frame[k] for k in keys), strict=True) if len(keys) > 1 else frame[keys[0]]
    return dict(zip(index, frame["value"], strict=True))


def _comparison_note(unit: str | None, lang: str) -> str:
    return t("chart.change_in_points", lang) if unit in (None, "ratio") else ""


def kpi_cards(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    lang: str,
    previous_label: str | None = None,
    last_year: pd.DataFrame | None = None,
    last_year_label: str | None = None,
    ranks: dict[str, rk.Rank] | None = None,
) -> list[KpiCard]:
    """Cards for one period: value, target, status and change against the previous period.

    `current` / `previous`: rows of kpi_overall (or one district of kpi_district) with
    `kpi, value, target, status, unit` and optionally `direction, numerator, denominator`.
    `ranks`: a district's rank by KPI (`ranks.of_district`), written first on the card's
    detail line: 第 3 名（共 16 个）· 较上期 ↑2.
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
            shown = fmt.shown_change(delta, unit)
            delta_text = _change_text(delta, unit, lang, previous_label)
            good = None if shown == 0 else (shown > 0) != lower_is_better(row.get("direction"))
        if kpi == "satisfaction_rate" and not fmt.is_missing(row.get("denominator")):
            detail = t("kpi.n", lang, n=fmt.number(row["denominator"], lang))
        elif not fmt.is_missing(row.get("denominator")) and unit != "days":
            detail = (
                f"{fmt.number(row.get('numerator'), lang)} / {fmt.number(row['denominator'], lang)}"
            )
        else:
            detail = ""
        rank = (ranks or {}).get(kpi) if value is not None else None
        if rank is not None:
            detail = rk.joined(rk.text(rank, lang), detail)
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
                rank=rank,
                **_year_on_year(kpi, value, unit, row, last_year, last_year_label, lang),
            )
        )
    return cards


# ---------------------------------------------------------------------------------------
# Status grid and map
# ---------------------------------------------------------------------------------------
def status_grid(
    frame: pd.DataFrame,
    lang: str,
    kpis: list[str] | None = None,
    previous: pd.DataFrame | None = None,
    last_year: pd.DataFrame | None = None,
) -> go.Figure:
    """District × KPI heatmap coloured by status, each cell showing glyph and value, and
    under it 环比 and 同比 when `previous` / `last_year` (kpi_district rows of the previous
    period and of the same period a year before) hold the cell's value.

    `frame`: kpi_district rows with `district_code, district_name, kpi, value, unit, status`
    (and `target`), for one period.
    """
    before = _values_by(previous, "district_name", "kpi")
    year_ago = _values_by(last_year, "district_name", "kpi")
    compared = 0  # the most comparison lines in a cell (环比, 同比)
    kpi_ids = kpis or list(dict.fromkeys(frame["kpi"]))
    districts = list(dict.fromkeys(frame["district_name"]))
    shown = [_p(d) for d in districts]
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
            pair = (before.get((d, k)), year_ago.get((d, k)))
            change = comparisons(r.value, unit, *pair, lang)
            # a cell is narrow: 环比 and 同比 on lines of their own
            lines = comparisons(r.value, unit, *pair, lang, sep="<br>")
            compared = max(compared, lines.count("<br>") + 1 if lines else 0)
            t_row.append(
                f"{st_.STYLES[key].glyph} {value}"
                + (f"<br><span style='font-size:10px'>{lines}</span>" if lines else "")
            )
            target = getattr(r, "target", None)
            h_row.append(
                f"{_p(d)}<br>{_p(kpi_name(k, lang))}: {value}"
                + (
                    f"<br>{t('col.target', lang)}: {_value_text(target, unit, lang)}"
                    if not fmt.is_missing(target)
                    else ""
                )
                + f"<br>{status_label(r.status, lang)}"
                + (f"<br>{change}{_comparison_note(unit, lang)}" if change else "")
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
            x=[_p(kpi_name(k, lang)) for k in kpi_ids],
            y=shown,
            text=text,
            texttemplate="%{text}",
            hoverinfo="skip",  # the cell's label comes from the clickable layer on top
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    # A heatmap cell cannot be selected by a click; an invisible marker on each cell can,
    # and its row (y) names the district whose page the click opens.
    columns = [_p(kpi_name(k, lang)) for k in kpi_ids]
    fig.add_trace(
        go.Scatter(
            x=[c for _ in shown for c in columns],
            y=[d for d in shown for _ in columns],
            mode="markers",
            marker={"symbol": "square", "size": 30, "color": "rgba(0,0,0,0)"},
            customdata=[h for row in hover for h in row],
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    # Black text reads on every fill of the palette (contrast ≥ 4.5:1).
    fig.update_traces(textfont={"size": 12, "color": "#000000"})
    fig.update_xaxes(side="top", tickangle=-30)
    fig.update_yaxes(autorange="reversed")
    row = 34 + 14 * compared
    fig = _layout(fig, height=max(260, row * len(districts) + 140))
    if compared:
        fig.add_annotation(
            text=t("chart.grid_changes", lang),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-6,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11, "color": "#555555"},
        )
        fig.update_layout(margin={"b": 30})
    return fig


def _interpolate(scale: list[str], x: float) -> str:
    """A colour at position x (0–1) of an evenly spaced hex colour scale."""
    x = min(max(x, 0.0), 1.0) * (len(scale) - 1)
    i = min(int(x), len(scale) - 2)
    f = x - i
    a = [int(scale[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(scale[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(p + (q - p) * f):02X}" for p, q in zip(a, b, strict=True))


def label_spots(
    centroids: dict[str, tuple[float, float]],
    width: float = 0.2,
    height: float = 0.14,
    rounds: int = 60,
) -> dict[str, tuple[float, float]]:
    """Where each map label goes: at its district's centroid, moved apart vertically where
    two labels (about `width` × `height` of the map's extent, two lines of text) would
    overlap, so 上街区 and 荥阳市 never print over each other."""
    if len(centroids) < 2:
        return dict(centroids)
    xs = [p[0] for p in centroids.values()]
    ys = [p[1] for p in centroids.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    box_w, box_h = width * span_x, height * span_y
    spots = {c: [x, y] for c, (x, y) in centroids.items()}
    codes = sorted(spots)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                (ax, ay), (bx, by) = spots[a], spots[b]
                if abs(ax - bx) >= box_w or abs(ay - by) >= box_h:
                    continue
                push = (box_h - abs(ay - by)) / 2 + box_h * 0.01
                up, down = (a, b) if (ay, a) >= (by, b) else (b, a)
                spots[up][1] += push
                spots[down][1] -= push
                moved = True
        if not moved:
            break
    return {c: (x, y) for c, (x, y) in spots.items()}


def _small_districts(geo: MapData, codes: list[str], width: float = 0.2) -> set[str]:
    """Districts narrower than half a label (about `width` of the map's extent, as in
    `label_spots`): their name and value would spill across a neighbour's border (上街区
    inside 荥阳市), so they are labelled outside their shape with an arrow."""
    if len(codes) < 2:
        return set()
    xs = [geo.centroids[c][0] for c in codes]
    span = (max(xs) - min(xs)) or 1.0
    out = set()
    for code in codes:
        lons = [v for v in geo.outline(code)[0] if v is not None]
        if lons and max(lons) - min(lons) < width * span / 2:
            out.add(code)
    return out


def _callout(
    geo: MapData, code: str, small: set[str], name: Any, glyph: str, value: str
) -> dict[str, Any]:
    """A small district's label: a boxed note above its shape, away from its nearest
    neighbour's label, with an arrow to the shape's centre."""
    x, y = geo.centroids[code]
    others = [c for c in geo.centroids if c != code and c not in small]
    if others:
        near = min(
            others, key=lambda c: (geo.centroids[c][0] - x) ** 2 + (geo.centroids[c][1] - y) ** 2
        )
        side = -1 if geo.centroids[near][0] >= x else 1
    else:
        side = 1
    return {
        "x": x,
        "y": y,
        "text": f"{_p(name)}<br>{glyph} {value}".replace("<br> ", "<br>"),
        "showarrow": True,
        "arrowhead": 0,
        "arrowwidth": 1,
        "arrowcolor": "#333333",
        "ax": 55 * side,
        "ay": -55,
        "bgcolor": "rgba(255,255,255,0.9)",
        "bordercolor": "#333333",
        "borderwidth": 1,
        "font": {"family": FONT, "size": 11, "color": "#000000"},
    }


def district_map(
    frame: pd.DataFrame,
    geo: MapData,
    kpi: str,
    lang: str,
    has_target: bool,
) -> go.Figure:
    """A map of one KPI by district: status colours and glyphs when the KPI has a target,
    else a light-to-dark blue scale of its value; names and values written on the map.

    Drawn as filled shapes on plain axes (no base map to download), so it works offline
    and exports as a static image. `frame`: `district_code, district_name, value, unit,
    status` for one KPI and period.
    """
    rows = frame.copy()
    rows["district_code"] = rows["district_code"].astype(str)
    rows = rows[rows["district_code"].isin(geo.codes)]
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    values = rows["value"].astype(float)
    low = float(values.min()) if values.notna().any() else 0.0
    high = float(values.max()) if values.notna().any() else 1.0
    fig = go.Figure()
    legend_done: set[str] = set()
    fills: dict[str, str] = {}
    hovers: dict[str, str] = {}
    for r in rows.itertuples(index=False):
        key = st_.normalise(r.status)
        style = st_.STYLES[key]
        value_text = _value_text(r.value, unit, lang)
        status_text = status_label(r.status, lang)
        if has_target or fmt.is_missing(r.value):
            fill = style.colour if has_target else st_.NO_DATA.colour
        else:
            fill = _interpolate(st_.SEQUENTIAL_SCALE, (r.value - low) / (high - low or 1.0))
        fills[r.district_code] = fill
        lons, lats = geo.outline(r.district_code)
        hovers[r.district_code] = (
            f"{_p(r.district_name)}<br>{_p(kpi_name(kpi, lang))}: {value_text}<br>{status_text}"
        )
        legend_key = key if has_target else ""
        fig.add_trace(
            go.Scatter(
                x=lons,
                y=lats,
                mode="lines",
                fill="toself",
                fillcolor=fill,
                line={"color": "#FFFFFF", "width": 1.5},
                hoveron="fills",
                hoverinfo="text",
                text=hovers[r.district_code],
                name=f"{style.glyph} {status_label(key if key != 'no_target' else None, lang)}",
                legendgroup=legend_key,
                showlegend=has_target and legend_key not in legend_done,
                meta={"district_code": r.district_code},  # a click opens this district
            )
        )
        legend_done.add(legend_key)
    labelled = rows[rows["district_code"].isin(geo.centroids)]
    small = _small_districts(geo, list(labelled["district_code"]))
    callouts = labelled[labelled["district_code"].isin(small)]
    labelled = labelled[~labelled["district_code"].isin(small)]
    spots = label_spots({c: geo.centroids[c] for c in labelled["district_code"]})
    for r in callouts.itertuples(index=False):
        glyph = st_.STYLES[st_.normalise(r.status)].glyph if has_target else ""
        fig.add_annotation(**_callout(geo, r.district_code, small, r.district_name, glyph,
                                      _value_text(r.value, unit, lang)))  # fmt: skip
    spots.update({c: geo.centroids[c] for c in callouts["district_code"]})  # click targets
    if not labelled.empty:
        glyphs = [
            st_.STYLES[st_.normalise(s)].glyph if has_target else "" for s in labelled["status"]
        ]
        fig.add_trace(
            go.Scatter(
                x=[spots[c][0] for c in labelled["district_code"]],
                y=[spots[c][1] for c in labelled["district_code"]],
                text=[
                    f"{_p(n)}<br>{g} {_value_text(v, unit, lang)}".replace("<br> ", "<br>")
                    for n, g, v in zip(
                        labelled["district_name"], glyphs, labelled["value"], strict=False
                    )
                ],
                mode="text",
                textfont={
                    "family": FONT,
                    "size": 11,
                    "color": [st_.text_colour_on(fills[c]) for c in labelled["district_code"]],
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for r in pd.concat([labelled, callouts]).itertuples(index=False):  # a click opens it
        fig.add_trace(
            go.Scatter(
                x=[spots[r.district_code][0]],
                y=[spots[r.district_code][1]],
                mode="markers",
                marker={"size": 34, "color": "rgba(0,0,0,0)"},
                hoverinfo="text",
                text=hovers[r.district_code],
                showlegend=False,
                meta={"district_code": r.district_code},
            )
        )
    if not has_target and values.notna().any():
        fig.add_trace(  # an invisible trace that carries the colour bar
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker={
                    "colorscale": st_.SEQUENTIAL_SCALE,
                    "cmin": low,
                    "cmax": high,
                    "color": [low],
                    "showscale": True,
                    "colorbar": {
                        "tickformat": ".0%" if unit != "days" else None,
                        "thickness": 12,
                    },
                },
            )
        )
    ratio = 1 / max(math.cos(math.radians(geo.mean_latitude())), 0.2)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    fig.update_layout(plot_bgcolor="#FFFFFF", hovermode="closest")
    return _layout(fig, height=520)


_TAGS = re.compile(r"<[^>]+>")


def text_width(text: str, size: float) -> float:
    """About how many pixels `text` (Plotly markup allowed) takes at font `size`: a Chinese
    character or full-width sign is as wide as the font is high, anything else about 0.6 of
    it. Enough to give a column of labels its margin."""
    plain = html.unescape(_TAGS.sub("", text))
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in plain)


def _rank_label(rank: rk.Rank, lang: str) -> str:
    """A district's rank beside its value in a ranking: 第3名 ↑2 (a move up in blue, down
    in orange, as on the cards)."""
    colour = "#555555"  # lower-case hex, as in the figures' other spans
    if rank.change:
        colour = "#0072b2" if rank.change > 0 else "#d55e00"
    return f" <span style='font-size:11px;color:{colour}'>{rk.short(rank, lang)}</span>"


def ranking_bars(
    frame: pd.DataFrame,
    lang: str,
    target: float | None = None,
    label_col: str = "district_name",
    title: str | None = None,
    previous: pd.DataFrame | None = None,
    last_year: pd.DataFrame | None = None,
) -> go.Figure:
    """Horizontal bars of one KPI by district (best at the top), coloured by status,
    insufficient samples hatched, with the target as a dashed line; beside each value its
    环比 and 同比 when `previous` / `last_year` (`<label_col>, value` of the previous period
    and of the same period a year before) hold it.

    Every district's rank (ties share it) and its change since `previous` are in its hover;
    beside the value too when the chart has a change of rank or a tie to show (the order
    of the bars says the rest): `✔ 95.0% 第3名 ↑2`.

    `frame`: `<label_col>, value, unit, status` (and optionally `direction`, and
    `district_code` to match `previous` by).
    """
    rows = frame.copy()
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    direction = (
        rows["direction"].dropna().iloc[0]
        if "direction" in rows and rows["direction"].notna().any()
        else None
    )
    ascending = lower_is_better(direction)
    rows = rows.sort_values("value", ascending=not ascending, na_position="first")
    keys = [st_.normalise(s) for s in rows["status"]]
    values = rows["value"].astype(float).fillna(0.0)
    text = [
        f"{st_.STYLES[k].glyph} {_value_text(v, unit, lang)}"
        for k, v in zip(keys, rows["value"], strict=False)
    ]
    labels = _labels(rows, label_col)
    # the other periods' rows are matched by district code where every frame has it (a
    # briefing's label "▶ 金水区" is its own), else by the label
    others = [f for f in (previous, last_year) if f is not None]
    key = (
        "district_code"
        if "district_code" in rows and all("district_code" in f for f in others)
        else label_col
    )
    before = _values_by(previous, key)
    year_ago = _values_by(last_year, key)
    changes = [
        comparisons(v, unit, before.get(n), year_ago.get(n), lang)
        for n, v in zip(rows[key], rows["value"], strict=True)
    ]
    compared = any(changes)
    places = rk.by_key(rows, previous, key)
    rank_of = [places.get(k) for k in rows[key]]
    beside = any(r is not None and (r.tied or r.change is not None) for r in rank_of)
    rank_short = [_rank_label(r, lang) if r is not None and beside else "" for r in rank_of]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={
                "color": [st_.STYLES[k].colour for k in keys],
                "pattern": {"shape": [st_.STYLES[k].pattern for k in keys], "fgcolor": "#555"},
                "line": {"color": "#666666", "width": 0.5},
            },
            text=text,
            textposition="none",  # written in their own column, clear of bars and target
            customdata=[
                status_label(k if k != "no_target" else None, lang)
                + (f"<br>{rk.text(r, lang)}" if r is not None else "")
                for k, r in zip(keys, rank_of, strict=True)
            ],
            hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    # the values in a column right of the plot: never under the target line or each other
    # (set at once: one add_annotation per district copies all the earlier ones each time)
    fig.update_layout(
        annotations=[
            {
                "x": 1.01,
                "xref": "paper",
                "y": label,
                "yref": "y",
                "text": value_text
                + place
                + (
                    f"<br><span style='font-size:10px;color:#555555'>{change}</span>"
                    if change
                    else ""
                ),
                "align": "left",
                "showarrow": False,
                "xanchor": "left",
                "font": {"family": FONT, "size": 12, "color": "#222222"},
            }
            for label, value_text, place, change in zip(
                labels, text, rank_short, changes, strict=True
            )
        ]
    )
    if target is not None and not fmt.is_missing(target):
        fig.add_vline(
            x=float(target),
            line={"color": SERIES["target"], "dash": "dash", "width": 1.5},
            annotation_text=f"{t('chart.target', lang)} {_value_text(target, unit, lang)}",
            annotation_position="top",  # above the bars, not across their labels
            annotation_yshift=4,
        )
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    if target is not None and not fmt.is_missing(target):
        top = max(top, float(target))
    if unit != "days":  # a share: the axis stops at 100 % unless a value is above it
        fig.update_xaxes(tickformat=".0%", range=[0, max(1.0, top)])
    else:
        fig.update_xaxes(range=[0, top * 1.05])
    fig = _layout(fig, title, height=max(240, (40 if compared else 30) * len(rows) + 120))
    # the right margin holds the widest value column line (value and rank; the changes)
    widest = max(
        [text_width(f"{v}{p}", 12) for v, p in zip(text, rank_short, strict=True)]
        + [text_width(c, 10) for c in changes],
        default=0.0,
    )
    right = max(160 if compared else 90, math.ceil(widest) + 30)
    fig.update_layout(margin={"r": right, "t": (80 if title else 30) + 16})
    if compared and unit in (None, "ratio"):
        fig.add_annotation(
            text=t("chart.changes_in_points", lang),
            xref="paper",
            yref="paper",
            x=1.01,
            y=0,
            xshift=18,  # clear of the axis' last tick label
            yshift=-6,
            xanchor="left",
            yanchor="top",  # under the values, clear of the target's label above
            showarrow=False,
            font={"size": 10, "color": "#555555"},
        )
    return fig


# ---------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------
def trend_vs_target(frame: pd.DataFrame, kpi: str, lang: str) -> go.Figure:
    """One KPI by month: the value as a line with status-coloured markers, the target dashed.

    `frame`: `period, value, target, status, unit` for one KPI, any order.
    """
    rows = _every_month(frame)
    unit = rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else None
    labels = [_p(fmt.period(p, lang)) for p in rows["period"]]
    if _year_to_date(kpi):
        rows, labels = _break_years(rows, labels)
    keys = [st_.normalise(s) for s in rows["status"]]
    value_text = [_value_text(v, unit, lang) for v in rows["value"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rows["value"].astype(float),
            mode="lines+markers",
            name=_p(kpi_name(kpi, lang)),
            line={"color": SERIES["line"], "width": 2},
            marker={
                "size": 11,
                "color": [marker_colour(k) for k in keys],
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
    _not_yet_due(fig, rows, labels, lang)
    # a month without school days stays a gap; markers on the 100 % line are not cut
    fig.update_traces(connectgaps=False, cliponaxis=False)
    fig.update_yaxes(range=_fitted_range(rows, unit))
    if unit != "days":
        fig.update_yaxes(tickformat=".0%")
    return _layout(fig, kpi_name(kpi, lang), height=300)


def _year_to_date(kpi: str) -> bool:
    """Whether a KPI adds up from January (marts.kpi_definitions' target_basis): its line
    does not run from December's 100 % down to January's 0 %."""
    definition = definitions_in_use().get(kpi)
    return definition is not None and definition.target_basis == "year_to_date"


def _break_years(rows: pd.DataFrame, labels: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The rows with a point without a value at each new year's first month (same label),
    so the line (value and target) breaks between the years and every month keeps its
    point."""
    years = [str(p)[:4] for p in rows["period"]]
    out, shown = [], []
    for i, (row, label) in enumerate(zip(rows.to_dict("records"), labels, strict=True)):
        if i and years[i] != years[i - 1]:
            out.append({"period": row["period"], "status": None, "unit": row.get("unit")})
            shown.append(label)
        out.append(row)
        shown.append(label)
    return pd.DataFrame(out, columns=rows.columns), shown


def _not_yet_due(fig: go.Figure, rows: pd.DataFrame, labels: list[str], lang: str) -> None:
    """问题整改率's months with issues still within their deadline (`not_yet_due`): they
    count in its denominator without being late, so beside the value a grey marker gives
    the closure rate of the issues already due, labelled 「到期 81.5%（未到期 16）」, as
    the closure-by-month chart separates them."""
    if "not_yet_due" not in rows or not (rows["not_yet_due"].fillna(0) > 0).any():
        return
    xs, ys, text = [], [], []
    for label, r in zip(labels, rows.itertuples(index=False), strict=True):
        pending = getattr(r, "not_yet_due", None)
        if fmt.is_missing(pending) or not pending:
            continue
        due = float(r.denominator) - float(pending)
        if due <= 0 or fmt.is_missing(r.numerator):
            continue
        rate = float(r.numerator) / due
        xs.append(label)
        ys.append(rate)
        text.append(
            t("chart.due_rate", lang, rate=fmt.percent(rate, lang), n=fmt.count(pending, lang))
        )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            name=t("issues.due_closure_rate", lang),
            marker={"size": 10, "symbol": "diamond-open", "color": "#555555",
                    "line": {"width": 1.5}},
            text=text,
            textposition="top center",
            textfont={"size": 10, "color": "#555555"},
            hovertemplate="%{x}: %{text}<extra></extra>",
            showlegend=False,
        )
    )  # fmt: skip


def trend_panels(series: pd.DataFrame, kpis: list[str], lang: str) -> go.Figure:
    """Several KPIs by month as small multiples, two to a row: each panel is
    `trend_vs_target` of one KPI (its own fitted axis, target, status markers and gaps),
    drawn as one figure, which a browser draws far faster than a figure per KPI.

    `series`: `kpi, period, value, target, status, unit` rows of the KPIs, any order.
    """
    cols = 2 if len(kpis) > 1 else 1
    rows = max(1, math.ceil(len(kpis) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[_p(kpi_name(k, lang)) for k in kpis],
        vertical_spacing=min(0.6 / rows, 0.16),
        horizontal_spacing=0.08,
    )
    legend_shown = False
    for i, kpi in enumerate(kpis):
        row, col = i // cols + 1, i % cols + 1
        one = trend_vs_target(series[series["kpi"] == kpi], kpi, lang)
        for trace in one.data:
            is_target = trace.name == t("chart.target", lang)
            trace.showlegend = is_target and not legend_shown  # 目标值 explained once
            legend_shown = legend_shown or is_target
            fig.add_trace(trace, row=row, col=col)
        fig.update_yaxes(
            range=one.layout.yaxis.range, tickformat=one.layout.yaxis.tickformat, row=row, col=col
        )
        labels = list(one.data[0].x) if one.data else []
        # a label every few months, level: two years of months side by side stay legible
        shown = labels[:: max(1, math.ceil(len(labels) / 6))]
        fig.update_xaxes(tickangle=0, tickvals=shown, ticktext=shown, row=row, col=col)
    # each panel's title at its left edge, like a figure's own title
    for annotation, i in zip(fig.layout.annotations, range(len(kpis)), strict=False):
        domain = fig.layout[f"xaxis{i + 1 if i else ''}"].domain
        annotation.update(x=domain[0], xanchor="left", yshift=6, font={"family": FONT, "size": 14})
    _layout(fig, None, height=80 + 270 * rows)
    return fig.update_layout(
        margin={"t": 70},
        legend={"yref": "container", "y": 1, "yanchor": "top", "x": 0, "xanchor": "left"},
    )


def _every_month(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in time order with a row (no value) for every month missing between the
    first and the last, so January or August without school days show as gaps on the
    axis instead of silently vanishing from it. Other period types: sorted as they are."""
    rows = frame.copy()
    rows["_key"] = [fmt.period_sort_key(str(p)) for p in rows["period"]]
    rows = rows.sort_values("_key")
    months = [str(p) for p in rows["period"]]
    if not months or not all(fmt.MONTH_RE.match(m) for m in months):
        return rows
    (y0, m0), (y1, m1) = rows["_key"].iloc[0], rows["_key"].iloc[-1]
    every = [f"{y}-{m:02d}" for y in range(y0, y1 + 1) for m in range(1, 13)
             if (y0, m0) <= (y, m) <= (y1, m1)]  # fmt: skip
    missing = [m for m in every if m not in set(months)]
    if not missing:
        return rows
    filler = pd.DataFrame({"period": missing})
    for col in ("unit", "kpi"):
        if col in rows:
            filler[col] = rows[col].iloc[0]
    filler["status"] = None
    rows = pd.concat([rows, filler], ignore_index=True)
    rows["_key"] = [fmt.period_sort_key(str(p)) for p in rows["period"]]
    return rows.sort_values("_key").reset_index(drop=True)


def _fitted_range(rows: pd.DataFrame, unit: str | None) -> list[float]:
    """A value axis that fits the data and the target (a KPI moving between 90 % and 97 %
    is not flattened against 0–100 %); a share never runs past 100 %."""
    values = pd.concat(
        [rows["value"].astype(float), rows.get("target", pd.Series(dtype=float)).astype(float)]
    ).dropna()
    if values.empty:
        return [0.0, 1.0]
    low, high = float(values.min()), float(values.max())
    pad = max((high - low) * 0.15, 0.05 if unit != "days" else 0.5)
    bottom, top = max(0.0, low - pad), high + pad
    if unit != "days" and high <= 1.0:
        top = 1.0  # a share's axis stops at 100 % (markers there are drawn unclipped)
    return [bottom, top]


# ---------------------------------------------------------------------------------------
# Funding
# ---------------------------------------------------------------------------------------
def funding_bars(
    frame: pd.DataFrame, label_col: str, lang: str, title: str | None = None
) -> go.Figure:
    """Allocated against spent, one pair of horizontal bars per programme or district,
    the largest allocation at the top, the spent bar labelled with its share. Labels and
    axis are in one unit, chosen from the largest amount as the cards choose theirs
    (`fmt.money_scale`: 亿元 from one hundred million yuan up, else 万元).

    `frame`: `<label_col>, allocated, spent` (yuan).
    """
    rows = frame.assign(_a=frame["allocated"].fillna(0).astype(float))
    rows = rows.sort_values(["_a", label_col], ascending=[False, True])
    rows = rows.iloc[::-1]  # Plotly draws the first category at the bottom
    labels = _labels(rows, label_col)
    share = [
        fmt.percent(s / a if a else None, lang)
        for a, s in zip(rows["allocated"].fillna(0), rows["spent"].fillna(0), strict=False)
    ]
    top = float(max(rows["allocated"].max(), rows["spent"].max(), 0) or 0)
    scale = fmt.money_scale(top, lang)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=rows["allocated"].astype(float),
            orientation="h",
            name=t("funding.allocated", lang),
            marker_color=SERIES["allocated"],
            text=[fmt.money_in(v, scale, lang) for v in rows["allocated"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + t("funding.allocated", lang) + ": %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=rows["spent"].astype(float),
            orientation="h",
            name=t("funding.spent", lang),
            marker_color=SERIES["spent"],
            text=[
                f"{fmt.money_in(v, scale, lang)} · {p}"
                for v, p in zip(rows["spent"], share, strict=False)
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + t("funding.spent", lang) + ": %{text}<extra></extra>",
        )
    )
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05)
    fig.update_xaxes(range=[0, top * 1.45 if top else 1])
    ticks = _nice_ticks(top * 1.3)
    divisor, unit = scale
    fig.update_xaxes(  # the ticks in the labels' unit, named once in the axis title
        tickvals=ticks,
        ticktext=[f"{v / divisor:,.10g}" for v in ticks],
        title={"text": t("chart.amount_in", lang, unit=unit), "font": {"size": 12}},
    )
    fig = _layout(fig, title, height=max(260, 44 * len(rows) + 140))
    fig.update_layout(margin={"r": 30})
    return fig


def ytd_pace(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Year-to-date spending as a share of the year's allocation, month by month, against
    the target pace (95 % of the allocation spread evenly over the year).

    `frame`: `month` (YYYY-MM), `ytd_share`, `target_pace`, optionally `status`.
    """
    rows = frame.sort_values("month")
    labels = [_p(fmt.period(m, lang)) for m in rows["month"]]
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
                "color": [marker_colour(k) for k in keys],
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
                t("label.with_n", lang, label=lbl, n=fmt.number(n, lang))
                for lbl, n in zip(_labels(rows, label_col), rows["denominator"], strict=False)
            ],
            mode="markers+text",
            text=[
                f"{st_.STYLES[k].glyph} {fmt.percent(v, lang)}"
                for k, v in zip(keys, value, strict=False)
            ],
            textposition="top center",
            textfont={"family": FONT, "size": 11},
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
                "color": [marker_colour(k) for k in keys],
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
            annotation_position="bottom right",
        )
    low = float(lower.min()) if lower.notna().any() else 0.0
    fig.update_xaxes(tickformat=".0%", range=[max(0.0, min(low, 0.8) - 0.05), 1.02])
    fig.update_yaxes(range=[-0.6, len(rows) - 0.1])  # room for the top point's label
    return _layout(fig, title, height=max(240, 30 * len(rows) + 110))


def item_scores(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Mean score (1–5) of each survey item. `frame`: `item_label, mean_score, responses`."""
    fig = go.Figure(
        go.Bar(
            x=frame["mean_score"].astype(float),
            y=_labels(frame, "item_label"),
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
MONTHS_LEVEL = 6  # up to this many months, two bars' counts fit side by side, level


def issues_per_month(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Issues found and closed per month. `frame`: `month` (YYYY-MM), `found`, `closed`."""
    rows = frame.sort_values("month")
    labels = [_p(fmt.period(m, lang)) for m in rows["month"]]
    # Two bars a month: side by side, a year of months leaves each bar narrower than its
    # count (169 beside 169 read 169169), so past MONTHS_LEVEL months the counts stand
    # upright over their bars.
    upright = len(rows) > MONTHS_LEVEL
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
                textangle=-90 if upright else 0,
                textfont={"size": 10 if upright else 12},
                cliponaxis=False,
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    top = float(max(rows["found"].max(), rows["closed"].max(), 1))
    fig.update_yaxes(range=[0, top * 1.2], tickvals=_count_ticks(top * 1.2))
    return _layout(fig, title, height=340)


def issues_closure_by_month(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Issues by month found, stacked: closed, overdue (open past the deadline) and not
    yet due (open within it, drawn hatched in grey: not a failure). Above each month the
    closure rate of the issues already due. `frame`: `month, closed, overdue, not_yet_due,
    due_closure_rate` (queries.issues_closure_by_month)."""
    rows = frame.sort_values("month")
    labels = [_p(fmt.period(m, lang)) for m in rows["month"]]
    fig = go.Figure()
    for col, key, pattern in (
        ("closed", "issues.closed", ""),
        ("overdue", "issues.overdue_count", ""),
        ("not_yet_due", "issues.not_yet_due", "/"),
    ):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[int(v) for v in rows[col]],
                name=t(key, lang),
                marker={"color": SERIES[col], "pattern": {"shape": pattern}},
                text=[str(int(v)) if v else "" for v in rows[col]],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate="%{x} " + t(key, lang) + ": %{y}<extra></extra>",
            )
        )
    totals = rows[["closed", "overdue", "not_yet_due"]].sum(axis=1)
    rate_label = t("issues.due_closure_rate", lang)
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[int(v) for v in totals],
            mode="text",
            # the rate alone above each bar (its name is in the legend): a year of months
            # side by side would run long labels into each other
            name=f"{rate_label}（{t('issues.rate_above', lang)}）",
            text=["" if fmt.is_missing(r) else fmt.percent(r) for r in rows["due_closure_rate"]],
            textposition="top center",
            textfont={"size": 11},
            hoverinfo="skip",
        )
    )
    fig.update_layout(barmode="stack", bargap=0.35, legend={"traceorder": "normal"})
    top = float(max(totals.max() if len(totals) else 0, 1))
    fig.update_yaxes(range=[0, top * 1.25], tickvals=_count_ticks(top * 1.25))
    return _layout(fig, title, height=360)


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
                y=_labels(rows, label_col),
                orientation="h",
                name=t(key, lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x}<extra>" + t(key, lang) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    top = float(max(rows["_total"].max(), 1))
    fig.update_xaxes(tickvals=_count_ticks(top))
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
    if lang == "zh":  # 9月7日, not "Sep 7 2025"
        fig.update_xaxes(tickformat="%-m月%-d日", hoverformat="%Y年%-m月%-d日")
    else:
        fig.update_xaxes(tickformat="%-d %b", hoverformat="%-d %b %Y")
    return _layout(fig, title, height=320)


# ---------------------------------------------------------------------------------------
# Briefings (schoolwh/briefing): builders the static exports need beyond the pages'
# ---------------------------------------------------------------------------------------
def kpi_summary(
    cards: list[KpiCard], lang: str, per_row: int = 4, title: str | None = None
) -> go.Figure:
    """The KPI cards as one static figure: a tile per KPI with a status-coloured band,
    the value, the status (glyph and word), the target and the change."""
    rows = max(1, math.ceil(len(cards) / per_row))
    fig = go.Figure()
    shapes: list[dict[str, Any]] = []  # set at once below: adding one by one copies all
    notes: list[dict[str, Any]] = []
    for i, card in enumerate(cards):
        col, row = i % per_row, i // per_row
        x0, x1 = col + 0.03, col + 0.97
        y0, y1 = row + 0.06, row + 0.94
        shapes += [
            {"type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1, "layer": "below",
             "line": {"color": "#BBBBBB", "width": 1}, "fillcolor": "#FFFFFF"},
            {"type": "rect", "x0": x0, "x1": x0 + 0.035, "y0": y0, "y1": y1,
             "line": {"width": 0}, "fillcolor": card.colour},
        ]  # fmt: skip
        delta_colour = {True: "#0072B2", False: "#D55E00", None: "#555555"}[card.delta_is_good]
        status_line = (  # without a target the status word would repeat the target's
            f"{card.glyph} {card.target_text}"
            if card.status == "no_target"
            else f"{card.glyph} {card.status_text} · {card.target_text}"
        )
        lines = (
            (row + 0.20, card.name, 13, "#333333", False),
            (row + 0.43, card.value_text, 24, "#000000", True),
            (row + 0.64, status_line, 11, "#333333", False),
            (row + 0.81, card.delta_text, 11, delta_colour, False),
        )
        notes += [
            {
                "x": x0 + 0.07,
                "y": y,
                "text": f"<b>{_p(text)}</b>" if bold else _p(text),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "middle",
                "font": {"family": FONT, "size": size, "color": colour},
            }
            for y, text, size, colour, bold in lines
        ]
    fig.update_layout(shapes=shapes, annotations=notes)
    fig.update_xaxes(visible=False, range=[0, per_row], fixedrange=True)
    fig.update_yaxes(visible=False, range=[rows, 0], fixedrange=True)
    fig = _layout(fig, title, height=130 * rows + (90 if title else 30))
    fig.update_layout(plot_bgcolor="#FFFFFF", margin={"l": 10, "r": 10, "b": 10})
    return fig


SEVERITY_COLOURS = {"high": "#D55E00", "medium": "#E69F00", "low": "#F0E442"}


def overdue_bars(
    frame: pd.DataFrame, label_col: str, lang: str, title: str | None = None
) -> go.Figure:
    """Overdue open issues per district or category, stacked by severity, most at the top.

    `frame`: `<label_col>, severity, issues` (one row per label and severity).
    """
    from schoolwh.reading.i18n import enum_label

    totals = frame.groupby(label_col)["issues"].sum().sort_values(ascending=True)
    labels = list(totals.index)
    shown = [_p(v) for v in labels]
    fig = go.Figure()
    for severity in ("high", "medium", "low"):
        part = frame[frame["severity"] == severity].set_index(label_col)["issues"]
        counts = [int(part.get(label, 0)) for label in labels]
        if not any(counts):
            continue
        fig.add_trace(
            go.Bar(
                x=counts,
                y=shown,
                orientation="h",
                name=enum_label("severity", severity, lang),
                marker={
                    "color": SEVERITY_COLOURS[severity],
                    "line": {"color": "#666666", "width": 0.5},
                },
                hovertemplate="%{y}: %{x}<extra>"
                + enum_label("severity", severity, lang)
                + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=list(totals.values),
            y=shown,
            mode="text",
            text=[f"  {int(v)}" for v in totals.values],
            textposition="middle right",
            textfont={"family": FONT, "size": 12},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.update_layout(barmode="stack")
    top = float(max(totals.max() if len(totals) else 0, 1))
    fig.update_xaxes(range=[0, top * 1.15], tickvals=_count_ticks(top))
    return _layout(fig, title, height=max(240, 30 * len(labels) + 130))


# ---------------------------------------------------------------------------------------
# The synthetic sample's footer
# ---------------------------------------------------------------------------------------
def mark_sample(fig: go.Figure, lang: str) -> go.Figure:
    """A line in a band of its own at the figure's top left (below a grid whose labels are
    on top) saying it shows the synthetic sample, so a screenshot or an exported image of
    it cannot pass for real data."""
    band = 22  # a band of its own: never over a title or axis labels
    if fig.layout.height:
        fig.update_layout(height=int(fig.layout.height) + band)
    if fig.layout.xaxis.side == "top":  # a grid with its labels on top: the mark goes below
        bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 80
        fig.update_layout(margin_b=int(bottom) + band)
        x, xanchor, xshift, y, yshift, yanchor = 1, "right", 0, 0, -4, "top"
    else:  # above everything the figure had, at its top edge from the figure's left edge:
        # the top right is the Plotly toolbar's, which on a phone reaches past the middle
        top = fig.layout.margin.t if fig.layout.margin.t is not None else 80
        left = fig.layout.margin.l if fig.layout.margin.l is not None else 80
        fig.update_layout(margin_t=int(top) + band)
        x, xanchor, xshift = 0, "left", 4 - int(left)
        y, yshift, yanchor = 1, int(top) + band - 2, "top"
    fig.add_annotation(
        text=t("sample.label", lang),
        xref="paper",
        yref="paper",
        x=x,
        xshift=xshift,
        y=y,
        yshift=yshift,
        xanchor=xanchor,
        yanchor=yanchor,
        showarrow=False,
        font={"family": FONT, "size": 12, "color": "#B00020"},
    )
    return fig
