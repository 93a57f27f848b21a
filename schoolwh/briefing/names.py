"""Stable, readable file names: `2025-autumn_金水区_满意率.png`.

The same period, scope, language and figure always give the same name, so regenerating
a briefing replaces its files instead of piling up copies.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"_{2,}")


def safe_part(text: str) -> str:
    """A piece of a file name: no path separators or characters Windows refuses, spaces as
    hyphens, Chinese kept."""
    cleaned = _UNSAFE.sub("_", str(text).strip())
    cleaned = _SPACES.sub("-", cleaned)
    cleaned = _REPEATS.sub("_", cleaned).strip("._-")
    return cleaned or "x"


def stem(period: str, scope: str, name: str) -> str:
    """`<period>_<scope>_<name>` with every part made safe."""
    return "_".join(safe_part(p) for p in (period, scope, name))


def file_name(period: str, scope: str, name: str, suffix: str) -> str:
    """`stem(...)` plus a suffix such as `png`, `svg` or `pptx`."""
    return f"{stem(period, scope, name)}.{suffix.lstrip('.')}"
