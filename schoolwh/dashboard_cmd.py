"""Serve the dashboard: `streamlit run dashboard/app.py` on the published warehouse.

The warehouse is handed to the app through $SCHOOLWH_WAREHOUSE; Streamlit runs
headless (no browser is opened on the server), without usage statistics and without
watching files, on 127.0.0.1 unless another host is given.

Security settings Streamlit allows: XSRF protection and CORS protection on (stated, so a
config file cannot turn them off unnoticed), and the Host check (`server.allowedHosts`)
against DNS rebinding: only the names the server is reached by (localhost, the given
host, this machine's name, and $SCHOOLWH_DASHBOARD_HOSTS, comma separated). Streamlit
1.67 has no setting to close `/_stcore/metrics` or to send CSP / X-Frame-Options headers:
serving beyond this machine belongs behind a reverse proxy that does both (a warning
says so). The server stops with `schoolwh dashboard`: on Ctrl+C, on SIGTERM or SIGHUP,
and (Linux) when the parent is killed outright.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT

APP = PROJECT_ROOT / "dashboard" / "app.py"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
ENV_HOSTS = "SCHOOLWH_DASHBOARD_HOSTS"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def allowed_hosts(host: str = DEFAULT_HOST) -> list[str]:
    """Host names a browser may use to reach the server (the Host check)."""
    names = ["localhost", "127.0.0.1", "::1"]
    if not is_loopback(host):
        if host not in ("0.0.0.0", "::", ""):
            names.append(host)
        names += [socket.gethostname(), socket.getfqdn()]
    names += [h.strip() for h in os.environ.get(ENV_HOSTS, "").split(",") if h.strip()]
    return list(dict.fromkeys(n.lower() for n in names if n))


def exposure_warning(host: str) -> str | None:
    """What to say when the dashboard is served beyond this machine."""
    if is_loopback(host):
        return None
    return (
        f"警告：看板将对本机以外的网络开放（{host}）。请只在内网中使用，并置于反向代理之后"
        "（HTTPS、访问控制、安全响应头，并屏蔽 /_stcore/metrics），见 docs/deploy.md。"
        f"允许的主机名可用 {ENV_HOSTS} 增加 / WARNING: serving beyond this machine ({host}). "
        "Use it on a trusted network only, behind a reverse proxy (HTTPS, access control, "
        "security headers, /_stcore/metrics blocked): see docs/deploy.md. Add the host names "
        f"browsers use with {ENV_HOSTS}=name1,name2."
    )


def streamlit_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The command line that serves the dashboard."""
    hosts = [f"--server.allowedHosts={name}" for name in allowed_hosts(host)]
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
        "--server.enableXsrfProtection=true",
        "--server.enableCORS=true",
        *hosts,
        "--client.toolbarMode=viewer",
        "--theme.base=light",
        # blue, not Streamlit's red: red would read as "missed" next to the status colours
        "--theme.primaryColor=#0072B2",
    ]


def _environment(warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_WAREHOUSE] = str(Path(warehouse).expanduser().resolve())
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def start(
    warehouse: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    **popen_kwargs: object,
) -> subprocess.Popen:
    """Start the dashboard server in the background (the caller stops it)."""
    popen_kwargs.setdefault("preexec_fn", _die_with_parent)
    return subprocess.Popen(
        streamlit_command(host, port),
        env=_environment(warehouse),
        cwd=str(PROJECT_ROOT),
        **popen_kwargs,  # type: ignore[arg-type]
    )


def _die_with_parent() -> None:
    """In the child, before Streamlit starts: end with the process that started it
    (Linux), so even a killed `schoolwh dashboard` leaves no server on its port."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # a safeguard only
        return


class _Stop(Exception):
    """SIGTERM or SIGHUP reached `serve`."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop the server: terminate, then kill if it has not ended within `timeout`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_ready(
    url: str, timeout: float = 60.0, process: subprocess.Popen | None = None
) -> bool:
    """Poll Streamlit's health endpoint until it answers (False on timeout or exit)."""
    health = url.rstrip("/") + "/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def serve(warehouse: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the dashboard in the foreground until interrupted; returns the exit code.

    A missing or empty warehouse is not an error: the dashboard then says how to load data.
    """
    from schoolwh.accounts import AccountStore

    if not is_loopback(host) and not AccountStore(warehouse).exists():
        print(
            f"尚未设置账号：看板只在 127.0.0.1 上开放，拒绝在 {host} 上提供服务；请先运行 "
            f"`schoolwh users add` / no accounts yet: the dashboard is served on 127.0.0.1 "
            f"only, not on {host}, until `schoolwh users add` creates one",
            file=sys.stderr,
            flush=True,
        )
        return 2
    shown_host = "localhost" if host in ("127.0.0.1", "localhost") else host
    print(
        f"看板地址 Dashboard: http://{shown_host}:{port}  (数据仓库 warehouse: {warehouse})\n"
        "按 Ctrl+C 停止 / press Ctrl+C to stop.",
        flush=True,
    )
    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    handled = (signal.SIGTERM, signal.SIGHUP) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)
    previous = {}
    for sig in handled:
        try:
            previous[sig] = signal.signal(sig, _raise_stop)
        except ValueError:  # not the main thread: the caller handles signals
            break
    process = None
    try:
        process = start(warehouse, host, port)
        return process.wait()
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        if process is not None:
            stop(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
