"""docs/deploy.md followed once on this machine: the systemd unit's command starts the
dashboard, an account made with `schoolwh users add` logs in to it in Chromium; and
without accounts the dashboard refuses any address but 127.0.0.1."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schoolwh import dashboard_cmd
from schoolwh.cli import app
from schoolwh.core.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "docs" / "deploy.md"
INSTALL, DATA = "/opt/schoolwh", "/srv/schoolwh/data"


def unit_file() -> dict[str, list[str]]:
    text = DEPLOY.read_text(encoding="utf-8")
    block = re.search(r"```ini\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md has no systemd unit"
    keys: dict[str, list[str]] = {}
    for line in block.group(1).splitlines():
        if "=" in line and not line.startswith(("[", "#")):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    return keys


def test_the_unit_file_names_the_warehouse_and_the_loopback_address():
    unit = unit_file()
    [command] = unit["ExecStart"]
    assert command.startswith(f"{INSTALL}/.venv/bin/schoolwh dashboard")
    assert "--host 127.0.0.1" in command and f"--warehouse {DATA}/warehouse.duckdb" in command
    assert unit["UMask"] == ["0077"] and unit["User"] == ["schoolwh"]
    text = DEPLOY.read_text(encoding="utf-8")
    for needed in ("Strict-Transport-Security", "ssl_certificate", "reverse_proxy", "Upgrade"):
        assert needed in text
    for kept in ("warehouse.accounts.json", "archive/", "mappings/", "tar -czf", "git pull"):
        assert kept in text


def test_no_accounts_no_other_address(tmp_path, capsys):
    wh = tmp_path / "warehouse.duckdb"
    assert dashboard_cmd.serve(wh, "0.0.0.0", 1) == 2  # refused before anything starts
    assert "127.0.0.1" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_unit_command_serves_a_dashboard_one_logs_in_to(tmp_path):
    from browser import body_text, browser_or_skip, free_port, open_browser, wait_for
    from test_dashboard_browser import log_in

    chromium, driver_path = browser_or_skip()
    data = tmp_path / "srv" / "data"
    data.mkdir(parents=True)
    wh = data / "warehouse.duckdb"
    added = CliRunner().invoke(
        app,
        ["users", "add", "juzhang", "--role", "bureau", "--password-stdin", "-w", str(wh)],
        input="deploy pass 42\n",
    )
    assert added.exit_code == 0, added.output
    unit = unit_file()
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    [command] = unit["ExecStart"]
    command = (
        command.replace(f"{INSTALL}/.venv/bin", bin_dir)
        .replace(DATA, str(data))
        .replace("--port 8501", f"--port {port}")
    )
    env = dict(os.environ)
    for assignment in unit.get("Environment", []):
        key, value = assignment.split("=", 1)
        env[key] = value.replace(DATA, str(data))
    log = (tmp_path / "service.log").open("w")
    service = subprocess.Popen(
        shlex.split(command),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert dashboard_cmd.wait_until_ready(url, 240, service), (
            tmp_path / "service.log"
        ).read_text()
        browser = open_browser(chromium, driver_path, tmp_path / "profile")
        try:
            browser.get(url)
            wait_for(browser, lambda b: "用户名" in body_text(b))
            assert "还没有可展示的数据" not in body_text(browser)  # nothing before a login
            log_in(browser, url, "juzhang", "deploy pass 42")
            wait_for(browser, lambda b: "juzhang" in body_text(b))
            wait_for(browser, lambda b: "还没有可展示的数据" in body_text(b))
            assert "用户名或密码错误" not in body_text(browser)
        finally:
            browser.quit()
    finally:
        os.killpg(service.pid, 15)
        try:
            service.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, 9)
        log.close()


def test_the_proxy_answers_only_the_dashboards_host_and_names_the_client():
    """Streamlit's routes other than its WebSocket answer any Host: the proxy's rule,
    written where the operator copies it from."""
    text = DEPLOY.read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", text, re.S).group(1)
    catch_all = nginx.split("server {")[1]
    assert "default_server" in catch_all and "return 444;" in catch_all
    assert "ssl_reject_handshake on;" in catch_all
    assert "proxy_set_header X-Real-IP $remote_addr;" in nginx  # the login throttle's client
    for documented in (
        "warehouse.sessions.key",
        "schoolwh users logout",
        "email_verified",
        "(mode 0600), rewritten",
        "Nobody is locked out",
        "through the reverse proxy",
    ):
        assert documented in text, documented
