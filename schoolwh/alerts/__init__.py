"""Alerts after each publish (issue #24): rules read from the published warehouse, a
digest per route (WeCom robot, DingTalk robot, e-mail) limited to the route's scope, and a
record of what was sent so an alert repeats only when its state changes or a reminder is due.

This package sits in the reading layer: it reads the published warehouse and never imports
the pipeline. The `schoolwh load` command runs it after a publish; a failing channel never
fails the load.
"""

from schoolwh.alerts.config import AlertConfig, AlertConfigError, Route, load_config
from schoolwh.alerts.rules import Finding, evaluate
from schoolwh.alerts.run import AlertRun, run_alerts

__all__ = [
    "AlertConfig",
    "AlertConfigError",
    "AlertRun",
    "Finding",
    "Route",
    "evaluate",
    "load_config",
    "run_alerts",
]
