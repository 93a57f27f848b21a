"""Accounts kept in one JSON file beside the warehouse, written atomically, owner-only.

A password is kept only as an Argon2id hash (argon2-cffi) and is never logged or shown.
Failed logins slow down — per user name and per client, a growing pause before the next
try is checked (`Throttle`) — but never lock the owner out; a good password clears both.
An unknown name is answered like a known one: the same message, one Argon2 check of the
same cost, the same pauses. No lock is held while a password is hashed or checked.
User names are NFKC-normalised and lower-cased (ｌｉ and Li are li), and refused with
control characters, spaces or letters of other scripts that look like Latin ones.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from filelock import FileLock

from schoolwh.accounts.passwords import MIN_LENGTH, password_problem
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

MIN_PASSWORD = MIN_LENGTH
SLOW_AFTER = 3  # failures (of a name, or of a client) before the next tries wait
MAX_DELAY = 30.0  # seconds, the longest pause before a try is checked
FORGET_AFTER = 15 * 60  # seconds without a failure after which the count starts again

# ASCII letters and digits, . _ @ -, and Chinese characters: no look-alike letters of
# other scripts (Cyrillic а, Greek ο), no spaces, no control characters
_NAME = re.compile(r"[a-z0-9.@_\-\u3400-\u4dbf\u4e00-\u9fff]{1,64}")
_DISTRICT = re.compile(r"[0-9A-Za-z]{1,12}")
_HASHER = PasswordHasher()
# verified against when the user name is unknown, so that an unknown name takes as long
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done (the message says why, zh / en)."""


class LoginFailed(Exception):
    """A login that did not succeed; the message never says which part was wrong, nor
    whether the name exists."""


@dataclass
class Account:
    name: str
    role: str
    districts: tuple[str, ...] = ()
    password_hash: str = ""
    created_at: str = ""
    # raised by a logout everywhere: every session token issued before it is void
    session_epoch: int = 0

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
        """Every role but a clerk and the administrator reads the KPI pages; a clerk reads
        its quality view, the administrator only the accounts."""
        return self.role not in ("clerk", "admin")

    def public(self) -> dict:
        """What `users list` shows: never the hash."""
        return {
            "name": self.name,
            "role": self.role,
            "districts": list(self.districts),
            "created_at": self.created_at,
        }


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


def normalise_name(name: str) -> str:
    """The user name as it is kept and looked up: NFKC (full-width ｌｉ is li), lower case."""
    return unicodedata.normalize("NFKC", name or "").lower()


def check_name(name: str) -> str:
    """The normalised name; AccountError for control characters, spaces, look-alike
    letters of other scripts, or more than 64 characters."""
    normal = normalise_name(name)
    if not _NAME.fullmatch(normal):
        shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name or "")
        raise AccountError(
            f"用户名「{shown}」无效：只能用英文字母、数字、汉字和 . _ @ -，不能有空格或控制字符，"
            f"最多 64 个字符 / invalid user name {shown!r}: Latin letters, digits, Chinese "
            "characters and . _ @ - only (no spaces, no control characters), at most 64"
        )
    return normal


def check_password(password: str, name: str | None = None) -> str:
    problem = password_problem(password, name)
    if problem:
        raise AccountError(problem)
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
        if not _DISTRICT.fullmatch(code):
            raise AccountError(f"区县代码「{code}」无效 / invalid district code {code!r}")


@dataclass
class Settings:
    """Bureau-wide settings kept with the accounts."""

    # district users may see the city-level figures they are ranked against
    district_sees_city: bool = False


class Throttle:
    """Failed logins per key (a user name, a client address), kept in the server's memory.

    Past SLOW_AFTER failures each further try of that key is checked only after a pause
    that doubles with every failure (1, 2, 4 … MAX_DELAY seconds), and tries wait their
    turn one after another, so parallel tries gain nothing. Nobody is locked out: the
    owner's right password is accepted after the pause. FORGET_AFTER quiet seconds, or a
    good login, clear the key. Never held across a sleep or a hash."""

    def __init__(self, slow_after: int = SLOW_AFTER, max_delay: float = MAX_DELAY) -> None:
        self.slow_after = slow_after
        self.max_delay = max_delay
        self._lock = threading.Lock()
        # key -> [failures, time of the last failure, earliest time of the next check]
        self._keys: dict[str, list[float]] = {}

    def delay(self, failures: float) -> float:
        if failures < self.slow_after:
            return 0.0
        return min(2.0 ** (failures - self.slow_after), self.max_delay)

    def _entry(self, key: str, now: float) -> list[float] | None:
        entry = self._keys.get(key)
        if entry is not None and now - entry[1] > FORGET_AFTER:
            del self._keys[key]
            return None
        return entry

    def reserve(self, keys: Iterable[str], now: float) -> float:
        """Seconds this try waits before it is checked (its turn is booked)."""
        wait = 0.0
        with self._lock:
            for key in keys:
                entry = self._entry(key, now)
                if entry is None:
                    continue
                delay = self.delay(entry[0])
                if not delay:
                    continue
                turn = max(now, entry[2])
                entry[2] = turn + delay
                wait = max(wait, turn - now)
        return wait

    def failed(self, keys: Iterable[str], now: float) -> None:
        with self._lock:
            for key in keys:
                entry = self._entry(key, now) or [0, now, now]
                entry[0] += 1
                entry[1] = now
                entry[2] = max(entry[2], now + self.delay(entry[0]))
                self._keys[key] = entry

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._keys.pop(key, None)

    def failures(self, key: str) -> int:
        with self._lock:
            entry = self._keys.get(key)
            return int(entry[0]) if entry else 0


_throttles: dict[str, Throttle] = {}
_throttles_lock = threading.Lock()


def _throttle_for(path: Path, slow_after: int, max_delay: float) -> Throttle:
    """One throttle per accounts file and setting in this process (every session of the
    dashboard shares it)."""
    key = f"{Path(path).resolve()}|{slow_after}|{max_delay}"
    with _throttles_lock:
        if key not in _throttles:
            _throttles[key] = Throttle(slow_after, max_delay)
        return _throttles[key]


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
        slow_after: int = SLOW_AFTER,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.warehouse = Path(warehouse)
        self.path = accounts_path(self.warehouse)
        self._lock = FileLock(str(self.path) + ".lock", timeout=30)
        self._sleep = sleep
        self._clock = clock
        self.throttle = _throttle_for(self.path, slow_after, max_delay)

    # -- file ---------------------------------------------------------------------------
    def _read(self) -> _Data:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _Data()
        try:
            raw = json.loads(text)
            known = {f.name for f in fields(Account)}  # older files kept lockout fields
            accounts = {
                name: Account(
                    **{k: v for k, v in value.items() if k in known and k != "districts"},
                    districts=tuple(value.get("districts", ())),
                )
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
        """The account of `name`, however it is typed (ｌｉ, Li and li are one name)."""
        return _find(self._read().accounts, name)

    def settings(self) -> Settings:
        return self._read().settings

    def scopes(self) -> set[tuple[str, ...]]:
        """The extracts accounts read: one per district of a scoped account (an account
        with several districts reads one of them at a time)."""
        return {(d,) for a in self.list() if a.scope for d in a.scope}

    # -- changing -----------------------------------------------------------------------
    def add(self, name: str, role: str, districts: Iterable[str], password: str) -> Account:
        name = check_name(name)
        codes = tuple(sorted(set(districts)))
        check_role(role, codes)
        check_password(password, name)
        password_hash = _HASHER.hash(password)  # before the lock: no lock across a hash
        with self._lock:
            data = self._read()
            if _find(data.accounts, name) is not None:
                raise AccountError(f"账号「{name}」已存在 / account {name!r} already exists")
            account = Account(
                name=name,
                role=role,
                districts=codes,
                password_hash=password_hash,
                created_at=dt.datetime.now().isoformat(timespec="seconds"),
            )
            data.accounts[name] = account
            self._write(data)
        return account

    def remove(self, name: str) -> None:
        with self._lock:
            data = self._read()
            account = _find(data.accounts, name)
            if account is None:
                raise AccountError(f"没有账号「{name}」/ no account {name!r}")
            del data.accounts[account.name]
            self._write(data)

    def set_password(self, name: str, password: str) -> None:
        """A new password; it also ends every session of the account and clears its
        failed logins."""
        account = self.get(name)
        if account is None:
            raise AccountError(f"没有账号「{name}」/ no account {name!r}")
        check_password(password, account.name)
        password_hash = _HASHER.hash(password)
        with self._lock:
            data = self._read()
            account = _find(data.accounts, name)
            if account is None:
                raise AccountError(f"没有账号「{name}」/ no account {name!r}")
            account.password_hash = password_hash
            account.session_epoch += 1
            self._write(data)
        self.throttle.succeeded([_name_key(account.name)])

    def end_sessions(self, name: str) -> int:
        """Log the account out everywhere: every session token issued so far is void.
        Returns the new epoch (0 for an unknown name)."""
        with self._lock:
            data = self._read()
            account = _find(data.accounts, name)
            if account is None:
                return 0
            account.session_epoch += 1
            self._write(data)
            return account.session_epoch

    def set_district_sees_city(self, allowed: bool) -> None:
        with self._lock:
            data = self._read()
            data.settings.district_sees_city = allowed
            self._write(data)

    # -- logging in ---------------------------------------------------------------------
    def authenticate(self, name: str, password: str, client: str | None = None) -> Account:
        """The account when the password is right; LoginFailed otherwise.

        Before the password is checked the try may wait its turn (`Throttle`: per name,
        and per `client` when given); an unknown or malformed name costs the same Argon2
        check and gets the same answer as a wrong password."""
        wrong = LoginFailed("用户名或密码错误 / wrong user name or password")
        normal = normalise_name(name)
        keys = [_name_key(normal)] + ([f"client:{client}"] if client else [])
        wait = self.throttle.reserve(keys, self._clock())
        if wait > 0:
            self._sleep(wait)
        account = _find(self._read().accounts, normal) if _NAME.fullmatch(normal) else None
        # the check runs without any lock: sessions log in side by side
        good = _verify(account.password_hash if account else _DUMMY_HASH, password)
        if not good or account is None:
            self.throttle.failed(keys, self._clock())
            raise wrong
        self.throttle.succeeded(keys)
        if _HASHER.check_needs_rehash(account.password_hash):
            new_hash = _HASHER.hash(password)
            with self._lock:
                data = self._read()
                current = data.accounts.get(account.name)
                if current is not None and current.password_hash == account.password_hash:
                    current.password_hash = new_hash
                    self._write(data)
        return account


def _name_key(name: str) -> str:
    return f"name:{normalise_name(name)}"


def _find(accounts: dict[str, Account], name: str) -> Account | None:
    """The account whose name normalises like `name` (older files may keep Li or ｌｉ)."""
    found = accounts.get(name)
    if found is not None:
        return found
    normal = normalise_name(name)
    for key, account in accounts.items():
        if normalise_name(key) == normal:
            return account
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
