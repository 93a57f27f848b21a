"""Alerts after a publish (issue #24): rules on the published marts, delivery to real local
robot and SMTP servers, scope per route, the record (once; again on change or reminder),
retries with back-off, and a failing channel that fails nothing else."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from schoolwh.alerts import AlertConfigError, evaluate, load_config, run_alerts
from schoolwh.alerts.deliver import dingtalk_sign
from schoolwh.cli import app
from schoolwh.core.settings import alerts_record
from tests.alert_servers import RobotServer, SMTPServer

AS_OF = dt.date(2025, 12, 5)  # a Friday
JINSHUI, ZHONGYUAN = "410105", "410102"
HOSTILE = "[点我](http://evil.example)<b>坏</b>"


def _days(n: int) -> list[dt.date]:
    return [AS_OF - dt.timedelta(days=i) for i in range(n)]


def make_warehouse(path: Path, *, extra_issues: int = 0, long_names: bool = False) -> Path:
    """A published warehouse with the marts the rules read, in two districts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.build_info as select ?::date as as_of_date, ?::timestamp as built_at",
        [AS_OF, dt.datetime(2025, 12, 5, 20)],
    )
    con.execute("create table marts.kpi_overall (kpi varchar)")
    con.execute(
        "create table marts.dim_district as select * from (values "
        "(?, '金水区', 'district', 2, 2), (?, '中原区', 'district', 2, 2)) "
        "t(district_code, district_name, district_kind, registered_schools, active_schools)",
        [JINSHUI, ZHONGYUAN],
    )
    pad = "附属实验" * 20 if long_names else ""
    schools = [
        ("J1", JINSHUI, f"金水路小学{pad}", True),
        ("J2", JINSHUI, HOSTILE, True),
        ("Z1", ZHONGYUAN, f"中原路小学{pad}", True),
        ("Z2", ZHONGYUAN, "建设路中学", True),
    ]
    con.execute(
        "create table marts.dim_school (school_code varchar, district_code varchar, "
        "school_name varchar, is_kitchen_school boolean, active boolean, "
        "has_lunch_service boolean)"
    )
    for code, district, name, kitchen in schools:
        con.execute(
            "insert into marts.dim_school values (?, ?, ?, ?, true, true)",
            [code, district, name, kitchen],
        )
    con.execute(
        "create table marts.fct_issues (issue_id varchar, school_code varchar, "
        "district_code varchar, category varchar, deadline_date date, days_overdue integer, "
        "is_overdue boolean, is_closed boolean)"
    )
    issues = [
        ("I-J1", "J1", JINSHUI, "food_safety", AS_OF - dt.timedelta(days=10), 10, True, False),
        ("I-Z1", "Z1", ZHONGYUAN, "funds", AS_OF - dt.timedelta(days=30), 30, True, False),
        ("I-Z2", "Z2", ZHONGYUAN, "hygiene", AS_OF - dt.timedelta(days=3), 3, True, False),
        ("I-ok", "J1", JINSHUI, "hygiene", AS_OF + dt.timedelta(days=3), 0, False, False),
    ]
    issues += [
        (f"I-X{i:04d}", "Z1", ZHONGYUAN, "other", AS_OF - dt.timedelta(days=1), 1, True, False)
        for i in range(extra_issues)
    ]
    con.executemany("insert into marts.fct_issues values (?, ?, ?, ?, ?, ?, ?, ?)", issues)
    con.execute(
        "create table marts.kpi_district (district_code varchar, district_name varchar, "
        "period_type varchar, period varchar, kpi varchar, kpi_name_zh varchar, "
        "value double, target double, unit varchar, status varchar, kpi_sort_order integer, "
        "period_end_date date)"
    )
    con.executemany(
        "insert into marts.kpi_district values (?, ?, 'term', ?, 'leader_meal_rate', "
        "'校领导陪餐率', ?, 0.9, 'ratio', ?, 1, ?)",
        [
            (JINSHUI, "金水区", "2025-autumn", 0.5, "missed", dt.date(2026, 1, 31)),
            (ZHONGYUAN, "中原区", "2025-autumn", 0.95, "met", dt.date(2026, 1, 31)),
            (ZHONGYUAN, "中原区", "2025-spring", 0.2, "missed", dt.date(2025, 7, 31)),
        ],
    )
    con.executemany(
        "insert into marts.kpi_district values (?, ?, 'month', ?, 'budget_execution', "
        "'预算执行率', ?, ?, 'ratio', ?, 7, ?)",
        [
            (JINSHUI, "金水区", "2025-11", 0.5, 0.8, "missed", dt.date(2025, 11, 30)),  # older
            (JINSHUI, "金水区", "2025-12", 0.9, 0.88, "met", dt.date(2025, 12, 31)),
            (ZHONGYUAN, "中原区", "2025-12", 0.6, 0.88, "missed", dt.date(2025, 12, 31)),
        ],
    )
    con.execute(
        "create table marts.fct_kitchen_cameras (school_code varchar, district_code varchar, "
        "snapshot_date date, cameras integer, online integer)"
    )
    d0, d1, d2 = _days(3)
    con.executemany(
        "insert into marts.fct_kitchen_cameras values (?, ?, ?, 4, ?)",
        [
            ("J1", JINSHUI, d0, 4),
            ("J1", JINSHUI, d1, 4),
            ("J2", JINSHUI, d0, 2),  # offline on both latest snapshots
            ("J2", JINSHUI, d1, 3),
            ("Z1", ZHONGYUAN, d0, 3),  # offline on the latest only
            ("Z1", ZHONGYUAN, d1, 4),
            ("Z2", ZHONGYUAN, d0, 0),  # offline twice
            ("Z2", ZHONGYUAN, d1, 0),
            ("Z2", ZHONGYUAN, d2, 4),
        ],
    )
    con.execute(
        "create table marts.fct_participation_daily (school_code varchar, "
        "district_code varchar, participation_date date, lunch_students integer)"
    )
    rows = []
    for day in _days(5):
        rows += [("J1", JINSHUI, day, 300), ("J2", JINSHUI, day, 200), ("Z1", ZHONGYUAN, day, 100)]
    rows += [("Z2", ZHONGYUAN, day, 90) for day in _days(5)[3:]]  # not the last 3 days
    con.executemany("insert into marts.fct_participation_daily values (?, ?, ?, ?)", rows)
    con.execute(
        "create table marts.fct_meal_companions (school_code varchar, meal_date date, role varchar)"
    )
    con.executemany(
        "insert into marts.fct_meal_companions values (?, ?, ?)",
        [("J1", day, "school_leader") for day in _days(5)]
        + [("Z1", day, "school_leader") for day in _days(5)]
        + [("J2", day, "parent") for day in _days(5)],  # a parent is not a leader
    )
    con.execute(
        "create table marts.fct_menus (school_code varchar, district_code varchar, "
        "menu_date date, meets_standard boolean)"
    )
    con.executemany(
        "insert into marts.fct_menus values (?, ?, ?, ?)",
        [("J1", JINSHUI, d0, True), ("Z1", ZHONGYUAN, d0, False), ("Z1", ZHONGYUAN, d1, False)],
    )
    con.close()
    return path


@pytest.fixture
def wh(tmp_path) -> Path:
    return make_warehouse(tmp_path / "data" / "warehouse.duckdb")


def write_config(wh: Path, text: str) -> Path:
    path = wh.parent / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


ROUTES = """
dashboard_url = "https://wh.example.edu.cn"

[thresholds]
reminder_hours = 24
retries = 2
retry_backoff_seconds = 1

[[route]]
name = "市教育局群"
kind = "wecom"
url_env = "T_WECOM_URL"

[[route]]
name = "金水区群"
kind = "dingtalk"
url_env = "T_DING_URL"
secret_env = "T_DING_SECRET"
districts = ["410105"]

[[route]]
name = "中原区邮件"
kind = "email"
host = "127.0.0.1"
port = {port}
user = "alerts@example.edu.cn"
password_env = "T_SMTP_PASSWORD"
sender = "alerts@example.edu.cn"
to = ["zhongyuan@example.edu.cn"]
ca_file = "{ca}"
districts = ["410102"]
"""


def _by(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_rules_read_the_published_marts(wh):
    findings = evaluate(wh, load_config(wh.parent / "none.toml"))
    overdue = _by(findings, "overdue_issues")
    assert [f.key for f in overdue] == ["I-Z1", "I-J1", "I-Z2"]  # oldest deadline first
    assert [f.key for f in _by(findings, "cameras_offline")] == ["Z2", "J2"]  # by district
    assert [f.key for f in _by(findings, "kpi_missed")] == [
        f"leader_meal_rate/{JINSHUI}/2025-autumn"
    ]
    # 陪餐: J2 only has a parent; Z2 serves no lunch on the last days but served before
    assert {f.key.split("/")[0] for f in _by(findings, "leader_meal_missing")} == {"J2", "Z2"}
    assert [f.key.split("/")[0] for f in _by(findings, "menus_below_standard")] == ["Z1"]
    assert [f.key for f in _by(findings, "not_reported")] == ["Z2"]
    behind = _by(findings, "budget_behind")
    assert [(f.key, f.text) for f in behind] == [
        (f"{ZHONGYUAN}/2025-12", "截至 2025-12 预算执行率 60%，进度目标 88%")
    ]


def test_dry_run_lists_overdue_issues_and_offline_cameras(wh):
    result = CliRunner().invoke(app, ["alerts", "--dry-run", "-w", str(wh)])
    assert result.exit_code == 0, result.output
    assert "问题整改逾期 / Issues past their deadline: 3" in result.output
    assert "明厨亮灶摄像头离线 / Kitchen cameras offline: 2" in result.output
    assert (
        "中原路小学：资金管理" in result.output and "建设路中学：最近 2 次在线 0/4" in result.output
    )
    assert not alerts_record(wh).exists()  # a dry run records nothing


@pytest.fixture
def channels(tmp_path, wh, monkeypatch):
    secret = "SECtest-signing-secret"
    with (
        RobotServer({"jinshui": secret}) as robots,
        SMTPServer(tmp_path, "alerts@example.edu.cn", "s3cret-from-env") as smtp,
    ):
        monkeypatch.setenv("T_WECOM_URL", f"{robots.base}/wecom/bureau")
        monkeypatch.setenv("T_DING_URL", f"{robots.base}/dingtalk/jinshui")
        monkeypatch.setenv("T_DING_SECRET", secret)
        monkeypatch.setenv("T_SMTP_PASSWORD", "s3cret-from-env")
        monkeypatch.delenv("SCHOOLWH_ALERTS", raising=False)
        write_config(wh, ROUTES.format(port=smtp.port, ca=smtp.cert))
        yield robots, smtp


def _mail_text(message: dict) -> str:
    parsed = email.message_from_string(message["data"], policy=email.policy.default)
    return parsed.get_body().get_content()


def test_each_route_receives_exactly_its_scope_once(wh, channels):
    robots, smtp = channels
    now = dt.datetime(2025, 12, 5, 18, 0)
    run = run_alerts(wh, now=now, sleep=lambda s: None)
    assert not run.failed, run.summary()
    wecom = [m for m in robots.received if m["kind"] == "wecom"]
    ding = [m for m in robots.received if m["kind"] == "dingtalk"]
    assert len(wecom) == 1 and len(ding) == 1 and len(smtp.messages) == 1
    assert robots.refused == []
    # the bureau: the whole jurisdiction, counts first, a link to the page
    bureau = wecom[0]["text"]
    assert "金水路小学" in bureau and "中原路小学" in bureau
    assert bureau.index("**问题整改逾期**：3 项") < bureau.index("### 问题整改逾期")
    assert "(https://wh.example.edu.cn/reporting)" in bureau
    # a district: only its own schools, never another district's names
    jinshui = ding[0]["text"]
    assert "金水路小学" in jinshui and "**问题整改逾期**：1 项" in jinshui
    for name in ("中原", "建设路中学"):
        assert name not in jinshui
    mail = smtp.messages[0]
    assert mail["to"] == ["zhongyuan@example.edu.cn"] and smtp.events[:2] == ["tls", "auth"]
    body = _mail_text(mail)
    assert "中原路小学" in body and "建设路中学" in body
    assert "金水" not in body and "坏" not in body
    # a hostile school name is text, never a link or markup
    assert "](http://evil" not in bureau and "<b>" not in bureau and "［点我］" in bureau
    # once: the same state is not sent again
    again = run_alerts(wh, now=now + dt.timedelta(hours=1), sleep=lambda s: None)
    assert len(robots.received) == 2 and len(smtp.messages) == 1
    assert all(not r.rules for r in again.results)
    # after the reminder interval, again
    run_alerts(wh, now=now + dt.timedelta(hours=25), sleep=lambda s: None)
    assert len(robots.received) == 4 and len(smtp.messages) == 2
    record = json.loads(alerts_record(wh).read_text(encoding="utf-8"))
    assert [e["ok"] for e in record["log"]] == [True] * 6
    assert oct(alerts_record(wh).stat().st_mode & 0o777) == "0o600"


def test_a_state_change_is_sent_and_only_the_changed_rule(wh, channels):
    robots, smtp = channels
    now = dt.datetime(2025, 12, 5, 18, 0)
    run_alerts(wh, now=now, sleep=lambda s: None)
    con = duckdb.connect(str(wh))
    con.execute("update marts.fct_issues set is_closed = true where issue_id = 'I-J1'")
    con.close()
    run = run_alerts(wh, now=now + dt.timedelta(hours=1), sleep=lambda s: None)
    sent = {r.route: r.rules for r in run.results}
    assert sent == {"市教育局群": ["overdue_issues"], "金水区群": [], "中原区邮件": []}
    assert len(robots.received) == 3 and len(smtp.messages) == 1
    assert "**问题整改逾期**：2 项" in robots.received[-1]["text"]
    assert "明厨亮灶" not in robots.received[-1]["text"]


def test_wecom_message_stays_within_4096_bytes(tmp_path, monkeypatch):
    wh = make_warehouse(tmp_path / "w" / "warehouse.duckdb", extra_issues=400, long_names=True)
    with RobotServer() as robots:
        monkeypatch.setenv("T_WECOM_URL", f"{robots.base}/wecom/bureau")
        write_config(
            wh,
            '[thresholds]\ntop_items = 500\n[[route]]\nname = "局"\nkind = "wecom"\n'
            'url_env = "T_WECOM_URL"\n',
        )
        run = run_alerts(wh, sleep=lambda s: None)
    assert not run.failed, run.summary()
    assert robots.refused == [] and len(robots.received) == 1
    text = robots.received[0]["text"]
    assert 3500 < len(text.encode("utf-8")) <= 4096
    assert "**问题整改逾期**：403 项" in text and "……另有" in text
    # the large rule does not crowd out the others: each keeps its section and items
    for section in (
        "### 明厨亮灶摄像头离线（2）",
        "### 预算执行进度滞后（1）",
        "### 未上报就餐人数（1）",
    ):
        assert section in text
    assert "建设路中学：最近 2 次在线 0/4" in text


def test_failed_send_is_retried_with_backoff_and_recorded(wh, monkeypatch):
    waits: list[float] = []
    with RobotServer({"jinshui": "the-right-secret"}) as robots:
        monkeypatch.setenv("T_DING_URL", f"{robots.base}/dingtalk/jinshui")
        monkeypatch.setenv("T_DING_SECRET", "a-wrong-secret")
        write_config(
            wh,
            "[thresholds]\nretries = 3\nretry_backoff_seconds = 2\n[[route]]\n"
            'name = "金水区群"\nkind = "dingtalk"\nurl_env = "T_DING_URL"\n'
            'secret_env = "T_DING_SECRET"\ndistricts = ["410105"]\n',
        )
        run = run_alerts(wh, sleep=waits.append)
        assert robots.refused == ["signature"] * 4 and robots.received == []
        assert waits == [2, 4, 8]
        assert run.failed and "310000" in run.failed[0].error
        record = json.loads(alerts_record(wh).read_text(encoding="utf-8"))
        assert record["log"][-1]["ok"] is False and record["log"][-1]["attempts"] == 4
        # not marked as sent: the next run tries again, and with the right secret it arrives
        monkeypatch.setenv("T_DING_SECRET", "the-right-secret")
        run = run_alerts(wh, sleep=waits.append)
        assert not run.failed and len(robots.received) == 1


def test_a_busy_robot_gets_the_message_on_a_retry(wh, monkeypatch):
    with RobotServer(fail_first=2) as robots:
        monkeypatch.setenv("T_WECOM_URL", f"{robots.base}/wecom/bureau")
        write_config(wh, '[[route]]\nname = "局"\nkind = "wecom"\nurl_env = "T_WECOM_URL"\n')
        run = run_alerts(wh, sleep=lambda s: None)
    assert not run.failed and run.results[0].attempts == 3 and len(robots.received) == 1


def test_smtp_refuses_a_wrong_password_and_says_so(wh, tmp_path, monkeypatch):
    with SMTPServer(tmp_path, "alerts@example.edu.cn", "right") as smtp:
        monkeypatch.setenv("T_SMTP_PASSWORD", "wrong")
        write_config(
            wh,
            ROUTES.format(port=smtp.port, ca=smtp.cert).split("[[route]]")[0]
            + "[[route]]"
            + ROUTES.format(port=smtp.port, ca=smtp.cert).split("[[route]]")[3],
        )
        run = run_alerts(wh, sleep=lambda s: None)
    assert smtp.messages == [] and "bad auth" in smtp.events
    assert run.failed and "535" in run.failed[0].error


def test_a_failing_channel_never_fails_the_command_with_a_traceback(wh, monkeypatch):
    monkeypatch.setenv("T_WECOM_URL", "http://127.0.0.1:9/wecom/none")  # nothing listens
    write_config(
        wh,
        '[thresholds]\nretries = 0\n[[route]]\nname = "局"\nkind = "wecom"\n'
        'url_env = "T_WECOM_URL"\n',
    )
    result = CliRunner().invoke(app, ["alerts", "-w", str(wh)])
    assert result.exit_code == 1
    assert "发送失败 / failed after 1 attempts" in result.output
    assert "Traceback" not in result.output


def test_after_publish_a_failing_channel_is_only_reported(wh, monkeypatch, capsys):
    from schoolwh.cli import _alerts_after_publish

    monkeypatch.delenv("T_WECOM_URL", raising=False)  # the variable is missing
    write_config(wh, '[[route]]\nname = "局"\nkind = "wecom"\nurl_env = "T_WECOM_URL"\n')
    _alerts_after_publish(wh)  # does not raise
    assert "T_WECOM_URL" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[route]]\nname = "a"\nkind = "wecom"\nurl = "https://x"\n', "url_env"),
        (
            '[[route]]\nname = "a"\nkind = "email"\nhost = "h"\nsender = "s"\nto = ["t"]\n'
            'password = "p"\n',
            "password_env",
        ),
        ('[[route]]\nname = "a"\nkind = "dingtalk"\nurl_env = "U"\n', "secret_env"),
        ('[[route]]\nname = "a"\nkind = "fax"\n', "wecom"),
        ("[thresholds]\nreminder_hours = -1\n", "reminder_hours"),
        ("[thresholds]\nnope = 1\n", "nope"),
        ("not toml [", "TOML"),
    ],
)
def test_bad_settings_are_named(tmp_path, text, needle):
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and needle in str(err.value)


def test_a_webhook_address_must_be_a_web_address(wh, monkeypatch):
    monkeypatch.setenv("T_WECOM_URL", "file:///etc/passwd")
    write_config(wh, '[[route]]\nname = "局"\nkind = "wecom"\nurl_env = "T_WECOM_URL"\n')
    run = run_alerts(wh, sleep=lambda s: None)
    assert run.failed and "不是网址" in run.failed[0].error


def test_dingtalk_signature_matches_the_documented_example():
    # HMAC-SHA256 over "timestamp\nsecret", base64 (DingTalk custom robot, 加签)
    import base64
    import hashlib
    import hmac

    ts, secret = 1700000000000, "SECabc"
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert dingtalk_sign(secret, ts) == expected


@pytest.mark.dbt
def test_dry_run_on_the_loaded_demo_sample(demo_warehouse):
    """After a real load: every open overdue issue of the marts, oldest first."""
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    overdue = con.execute(
        "select count(*) from marts.fct_issues where is_overdue and not is_closed"
    ).fetchone()[0]
    con.close()
    assert overdue > 0
    run = run_alerts(demo_warehouse, dry_run=True, config=load_config(Path("/nonexistent")))
    found = _by(run.findings, "overdue_issues")
    assert len(found) == overdue
    assert [f.order for f in found] == sorted(f.order for f in found)
    assert f"问题整改逾期 / Issues past their deadline: {overdue}" in run.summary()
    assert not alerts_record(demo_warehouse).exists()


def test_the_link_names_a_page_of_the_dashboard():
    from schoolwh.alerts.compose import PAGE
    from schoolwh.core.settings import PROJECT_ROOT

    app_text = (PROJECT_ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    assert f'("{PAGE}", "views/{PAGE}.py"' in app_text


def test_kpis_are_listed_when_they_turned_missed_since_the_previous_publish(wh):
    config = load_config(wh.parent / "none.toml")

    def missed() -> list[str]:
        run = run_alerts(wh, config=config, sleep=lambda s: None)
        return [f.key.split("/")[1] for f in run.findings if f.rule == "kpi_missed"]

    def publish(sql: str, built: dt.datetime) -> None:
        con = duckdb.connect(str(wh))
        con.execute(sql)
        con.execute("update marts.build_info set built_at = ?", [built])
        con.close()

    assert missed() == [JINSHUI]  # the first publish seen: what is missed now
    assert missed() == [JINSHUI]  # a run between publishes compares with the same one
    publish("select 1", dt.datetime(2025, 12, 6, 20))
    assert missed() == []  # still missed, not newly
    publish(
        f"update marts.kpi_district set status = 'missed' where district_code = '{ZHONGYUAN}'",
        dt.datetime(2025, 12, 7, 20),
    )
    assert missed() == [ZHONGYUAN]
