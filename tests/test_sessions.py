"""Sessions in the dashboard (issue 18 item 2, issue 19 item 4): logout and login start a
clean session, results are keyed by account and file, a login survives a reload through a
signed cookie and ends everywhere on logout, a link's page and district survive the login,
and the administrator sees accounts only."""

from __future__ import annotations

import shutil
from pathlib import Path

import dashboard_fixtures as fx
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.accounts import AccountStore, sessions
from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PASSWORD = "session pass 7"
OTHERS = ("中牟县", fx.D_ZHONGMOU, "郑州经济技术开发区", fx.D_DEVZONE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return fx.shared_warehouse(tmp_path_factory.mktemp("sessions"))


@pytest.fixture
def warehouse(built, tmp_path, monkeypatch):
    """A copy of the fixture warehouse with its own accounts; served on loopback."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built, path)
    store = AccountStore(path)
    store.add("ana", "analyst", (), PASSWORD)
    store.add("jinshui", "district", (fx.D_JINSHUI,), PASSWORD)
    store.add("boss", "bureau", (), PASSWORD)
    store.add("root", "admin", (), PASSWORD)
    monkeypatch.setenv(ENV_WAREHOUSE, str(path))
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield path
    st_config.set_option("server.address", previous)


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=90)


def log_in(at: AppTest, name: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_out(at: AppTest) -> AppTest:
    [button] = [b for b in at.sidebar.button if b.label == "退出登录"]
    button.click().run()
    return at


def run_query(at: AppTest, query: str) -> AppTest:
    at.text_area(key="sql_query").set_value(query)
    [run] = [b for b in at.button if b.label == "运行"]
    run.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cells(at: AppTest) -> str:
    return "\n".join(f.value.to_csv(index=False) for f in at.dataframe)


def drawn_page(at: AppTest) -> str | None:
    for m in at.markdown:
        if 'class="schoolwh-drawn"' in m.value:
            return m.value.split('data-page="')[1].split('"')[0]
    return None


QUERY = "select district_code, district_name from marts.dim_district order by 1"


def test_logout_then_login_leaves_nothing_of_the_first_account(warehouse):
    """An analyst's whole-jurisdiction SQL result stayed on the page, with its downloads,
    for the district user who logged in next in the same tab."""
    at = log_in(app().run(), "ana")
    at.switch_page("views/sql.py").run()
    run_query(at, QUERY)
    assert "中牟县" in cells(at)
    at.session_state["f_period_type"] = "month"  # a filter the analyst chose
    at.session_state["briefing_made"] = {("pdf", "overview"): (("x",), b"%PDF analyst")}

    log_out(at)
    assert at.text_input(key="login_name")  # the login form again
    for key in ("sql_result", "briefing_made", "f_period_type", "sql_query", "auth_token"):
        assert key not in at.session_state, key

    log_in(at, "jinshui")
    at.switch_page("views/sql.py").run()
    assert not at.exception
    shown = cells(at)
    for other in OTHERS:
        assert other not in shown
    assert "sql_result" not in at.session_state
    assert not [b for b in at.get("download_button") if "query_result" in str(b.proto)]


def test_a_result_of_another_account_or_file_is_never_shown(warehouse):
    """Results are keyed by account and the file read: a key left in the session by
    anyone else (or for the whole warehouse) shows nothing and is dropped."""
    analyst = log_in(app().run(), "ana")
    analyst.switch_page("views/sql.py").run()
    run_query(analyst, QUERY)
    key = analyst.session_state["sql_result"]["key"]
    assert key[3][0] == "ana"

    at = log_in(app().run(), "jinshui")
    at.switch_page("views/sql.py").run()
    at.session_state["sql_result"] = {"key": key}
    at.run()
    assert not at.exception
    for other in OTHERS:
        assert other not in cells(at)
    assert "sql_result" not in at.session_state


def test_a_login_survives_a_reload_and_a_logout_ends_it_everywhere(warehouse, monkeypatch):
    from dashboard import auth

    first = log_in(app().run(), "boss")
    token = first.session_state["auth_token"]
    assert sessions.check(AccountStore(warehouse), token).name == "boss"
    # the page writes the cookie a reload sends back
    scripts = [h.proto.body for h in first.get("html")]
    assert any(f"{auth.COOKIE}={token}" in s and "SameSite=Strict" in s for s in scripts)

    # a reload: a new session whose request carries the cookie
    monkeypatch.setattr(auth, "request_cookie", lambda name: token if name == auth.COOKIE else None)
    reloaded = app().run()
    assert not reloaded.exception
    assert not [t for t in reloaded.text_input if t.label == "用户名"]
    assert reloaded.session_state["auth_account"] == "boss"
    assert "数据截至" in " ".join(c.value for c in reloaded.caption)

    # logging out in the first tab ends the reloaded one at its next click
    log_out(first)
    reloaded.run()
    assert [t.label for t in reloaded.text_input][:2] == ["用户名", "密码"]
    assert sessions.check(AccountStore(warehouse), token) is None
    # and the browser is told to forget the cookie
    scripts = [h.proto.body for h in reloaded.get("html")]
    assert any(f"{auth.COOKIE}=;" in s and "max-age=0" in s for s in scripts)


@pytest.mark.parametrize("kind", ["expired", "forged", "other key"])
def test_a_void_cookie_gets_the_login_form(warehouse, monkeypatch, kind, tmp_path):
    from dashboard import auth

    store = AccountStore(warehouse)
    account = store.get("boss")
    if kind == "expired":
        token = sessions.issue(store, account, now=0)
    elif kind == "forged":
        payload, signature = sessions.issue(store, account).split(".")
        token = payload.replace(payload[-2:], "xy") + "." + signature
    else:
        other = AccountStore(tmp_path / "elsewhere.duckdb")
        other.add("boss", "bureau", (), PASSWORD)
        token = sessions.issue(other, other.get("boss"))
    monkeypatch.setattr(auth, "request_cookie", lambda name: token)
    at = app().run()
    assert [t.label for t in at.text_input][:2] == ["用户名", "密码"]
    assert "auth_account" not in at.session_state


def test_a_new_password_ends_every_session(warehouse):
    store = AccountStore(warehouse)
    token = sessions.issue(store, store.get("boss"))
    store.set_password("boss", "another session 8")
    assert sessions.check(store, token) is None


def test_a_link_lands_on_its_page_and_district_after_the_login(warehouse, monkeypatch):
    """A shared link went through 登录 and landed on 总览, its district lost."""
    from dashboard import auth

    monkeypatch.setattr(auth, "requested_page", lambda: "district")
    at = app()
    at.query_params["district"] = fx.D_ZHONGMOU
    at.run()
    assert at.text_input(key="login_name")
    log_in(at, "boss")
    assert drawn_page(at) == "district"
    assert at.session_state["district"] == fx.D_ZHONGMOU
    assert "中牟县" in " ".join(str(h.value) for h in at.markdown)
    # once: the next click stays where the user goes
    at.switch_page("views/funding.py").run()
    assert drawn_page(at) == "funding"


def test_a_link_to_a_page_the_role_may_not_open_lands_on_its_first_page(warehouse, monkeypatch):
    from dashboard import auth

    monkeypatch.setattr(auth, "requested_page", lambda: "sql")
    at = log_in(app().run(), "boss")  # a bureau account has no SQL page
    assert drawn_page(at) in ("overview", "home", "")


def test_the_administrator_sees_accounts_only(warehouse):
    """The admin role saw the bureau-wide quality page."""
    at = log_in(app().run(), "root")
    assert not at.exception
    text = cells(at)
    assert "ana" in text and "jinshui" in text and "argon2" not in text
    assert "数据截至" not in " ".join(c.value for c in at.caption)
    assert "中牟县" not in cells(at)
    # the quality page is not among the admin's pages
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("views/quality.py")


def test_open_mode_is_refused_through_a_proxy(tmp_path, monkeypatch):
    """Served on loopback with no account yet, the dashboard was open to everyone behind
    the recommended proxy."""
    from dashboard import auth

    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv(ENV_WAREHOUSE, str(path))
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    try:
        headers = {"host": "schoolwh.jyj.example.gov.cn", "x-forwarded-for": "203.0.113.9"}
        monkeypatch.setattr(auth, "request_headers", lambda: headers)
        at = app().run()
        assert at.error and "反向代理" in at.error[0].value
        monkeypatch.setattr(auth, "request_headers", lambda: {"host": "localhost:8501"})
        at = app().run()
        assert not at.error
    finally:
        st_config.set_option("server.address", previous)


@pytest.mark.parametrize(
    ("address", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("127.0.0.1", {"host": "127.0.0.1:8501"}, True),
        ("127.0.0.1", {"host": "[::1]:8501"}, True),
        ("127.0.0.1", {"host": "localhost", "x-real-ip": "10.0.0.5"}, False),
        ("127.0.0.1", {"host": "localhost", "forwarded": "for=10.0.0.5"}, False),
        ("127.0.0.1", {"host": "schoolwh.example"}, False),
        ("0.0.0.0", {}, False),
    ],
)
def test_open_mode_rule(address, headers, allowed):
    from dashboard.auth import open_mode_allowed

    assert open_mode_allowed(address, headers) is allowed


def test_the_throttle_sees_the_client_behind_the_proxy():
    from dashboard.auth import client_address

    assert client_address({"x-real-ip": "203.0.113.9"}, None) == "203.0.113.9"
    # the proxy appends the address it saw; what the browser sent before can be forged
    assert client_address({"x-forwarded-for": "1.2.3.4, 203.0.113.9"}, None) == "203.0.113.9"
    assert client_address({"x-real-ip": "1.2.3.4"}, "198.51.100.7") == "198.51.100.7"
    assert client_address({}, None) == "local"


def test_an_identity_providers_email_counts_only_when_verified(monkeypatch):
    from dashboard import auth

    for user, expected in (
        ({"email": "li@jyj.example.gov.cn", "email_verified": True}, "li@jyj.example.gov.cn"),
        ({"email": "li@jyj.example.gov.cn", "email_verified": False}, None),
        ({"email": "li@jyj.example.gov.cn"}, None),
        ({"email": "li@jyj.example.gov.cn", "email_verified": "true"}, None),
    ):
        monkeypatch.setattr(auth, "_oidc_user", lambda user=user: user)
        assert auth.oidc_email() == expected


def test_the_session_key_is_the_owners_only(warehouse):
    import os
    import stat

    store = AccountStore(warehouse)
    sessions.issue(store, store.get("boss"))
    path = sessions.key_path(store)
    assert path.parent == Path(warehouse).parent and path.stat().st_size == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
