"""Two or three sentences per slide, written from the data in Chinese or English:
"3 个区县低于目标：…", the largest change since the previous period, the rank of a
district. Numbers are written the Chinese way (万/亿, percentages with one decimal).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from schoolwh.briefing.data import BriefingData
from schoolwh.briefing.labels import TEXT, tr
from schoolwh.reading import formatting as fmt
from schoolwh.reading import ranks
from schoolwh.reading import status as st_
from schoolwh.reading.headline import furthest_first
from schoolwh.reading.i18n import enum_label, kpi_name, status_label, t
from schoolwh.reading.queries import definitions_in_use
from schoolwh.reading.ranks import lower_is_better

MAX_NAMES = 5
BELOW = ("near", "missed")


def _missing(value: Any) -> bool:
    return fmt.is_missing(value)


def _get(row: pd.Series | None, column: str) -> Any:
    if row is None or column not in row.index:
        return None
    value = row[column]
    return None if _missing(value) else value


def _unit(row: pd.Series | None) -> str | None:
    unit = _get(row, "unit")
    return str(unit) if unit is not None else None


def _sentence(text: str, lang: str) -> str:
    return text + tr("find.end", lang)


def _names(pairs: list[str], total: int, lang: str) -> str:
    text = tr("find.sep", lang).join(pairs[:MAX_NAMES])
    return tr("find.below_more", lang, names=text) if total > MAX_NAMES else text


def _value(value: Any, unit: str | None, lang: str) -> str:
    return fmt.kpi_value(value, unit, lang)


def _name_value(name: Any, value: Any, unit: str | None, lang: str) -> str:
    return tr("find.name_value", lang, name=name, value=_value(value, unit, lang))


def headline(data: BriefingData, kpi: str) -> str:
    """The scope's value, its target and status, and its change since the previous period."""
    scope = data.scope
    lang = scope.lang
    row = data.kpi_row(kpi)
    value = _get(row, "value")
    if value is None:
        return _sentence(tr("find.no_data", lang, scope=scope.label), lang)
    unit = _unit(row)
    target = _get(row, "target")
    if target is not None:
        text = tr(
            "find.headline_target",
            lang,
            scope=scope.label,
            value=_value(value, unit, lang),
            target=_value(target, unit, lang),
            status=status_label(_get(row, "status"), lang),
        )
    else:
        text = tr("find.headline", lang, scope=scope.label, value=_value(value, unit, lang))
    before = _get(data.previous_row(kpi), "value")
    if before is not None and scope.previous_label:
        change = float(value) - float(before)
        if fmt.shown_change(change, unit) == 0:  # 持平, not "0.0个百分点"
            text += tr("find.flat_suffix", lang, period=scope.previous_label)
        else:
            text += tr(
                "find.change_suffix",
                lang,
                period=scope.previous_label,
                change=fmt.kpi_delta(change, unit, lang),
            )
    return _sentence(text, lang)


def _ordered(frame: pd.DataFrame, kpi: str, worst_first: bool = False) -> pd.DataFrame:
    """Districts with a value, best first (by the KPI's direction) or worst first; equal
    values by name."""
    rows = frame[frame["value"].notna()]
    direction = rows["direction"].dropna().iloc[0] if rows["direction"].notna().any() else None
    ascending = lower_is_better(direction) != worst_first
    return rows.sort_values(["value", "district_name"], ascending=[ascending, True])


def below_target(data: BriefingData, kpi: str) -> str | None:
    """Which districts are below target (worst first), or that all met it; districts with
    too small a sample are counted apart."""
    lang = data.scope.lang
    frame = data.districts_of(kpi)
    if data.one_district or not frame["target"].notna().any():
        return None  # never 「1 个区县低于目标：金水区」
    unit = _unit(frame.iloc[0])
    keys = frame["status"].map(st_.normalise)
    below = _ordered(frame[keys.isin(BELOW)], kpi, worst_first=True)
    judged = int(keys.isin(("met", *BELOW)).sum())
    if judged == 0:
        return None
    if below.empty:
        text = tr("find.all_met", lang, n=judged)
    else:
        pairs = [
            _name_value(n, v, unit, lang)
            for n, v in zip(below["district_name"], below["value"], strict=False)
        ]
        text = tr("find.below", lang, n=len(below), names=_names(pairs, len(below), lang))
    small = int((keys == "insufficient_sample").sum())
    if small:
        text += "；" if lang == "zh" else "; "  # "…等；另有", never "…等、另有"
        text += tr("find.insufficient", lang, n=small, min=data.min_sample)
    return _sentence(text, lang)


def value_range(data: BriefingData, kpi: str) -> str | None:
    """Highest and lowest district (fastest and slowest for days to close)."""
    lang = data.scope.lang
    frame = data.districts_of(kpi)
    ordered = _ordered(frame, kpi) if not frame.empty else frame
    if len(ordered) < 2:
        return None
    unit = _unit(ordered.iloc[0])
    best, worst = ordered.iloc[0], ordered.iloc[-1]
    best_text = _name_value(best["district_name"], best["value"], unit, lang)
    worst_text = _name_value(worst["district_name"], worst["value"], unit, lang)
    if unit == "days":
        return _sentence(tr("find.range_fast_slow", lang, best=best_text, worst=worst_text), lang)
    high, low = (best_text, worst_text)
    direction = (
        ordered["direction"].dropna().iloc[0] if ordered["direction"].notna().any() else None
    )
    if lower_is_better(direction):
        high, low = low, high
    return _sentence(tr("find.range_high_low", lang, high=high, low=low), lang)


def largest_change(data: BriefingData, kpi: str) -> str | None:
    """The district whose value moved most since the previous period."""
    scope = data.scope
    lang = scope.lang
    now = data.districts_of(kpi)
    before = data.districts_of(kpi, previous=True)
    if data.one_district or before.empty or not scope.previous_label:
        return None  # one district's change is the headline's
    both = now[["district_code", "district_name", "value", "unit"]].merge(
        before[["district_code", "value"]], on="district_code", suffixes=("", "_before")
    )
    both = both[both["value"].notna() & both["value_before"].notna()]
    if both.empty:
        return None
    unit = _unit(both.iloc[0])
    both = both.assign(
        change=both["value"] - both["value_before"],
        shown=[fmt.shown_change(d, unit) for d in both["value"] - both["value_before"]],
    )
    both = both.assign(size=both["shown"].abs()).sort_values(
        ["size", "district_name"], ascending=[False, True]
    )
    top = both.iloc[0]
    if top["size"] == 0:
        return _sentence(tr("find.no_change", lang, period=scope.previous_label), lang)
    return _sentence(
        tr(
            "find.largest_change",
            lang,
            period=scope.previous_label,
            name=top["district_name"],
            change=fmt.kpi_delta(top["change"], unit, lang),
            before=_value(top["value_before"], unit, lang),
            after=_value(top["value"], unit, lang),
        ),
        lang,
    )


def _rank_change(rank: ranks.Rank, lang: str) -> str:
    """The rank's change as the sentence carries it (，较上期上升 2 位 / 下降 / the same rank);
    nothing without a previous rank."""
    if rank.change is None:
        return ""
    if rank.change == 0:
        return tr("find.rank_same", lang)
    return tr("find.rank_up" if rank.change > 0 else "find.rank_down", lang, n=abs(rank.change))


def rank(data: BriefingData, kpi: str) -> str | None:
    """A district's rank among the districts (ties share a rank) and its change since the
    previous period, and the whole jurisdiction's value."""
    scope = data.scope
    lang = scope.lang
    frame = data.districts_of(kpi)
    if frame.empty or scope.district_code is None:
        return None
    before = data.districts_of(kpi, previous=True)
    mine = ranks.by_key(frame, before if not before.empty else None).get(scope.district_code)
    if mine is None:
        return None
    overall = data.overall_row(kpi)
    overall_text = _value(_get(overall, "value"), _unit(overall), lang)
    if mine.sharing == mine.of and mine.of > 1:  # "第 1 名（共 16 个）" when all 16 share 100 %
        row = frame[frame["district_code"] == scope.district_code].iloc[0]
        text = tr(
            "find.rank_all_tied",
            lang,
            n=mine.of,
            value=_value(row["value"], _unit(row), lang),
            whole=scope.whole,
            overall=overall_text,
        )
    else:
        text = tr(
            "find.rank_tied" if mine.tied else "find.rank_whole",
            lang,
            n=mine.of,
            rank=mine.rank,
            others=mine.sharing - 1,
            change=_rank_change(mine, lang),
            whole=scope.whole,
            overall=overall_text,
        )
    return _sentence(text, lang)


def lowest_schools(data: BriefingData, kpi: str) -> str | None:
    """One district alone: its schools lowest on a KPI with a value per school, where
    they fall short of the target (the districts cannot be compared in its figures)."""
    if not data.one_district:
        return None
    lang = data.scope.lang
    frame = data.schools.get(kpi)
    if frame is None or frame.empty or not frame["target"].notna().any():
        return None
    short = frame[frame["value"] < frame["target"] - 1e-9]
    if short.empty:
        return None
    unit = _unit(short.iloc[0])
    pairs = [
        _name_value(n, v, unit, lang)
        for n, v in zip(short["school_name"], short["value"], strict=False)
    ]
    names = _names(pairs, len(short), lang)
    return _sentence(tr("find.schools_below", lang, n=len(short), names=names), lang)


def detail(data: BriefingData, kpi: str) -> str | None:
    """What the scope's numerator and denominator count, in words."""
    lang = data.scope.lang
    key = f"detail.{kpi}"
    row = data.kpi_row(kpi)
    num, den = _get(row, "numerator"), _get(row, "denominator")
    if key not in TEXT or num is None or den is None:
        return None
    if kpi == "budget_execution":
        values = {"num_money": fmt.money(num, lang), "den_money": fmt.money(den, lang)}
    else:  # counts of schools, students, school-days, responses or issues: whole numbers
        values = {
            "num": fmt.number(round(float(num)), lang),
            "den": fmt.number(round(float(den)), lang),
        }
    if kpi == "satisfaction_rate":
        values["lo"] = fmt.percent(_get(row, "ci_lower"), lang)
        values["hi"] = fmt.percent(_get(row, "ci_upper"), lang)
    return _sentence(tr(key, lang, **values), lang)


def trend_finding(data: BriefingData, kpi: str) -> str | None:
    """A trend's 要点 in one line: where the window's months began and ended, and its
    worst month (「就餐需求满足率：2025年1月 88.0% → 2025年12月 91.0%，最差 2025年3月 85.2%」)."""
    lang = data.scope.lang
    rows = data.monthly[(data.monthly["kpi"] == kpi) & data.monthly["value"].notna()]
    if len(rows) < 2:
        return None
    rows = rows.assign(_key=[fmt.period_sort_key(str(p)) for p in rows["period"]])
    rows = rows.sort_values("_key")
    unit = _unit(rows.iloc[0])
    first, last = rows.iloc[0], rows.iloc[-1]
    direction = rows["direction"].dropna().iloc[0] if rows["direction"].notna().any() else None
    worst = rows.sort_values(["value", "_key"], ascending=[not lower_is_better(direction), True])
    low = worst.iloc[0]
    return tr(
        "find.trend",
        lang,
        kpi=kpi_name(kpi, lang),
        first_month=fmt.period(str(first["period"]), lang),
        first=_value(first["value"], unit, lang),
        last_month=fmt.period(str(last["period"]), lang),
        last=_value(last["value"], unit, lang),
        low_month=fmt.period(str(low["period"]), lang),
        low=_value(low["value"], unit, lang),
    )


def kpi_findings(data: BriefingData, kpi: str) -> list[str]:
    """Two or three findings for a KPI's slide."""
    found: list[str | None] = [headline(data, kpi)]
    if data.kpi_row(kpi) is None or _get(data.kpi_row(kpi), "value") is None:
        return [f for f in found if f]
    if data.by_school:
        found += [rank(data, kpi), lowest_schools(data, kpi), detail(data, kpi)]
    else:
        has_target = _get(data.kpi_row(kpi), "target") is not None
        second = below_target(data, kpi) if has_target else value_range(data, kpi)
        found += [second, largest_change(data, kpi) or detail(data, kpi)]
    return [f for f in found if f][:3]


# ---------------------------------------------------------------------------------------
# the other slides
# ---------------------------------------------------------------------------------------
def funding_findings(data: BriefingData) -> list[str]:
    scope = data.scope
    lang = scope.lang
    year = scope.pace_year
    if data.pace.empty or not data.pace["allocated"].fillna(0).gt(0).any():
        return [_sentence(tr("funding.no_budget", lang, year=year), lang)]
    last = data.pace.iloc[-1]
    out = [
        _sentence(
            tr(
                "funding.headline",
                lang,
                year=year,
                spent=fmt.money(last["ytd_spent"], lang),
                allocated=fmt.money(last["allocated"], lang),
                share=fmt.percent(last["ytd_share"], lang),
                pace=fmt.percent(last["target_pace"], lang),
            ),
            lang,
        )
    ]
    if scope.is_district:
        text = tr(
            "find.headline_target",
            lang,
            scope=scope.label,
            value=fmt.percent(last["ytd_share"], lang),
            target=fmt.percent(last["target_pace"], lang),
            status=status_label(last.get("status"), lang),
        )
        out.append(_sentence(text, lang))
        return out
    frame = data.pace_by_district if not data.one_district else data.pace_by_district[:0]
    if not frame.empty:
        keys = frame["status"].map(st_.normalise)
        behind = frame[keys.isin(BELOW)].sort_values("value")
        if behind.empty:
            out.append(_sentence(tr("funding.none_behind", lang), lang))
        else:
            pairs = [
                _name_value(n, v, None, lang)
                for n, v in zip(behind["district_name"], behind["value"], strict=False)
            ]
            out.append(
                _sentence(
                    tr(
                        "funding.behind",
                        lang,
                        n=len(behind),
                        names=_names(pairs, len(behind), lang),
                    ),
                    lang,
                )
            )
    return out


def issues_findings(data: BriefingData) -> list[str]:
    scope = data.scope
    lang = scope.lang
    out: list[str] = []
    row = data.kpi_row("issue_closure_rate")
    found, closed = _get(row, "denominator"), _get(row, "numerator")
    if found is not None and closed is not None:
        out.append(
            _sentence(
                tr(
                    "issues.period",
                    lang,
                    found=fmt.number(found, lang),
                    closed=fmt.number(closed, lang),
                    rate=fmt.percent(_get(row, "value"), lang),
                ),
                lang,
            )
        )
    out.append(
        _sentence(
            tr(
                "issues.open_now",
                lang,
                date=fmt.date(scope.as_of, lang),
                open=fmt.number(len(data.open_issues), lang),
                overdue=fmt.number(len(data.overdue), lang),
            ),
            lang,
        )
    )
    monthly = data.issues_monthly
    if not monthly.empty and monthly["found"].max() > 0:
        top = monthly.sort_values(["found", "month"], ascending=[False, True]).iloc[0]
        out.append(
            _sentence(
                tr(
                    "issues.busiest",
                    lang,
                    month=fmt.period(str(top["month"]), lang),
                    n=fmt.number(top["found"], lang),
                ),
                lang,
            )
        )
    return out[:3]


def overdue_groups(data: BriefingData) -> tuple[pd.DataFrame, str]:
    """Overdue issues counted by district (whole jurisdiction) or category (a district) and
    severity, and the column that labels them."""
    lang = data.scope.lang
    frame = data.overdue
    if frame.empty:
        return pd.DataFrame(columns=["label", "severity", "issues"]), "label"
    if data.by_school:
        labels = [enum_label("issue_category", c, lang) for c in frame["category"]]
    else:
        labels = list(frame["district_name"])
    grouped = (
        frame.assign(label=labels)
        .groupby(["label", "severity"], as_index=False)
        .size()
        .rename(columns={"size": "issues"})
    )
    return grouped, "label"


def overdue_findings(data: BriefingData) -> list[str]:
    scope = data.scope
    lang = scope.lang
    frame = data.overdue
    date = fmt.date(scope.as_of, lang)
    if frame.empty:
        return [tr("overdue.none", lang, date=date)]
    out = [
        _sentence(
            tr(
                "overdue.count",
                lang,
                date=date,
                n=fmt.number(len(frame), lang),
                days=fmt.number(frame["days_overdue"].max(), lang),
            ),
            lang,
        )
    ]
    grouped, label = overdue_groups(data)
    totals = grouped.groupby(label)["issues"].sum().sort_values(ascending=False)
    unit = " 个" if lang == "zh" else ""
    pairs = [f"{name} {int(n)}{unit}" for name, n in totals.head(3).items()]
    out.append(_sentence(tr("overdue.most", lang, names=tr("find.sep", lang).join(pairs)), lang))
    return out


def quality_findings(data: BriefingData) -> list[str]:
    scope = data.scope
    lang = scope.lang
    out: list[str] = []
    row = data.kpi_row("reporting_completeness")
    if row is not None and _get(row, "value") is not None:
        text = tr("dq.completeness", lang, value=fmt.percent(row["value"], lang))
        frame = data.districts_of("reporting_completeness")
        if not data.by_school and not frame.empty:
            ordered = _ordered(frame, "reporting_completeness", worst_first=True).head(3)
            pairs = [
                _name_value(n, v, None, lang)
                for n, v in zip(ordered["district_name"], ordered["value"], strict=False)
            ]
            if pairs:
                text += ("；" if lang == "zh" else "; ") + tr(
                    "dq.completeness_low", lang, names=tr("find.sep", lang).join(pairs)
                )
        out.append(_sentence(text, lang))
    elif scope.period_type == "year":
        out.append(_sentence(tr("dq.completeness_na", lang), lang))
    quality = data.quality
    if not quality.has_audit:
        out.append(_sentence(tr("dq.no_audit", lang), lang))
        return out
    last = quality.last_load
    if last:
        out.append(
            _sentence(
                tr(
                    "dq.last_load",
                    lang,
                    load_id=last["load_id"],
                    when=fmt.timestamp(last.get("finished_at") or last.get("started_at"), lang),
                    outcome=enum_label("load_outcome", last.get("outcome"), lang),
                    rows=fmt.number(last.get("rows_landed"), lang),
                ),
                lang,
            )
        )
    total = int(quality.quarantine["rows"].sum()) if not quality.quarantine.empty else 0
    out.append(
        _sentence(
            tr("dq.quarantined", lang, n=fmt.number(total, lang))
            if total
            else tr("dq.no_quarantine", lang),
            lang,
        )
    )
    checks = quality.checks
    if not checks.empty:
        ok = checks["success"].fillna(False).astype(bool)
        severity = checks["severity"].astype(str)
        out.append(
            _sentence(
                tr(
                    "dq.checks",
                    lang,
                    total=len(checks),
                    passed=int(ok.sum()),
                    warnings=int((~ok & (severity == "warning")).sum()),
                    critical=int((~ok & (severity == "critical")).sum()),
                ),
                lang,
            )
        )
    orphans = quality.orphans
    if not orphans.empty and "row_count" in orphans:
        excluded = orphans
        if "is_excluded_from_kpis" in orphans:
            excluded = orphans[orphans["is_excluded_from_kpis"].fillna(True).astype(bool)]
        rows = int(excluded["row_count"].fillna(0).sum())
        if rows:
            out.append(_sentence(tr("dq.orphans", lang, n=fmt.number(rows, lang)), lang))
    return out


# ---------------------------------------------------------------------------------------
# 结论与建议: what the leader should ask for, from the same data as the findings
# ---------------------------------------------------------------------------------------
MAX_RECOMMENDATIONS = 4
NAMES_IN_RECOMMENDATION = 3


def _worst_names(data: BriefingData, kpi: str, statuses: tuple[str, ...]) -> str | None:
    frame = data.districts_of(kpi)
    if data.one_district:
        return None
    keys = frame["status"].map(st_.normalise)
    rows = _ordered(frame[keys.isin(statuses)], kpi, worst_first=True)
    names = [str(n) for n in rows["district_name"]][:NAMES_IN_RECOMMENDATION]
    if not names:
        return None
    text = tr("find.sep", data.scope.lang).join(names)
    return text + (t("dq.file_list_more", data.scope.lang) if len(rows) > len(names) else "")


def _topic(kpi: str) -> str:
    """The KPI's topic in the warehouse's kpi_definitions (coverage, issues, …)."""
    definition = definitions_in_use().get(kpi)
    return definition.topic if definition is not None else ""


def recommendations(data: BriefingData) -> list[str]:
    """Up to four actions: each KPI below target (the districts furthest below first),
    spending behind its pace, overdue issues; or that all targets are met."""
    lang = data.scope.lang
    out: list[str] = []
    rows = furthest_first(data.kpis)  # the KPI furthest from its target first
    topics: set[str] = set()
    near: list[str] = []
    near_names: str | None = None
    for _, row in rows.iterrows():
        kpi, key = str(row["kpi"]), st_.normalise(row["status"])
        names = _worst_names(data, kpi, ("missed", "near") if key == "near" else BELOW)
        names = names or data.scope.place  # one district: named, not 「请全区…」
        if key == "near":  # one watch sentence for every KPI near its target
            near.append(kpi_name(kpi, lang))
            near_names = near_names or names
            continue
        value = _value(row["value"], _unit(row), lang)
        values = {"kpi": kpi_name(kpi, lang), "names": names, "value": value}
        topic = _topic(kpi)
        if f"rec.topic.{topic}" not in TEXT:  # a KPI of a topic without its own action
            out.append(tr("rec.missed", lang, **values))
        elif topic not in topics:  # one action per topic, named by its furthest KPI
            topics.add(topic)
            out.append(tr(f"rec.topic.{topic}", lang, **values))
    if len(near) == 1:
        out.append(tr("rec.near", lang, kpi=near[0], names=near_names))
    elif near:  # several KPIs: each has other districts near it, none named
        out.append(tr("rec.near_many", lang, kpis=tr("find.sep", lang).join(near)))
    pace = data.pace_by_district
    if not pace.empty and "budget_execution" not in set(rows["kpi"]):
        behind = pace[pace["status"].map(st_.normalise).isin(BELOW)]
        if not behind.empty:
            ordered = behind.sort_values("value")
            names = tr("find.sep", lang).join(
                str(n) for n in ordered["district_name"][:NAMES_IN_RECOMMENDATION]
            )
            out.append(tr("rec.funding", lang, names=names))
    overdue = data.overdue
    if not overdue.empty:
        column = "school_name" if data.by_school else "district_name"
        counts = overdue.groupby(column).size().sort_values(ascending=False)
        names = tr("find.sep", lang).join(str(n) for n in counts.index[:NAMES_IN_RECOMMENDATION])
        out.append(tr("rec.overdue", lang, n=len(overdue), names=names))
    if not out:
        out.append(tr("rec.none", lang))
    return [_sentence(text.rstrip("。."), lang) for text in out[:MAX_RECOMMENDATIONS]]
