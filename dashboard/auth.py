"""Who is looking: the login form, open mode, and the file a session may read.

As soon as one account exists, nothing is shown before a login (user name, password,
登录). Without accounts the dashboard stays open, but only when served on the loopback
address: on another address it refuses to serve until an account exists.

Where the bureau has an identity provider (an `[auth]` section in Streamlit's
secrets.toml), Streamlit's own OIDC login (`st.login`) stands in for the password: the
e-mail the provider vouches for names the account, whose role and districts apply.
"""

from __future__ import annotations

import streamlit as st

from schoolwh.accounts import Account, AccountError, AccountStore, LoginFailed
from schoolwh.pipeline.extracts import ExtractError, ensure_extract
from schoolwh.reading.connection import read_from, warehouse_path

ACCOUNT_KEY = "auth_account"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

_TEXT = {
    "title": ("登录", "Log in"),
    "user": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "button": ("登录", "登录"),
    "logout": ("退出登录", "Log out"),
    "signed_in": ("当前用户", "Signed in as"),
    "refused": (
        "尚未设置账号：看板只在本机地址 127.0.0.1 上开放。请先用 "
        "`schoolwh users add` 创建账号，再在其他地址上提供服务。",
        "No accounts yet: the dashboard is open only on 127.0.0.1. Create an account with "
        "`schoolwh users add` before serving it on another address.",
    ),
    "empty": ("请输入用户名和密码", "Enter a user name and a password"),
    "district": ("查看区县", "District"),
    "oidc": ("使用单位统一身份认证登录", "Log in with the bureau's identity provider"),
    "oidc_unknown": (
        "该身份（{email}）尚未开通账号，请联系管理员。",
        "No account for {email}: ask the administrator.",
    ),
    "extract": (
        "本区县数据暂不可用：{message}",
        "Your district's data is not available: {message}",
    ),
}


def text(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def store() -> AccountStore:
    return AccountStore(warehouse_path())


def oidc_configured() -> bool:
    """True when Streamlit's OIDC login is set up in secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def oidc_email() -> str | None:
    """The e-mail an identity provider vouched for in this session, if any."""
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = st.user.get("email")
    return str(email) if email else None


def current_account() -> Account | None:
    """The logged-in account of this session (None in open mode or before a login)."""
    name = st.session_state.get(ACCOUNT_KEY) or oidc_email()
    if not name:
        return None
    try:
        return store().get(name)
    except AccountError:
        return None


def server_address() -> str:
    return str(st.get_option("server.address") or "")


def gate(lang: str) -> Account | None:
    """Let the session in, or show why not and stop the run.

    Returns the account (None in open mode) after naming the file this session reads:
    the warehouse for bureau scope, the account's extract for a district scope.
    """
    accounts = store()
    try:
        any_account = accounts.exists()
    except AccountError as exc:
        st.error(str(exc))
        st.stop()
    if not any_account:
        address = server_address()
        if address not in LOOPBACK and not address.startswith("127."):
            st.error(text("refused", lang))
            st.stop()
        read_from(None)
        return None
    account = current_account()
    if account is None:
        st.session_state.pop(ACCOUNT_KEY, None)
        read_from(None, scoped=True)  # nothing is readable before a login
        email = oidc_email()
        if email:
            st.error(text("oidc_unknown", lang).format(email=email))
            if st.button(text("logout", lang), key="oidc_logout"):
                st.logout()
        else:
            _login_form(accounts, lang)
        st.stop()
    assert account is not None
    _read_scope(account, lang)
    with st.sidebar:
        st.caption(f"{text('signed_in', lang)}: **{account.name}** ({account.role})")
        if st.button(text("logout", lang), key="auth_logout"):
            st.session_state.pop(ACCOUNT_KEY, None)
            if oidc_email():
                st.logout()
            st.rerun()
    return account


def _read_scope(account: Account, lang: str) -> None:
    scope = account.scope
    if scope is None:
        read_from(None)
        return
    path = None
    if len(scope) > 1:  # one district at a time, each from its own extract
        scope = (st.sidebar.selectbox(text("district", lang), scope, key="auth_district"),)
    if scope:
        try:
            path = ensure_extract(warehouse_path(), scope)
        except (ExtractError, OSError) as exc:
            st.error(text("extract", lang).format(message=exc))
    read_from(path, scoped=True)


def _login_form(accounts: AccountStore, lang: str) -> None:
    from dashboard.ui import login_heading  # the product and the jurisdiction, above the form

    login_heading(lang)
    st.title(text("title", lang))
    with st.form("login_form"):
        name = st.text_input(text("user", lang), key="login_name")
        password = st.text_input(text("password", lang), type="password")
        submitted = st.form_submit_button(text("button", lang), type="primary")
    if oidc_configured() and st.button(text("oidc", lang), key="oidc_login"):
        st.login()
    if not submitted:
        return
    if not name or not password:
        st.error(text("empty", lang))
        return
    try:
        account = accounts.authenticate(name.strip(), password)
    except LoginFailed as exc:
        st.error(str(exc))
        return
    st.session_state[ACCOUNT_KEY] = account.name
    st.rerun()
