"""The briefing's supervision part (监管一屏统揽): the findings sentences of the supervision
slide and the rows of its 需要关注 table, from the seed's `topic = supervision` KPIs and the
counts of the 监管 page's lists (`BriefingData.supervision_kpis`, `BriefingData.watch`)."""

from __future__ import annotations

from schoolwh.briefing import findings
from schoolwh.briefing.data import BriefingData
from schoolwh.briefing.labels import tr
from schoolwh.reading import formatting as fmt
from schoolwh.reading.i18n import kpi_name

MAX_NAMED = 2  # missed KPIs whose districts below target are named in a sentence


def has_supervision(data: BriefingData) -> bool:
    """Whether the scope has supervision KPI rows for the period."""
    return not data.supervision_only().kpis.empty


def missed(data: BriefingData) -> list[str]:
    """The supervision KPIs below target in the scope, furthest below first (ties: the
    seed's order)."""
    rows = data.supervision_only().kpis
    rows = rows[rows["status"] == "missed"]
    gap = (rows["target"] - rows["value"]).abs()
    order = rows.assign(_gap=gap).sort_values(["_gap", "kpi_sort_order"], ascending=[False, True])
    return [str(k) for k in order["kpi"]]


def watch_rows(data: BriefingData) -> list[tuple[str, str]]:
    """(what, how many) for each 需要关注 list of the 监管 page."""
    lang = data.scope.lang
    return [(tr(f"sup.watch.{name}", lang), fmt.count(n, lang)) for name, n in data.watch.items()]


def _value_against_target(data: BriefingData, kpi: str) -> str:
    lang = data.scope.lang
    row = data.kpi_row(kpi)
    unit = row.get("unit") if row is not None and isinstance(row.get("unit"), str) else None
    value = fmt.kpi_value(None if row is None else row.get("value"), unit, lang)
    target = fmt.kpi_value(None if row is None else row.get("target"), unit, lang)
    return tr("sup.value_target", lang, kpi=kpi_name(kpi, lang), value=value, target=target)


def supervision_findings(data: BriefingData, *, watch: bool = True) -> list[str]:
    """How many supervision KPIs missed their targets and which are furthest below, the
    districts below the furthest one, and (with `watch`) what needs attention as of the
    as-of date."""
    lang = data.scope.lang
    if not has_supervision(data):
        return []
    sentences: list[str] = []
    below = missed(data)
    if below:
        joiner = "、" if lang == "zh" else "; "
        worst = joiner.join(_value_against_target(data, k) for k in below[:MAX_NAMED])
        sentences.append(tr("sup.find.missed", lang, n=len(below), worst=worst))
        where = None if data.scope.is_district else findings.below_target(data, below[0])
        if where:
            sentences.append(f"{kpi_name(below[0], lang)}{'：' if lang == 'zh' else ': '}{where}")
    else:
        sentences.append(tr("sup.find.met", lang))
    if not watch:
        return sentences
    date = fmt.date(data.scope.as_of, lang)
    counted = [
        (what, n)
        for (what, n), count in zip(watch_rows(data), data.watch.values(), strict=True)
        if count
    ]
    if counted:
        joiner = "、" if lang == "zh" else ", "
        items = joiner.join(f"{what} {n}" for what, n in counted)
        sentences.append(tr("sup.find.watch", lang, date=date, items=items))
    elif data.watch:
        sentences.append(tr("sup.find.none", lang, date=date))
    return sentences
