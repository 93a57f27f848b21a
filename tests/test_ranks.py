"""Rank and rank change of districts: the one rule (schoolwh/reading/ranks.py) and where a
leader reads it — the 区县 cards, the ranking charts and a district briefing's findings."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from schoolwh.briefing import findings
from schoolwh.briefing.data import BriefingData, Quality
from schoolwh.briefing.scope import Scope
from schoolwh.reading import charts, ranks


def _districts(values: list[float | None], kpi: str = "lunch_coverage", **extra) -> pd.DataFrame:
    codes = [f"41010{i}" for i in range(len(values))]
    return pd.DataFrame(
        {
            "district_code": codes,
            "district_name": [f"区{i}" for i in range(len(values))],
            "kpi": kpi,
            "value": values,
            "unit": "ratio",
            "status": "met",
            "target": None,
            "direction": "higher_is_better",
            **extra,
        }
    )


# --- the rule -----------------------------------------------------------------------------
def _order(values: list[float | None], **extra) -> list[int | None]:
    got = ranks.by_key(_districts(values, **extra))
    return [got[c].rank if c in got else None for c in (f"41010{i}" for i in range(len(values)))]


def test_ties_share_a_rank_and_the_next_skips_1224():
    assert _order([0.9, 0.95, 0.95, 0.8, 0.7]) == [3, 1, 1, 4, 5]
    # four values, two tied second: 1 2 2 4
    assert _order([1.0, 0.5, 0.5, 0.1]) == [1, 2, 2, 4]
    got = ranks.by_key(_districts([1.0, 0.5, 0.5, 0.1]))
    assert got["410101"].sharing == 2 and got["410101"].tied and not got["410100"].tied


def test_direction_decides_which_end_is_first():
    lower = {"kpi": "median_days_to_close", "direction": "lower_is_better"}
    assert _order([7.5, 11.0, 3.0], **lower) == [2, 3, 1]
    frame = _districts([7.5, 11.0, 3.0], kpi="median_days_to_close", direction="lower_is_better")
    got = ranks.by_key(frame)
    assert got["410102"].rank == 1 and got["410101"].rank == 3


def test_districts_without_a_value_are_not_ranked_nor_counted():
    frame = _districts([0.9, None, 0.95, float("nan")])
    got = ranks.by_key(frame)
    assert set(got) == {"410100", "410102"}
    assert got["410102"] == ranks.Rank(rank=1, of=2)
    assert got["410100"] == ranks.Rank(rank=2, of=2)


def test_values_equal_but_for_the_last_bits_are_tied():
    frame = _districts([2 / 3, 0.6666666666666666 + 1e-15, 0.5])
    got = ranks.by_key(frame)
    assert got["410100"].rank == got["410101"].rank == 1 and got["410100"].sharing == 2
    assert got["410102"].rank == 3


def test_rank_change_is_the_previous_rank_minus_the_rank_now():
    before = _districts([0.5, 0.9, 0.7, None])  # ranks 3, 1, 2, —
    now = _districts([0.95, 0.8, 0.7, 0.99])  # ranks 2, 3, 4, 1
    got = ranks.by_key(now, before)
    assert got["410100"].change == 1  # 3rd → 2nd: up one
    assert got["410101"].change == -2  # 1st → 3rd: down two
    assert got["410102"].change == -2
    assert got["410103"].change is None  # no rank in the previous period: no change claimed
    assert got["410103"].rank == 1


def test_each_kpi_is_ranked_apart_by_its_own_direction():
    now = pd.concat(
        [
            _districts([0.9, 0.8]),
            _districts([4.0, 9.0], kpi="median_days_to_close", direction="lower_is_better"),
        ]
    )
    before = pd.concat(
        [
            _districts([0.7, 0.8]),
            _districts([10.0, 5.0], kpi="median_days_to_close", direction="lower_is_better"),
        ]
    )
    mine = ranks.of_district(now, before, "410100")
    assert mine["lunch_coverage"] == ranks.Rank(rank=1, of=2, change=1)
    assert mine["median_days_to_close"] == ranks.Rank(rank=1, of=2, change=1)
    # a previous frame without the direction column is ranked by the KPI's direction now
    plain = before[["district_code", "kpi", "value"]]
    assert ranks.of_district(now, plain, "410101")["median_days_to_close"].change == -1


def test_the_rank_in_words():
    assert ranks.text(ranks.Rank(3, 16, change=2), "zh") == "第 3 名（共 16 个）· 较上期 ↑2"
    assert ranks.text(ranks.Rank(3, 16, change=-1), "zh") == "第 3 名（共 16 个）· 较上期 ↓1"
    assert ranks.text(ranks.Rank(3, 16, change=0), "zh") == "第 3 名（共 16 个）· 名次不变"
    assert ranks.text(ranks.Rank(3, 16, sharing=2), "zh") == "并列第 3 名（共 16 个）"
    assert ranks.text(ranks.Rank(3, 16, change=2), "en") == "Rank 3 of 16 · ↑2 vs previous"
    assert ranks.text(ranks.Rank(1, 16, sharing=16), "en") == "Joint rank 1 of 16"
    assert ranks.short(ranks.Rank(3, 16, change=-2), "zh") == "第3名 ↓2"
    assert ranks.short(ranks.Rank(1, 16, sharing=3, change=0), "zh") == "并列第1名 不变"
    assert ranks.joined("第 2 名（共 2 个）", "", "样本 20") == "第 2 名（共 2 个）· 样本 20"
    assert ranks.joined("Rank 2 of 2", "n = 20") == "Rank 2 of 2 · n = 20"


def test_a_district_alone_has_no_rank():
    """A district leader's extract holds its own district only: its cards said
    「第 1 名（共 1 个）」 and its ranking charts 「第1名 不变」."""
    alone = _districts([0.9], numerator=[9], denominator=10)
    assert ranks.by_key(alone) == {}
    assert ranks.of_district(alone, _districts([0.8]), "410100") == {}
    [card] = charts.kpi_cards(alone, _districts([0.8]), "zh", "上期", ranks={})
    assert card.rank is None and card.detail == "9 / 10"
    fig = charts.ranking_bars(alone, "zh", previous=_districts([0.8]))
    assert "名" not in " ".join(a.text for a in fig.layout.annotations)
    # one of two with a value is still ranked among the two
    assert ranks.by_key(_districts([0.9, 0.8]))["410100"] == ranks.Rank(1, 2)


# --- the cards ----------------------------------------------------------------------------
def test_a_district_card_says_its_rank_and_the_change():
    now = pd.concat(
        [
            _districts([0.9, 0.95, 0.95, 0.8], numerator=[9, 19, 19, 8], denominator=10),
            _districts([0.5, None, 0.6, 0.7], kpi="satisfaction_rate"),
        ]
    )
    before = _districts([0.7, 0.99, 0.6, 0.65])
    mine = now[now["district_code"] == "410100"]
    cards = charts.kpi_cards(
        mine, before[before["district_code"] == "410100"], "zh", "上期",
        ranks=ranks.of_district(now, before, "410100"),
    )  # fmt: skip
    coverage, satisfaction = cards
    assert coverage.detail == "第 3 名（共 4 个）· 较上期 ↓1 · 9 / 10"  # 2nd before
    assert coverage.rank == ranks.Rank(3, 4, change=-1)
    assert satisfaction.detail.startswith("第 3 名（共 3 个）")  # ranked among the 3 with a value
    assert "较上期" not in satisfaction.detail  # no satisfaction rank last period
    tied = charts.kpi_cards(
        now[now["district_code"] == "410101"], None, "zh",
        ranks=ranks.of_district(now, None, "410101"),
    )  # fmt: skip
    assert tied[0].detail.startswith("并列第 1 名（共 4 个）")
    assert tied[1].rank is None and "名" not in tied[1].detail  # no value: no rank
    assert charts.kpi_cards(mine, None, "zh")[0].rank is None  # the overview: no ranks


# --- the ranking charts -------------------------------------------------------------------
def _beside(fig) -> dict[str, str]:
    """The value column right of the plot, by bar label."""
    return {a.y: a.text for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"}


def test_the_ranking_writes_rank_and_change_beside_the_value_clear_of_the_target():
    frame = _districts([1.0, 0.96, 0.5, 0.96])
    previous = _districts([0.9, 0.97, 0.6, 0.99])  # ranks 3, 2, 4, 1
    fig = charts.ranking_bars(frame, "zh", target=0.95, previous=previous)
    beside = _beside(fig)
    assert "第1名 ↑2" in beside["区0"]
    assert "并列第2名 不变" in beside["区1"] and "并列第2名 ↓1" in beside["区3"]
    assert "第4名 不变" in beside["区2"]
    assert fig.data[0].textposition == "none"  # nothing written on or beside the bars
    values = [a for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"]
    assert all(a.x > 1 and a.xanchor == "left" for a in values)  # right of the plot area
    target = [a for a in fig.layout.annotations if "目标" in (a.text or "")]
    assert target and target[0].y >= 1  # the target's label above the bars
    # the right margin holds the widest line of the column (value, rank and change)
    assert fig.layout.margin.r >= max(
        charts.text_width(a.text.split("<br>")[0], 12) for a in values
    )
    hover = dict(zip(fig.data[0].y, fig.data[0].customdata, strict=True))
    assert hover["区0"].endswith("第 1 名（共 4 个）· 较上期 ↑2")
    assert hover["区1"].endswith("并列第 2 名（共 4 个）· 名次不变")


def test_the_ranking_shows_ranks_beside_values_only_when_the_order_does_not_say_it():
    plain = charts.ranking_bars(_districts([1.0, 0.9, 0.5]), "zh", target=0.95)
    assert all("名" not in text for text in _beside(plain).values())
    assert plain.data[0].customdata[-1].endswith("第 1 名（共 3 个）")  # in the hover still
    tied = charts.ranking_bars(_districts([1.0, 1.0, 1.0]), "en", target=1.0)
    assert all("joint #1" in text for text in _beside(tied).values())


def test_the_ranking_matches_the_previous_period_by_code_when_labels_differ():
    """A briefing labels its own district "▶ 金水区"; its change is found by the code."""
    frame = _districts([0.9, 0.8]).assign(_label=["▶ 区0", "区1"])
    previous = _districts([0.7, 0.8])
    fig = charts.ranking_bars(frame, "zh", label_col="_label", previous=previous)
    assert "第1名 ↑1" in _beside(fig)["▶ 区0"]


# --- the briefing's findings --------------------------------------------------------------
def _briefing(now: pd.DataFrame, before: pd.DataFrame, lang: str = "zh") -> BriefingData:
    scope = Scope(
        period_type="term",
        period="2025-autumn",
        previous="2025-spring",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 1, 31),
        as_of=dt.date(2025, 10, 31),
        district_code="410100",
        district_name="区0",
        district_count=len(now),
        jurisdiction="郑州市",
        lang=lang,
    )
    overall = pd.DataFrame({"kpi": ["lunch_coverage"], "value": [0.9], "unit": ["ratio"]})
    empty = pd.DataFrame()
    return BriefingData(
        scope=scope,
        kpis=now[now["district_code"] == "410100"],
        previous_kpis=before[before["district_code"] == "410100"],
        overall=overall,
        by_district=now,
        previous_by_district=before,
        monthly=empty,
        pace=empty,
        pace_by_district=empty,
        issues_monthly=empty,
        open_issues=empty,
        quality=Quality(has_audit=False),
    )


@pytest.mark.parametrize(
    ("before", "said"),
    [
        ([0.7, 0.95, 0.99, 0.8], "在 4 个区县中排第 2 位，较上期上升 2 位；全市为 90.0%。"),
        ([0.99, 0.7, 0.6, 0.5], "在 4 个区县中排第 2 位，较上期下降 1 位；全市为 90.0%。"),
        ([0.9, 0.95, 0.5, 0.6], "在 4 个区县中排第 2 位，与上期名次相同；全市为 90.0%。"),
        ([None, 0.95, 0.5, 0.6], "在 4 个区县中排第 2 位；全市为 90.0%。"),
    ],
)
def test_a_district_briefing_says_how_its_rank_moved(before, said):
    now = _districts([0.9, 0.95, 0.5, 0.6])
    assert findings.rank(_briefing(now, _districts(before)), "lunch_coverage") == said
    assert said.split("；")[0] in " ".join(
        findings.kpi_findings(_briefing(now, _districts(before)), "lunch_coverage")
    )


def test_the_findings_sentence_for_ties_and_in_english():
    now = _districts([0.9, 0.9, 0.5])
    before = _districts([0.5, 0.9, 0.95])
    assert findings.rank(_briefing(now, before), "lunch_coverage") == (
        "与另外 1 个区县并列第 1 位（共 3 个），较上期上升 2 位；全市为 90.0%。"
    )
    english = findings.rank(_briefing(now, before, "en"), "lunch_coverage")
    assert english == (
        "Tied 1 of 3 districts with 1 other(s), up 2 on the previous period; All districts: 90.0%."
    )
    all_tied = findings.rank(_briefing(_districts([1.0, 1.0, 1.0]), before), "lunch_coverage")
    assert all_tied.startswith("3 个区县均为 100.0%，并列") and "上升" not in all_tied
