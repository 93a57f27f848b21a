"""The message of one route: Chinese, counts first, the top items, a link to the page.

Every cell is hostile: school names and categories come from bureau files, so characters
that mean something in markdown (links, emphasis, HTML) are replaced by their full-width
forms and a line break by a space before they reach a message.
"""

from __future__ import annotations

from schoolwh.alerts.config import Route
from schoolwh.alerts.rules import RULES, Finding

_PLAIN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "|": "｜",
        "\\": "＼",
        "!": "！",
        "~": "～",
        "\r": " ",
        "\n": " ",
        "\t": " ",
    }
)

_MORE = 48  # bytes kept for a "……另有 N 项" line
PAGE = "reporting"  # the 上报情况 page's address (its url_path in dashboard/app.py)


def plain(text: str) -> str:
    """A cell as text a markdown renderer shows as it is."""
    return str(text).translate(_PLAIN)


def title(route: Route, as_of: str) -> str:
    return f"学校午餐数据提醒（{plain(route.name)}，数据截至 {as_of}）"


def compose(
    route: Route,
    findings: list[Finding],
    *,
    as_of: str,
    top: int,
    limit: int,
    dashboard_url: str = "",
) -> str:
    """The markdown of one message, at most `limit` bytes in UTF-8."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    head = [f"## {title(route, as_of)}", ""]
    for rule, items in by_rule.items():
        head.append(f"- **{RULES[rule][0]}**：{len(items)} 项")
    footer = []
    if dashboard_url:
        footer = ["", f"[查看上报情况与详情]({dashboard_url}/{PAGE})"]
    lines = list(head)
    # Water-filling: a rule whose whole section fits its equal share gets it, and what it
    # leaves goes to the larger ones; every rule that has room gets a section.
    sections = {rule: _section(rule, items, top, None) for rule, items in by_rule.items()}
    left = limit - _size(footer) - _size(head)
    allowed: dict[str, int] = {}
    for n, rule in enumerate(sorted(sections, key=lambda r: _size(sections[r]))):
        allowed[rule] = min(_size(sections[rule]) + _MORE, left // (len(sections) - n))
        left -= allowed[rule]
    for rule, items in by_rule.items():
        lines += _section(rule, items, top, allowed[rule])
    text = "\n".join(lines + footer)
    while len(text.encode("utf-8")) > limit:  # a last guard; never reached with sane limits
        text = text[: -max(1, len(text) // 10)]
    return text


def _section(rule: str, items: list[Finding], top: int, room: int | None) -> list[str]:
    """The lines of one rule: a heading, up to `top` items, the count of the rest; within
    `room` bytes (None: no limit), or nothing when not even the heading fits."""
    more = _MORE
    section = ["", f"### {RULES[rule][0]}（{len(items)}）"]
    if room is not None and _size(section) + more > room:
        return []
    shown = 0
    for i, item in enumerate(items[:top], start=1):
        line = f"{i}. {plain(item.district_name)} {plain(item.text)}"
        if room is not None and _size([*section, line]) + more > room:
            break
        section.append(line)
        shown += 1
    if shown < len(items):
        section.append(f"……另有 {len(items) - shown} 项")
    return section


def _size(lines: list[str]) -> int:
    return len("\n".join(lines).encode("utf-8")) + 1
