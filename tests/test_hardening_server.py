"""Issue 14, the server: `schoolwh dashboard` stops its Streamlit server on SIGTERM, checks
the Host of every connection (DNS rebinding), keeps XSRF and CORS protection on, and
warns when it serves beyond this machine."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from schoolwh import dashboard_cmd
from schoolwh.dashboard_cmd import allowed_hosts, exposure_warning, streamlit_command

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_command_keeps_xsrf_cors_and_the_host_check_on():
    command = streamlit_command("127.0.0.1", 8501)
    assert "--server.enableXsrfProtection=true" in command
    assert "--server.enableCORS=true" in command
    hosts = [c.split("=", 1)[1] for c in command if c.startswith("--server.allowedHosts=")]
    assert hosts == ["localhost", "127.0.0.1", "::1"]


def test_hosts_beyond_loopback_are_named(monkeypatch):
    monkeypatch.setenv(dashboard_cmd.ENV_HOSTS, "dash.bureau.example, 10.1.2.3")
    hosts = allowed_hosts("0.0.0.0")
    assert "0.0.0.0" not in hosts and "*" not in hosts
    assert {"localhost", socket.gethostname().lower(), "dash.bureau.example", "10.1.2.3"} <= set(
        hosts
    )
    assert "192.168.1.20" in allowed_hosts("192.168.1.20")


def test_serving_beyond_loopback_warns():
    assert exposure_warning("127.0.0.1") is None and exposure_warning("localhost") is None
    text = exposure_warning("0.0.0.0")
    assert text is not None and text.startswith("警告")
    assert "/_stcore/metrics" in text and "WARNING" in text


def _websocket_status(port: int, host: str) -> int:
    """The HTTP status of a WebSocket handshake to Streamlit with the given Host header."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://{host}:{port}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        head = s.recv(1024).decode("latin-1")
    return int(head.split()[1])


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and ports, Linux")
def test_sigterm_stops_the_server_and_frees_the_port(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cli = subprocess.Popen(
        [sys.executable, "-m", "schoolwh.cli", "dashboard", "--port", str(port), "-w",
         str(tmp_path / "warehouse.duckdb")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert dashboard_cmd.wait_until_ready(f"http://127.0.0.1:{port}", 240, cli)
        assert _websocket_status(port, "localhost") == 101
        assert _websocket_status(port, "rebind.attacker.example") == 403  # DNS rebinding
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while port_open(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not port_open(port), "the Streamlit server outlived `schoolwh dashboard`"
    finally:
        if cli.poll() is None:
            cli.kill()
        cli.wait()


def test_the_server_warms_the_first_page_before_it_answers_its_health_check(tmp_path):
    """The first page on a freshly started server took 21.7 s: the server process now
    loads what a first page needs before Streamlit starts (and with it /_stcore/health)."""
    command = streamlit_command("127.0.0.1", 8501)
    assert command[1:4] == ["-m", "schoolwh.dashboard_cmd", "run"]
    from schoolwh.accounts import AccountStore

    wh = tmp_path / "warehouse.duckdb"
    import duckdb

    con = duckdb.connect(str(wh))
    con.execute("create schema marts")
    con.execute("create table marts.dim_district as select '410105' as district_code, "
                "'金水区' as district_name")  # fmt: skip
    con.execute("create table marts.dim_school as select '4101050001' as school_code, "
                "'410105' as district_code")  # fmt: skip
    con.close()
    AccountStore(wh).add("jinshui", "district", ("410105",), "warm up pass 1")
    timings = dashboard_cmd.warm(wh)
    assert set(timings) == {"imports", "warehouse", "figures", "extracts"}
    import sys

    assert {"dashboard.ui", "plotly.graph_objects", "schoolwh.reading.charts"} <= set(sys.modules)
    from schoolwh.accounts import extract_path

    assert extract_path(wh, ("410105",)).exists()  # written before anyone logs in
    assert dashboard_cmd.warm(tmp_path / "missing.duckdb")  # no warehouse: still serves
