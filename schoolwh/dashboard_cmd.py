"""Serve the dashboard: `streamlit run dashboard/app.py` on the published warehouse.

The warehouse is handed to the app through $SCHOOLWH_WAREHOUSE; Streamlit runs
headless (no browser is opened on the server), without usage statistics and without
watching files, on 127.0.0.1 unless another host is given.
"""

from __future__ import annotations

import os
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


def streamlit_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The command line that serves the dashboard."""
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
    return subprocess.Popen(
        streamlit_command(host, port),
        env=_environment(warehouse),
        cwd=str(PROJECT_ROOT),
        **popen_kwargs,  # type: ignore[arg-type]
    )


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
    shown_host = "localhost" if host in ("127.0.0.1", "localhost") else host
    print(
        f"看板地址 Dashboard: http://{shown_host}:{port}  (数据仓库 warehouse: {warehouse})\n"
        "按 Ctrl+C 停止 / press Ctrl+C to stop.",
        flush=True,
    )
    process = start(warehouse, host, port)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
