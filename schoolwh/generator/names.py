"""School names in the style of a Chinese school registry."""

from __future__ import annotations

import numpy as np

_DIGITS = "零一二三四五六七八九"

VILLAGES = (
    "李庄", "王村", "张寨", "刘沟", "赵庄", "杨湾", "陈岗", "孙堂", "马寨", "高村",
    "郭庄", "黄岭", "周沟", "吴店", "徐岗", "朱屯", "胡庄", "何寨", "宋楼", "罗村",
    "梁湾", "谢庄", "韩岗", "唐村", "冯寨", "于庄", "董村", "萧沟", "程店", "曹庄",
    "袁庄", "邓岗", "许村", "傅庄", "沈寨", "曾村", "彭庄", "吕沟", "苏寨", "卢庄",
    "蒋岗", "蔡村", "贾庄", "丁店", "魏寨", "薛村", "叶庄", "阎沟", "余庄", "潘岗",
    "杜村", "戴庄", "夏寨", "钟村", "汪庄", "田沟", "任村", "姜庄", "范寨", "方村",
)  # fmt: skip

PRIVATE_NAMES = ("育才", "英才", "博雅", "明德", "启航", "外国语", "培英", "励志", "树人", "致远")

# What a school of each stage is called after its place name.
_STAGE_WORD = {
    "primary": "小学",
    "junior": "初级中学",
    "nine_year": "实验学校",
    "complete_secondary": "中学",
    "twelve_year": "学校",
}


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五 (for 1 ≤ n ≤ 9999)."""
    if not 1 <= n <= 9999:
        raise ValueError(f"chinese_number supports 1..9999, got {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = []
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    zero = False
    for value, word in units:
        digit = n // value % 10
        if n < value:
            continue
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + word)
    return "".join(out)


def school_names(
    rng: np.random.Generator,
    district_names: list[str],
    places: list[tuple[str, ...]],
    locations: list[str],
    stages: list[str],
    ownerships: list[str],
) -> list[str]:
    """A unique name for each school, from its district, location, stage and ownership."""
    counters: dict[tuple[str, str], int] = {}
    names: list[str] = []
    seen: dict[str, int] = {}
    picks = rng.integers(0, 1 << 30, size=(len(stages), 2))
    for i, (district, stage) in enumerate(zip(district_names, stages, strict=True)):
        place = places[i][picks[i, 0] % len(places[i])]
        word = _STAGE_WORD[stage]
        if ownerships[i] == "private":
            brand = PRIVATE_NAMES[picks[i, 1] % len(PRIVATE_NAMES)]
            name = f"{district}{brand}{word if stage != 'primary' else '小学'}"
        elif locations[i] == "urban":
            key = (district, word)
            counters[key] = counters.get(key, 0) + 1
            name = f"{district}第{chinese_number(counters[key])}{word}"
        elif locations[i] == "town" or stage != "primary":
            key = (district + place, word)
            counters[key] = counters.get(key, 0) + 1
            ordinal = "中心" if counters[key] == 1 else f"第{chinese_number(counters[key])}"
            name = f"{district}{place}{ordinal}{word}"
        else:
            village = VILLAGES[picks[i, 1] % len(VILLAGES)]
            name = f"{district}{place}{village}{word}"
        if name in seen:
            seen[name] += 1
            name = f"{name}（{chinese_number(seen[name])}校区）"
        seen.setdefault(name, 1)
        names.append(name)
    return names
