"""The alert rules, read from the published warehouse.

Each rule gives findings: one item each (an overdue issue, a school whose cameras were not
all online, a KPI missed by a district …), with the district it belongs to, so a route
only ever sees its own districts' items. Rules whose marts a warehouse does not have (an
older build) give nothing rather than an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from schoolwh.alerts.config import AlertConfig
from schoolwh.core.sources import ISSUE_CATEGORY
from schoolwh.reading.connection import Warehouse

# Rule id → (Chinese title, English title), in the order a message lists them.
RULES: dict[str, tuple[str, str]] = {
    "overdue_issues": ("问题整改逾期", "Issues past their deadline"),
    "kpi_missed": ("指标未达标", "KPIs missed"),
    "cameras_offline": ("明厨亮灶摄像头离线", "Kitchen cameras offline"),
    "leader_meal_missing": ("校领导陪餐缺记录", "No school-leader meal record"),
    "menus_below_standard": ("食谱未达两菜一水果加主食", "Menus below the standard"),
    "not_reported": ("未上报就餐人数", "Participation not reported"),
    "budget_behind": ("预算执行进度滞后", "Budget execution behind pace"),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str  # identifies the item within its rule (its state is the set of keys)
    district_code: str
    district_name: str
    text: str  # one line, Chinese: the school (or district) and what is wrong
    order: tuple = ()  # sort key: oldest / worst first


def evaluate(warehouse: Path, config: AlertConfig) -> list[Finding]:
    """Every finding of every rule on the published warehouse at `warehouse`."""
    wh = Warehouse(warehouse)
    try:
        if not wh.is_ready():
            return []
        as_of = wh.scalar("select max(as_of_date) from marts.build_info")
        if as_of is None:
            return []
        as_of = _date(as_of)
        findings: list[Finding] = []
        for rule in (
            _overdue_issues,
            _kpi_missed,
            _cameras_offline,
            _leader_meal_missing,
            _menus_below_standard,
            _not_reported,
            _budget_behind,
        ):
            findings.extend(rule(wh, config, as_of))
        return sorted(findings, key=lambda f: (list(RULES).index(f.rule), f.order, f.key))
    finally:
        wh.close()


def _date(value) -> dt.date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _has(wh: Warehouse, *tables: str) -> bool:
    return all(wh.has_table("marts", t) for t in tables)


def _overdue_issues(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    frame = wh.query(
        """
        select i.issue_id, i.district_code, d.district_name, s.school_name,
               i.category, i.deadline_date, i.days_overdue
        from marts.fct_issues as i
        left join marts.dim_school as s on i.school_code = s.school_code
        left join marts.dim_district as d on i.district_code = d.district_code
        where i.is_overdue and not i.is_closed
        order by i.deadline_date, i.issue_id
        """
    )
    return [
        Finding(
            "overdue_issues",
            str(r.issue_id),
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.school_name or '?'}：{ISSUE_CATEGORY.get(r.category, r.category)}，"
            f"期限 {_date(r.deadline_date)}，"
            f"逾期 {int(r.days_overdue)} 天",
            (_date(r.deadline_date),),
        )
        for r in frame.itertuples()
    ]


def _kpi_missed(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    # the latest term each KPI has a status for (by its last day: '2025-spring' sorts
    # after '2025-autumn' as text); a district's KPI that is `missed` there
    frame = wh.query(
        """
        with latest as (
            select kpi, arg_max(period, period_end_date) as period
            from marts.kpi_district
            where period_type = 'term'
            group by kpi
        )
        select k.district_code, k.district_name, k.kpi, k.kpi_name_zh, k.period,
               k.value, k.target, k.unit
        from marts.kpi_district as k
        inner join latest on k.kpi = latest.kpi and k.period = latest.period
        where k.period_type = 'term' and k.status = 'missed'
        order by k.kpi_sort_order, k.district_code
        """
    )
    return [
        Finding(
            "kpi_missed",
            f"{r.kpi}/{r.district_code}/{r.period}",
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.kpi_name_zh}（{r.period}）{_num(r.value)}，目标 {_num(r.target)}",
            (i,),
        )
        for i, r in enumerate(frame.itertuples())
    ]


def _num(value) -> str:
    if value is None or value != value:  # NaN
        return "—"
    return f"{float(value):.4g}"


def _cameras_offline(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    if not _has(wh, "fct_kitchen_cameras"):
        return []
    snapshots = max(1, config.threshold("camera_snapshots"))
    frame = wh.query(
        """
        with ranked as (
            select c.*, row_number() over (
                partition by c.school_code order by c.snapshot_date desc
            ) as recent
            from marts.fct_kitchen_cameras as c
        ),
        kitchens as (
            select school_code from marts.dim_school where is_kitchen_school
        )
        select r.school_code, r.district_code, d.district_name, s.school_name,
               max(r.snapshot_date) as last_snapshot,
               min(r.online) as online, max(r.cameras) as cameras
        from ranked as r
        inner join kitchens as k on r.school_code = k.school_code
        left join marts.dim_school as s on r.school_code = s.school_code
        left join marts.dim_district as d on r.district_code = d.district_code
        where r.recent <= ?
        group by all
        having count(*) = ? and bool_and(r.online < r.cameras)
        order by r.district_code, r.school_code
        """,
        (snapshots, snapshots),
    )
    return [
        Finding(
            "cameras_offline",
            str(r.school_code),
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.school_name}：最近 {snapshots} 次在线 {int(r.online)}/{int(r.cameras)}"
            f"（截至 {_date(r.last_snapshot)}）",
            (str(r.district_code),),
        )
        for r in frame.itertuples()
    ]


def _serving_window(config: AlertConfig, as_of: dt.date) -> tuple[dt.date, dt.date]:
    days = max(1, config.threshold("leader_meal_days"))
    return as_of - dt.timedelta(days=days - 1), as_of


def _leader_meal_missing(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    # serving days: days a lunch-serving school reported lunch participation
    if not _has(wh, "fct_meal_companions", "fct_participation_daily"):
        return []
    start, end = _serving_window(config, as_of)
    frame = wh.query(
        """
        with serving as (
            select p.school_code, p.district_code, p.participation_date as day
            from marts.fct_participation_daily as p
            inner join marts.dim_school as s on p.school_code = s.school_code
            where s.has_lunch_service and p.lunch_students > 0
              and p.participation_date between ? and ?
        ),
        led as (
            select distinct school_code, meal_date as day
            from marts.fct_meal_companions
            where role = 'school_leader'
        )
        select sv.school_code, sv.district_code, d.district_name, s.school_name,
               count(*) as days
        from serving as sv
        left join led on sv.school_code = led.school_code and sv.day = led.day
        left join marts.dim_school as s on sv.school_code = s.school_code
        left join marts.dim_district as d on sv.district_code = d.district_code
        where led.school_code is null
        group by all
        order by days desc, sv.school_code
        """,
        (start, end),
    )
    return [
        Finding(
            "leader_meal_missing",
            f"{r.school_code}/{start}",
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.school_name}：{start}—{end} 有 {int(r.days)} 个供餐日无校领导陪餐记录",
            (-int(r.days),),
        )
        for r in frame.itertuples()
    ]


def _menus_below_standard(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    if not _has(wh, "fct_menus"):
        return []
    start, end = _serving_window(config, as_of)
    frame = wh.query(
        """
        select m.school_code, m.district_code, d.district_name, s.school_name,
               count(*) as days, min(m.menu_date) as first_day
        from marts.fct_menus as m
        left join marts.dim_school as s on m.school_code = s.school_code
        left join marts.dim_district as d on m.district_code = d.district_code
        where not m.meets_standard and m.menu_date between ? and ?
        group by all
        order by days desc, m.school_code
        """,
        (start, end),
    )
    return [
        Finding(
            "menus_below_standard",
            f"{r.school_code}/{start}",
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.school_name}：{start}—{end} 有 {int(r.days)} 天食谱未达两菜一水果加主食",
            (-int(r.days),),
        )
        for r in frame.itertuples()
    ]


def _not_reported(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    """Lunch-serving schools without participation on the district's last N serving days
    (a district's serving day: a day any of its schools reported)."""
    days = config.threshold("not_reported_days")
    if days <= 0:
        return []
    frame = wh.query(
        """
        with district_days as (
            select district_code, participation_date as day,
                   row_number() over (
                       partition by district_code order by participation_date desc
                   ) as recent
            from (select distinct district_code, participation_date
                  from marts.fct_participation_daily)
        ),
        window_days as (select * from district_days where recent <= ?),
        schools as (
            select school_code, district_code, school_name
            from marts.dim_school
            where active and has_lunch_service
        )
        select s.school_code, s.district_code, d.district_name, s.school_name,
               count(*) as days, min(w.day) as first_day
        from schools as s
        inner join window_days as w on s.district_code = w.district_code
        left join marts.fct_participation_daily as p
            on s.school_code = p.school_code and p.participation_date = w.day
        left join marts.dim_district as d on s.district_code = d.district_code
        where p.school_code is null
        group by all
        having count(*) = ?
        order by s.district_code, s.school_code
        """,
        (days, days),
    )
    return [
        Finding(
            "not_reported",
            str(r.school_code),
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"{r.school_name}：最近 {days} 个供餐日（自 {_date(r.first_day)}）未上报",
            (str(r.district_code),),
        )
        for r in frame.itertuples()
    ]


def _budget_behind(wh: Warehouse, config: AlertConfig, as_of: dt.date) -> list[Finding]:
    """Districts whose year-to-date budget execution of the latest month is below the
    target pace (budget_execution's status `missed`, docs/kpis.md)."""
    frame = wh.query(
        """
        with latest as (
            select arg_max(period, period_end_date) as period
            from marts.kpi_district
            where kpi = 'budget_execution' and period_type = 'month'
        )
        select k.district_code, k.district_name, k.period, k.value, k.target
        from marts.kpi_district as k
        inner join latest on k.period = latest.period
        where k.kpi = 'budget_execution' and k.period_type = 'month' and k.status = 'missed'
        order by k.value, k.district_code
        """
    )
    return [
        Finding(
            "budget_behind",
            f"{r.district_code}/{r.period}",
            str(r.district_code),
            str(r.district_name or r.district_code),
            f"截至 {r.period} 预算执行率 {_pct(r.value)}，进度目标 {_pct(r.target)}",
            (i,),
        )
        for i, r in enumerate(frame.itertuples())
    ]


def _pct(value) -> str:
    if value is None or value != value:
        return "—"
    return f"{float(value):.0%}"
