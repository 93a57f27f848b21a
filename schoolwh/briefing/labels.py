"""Words of the briefings that the dashboard does not use: slide titles, finding sentences,
file-name parts. Everything the dashboard already says comes from `dashboard.i18n`.

Same shape as `dashboard.i18n.TEXT`: key → (Chinese, English), `{placeholders}` filled by
`tr`. Chinese terms follow the glossary.
"""

from __future__ import annotations

from typing import Any

TEXT: dict[str, tuple[str, str]] = {
    # scope and title slide
    "scope.all": ("全域", "All districts"),
    "scope.all_file": ("全域", "all-districts"),
    "scope.districts": ("全域（{n} 个区县）", "Whole jurisdiction ({n} districts)"),
    "scope.jurisdiction": ("全域", "Whole jurisdiction"),
    "deck.title": (
        "{place}学校午餐与课后服务工作简报",
        "School lunch and after-school briefing: {place}",
    ),
    "deck.subtitle": ("{period} · {scope}", "{period} · {scope}"),
    "deck.footer": (
        "{place} · {period} · 数据截至 {date}",
        "{place} · {period} · data as of {date}",
    ),
    "deck.source": (
        "数据来源：各区县报送的报表，经数据仓库加载与质量检查后汇总。",
        "Source: the districts' reports, loaded and checked by the warehouse.",
    ),
    # overview table
    "overview.title": ("指标概览", "KPI overview"),
    "overview.col.kpi": ("指标", "KPI"),
    "overview.col.value": ("本期", "This period"),
    "overview.col.target": ("目标", "Target"),
    "overview.col.status": ("状态", "Status"),
    "overview.col.change": ("较上期", "Change"),
    "overview.col.detail": ("分子 / 分母", "Numerator / denominator"),
    "overview.prev_note": (
        "较上期：与{period}相比；比率的变化以百分点计。",
        "Change: against {period}; changes of rates in percentage points.",
    ),
    "overview.no_prev_note": ("没有上一期数据可比较。", "No previous period to compare with."),
    # figure and slide names
    "fig.kpi_summary": ("指标概览", "KPI summary"),
    "fig.status_grid": ("区县达标情况", "District status"),
    "fig.ranking": ("{kpi}_区县排名", "{kpi}_district-ranking"),
    "fig.trend": ("{kpi}_月度趋势", "{kpi}_monthly-trend"),
    "fig.satisfaction": ("满意率", "satisfaction-rate"),
    "fig.funding_pace": ("资金执行进度", "funding-pace"),
    "fig.issues_month": ("问题发现与整改", "issues-found-closed"),
    "fig.overdue": ("逾期问题", "overdue-issues"),
    "fig.deck": ("简报", "briefing"),
    "fig.figures": ("图表", "figures"),
    "slide.status_grid": ("区县 × 指标达标情况", "Districts × KPIs: status"),
    "slide.ranking_title": ("{kpi}：区县排名", "{kpi}: districts ranked"),
    "slide.satisfaction_title": (
        "满意率：各区县及95%置信区间",
        "Satisfaction rate by district, with 95% intervals",
    ),
    "slide.trends": ("月度趋势与目标", "Monthly trends against target"),
    "slide.trends_more": ("月度趋势与目标（续）", "Monthly trends against target (cont.)"),
    "slide.funding": (
        "资金执行进度：累计支出与目标进度",
        "Funding: spending to date against the target pace",
    ),
    "slide.issues": ("问题发现与整改", "Issues found and closed"),
    "slide.overdue": ("逾期未整改问题", "Overdue open issues"),
    "slide.quality": ("数据质量", "Data quality"),
    "slide.findings": ("要点", "Findings"),
    "slide.highlight": ("▶ {name}", "▶ {name}"),
    "slide.no_data": ("本期没有数据。", "No data for this period."),
    # findings: headline
    "find.headline_target": (
        "{scope} {value}（目标 {target}），{status}",
        "{scope}: {value} (target {target}), {status}",
    ),
    "find.headline": ("{scope} {value}", "{scope}: {value}"),
    "find.change_suffix": ("；较{period}{change}", "; {change} vs {period}"),
    "find.no_data": ("{scope}本期没有数据", "{scope}: no data for this period"),
    "find.end": ("。", "."),
    # findings: districts
    "find.below": ("{n} 个区县低于目标：{names}", "{n} districts below target: {names}"),
    "find.below_more": ("{names} 等", "{names} and others"),
    "find.all_met": ("{n} 个区县全部达到目标", "All {n} districts met the target"),
    "find.insufficient": (
        "另有 {n} 个区县样本不足 {min} 份，仅供参考",
        "{n} more districts have fewer than {min} responses (for reference only)",
    ),
    "find.range_high_low": ("最高：{high}；最低：{low}", "Highest: {high}; lowest: {low}"),
    "find.range_fast_slow": ("最快：{best}；最慢：{worst}", "Fastest: {best}; slowest: {worst}"),
    "find.largest_change": (
        "较{period}变化最大：{name} {change}（{before} → {after}）",
        "Largest change vs {period}: {name} {change} ({before} → {after})",
    ),
    "find.no_change": ("各区县与{period}相比均无变化", "No district changed since {period}"),
    "find.rank": (
        "在 {n} 个区县中排第 {rank} 位；全域为 {overall}",
        "Ranked {rank} of {n} districts; the whole jurisdiction: {overall}",
    ),
    "find.month_low": ("月度最低：{month} {value}", "Lowest month: {month} {value}"),
    "find.name_value": ("{name} {value}", "{name} {value}"),
    "find.sep": ("、", ", "),
    # findings: what a KPI counts
    "detail.lunch_coverage": (
        "{den} 所学校中 {num} 所供应午餐",
        "{num} of {den} schools serve lunch",
    ),
    "detail.after_school_coverage": (
        "{den} 所学校中 {num} 所开展课后服务",
        "{num} of {den} schools run after-school service",
    ),
    "detail.eating_share": (
        "日均在校就餐 {num} 人，在校生 {den} 人",
        "{num} students eat at school on an average day, of {den} enrolled",
    ),
    "detail.lunch_demand_met": (
        "日均就餐 {num} 人，有就餐需求 {den} 人",
        "{num} students eat lunch on an average day, {den} with lunch need",
    ),
    "detail.after_school_share": (
        "日均参加课后服务 {num} 人，在校生 {den} 人",
        "{num} students in after-school service on an average day, of {den} enrolled",
    ),
    "detail.after_school_demand_met": (
        "日均参加课后服务 {num} 人，有需求 {den} 人",
        "{num} students in after-school service on an average day, {den} with need",
    ),
    "detail.budget_execution": (
        "累计支出 {num_money}，下达资金 {den_money}",
        "Spent to date {num_money} of {den_money} allocated",
    ),
    "detail.satisfaction_rate": (
        "样本 {den} 份，满意 {num} 份，95%置信区间 {lo}–{hi}",
        "{den} responses, {num} satisfied, 95% interval {lo}–{hi}",
    ),
    "detail.issue_closure_rate": (
        "本期发现问题 {den} 个，已整改 {num} 个",
        "{den} issues found in the period, {num} closed",
    ),
    "detail.issue_on_time_rate": (
        "应按期整改 {den} 个，按期完成 {num} 个",
        "{num} of {den} issues due were closed on time",
    ),
    "detail.reporting_completeness": (
        "应填报 {den} 校日，已填报 {num} 校日",
        "{num} of {den} school-days reported",
    ),
    # funding slide
    "funding.headline": (
        "{year}年下达资金 {allocated}，累计支出 {spent}，执行率 {share}；目标进度 {pace}",
        "{year}: {allocated} allocated, {spent} spent to date ({share}); target pace {pace}",
    ),
    "funding.no_budget": ("{year}年没有下达资金记录", "No allocation recorded for {year}"),
    "funding.behind": (
        "低于目标进度的区县 {n} 个：{names}",
        "{n} districts behind the target pace: {names}",
    ),
    "funding.none_behind": ("各区县均达到目标进度", "Every district is on the target pace"),
    # issues slides
    "issues.period": (
        "本期发现问题 {found} 个，已整改 {closed} 个，整改率 {rate}",
        "{found} issues found in the period, {closed} closed ({rate})",
    ),
    "issues.open_now": (
        "截至 {date}，未整改问题 {open} 个，其中逾期 {overdue} 个",
        "As of {date}: {open} issues open, {overdue} of them overdue",
    ),
    "issues.busiest": (
        "发现问题最多的月份：{month}（{n} 个）",
        "Most issues found in {month} ({n})",
    ),
    "overdue.none": ("截至 {date} 没有逾期未整改的问题。", "No overdue open issue as of {date}."),
    "overdue.count": (
        "截至 {date}，逾期未整改问题 {n} 个；最长逾期 {days} 天",
        "As of {date}: {n} overdue open issues; the longest {days} days overdue",
    ),
    "overdue.most": ("逾期问题最多：{names}", "Most overdue issues: {names}"),
    "overdue.table_more": ("另有 {n} 个未列出", "{n} more not listed"),
    "overdue.col.where": ("区县 / 学校", "District / school"),
    "overdue.col.category": ("问题类别", "Category"),
    "overdue.col.severity": ("严重程度", "Severity"),
    "overdue.col.deadline": ("整改期限", "Deadline"),
    "overdue.col.days": ("逾期天数", "Days overdue"),
    "overdue.by_district": (
        "各区县逾期问题（按严重程度）",
        "Overdue issues by district and severity",
    ),
    "overdue.by_category": (
        "逾期问题（按类别与严重程度）",
        "Overdue issues by category and severity",
    ),
    # data quality slide
    "dq.completeness": ("数据填报完整率：{value}", "Reporting completeness: {value}"),
    "dq.completeness_low": ("填报完整率最低：{names}", "Lowest reporting completeness: {names}"),
    "dq.completeness_na": (
        "数据填报完整率按学期和月计算，本期（年度）不适用",
        "Reporting completeness is computed by term and month, not by year",
    ),
    "dq.last_load": (
        "最近一次加载 #{load_id}（{when}）：{outcome}，入库 {rows} 行",
        "Latest load #{load_id} ({when}): {outcome}, {rows} rows landed",
    ),
    "dq.quarantined": (
        "累计隔离数据行 {n} 行（未进入指标计算，需报送单位更正后重新报送）",
        "{n} rows quarantined in all loads (left out of the KPIs until corrected and resent)",
    ),
    "dq.no_quarantine": ("没有被隔离的数据行", "No row was quarantined"),
    "dq.checks": (
        "最近一次加载质量检查 {total} 项：通过 {passed} 项，警告 {warnings} 项，严重问题 {critical} 项",
        "Quality checks of the latest load: {total}, {passed} passed, {warnings} warnings, "
        "{critical} critical failures",
    ),
    "dq.orphans": (
        "{n} 行数据因学校或区县不在名录中未计入指标",
        "{n} rows left out of the KPIs: school or district not in the registry",
    ),
    "dq.no_audit": ("数据仓库中没有加载记录", "The warehouse has no load records"),
    "dq.table_more": ("另有 {n} 行未列出", "{n} more rows not listed"),
    # dashboard buttons
    "download.figures": ("下载本页图表（PNG）", "Download the page's figures (PNG)"),
    "download.deck": ("下载本页简报（PPTX）", "Download the page's briefing (PPTX)"),
    "download.help": (
        "按当前筛选生成，约需 10–30 秒。",
        "Made for the current selection; takes about 10–30 seconds.",
    ),
    "dq.col.source": ("数据来源", "Source"),
    "dq.col.reason": ("原因", "Reason"),
    "dq.col.rows": ("行数", "Rows"),
    "dq.scope_note": (
        "隔离与检查结果为全域数据。",
        "Quarantine and checks cover the whole jurisdiction.",
    ),
}


def tr(key: str, lang: str = "zh", **values: Any) -> str:
    """The briefing label for `key` in `lang`, `{placeholders}` filled from `values`."""
    pair = TEXT[key]
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
