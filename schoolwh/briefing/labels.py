"""The briefing's view of the one translation table (`schoolwh.reading.i18n.TEXT`).

The briefings' own words (slide titles, finding sentences, file-name parts) are the
`brief.*` entries there; `tr` looks them up without the prefix.
"""

from __future__ import annotations

from typing import Any

from schoolwh.reading.i18n import TEXT as _TEXT

# The briefing's labels live in the one translation table, schoolwh/reading/i18n.py, as `brief.*`.
TEXT: dict[str, tuple[str, str]] = {
    key.removeprefix("brief."): pair for key, pair in _TEXT.items() if key.startswith("brief.")
}


def tr(key: str, lang: str = "zh", **values: Any) -> str:
    """The briefing label for `key` in `lang`, `{placeholders}` filled from `values`."""
    pair = TEXT[key]
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
