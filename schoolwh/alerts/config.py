"""The alerts settings file (TOML; where it is: schoolwh.core.settings.alerts_file).

    dashboard_url = "https://wh.example.edu.cn"     # optional: a link in each message

    [thresholds]                                     # optional; defaults in core/settings.py
    reminder_hours = 24

    [deadlines]                                      # 上报情况: when each source is due
    participation = "week:1@12"                      # by the next Monday 12:00
    expenditure = "month:5@24"                       # by the end of the 5th of next month

    [[route]]
    name = "市教育局群"
    kind = "wecom"                                   # wecom / dingtalk / email
    url_env = "SCHOOLWH_WECOM_BUREAU"                # the webhook address, from the environment
    districts = []                                   # [] = the whole jurisdiction

    [[route]]
    name = "金水区群"
    kind = "dingtalk"
    url_env = "SCHOOLWH_DINGTALK_JINSHUI"
    secret_env = "SCHOOLWH_DINGTALK_JINSHUI_SECRET"  # the robot's signing secret (SEC…)
    districts = ["410105"]

    [[route]]
    name = "金水区邮件"
    kind = "email"
    host = "smtp.example.edu.cn"
    port = 587
    user = "alerts@example.edu.cn"
    password_env = "SCHOOLWH_SMTP_PASSWORD"
    sender = "alerts@example.edu.cn"
    to = ["clerk@example.edu.cn"]
    districts = ["410105"]

Secrets are never read from the file: a `url`, `secret` or `password` key is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from schoolwh.core.settings import ALERT_DEFAULTS, REPORT_DEADLINES, SettingError, report_deadline
from schoolwh.core.sources import SOURCES

KINDS = ("wecom", "dingtalk", "email")
_SECRET_KEYS = ("url", "secret", "password", "webhook")


class AlertConfigError(ValueError):
    """The alerts file cannot be used (the message names the file and the key)."""


@dataclass(frozen=True)
class Route:
    name: str
    kind: str
    districts: tuple[str, ...] = ()  # empty: the whole jurisdiction
    url_env: str = ""
    secret_env: str = ""
    host: str = ""
    port: int = 587
    user: str = ""
    password_env: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    ca_file: str = ""  # a private CA for the SMTP server's certificate (optional)
    timeout: float = 10.0

    @property
    def whole(self) -> bool:
        return not self.districts

    def covers(self, district_code: str | None) -> bool:
        return self.whole or (district_code is not None and district_code in self.districts)

    def url(self) -> str:
        url = _env(self.url_env, self.name, "url_env")
        if not url.startswith(("https://", "http://")):
            raise AlertConfigError(
                f"通道「{self.name}」：{self.url_env} 不是网址 / is not a web address (https://…)"
            )
        return url

    def secret(self) -> str:
        return _env(self.secret_env, self.name, "secret_env")

    def password(self) -> str:
        return _env(self.password_env, self.name, "password_env") if self.password_env else ""


@dataclass(frozen=True)
class AlertConfig:
    routes: tuple[Route, ...] = ()
    thresholds: dict[str, int] = field(default_factory=lambda: dict(ALERT_DEFAULTS))
    dashboard_url: str = ""
    path: Path | None = None
    deadlines: dict[str, str] = field(default_factory=lambda: dict(REPORT_DEADLINES))

    def threshold(self, name: str) -> int:
        return self.thresholds[name]


def _env(name: str, route: str, key: str) -> str:
    value = os.environ.get(name, "").strip() if name else ""
    if not value:
        raise AlertConfigError(
            f"通道「{route}」：环境变量 {name or '(未设置 ' + key + ')'} 为空 / "
            f"route {route!r}: environment variable {name or key} is not set"
        )
    return value


def load_config(path: Path) -> AlertConfig:
    """The alerts settings in `path`; no file: no routes and the default thresholds."""
    if not path.is_file():
        return AlertConfig(path=None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AlertConfigError(f"{path}: 不是有效的 TOML / not valid TOML: {exc}") from None
    thresholds = dict(ALERT_DEFAULTS)
    for key, value in (data.get("thresholds") or {}).items():
        if key not in ALERT_DEFAULTS:
            raise AlertConfigError(
                f"{path} [thresholds]: 未知的设置 {key!r} / unknown setting; use one of "
                + ", ".join(ALERT_DEFAULTS)
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AlertConfigError(
                f"{path} [thresholds] {key} = {value!r}: 须为非负整数 / must be a whole number ≥ 0"
            )
        thresholds[key] = value
    routes = []
    for i, raw in enumerate(data.get("route") or [], start=1):
        routes.append(_route(path, i, raw))
    names = [r.name for r in routes]
    if len(set(names)) != len(names):
        raise AlertConfigError(f"{path}: 通道名称重复 / route names must be unique: {names}")
    url = data.get("dashboard_url", "")
    if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
        raise AlertConfigError(f"{path}: dashboard_url 须以 https:// 开头 / must be a web address")
    deadlines = dict(REPORT_DEADLINES)
    for source, rule in (data.get("deadlines") or {}).items():
        if source not in SOURCES:
            raise AlertConfigError(
                f"{path} [deadlines]: 未知的数据类型 / unknown source {source!r}"
            )
        try:
            report_deadline(str(rule), dt.date(2025, 1, 1))
        except SettingError as exc:
            raise AlertConfigError(f"{path} [deadlines] {source}: {exc}") from None
        deadlines[source] = str(rule)
    return AlertConfig(tuple(routes), thresholds, url.rstrip("/"), path, deadlines)


def _route(path: Path, i: int, raw: dict) -> Route:
    where = f"{path} [[route]] #{i}"
    if not isinstance(raw, dict):
        raise AlertConfigError(f"{where}: 须为表 / must be a table")
    for key in _SECRET_KEYS:
        if key in raw:
            raise AlertConfigError(
                f"{where}: 不得在文件中写 {key}，请用 {key}_env 指定环境变量 / "
                f"a {key} must not be written in the file; name an environment variable "
                f"with {key}_env"
            )
    known = set(Route.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise AlertConfigError(f"{where}: 未知的设置 / unknown keys: {', '.join(unknown)}")
    name, kind = raw.get("name"), raw.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise AlertConfigError(f"{where}: 缺少 name / needs a name")
    if kind not in KINDS:
        raise AlertConfigError(f"{where} ({name}): kind 须为 / must be one of {', '.join(KINDS)}")
    districts = raw.get("districts", [])
    to = raw.get("to", [])
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise AlertConfigError(f"{where} ({name}): districts 须为区县代码列表 / a list of codes")
    if not isinstance(to, list) or not all(isinstance(t, str) for t in to):
        raise AlertConfigError(f"{where} ({name}): to 须为邮箱列表 / a list of addresses")
    values = {k: v for k, v in raw.items() if k not in ("districts", "to")}
    try:
        route = Route(**values, districts=tuple(districts), to=tuple(to))
    except TypeError as exc:
        raise AlertConfigError(f"{where} ({name}): {exc}") from None
    if kind in ("wecom", "dingtalk") and not route.url_env:
        raise AlertConfigError(f"{where} ({name}): 需要 url_env / needs url_env")
    if kind == "dingtalk" and not route.secret_env:
        raise AlertConfigError(f"{where} ({name}): 钉钉加签需要 secret_env / needs secret_env")
    if kind == "email" and not (route.host and route.sender and route.to):
        raise AlertConfigError(
            f"{where} ({name}): 邮件需要 host、sender、to / needs host, sender, to"
        )
    return route
