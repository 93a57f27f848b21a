"""Accounts kept in one JSON file beside the warehouse, written atomically, owner-only.

A password is kept only as an Argon2id hash (argon2-cffi) and is never logged or shown.
Failed logins slow down (a growing pause before the answer) and then lock the account
for a while; a good password resets the count.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from filelock import FileLock

from schoolwh.core.atomic import write_bytes

# role -> (Chinese, English) description
ROLES: dict[str, tuple[str, str]] = {
    "bureau": ("局领导及科室：查看全部区县", "bureau staff: every district"),
    "district": ("区县领导：只看本区县", "district leader: own districts only"),
    "analyst": ("分析员：全部区县 + SQL 查询", "analyst: bureau scope plus the SQL page"),
    "clerk": ("填报员：上报本区县数据及其质量", "clerk: uploads for own districts, their quality"),
    "admin": ("管理员：管理账号", "administrator: accounts"),
}
# roles that must name their districts, and roles that may
SCOPED_ROLES = ("district", "clerk")
MAY_BE_SCOPED = ("district", "clerk", "analyst")

MIN_PASSWORD = 8
SLOW_AFTER = 3  # failures before answers slow down
MAX_DELAY = 8.0  # seconds, the longest pause before answering
LOCK_AFTER = 5  # failures in a row that lock the account
LOCK_SECONDS = 15 * 60

_NAME = re.compile(r"^[\w.@-]{1,64}$")
_DISTRICT = re.compile(r"^[0-9A-Za-z]{1,12}$")
_HASHER = PasswordHasher()
# verified against when the user name is unknown, so that an unknown name takes as long
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done (the message says why, zh / en)."""


class LoginFailed(Exception):
    """A login that did not succeed; the message never says which part was wrong."""

    def __init__(self, message: str, locked_until: float | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


@dataclass
class Account:
    name: str
    role: str
    districts: tuple[str, ...] = ()
    password_hash: str = ""
    failures: int = 0
    locked_until: float | None = None
    created_at: str = ""

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The districts this account may see; None means every district."""
        if self.role in MAY_BE_SCOPED and self.districts:
            return tuple(sorted(self.districts))
        if self.role in SCOPED_ROLES:
            return ()  # a scoped role without districts sees nothing
        return None

    @property
    def can_sql(self) -> bool:
        return self.role in ("analyst", "district")

    @property
    def can_upload(self) -> bool:
        return self.role in ("clerk", "bureau")

    @property
    def sees_dashboard(self) -> bool:
        """Every role but a clerk reads the KPI pages; a clerk reads its quality view."""
        return self.role != "clerk"

    def public(self) -> dict:
        """What `users list` shows: never the hash."""
        return {
            "name": self.name,
            "role": self.role,
            "districts": list(self.districts),
            "locked": self.is_locked(),
            "created_at": self.created_at,
        }

    def is_locked(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.locked_until is not None and self.locked_until > now


def accounts_path(warehouse: Path) -> Path:
    """The accounts file of a warehouse: beside it, never inside it."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.accounts.json")


def extracts_dir(warehouse: Path) -> Path:
    """The folder of per-district extracts written at publish time."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.extracts")


def scope_key(districts: Iterable[str]) -> str:
    return "+".join(sorted(set(districts)))


def extract_path(warehouse: Path, districts: Iterable[str]) -> Path:
    """The extract a user scoped to `districts` reads."""
    return extracts_dir(warehouse) / f"{scope_key(districts)}.duckdb"


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise AccountError(
            f"用户名「{name}」无效：只能用字母、数字、汉字和 . _ @ -，最多 64 个字符 / "
            f"invalid user name {name!r}: letters, digits, . _ @ - only, at most 64"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"密码至少 {MIN_PASSWORD} 个字符 / the password needs at least {MIN_PASSWORD} characters"
        )
    return password


def check_role(role: str, districts: tuple[str, ...]) -> None:
    if role not in ROLES:
        raise AccountError(
            f"未知角色「{role}」，可选：{'、'.join(ROLES)} / unknown role {role!r}; use one of: "
            + ", ".join(ROLES)
        )
    if role in SCOPED_ROLES and not districts:
        raise AccountError(
            f"角色 {role} 需要用 --district 指定区县 / role {role} needs --district CODE"
        )
    if districts and role not in MAY_BE_SCOPED:
        raise AccountError(
            f"角色 {role} 查看全部区县，不能指定 --district / role {role} sees every district: "
            "drop --district"
        )
    for code in districts:
        if not _DISTRICT.match(code):
            raise AccountError(f"区县代码「{code}」无效 / invalid district code {code!r}")


@dataclass
class Settings:
    """Bureau-wide settings kept with the accounts."""

    # district users may see the city-level figures they are ranked against
    district_sees_city: bool = False


@dataclass
class _Data:
    accounts: dict[str, Account] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)


class AccountStore:
    """The accounts of one warehouse."""

    def __init__(
        self,
        warehouse: Path,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        lock_after: int = LOCK_AFTER,
        lock_seconds: float = LOCK_SECONDS,
        slow_after: int = SLOW_AFTER,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.warehouse = Path(warehouse)
        self.path = accounts_path(self.warehouse)
        self._lock = FileLock(str(self.path) + ".lock", timeout=30)
        self._sleep = sleep
        self._clock = clock
        self.lock_after = lock_after
        self.lock_seconds = lock_seconds
        self.slow_after = slow_after
        self.max_delay = max_delay

    # -- file ---------------------------------------------------------------------------
    def _read(self) -> _Data:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _Data()
        try:
            raw = json.loads(text)
            accounts = {
                name: Account(**{**value, "districts": tuple(value.get("districts", ()))})
                for name, value in raw.get("accounts", {}).items()
            }
            settings = Settings(**raw.get("settings", {}))
        except (ValueError, TypeError) as exc:
            raise AccountError(
                f"账号文件损坏 / the accounts file {self.path} cannot be read: {exc}"
            ) from exc
        return _Data(accounts, settings)

    def _write(self, data: _Data) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "settings": asdict(data.settings),
            "accounts": {
                name: {**asdict(a), "districts": list(a.districts)}
                for name, a in sorted(data.accounts.items())
            },
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        write_bytes(self.path, text.encode("utf-8"), mode=0o600)
        os.chmod(self.path, 0o600)

    # -- reading ------------------------------------------------------------------------
    def exists(self) -> bool:
        """True once at least one account exists (the dashboard then asks for a login)."""
        return bool(self._read().accounts)

    def list(self) -> list[Account]:
        return sorted(self._read().accounts.values(), key=lambda a: a.name)

    def get(self, name: str) -> Account | None:
        return self._read().accounts.get(name)

    def settings(self) -> Settings:
        return self._read().settings

    def scopes(self) -> set[tuple[str, ...]]:
        """The extracts accounts read: one per district of a scoped account (an account
        with several districts reads one of them at a time)."""
        return {(d,) for a in self.list() if a.scope for d in a.scope}

    # -- changing -----------------------------------------------------------------------
    def add(self, name: str, role: str, districts: Iterable[str], password: str) -> Account:
        check_name(name)
        codes = tuple(sorted(set(districts)))
        check_role(role, codes)
        check_password(password)
        with self._lock:
            data = self._read()
            if name in data.accounts:
                raise AccountError(f"账号「{name}」已存在 / account {name!r} already exists")
            account = Account(
                name=name,
                role=role,
                districts=codes,
                password_hash=_HASHER.hash(password),
                created_at=dt.datetime.now().isoformat(timespec="seconds"),
            )
            data.accounts[name] = account
            self._write(data)
        return account

    def remove(self, name: str) -> None:
        with self._lock:
            data = self._read()
            if data.accounts.pop(name, None) is None:
                raise AccountError(f"没有账号「{name}」/ no account {name!r}")
            self._write(data)

    def set_password(self, name: str, password: str) -> None:
        """A new password; it also unlocks the account."""
        check_password(password)
        with self._lock:
            data = self._read()
            account = data.accounts.get(name)
            if account is None:
                raise AccountError(f"没有账号「{name}」/ no account {name!r}")
            account.password_hash = _HASHER.hash(password)
            account.failures = 0
            account.locked_until = None
            self._write(data)

    def set_district_sees_city(self, allowed: bool) -> None:
        with self._lock:
            data = self._read()
            data.settings.district_sees_city = allowed
            self._write(data)

    # -- logging in ---------------------------------------------------------------------
    def authenticate(self, name: str, password: str) -> Account:
        """The account when the password is right; LoginFailed otherwise (after a pause
        that grows with the failures, or at once while the account is locked)."""
        wrong = LoginFailed("用户名或密码错误 / wrong user name or password")
        with self._lock:
            data = self._read()
            account = data.accounts.get(name)
            now = self._clock()
            if account is None:
                _verify(_DUMMY_HASH, password)
                raise wrong
            if account.is_locked(now):
                minutes = max(1, round((account.locked_until - now) / 60))
                raise LoginFailed(
                    f"失败次数过多，账号已锁定，请 {minutes} 分钟后再试 / too many failed "
                    f"logins: the account is locked for {minutes} more minute(s)",
                    account.locked_until,
                )
            if _verify(account.password_hash, password):
                if _HASHER.check_needs_rehash(account.password_hash):
                    account.password_hash = _HASHER.hash(password)
                account.failures = 0
                account.locked_until = None
                self._write(data)
                return account
            account.failures += 1
            delay = 0.0
            if account.failures >= self.lock_after:
                account.locked_until = now + self.lock_seconds
                account.failures = 0
            elif account.failures >= self.slow_after:
                delay = min(2.0 ** (account.failures - self.slow_after), self.max_delay)
            self._write(data)
        if delay:
            self._sleep(delay)
        if account.locked_until is not None and account.locked_until > now:
            raise LoginFailed(
                "失败次数过多，账号已锁定 / too many failed logins: the account is locked",
                account.locked_until,
            )
        raise wrong


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
