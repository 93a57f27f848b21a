"""The record of sent alerts (a JSON file beside the warehouse, owner-only).

For each route and rule it keeps the state last sent (a fingerprint of the items' keys)
and when; a log keeps every attempt, sent or failed. An alert is due when its state
differs from the one last sent, or when the reminder interval has passed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from schoolwh.core.atomic import write_bytes

LOG_KEEP = 2000  # log entries kept


def fingerprint(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:32] if keys else ""


class Record:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = {"state": {}, "log": [], "publishes": {}}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                loaded = None  # a damaged record: start again (alerts are sent once more)
            if isinstance(loaded, dict):
                self.data["state"] = loaded.get("state") or {}
                self.data["log"] = loaded.get("log") or []
                self.data["publishes"] = loaded.get("publishes") or {}

    def last(self, route: str, rule: str) -> dict | None:
        return self.data["state"].get(route, {}).get(rule)

    def due(
        self, route: str, rule: str, print_: str, now: dt.datetime, reminder_hours: int
    ) -> bool:
        if not print_:
            return False
        last = self.last(route, rule)
        if last is None or last.get("fingerprint") != print_:
            return True
        sent = dt.datetime.fromisoformat(last["sent_at"])
        return now - sent >= dt.timedelta(hours=reminder_hours)

    def mark(self, route: str, rule: str, print_: str, count: int, now: dt.datetime) -> None:
        self.data["state"].setdefault(route, {})[rule] = {
            "fingerprint": print_,
            "count": count,
            "sent_at": now.isoformat(timespec="seconds"),
        }

    def clear(self, route: str, rule: str) -> None:
        """The rule has no items any more: the next item is news again."""
        self.data["state"].get(route, {}).pop(rule, None)

    def turned(self, rule: str, publish: str, keys: list[str]) -> set[str]:
        """The keys of `rule` that were not there at the previous publish: the record keeps
        the keys of the last two publishes (by their build time), so runs between two
        publishes compare with the same previous one."""
        seen = self.data.setdefault("publishes", {}).setdefault(rule, {})
        if seen.get("publish") != publish:
            seen["previous"] = seen.get("keys") if "publish" in seen else None
            seen["publish"], seen["keys"] = publish, sorted(keys)
        previous = seen.get("previous")
        if previous is None:  # the first publish seen: everything is new
            return set(keys)
        return set(keys) - set(previous)

    def log(self, entry: dict) -> None:
        self.data["log"].append(entry)
        del self.data["log"][:-LOG_KEEP]

    def save(self) -> None:
        body = json.dumps(self.data, ensure_ascii=False, indent=1).encode("utf-8")
        write_bytes(self.path, body, mode=0o600)
