"""One alerts run: evaluate the rules, and per route send the rules that are due."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schoolwh.alerts.compose import compose, title
from schoolwh.alerts.config import AlertConfig, Route, load_config
from schoolwh.alerts.deliver import BYTE_LIMIT, send
from schoolwh.alerts.record import Record, fingerprint
from schoolwh.alerts.rules import RULES, Finding, evaluate
from schoolwh.core.settings import alerts_file, alerts_record
from schoolwh.reading.connection import Warehouse

# The route a dry run shows when the settings name none: the whole jurisdiction.
WHOLE = Route(name="全部 / all", kind="wecom")


@dataclass
class RouteResult:
    route: str
    rules: list[str] = field(default_factory=list)  # rules sent (or, dry run, due)
    items: int = 0
    ok: bool = True
    attempts: int = 0
    error: str = ""
    message: str = ""


@dataclass
class AlertRun:
    findings: list[Finding] = field(default_factory=list)
    results: list[RouteResult] = field(default_factory=list)
    dry_run: bool = False
    as_of: str = ""

    @property
    def failed(self) -> list[RouteResult]:
        return [r for r in self.results if not r.ok]

    def summary(self) -> str:
        lines = []
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        lines.append(f"提醒规则 / alert rules（数据截至 {self.as_of or '—'}）:")
        for rule, (zh, en) in RULES.items():
            lines.append(f"  {zh} / {en}: {counts.get(rule, 0)}")
        for r in self.results:
            if self.dry_run:
                state = "待发送 / due: " + (", ".join(r.rules) or "—")
                lines += ["", f"== {r.route}: {state}", r.message]
            elif not r.rules:
                lines.append(f"{r.route}: 无新提醒 / nothing new")
            elif r.ok:
                lines.append(f"{r.route}: 已发送 / sent {', '.join(r.rules)} ({r.items} 项)")
            else:
                lines.append(f"{r.route}: 发送失败 / failed after {r.attempts} attempts: {r.error}")
        return "\n".join(lines)


def run_alerts(
    warehouse: Path,
    *,
    dry_run: bool = False,
    config: AlertConfig | None = None,
    now: dt.datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertRun:
    """Evaluate the rules on the published warehouse; send (or, dry run, show) per route."""
    config = config if config is not None else load_config(alerts_file(warehouse))
    now = now or dt.datetime.now().replace(microsecond=0)
    findings = evaluate(warehouse, config)
    as_of, built_at = _build(warehouse)
    record = Record(alerts_record(warehouse))
    # KPIs: only those whose status turned `missed` since the previous publish
    missed = [f for f in findings if f.rule == "kpi_missed"]
    turned = record.turned("kpi_missed", built_at, [f.key for f in missed])
    findings = [f for f in findings if f.rule != "kpi_missed" or f.key in turned]
    run = AlertRun(findings=findings, dry_run=dry_run, as_of=as_of)
    routes = config.routes or ((WHOLE,) if dry_run else ())
    for route in routes:
        mine = [f for f in findings if route.covers(f.district_code)]
        keys: dict[str, list[str]] = {rule: [] for rule in RULES}
        for f in mine:
            keys[f.rule].append(f.key)
        due = []
        for rule, rule_keys in keys.items():
            print_ = fingerprint(rule_keys)
            if not rule_keys:
                if not dry_run:
                    record.clear(route.name, rule)
            elif record.due(route.name, rule, print_, now, config.threshold("reminder_hours")):
                due.append(rule)
        shown = mine if dry_run else [f for f in mine if f.rule in due]
        result = RouteResult(route.name, rules=due, items=len(shown))
        result.message = compose(
            route,
            shown,
            as_of=run.as_of,
            top=config.threshold("top_items"),
            limit=BYTE_LIMIT[route.kind],
            dashboard_url=config.dashboard_url,
        )
        run.results.append(result)
        if dry_run or not due:
            continue
        outcome = send(
            route,
            title(route, run.as_of),
            result.message,
            retries=config.threshold("retries"),
            backoff=float(config.threshold("retry_backoff_seconds")),
            sleep=sleep,
        )
        result.ok, result.attempts, result.error = outcome.ok, outcome.attempts, outcome.error
        record.log(
            {
                "at": now.isoformat(timespec="seconds"),
                "route": route.name,
                "kind": route.kind,
                "rules": due,
                "items": len(shown),
                "ok": outcome.ok,
                "attempts": outcome.attempts,
                "error": outcome.error,
            }
        )
        if outcome.ok:
            for rule in due:
                record.mark(route.name, rule, fingerprint(keys[rule]), len(keys[rule]), now)
    if not dry_run:
        record.save()
    return run


def _build(warehouse: Path) -> tuple[str, str]:
    """The published warehouse's as-of date and build time (which publish it is)."""
    wh = Warehouse(warehouse)
    try:
        if not wh.exists or not wh.has_table("marts", "build_info"):
            return "", ""
        frame = wh.query("select max(as_of_date) as d, max(built_at) as b from marts.build_info")
        as_of, built = frame.iat[0, 0], frame.iat[0, 1]
        return ("" if as_of is None else str(as_of)[:10]), ("" if built is None else str(built))
    finally:
        wh.close()
