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

The server process is `python -m schoolwh.dashboard_cmd run …` rather than `python -m
streamlit run …`: it first warms what the first page needs (`warm`: the modules pages
import, the published file and the header queries every page runs, plotly's first
figure, the district extracts accounts read) and only then starts Streamlit, so the
health check (`/_stcore/health`) answers once the first page can be served quickly.
"""

from __future__ import annotations

import importlib
import logging
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
        "schoolwh.dashboard_cmd",  # warms the first page, then runs Streamlit (`main`)
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


# What a first page imports, in the server process before the health check answers.
WARM_MODULES = (
    "pandas",
    "plotly.graph_objects",
    "plotly.express",
    "argon2",
    "dashboard.auth",
    "dashboard.ui",
    "dashboard.page_buttons",
    "schoolwh.reading.charts",
    "schoolwh.reading.geo",
    "schoolwh.reading.tables",
    "schoolwh.reading.queries",
    "schoolwh.briefing.scope",
    "schoolwh.pipeline.extracts",
)


def warm(warehouse: Path) -> dict[str, float]:
    """Load, open and draw once what the first page needs; seconds per step. Nothing
    here may stop the server: a step that fails is skipped (the page then says why)."""
    timings: dict[str, float] = {}
    if str(PROJECT_ROOT) not in sys.path:  # the `dashboard` package, as app.py sees it
        sys.path.insert(0, str(PROJECT_ROOT))

    def step(name: str, action) -> None:
        started = time.perf_counter()
        try:
            action()
        except Exception as exc:  # warming is a courtesy, never a condition
            print(f"预热跳过 / warm-up skipped ({name}): {exc}", file=sys.stderr, flush=True)
        timings[name] = round(time.perf_counter() - started, 3)

    # the pages' caches are made before Streamlit's runtime exists; they find it when
    # first called (Streamlit's note that it is not there yet says nothing useful here)
    importlib.import_module("streamlit")  # its loggers first: their levels are set on import
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        step("imports", lambda: [importlib.import_module(m) for m in WARM_MODULES])
    finally:
        quiet.setLevel(level)
    step("warehouse", lambda: _warm_warehouse(Path(warehouse)))
    step("figures", lambda: _warm_figures(Path(warehouse)))
    step("extracts", lambda: _warm_extracts(Path(warehouse)))
    return timings


def _warm_warehouse(warehouse: Path) -> None:
    """The published file opened once and the queries every page's header and filters
    run (kept in the shared connection's cache the sessions read)."""
    from schoolwh.reading import connection
    from schoolwh.reading import queries as q

    wh = connection.get_warehouse(warehouse)
    if wh is None or not wh.is_ready():
        return
    q.build_info(wh)
    q.is_sample(wh)
    q.overall_place(wh)
    q.districts(wh)
    q.kpi_definitions(wh)
    for period_type in q.period_types(wh):
        periods = q.periods(wh, period_type)
        if periods:
            q.kpi_overall(wh, period_type, periods[0])
            q.kpi_district(wh, period_type, periods[0])


def _warm_figures(warehouse: Path) -> None:
    """The first page's figures built once on the latest term (plotly loads the code of
    each trace type at its first figure, the map its district boundaries) and written as
    the browser gets them."""
    import plotly.io as pio

    from schoolwh.reading import charts, connection, geo
    from schoolwh.reading import queries as q

    wh = connection.get_warehouse(warehouse)
    if wh is None or not wh.is_ready() or "term" not in q.period_types(wh):
        return
    period = q.periods(wh, "term")[0]
    current = q.kpi_overall(wh, "term", period)
    by_district = q.kpi_district(wh, "term", period)
    charts.kpi_cards(current, None, "zh")
    figures = [charts.status_grid(by_district, "zh", kpis=list(current["kpi"]))]
    if not current.empty:
        kpi = str(current["kpi"].iloc[0])
        one = q.kpi_district_one(wh, "term", period, kpi)
        figures.append(charts.ranking_bars(one, "zh"))
        shapes = geo.map_data(one["district_code"])
        if shapes.geojson["features"]:
            figures.append(charts.district_map(one, shapes, kpi, "zh", True))
    for figure in figures:
        pio.to_json(figure)


def _warm_extracts(warehouse: Path) -> None:
    """Every account's district extract, written now rather than at its first login."""
    from schoolwh.accounts import AccountStore
    from schoolwh.pipeline.extracts import ensure_extract

    for scope in sorted(AccountStore(warehouse).scopes()):
        ensure_extract(warehouse, scope)


def main() -> None:
    """`python -m schoolwh.dashboard_cmd run APP [streamlit options]`: warm, then serve."""
    from schoolwh.core.settings import resolve_warehouse

    timings = warm(resolve_warehouse(None))
    shown = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(f"已预热 / warmed: {shown}", flush=True)
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
