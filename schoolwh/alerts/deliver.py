"""Sending one message to one route: a WeCom group robot, a DingTalk custom robot (signed),
or e-mail over SMTP with STARTTLS. Every send is retried with back-off; the caller records
the outcome. Nothing here raises for a channel that is down: it returns what went wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from schoolwh.alerts.config import AlertConfigError, Route

# A WeCom robot refuses markdown content over 4,096 bytes (UTF-8); DingTalk's limit is
# larger, but a group message should fit one screen either way.
BYTE_LIMIT = {"wecom": 4096, "dingtalk": 4096, "email": 64 * 1024}


class SendError(RuntimeError):
    """A channel refused or could not be reached (the message says which and why)."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    attempts: int
    error: str = ""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The DingTalk robot signature: base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def _post_json(url: str, payload: dict, timeout: float) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
        raise SendError(f"{type(exc).__name__}: {exc}") from None
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        raise SendError("回复不是 JSON / the robot's answer is not JSON") from None
    if data.get("errcode", 0) != 0:
        raise SendError(f"errcode {data.get('errcode')}: {data.get('errmsg', '')}")


def send_wecom(route: Route, title: str, text: str) -> None:
    _post_json(route.url(), {"msgtype": "markdown", "markdown": {"content": text}}, route.timeout)


def send_dingtalk(route: Route, title: str, text: str) -> None:
    url = dingtalk_url(route.url(), route.secret(), int(time.time() * 1000))
    payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    _post_json(url, payload, route.timeout)


def send_email(route: Route, title: str, text: str) -> None:
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = route.sender
    message["To"] = ", ".join(route.to)
    message.set_content(text)
    context = ssl.create_default_context(cafile=route.ca_file or None)
    try:
        with smtplib.SMTP(route.host, route.port, timeout=route.timeout) as smtp:
            smtp.ehlo()
            smtp.starttls(context=context)  # never a password over plain text
            smtp.ehlo()
            if route.user:
                smtp.login(route.user, route.password())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from None


SENDERS: dict[str, Callable[[Route, str, str], None]] = {
    "wecom": send_wecom,
    "dingtalk": send_dingtalk,
    "email": send_email,
}


def send(
    route: Route,
    title: str,
    text: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send, retrying `retries` more times with waits of backoff, 2×backoff, 4×backoff …"""
    attempts, error, wait = 0, "", backoff
    for attempt in range(retries + 1):
        attempts = attempt + 1
        try:
            SENDERS[route.kind](route, title, text)
            return Outcome(True, attempts)
        except AlertConfigError as exc:
            error = str(exc)
            break  # a missing environment variable does not fix itself
        except Exception as exc:  # one channel's failure is only reported
            error = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
        if attempt < retries:
            sleep(wait)
            wait *= 2
    return Outcome(False, attempts, error)
