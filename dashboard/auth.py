"""Who is looking: the login form, the session, open mode, and the file a session may read.

As soon as one account exists, nothing is shown before a login (user name, password,
登录). Without accounts the dashboard stays open, but only to a browser on this machine
itself: a request through a proxy (it carries X-Forwarded-For, X-Real-IP or Forwarded) or
for another host name, or a server on another address, is refused until an account exists.

A login is a signed, expiring token (schoolwh/accounts/sessions.py) held by the session
and, for a reload, by a cookie the page sets (`schoolwh_session`, SameSite=Strict,
Secure over HTTPS). Logging out voids every token of the account — every tab and browser
is logged out on its next click — and clears the cookie. Whoever logs in starts a clean
session: nothing computed for the account before (SQL results, briefing files, filters,
picked rows) is left in it. A link opened before the login (/district?district=410105)
is where the login lands.

Where the bureau has an identity provider (an `[auth]` section in Streamlit's
secrets.toml), Streamlit's own OIDC login (`st.login`) stands in for the password: the
e-mail the provider vouches for (`email_verified`) names the account, whose role and
districts apply.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlparse

import streamlit as st

from schoolwh.accounts import Account, AccountError, AccountStore, LoginFailed, sessions
from schoolwh.pipeline.extracts import ExtractError, ensure_extract
from schoolwh.reading.connection import read_from, warehouse_path

ACCOUNT_KEY = "auth_account"  # the account's name, for the pages
TOKEN_KEY = "auth_token"  # the session's signed token
OWNER_KEY = "_session_owner"  # whose session state this is: (name, epoch, scope) or None
NEXT_KEY = "auth_next"  # the page and parameters a link asked for before the login
COOKIE = "schoolwh_session"
LANG_KEY = "lang"  # the language switch survives a logout: it is not anybody's data
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# headers a reverse proxy adds: a request carrying one did not come from this machine
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host")

_TEXT = {
    "title": ("登录", "Log in"),
    "product": (
        "学校午餐与课后服务数据看板",
        "School lunch and after-school services dashboard",
    ),
    "user": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "button": ("登录", "登录"),
    "logout": ("退出登录", "Log out"),
    "signed_in": ("当前用户", "Signed in as"),
    "refused": (
        "尚未设置账号：看板只对本机（127.0.0.1）直接打开的浏览器开放，经反向代理或其他地址的访问一律拒绝。"
        "请先用 `schoolwh users add` 创建账号。",
        "No accounts yet: the dashboard is open only to a browser on this machine "
        "(127.0.0.1), never through a proxy or on another address. Create an account with "
        "`schoolwh users add` first.",
    ),
    "empty": ("请输入用户名和密码", "Enter a user name and a password"),
    "district": ("查看区县", "District"),
    "oidc": ("使用单位统一身份认证登录", "Log in with the bureau's identity provider"),
    "oidc_unknown": (
        "该身份（{email}）尚未开通账号，请联系管理员。",
        "No account for {email}: ask the administrator.",
    ),
    "oidc_unverified": (
        "身份提供方未确认该邮箱，无法登录。",
        "The identity provider has not verified this e-mail address: no login.",
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


# -- the request ---------------------------------------------------------------------------
def request_headers() -> Mapping[str, str]:
    """The headers of the request that opened this session (empty outside a server)."""
    try:
        return {str(k).lower(): str(v) for k, v in st.context.headers.items()}
    except Exception:  # no session context (a bare script)
        return {}


def request_cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    return str(value) if value else None


def requested_page() -> str | None:
    """The page name of the address the browser opened (/district → district)."""
    try:
        url = st.context.url
    except Exception:
        return None
    if not url:
        return None
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1] or None


def _is_loopback(value: str | None) -> bool:
    if not value:
        return True  # Streamlit reports no address for a loopback connection
    try:
        return ipaddress.ip_address(value.strip("[]")).is_loopback
    except ValueError:
        return value == "localhost"


def client_address(headers: Mapping[str, str], remote: str | None) -> str:
    """The browser's address, for the login throttle: behind the proxy (a loopback
    connection) the address the proxy names in X-Real-IP, else the last address of
    X-Forwarded-For (the one the proxy added itself; earlier ones can be forged)."""
    if _is_loopback(remote):
        real = headers.get("x-real-ip", "").strip()
        if real:
            return real
        forwarded = [p.strip() for p in headers.get("x-forwarded-for", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if forwarded:
            return forwarded[-1]
        return "local"
    return str(remote)


def open_mode_allowed(address: str, headers: Mapping[str, str]) -> bool:
    """Without accounts: only a server on the loopback address, reached directly by a
    browser on this machine (no proxy's headers, a loopback host name)."""
    if not (address in LOOPBACK or address.startswith("127.")):
        return False
    if any(headers.get(h) for h in PROXY_HEADERS):
        return False
    host = headers.get("host", "")
    if host:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]").lower()
        if name not in ("localhost", "127.0.0.1", "::1") and not name.startswith("127."):
            return False
    return True


def _remote_ip() -> str | None:
    try:
        return st.context.ip_address
    except Exception:
        return None


# -- identity providers ----------------------------------------------------------------------
def oidc_configured() -> bool:
    """True when Streamlit's OIDC login is set up in secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user() -> Mapping | None:
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    return st.user


def oidc_email() -> str | None:
    """The e-mail an identity provider vouched for in this session: only with
    `email_verified` true (an unverified address could name anyone's account)."""
    user = _oidc_user()
    if user is None:
        return None
    email = user.get("email")
    if not email or user.get("email_verified") is not True:
        return None
    return str(email)


# -- the session -----------------------------------------------------------------------------
def current_account(accounts: AccountStore | None = None) -> Account | None:
    """The logged-in account of this session (None in open mode or before a login):
    its token, else (a reload) the cookie's, else the identity provider's e-mail."""
    accounts = accounts or store()
    try:
        token = st.session_state.get(TOKEN_KEY)
        if token:
            account = sessions.check(accounts, token)
            if account is None:  # expired, or logged out in another tab
                st.session_state.pop(TOKEN_KEY, None)
                st.session_state.pop(ACCOUNT_KEY, None)
            return account
        cookie = request_cookie(COOKIE)
        account = sessions.check(accounts, cookie)
        if account is not None:
            st.session_state[TOKEN_KEY] = cookie
            st.session_state[ACCOUNT_KEY] = account.name
            return account
        email = oidc_email()
        return accounts.get(email) if email else None
    except AccountError:
        return None


def fresh_session() -> None:
    """Forget everything this session holds but the language: results, files, filters,
    picked rows, the token."""
    for key in list(st.session_state.keys()):
        if key != LANG_KEY:
            del st.session_state[key]


def _own_session(owner: tuple | None) -> None:
    """The session state belongs to `owner` (account, epoch and scope): whatever another
    owner left in it is dropped first."""
    if st.session_state.get(OWNER_KEY, ("nobody",)) != owner:
        token = st.session_state.get(TOKEN_KEY)
        name = st.session_state.get(ACCOUNT_KEY)
        following = st.session_state.get(NEXT_KEY)
        fresh_session()
        if owner is not None and token:
            st.session_state[TOKEN_KEY] = token
            st.session_state[ACCOUNT_KEY] = name
        if following is not None:
            st.session_state[NEXT_KEY] = following
        st.session_state[OWNER_KEY] = owner


def session_owner() -> tuple | None:
    return st.session_state.get(OWNER_KEY)


def _cookie_script(token: str | None) -> str:
    """Sets (or, without a token, clears) the session cookie in the browser. The token
    holds only letters, digits, - _ and ."""
    if token:
        value, age = token, sessions.expires_in(token)
    else:
        value, age = "", 0
    return (
        "<script>(function(){var s=location.protocol==='https:'?';Secure':'';"
        f"document.cookie='{COOKIE}={value};path=/;max-age={age};SameSite=Strict'+s;"
        "})();</script>"
    )


def _sync_cookie(token: str | None) -> None:
    """The browser's cookie follows the session: written while logged in, cleared after a
    logout. Sent on every run: the element stays the same while the token does, so the
    browser runs it once per page load, and a run cut short (a page switch) cannot lose
    it."""
    st.sidebar.html(_cookie_script(token), unsafe_allow_javascript=True)


def gate(lang: str) -> Account | None:
    """Let the session in, or show why not and stop the run.

    Returns the account (None in open mode) after naming the file this session reads:
    the warehouse for bureau scope, the account's extract for a district scope, nothing
    for the administrator (accounts only).
    """
    accounts = store()
    try:
        any_account = accounts.exists()
    except AccountError as exc:
        st.error(str(exc))
        st.stop()
    if not any_account:
        if not open_mode_allowed(server_address(), request_headers()):
            st.error(text("refused", lang))
            st.stop()
        _own_session(None)
        read_from(None)
        return None
    account = current_account(accounts)
    if account is None:
        _own_session(("nobody",))
        read_from(None, scoped=True)  # nothing is readable before a login
        if NEXT_KEY not in st.session_state:  # the link that brought the browser here
            st.session_state[NEXT_KEY] = (requested_page(), st.query_params.to_dict())
        if request_cookie(COOKIE):
            _sync_cookie(None)  # a void token (logged out, expired): the browser forgets it
        user = _oidc_user()
        if user is not None and user.get("email"):
            verified = user.get("email_verified") is True
            key = "oidc_unknown" if verified else "oidc_unverified"
            st.error(text(key, lang).format(email=user.get("email")))
            if st.button(text("logout", lang), key="oidc_logout"):
                st.logout()
        else:
            _login_form(accounts, lang)
        st.stop()
    assert account is not None
    _own_session((account.name, account.session_epoch))
    _sync_cookie(st.session_state.get(TOKEN_KEY))
    _read_scope(account, lang)
    with st.sidebar:
        st.caption(f"{text('signed_in', lang)}: **{account.name}** ({account.role})")
        if st.button(text("logout", lang), key="auth_logout"):
            accounts.end_sessions(account.name)  # every tab, every browser
            fresh_session()
            if _oidc_user() is not None:
                st.logout()
            st.rerun()
    return account


def take_next() -> tuple[str | None, dict[str, str]] | None:
    """The page and parameters a link asked for before the login, once."""
    return st.session_state.pop(NEXT_KEY, None)


def server_address() -> str:
    return str(st.get_option("server.address") or "")


def _read_scope(account: Account, lang: str) -> None:
    if account.role == "admin":  # accounts only: no district's or the city's figures
        read_from(None, scoped=True)
        return
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
    st.caption(text("product", lang))
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
    client = client_address(request_headers(), _remote_ip())
    try:
        account = accounts.authenticate(name.strip(), password, client=client)
    except LoginFailed as exc:
        st.error(str(exc))
        return
    following = st.session_state.get(NEXT_KEY)
    fresh_session()  # whoever was here before, nothing of theirs stays
    st.session_state[TOKEN_KEY] = sessions.issue(accounts, account)
    st.session_state[ACCOUNT_KEY] = account.name
    st.session_state[OWNER_KEY] = (account.name, account.session_epoch)
    if following is not None:
        st.session_state[NEXT_KEY] = following
    st.rerun()
