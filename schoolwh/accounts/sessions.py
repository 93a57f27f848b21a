"""Signed, expiring session tokens: what keeps a dashboard login across a reload.

A token names the account, the account's session epoch and when it expires, signed with
HMAC-SHA256 under a key kept beside the accounts (`<warehouse>.sessions.key`, 32 random
bytes, owner-only, made on first use). It is void when the signature is wrong, when it
has expired, when the account is gone, or when the account's epoch has moved on: a logout
(`AccountStore.end_sessions`) or a new password ends every session of the account, in
every browser. Nothing else is kept on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from schoolwh.accounts.store import Account, AccountStore
from schoolwh.core.atomic import write_bytes

SESSION_HOURS = 12  # a working day: then the login form again
_KEY_BYTES = 32


def key_path(store: AccountStore) -> Path:
    return store.path.with_name(store.path.name.replace(".accounts.json", ".sessions.key"))


def _key(store: AccountStore) -> bytes:
    path = key_path(store)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) == _KEY_BYTES:
        return key
    with store._lock:  # one key, even when two sessions log in at once
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            key = b""
        if len(key) != _KEY_BYTES:
            key = secrets.token_bytes(_KEY_BYTES)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, key, mode=0o600)
            os.chmod(path, 0o600)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(store: AccountStore, account: Account, *, now: float | None = None) -> str:
    """A token for `account`, valid SESSION_HOURS from now (letters, digits, - _ . only)."""
    now = time.time() if now is None else now
    body = json.dumps(
        {"n": account.name, "e": account.session_epoch, "x": int(now + SESSION_HOURS * 3600)},
        separators=(",", ":"),
    ).encode("utf-8")
    payload = _b64(body)
    signature = hmac.new(_key(store), payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{_b64(signature)}"


def check(store: AccountStore, token: str | None, *, now: float | None = None) -> Account | None:
    """The account a token stands for, or None when it is void for any reason."""
    if not token or token.count(".") != 1 or len(token) > 1024:
        return None
    payload, signature = token.split(".")
    try:
        expected = hmac.new(_key(store), payload.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        body = json.loads(_unb64(payload))
        name, epoch, expires = str(body["n"]), int(body["e"]), float(body["x"])
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    now = time.time() if now is None else now
    if expires <= now:
        return None
    account = store.get(name)
    if account is None or account.name != name or account.session_epoch != epoch:
        return None
    return account


def expires_in(token: str, *, now: float | None = None) -> int:
    """Seconds until the token expires (0 when unreadable or past): the cookie's max-age."""
    try:
        body = json.loads(_unb64(token.split(".")[0]))
        left = float(body["x"]) - (time.time() if now is None else now)
    except (ValueError, KeyError, TypeError, IndexError, UnicodeError):
        return 0
    return max(0, int(left))


__all__ = ["SESSION_HOURS", "check", "expires_in", "issue", "key_path"]
