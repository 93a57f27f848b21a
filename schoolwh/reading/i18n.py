"""The one translation table of the dashboard (and the briefings): Chinese and English.

- `t(key, lang)` for every fixed label;
- `kpi_name(kpi, lang)` for KPI names: read from the warehouse being shown
  (`marts.kpi_definitions`, the dbt seed the marts use; `queries.kpi_definitions`), never
  from a table of this package;
- `enum_label(kind, value, lang)` for enumerations: the Chinese labels are the ones
  bureaus write in their files (`schoolwh/core/sources.py`), the English ones live here.

Chinese terms follow the glossary (docs/contract.md#glossary) exactly.
"""

from __future__ import annotations

from typing import Any

from schoolwh.core import sources
from schoolwh.reading.queries import definitions_in_use

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# --- English labels of the enumerations (Chinese ones come from schoolwh/core/sources.py) ------
_ENUM_EN: dict[str, dict[str, str]] = {
    "district_kind": {
        "district": "District",
        "county": "County",
        "county_city": "County-level city",
        "dev_zone": "Development zone",
        "school_zone": "School zone",
    },
    "stage": {
        "primary": "Primary",
        "junior": "Junior secondary",
        "nine_year": "Nine-year school",
        "complete_secondary": "Complete secondary",
        "twelve_year": "Twelve-year school",
    },
    "ownership": {"public": "Public", "private": "Private"},
    "location": {"urban": "Urban", "town": "Town", "rural": "Rural"},
    "lunch_mode": {
        "self_run": "Self-run canteen",
        "catering": "Catering company",
        "central_kitchen": "Central kitchen",
        "none": "None",
    },
    "program": {
        "lunch_subsidy": "Lunch subsidy",
        "nutrition_plan": "Nutrition improvement plan",
        "after_school": "After-school service",
        "canteen_construction": "Canteen construction",
        "equipment": "Facilities and equipment",
        "other": "Other",
    },
    "funding_source": {
        "central": "Central",
        "provincial": "Provincial",
        "municipal": "Municipal",
        "county": "County",
        "other": "Other",
    },
    "expenditure_category": {
        "ingredients": "Ingredients",
        "staff": "Staff",
        "equipment": "Equipment",
        "construction": "Construction",
        "other": "Other",
    },
    "respondent": {"parent": "Parent", "student": "Student", "teacher": "Teacher"},
    "issue_source": {
        "daily_check": "Daily control",
        "weekly_check": "Weekly check",
        "monthly_review": "Monthly review",
        "unannounced": "Unannounced inspection",
        "accompanied_meal": "Accompanied meal",
        "parent_report": "Parent report",
        "other": "Other",
    },
    "issue_category": {
        "food_safety": "Food safety",
        "hygiene": "Hygiene",
        "records": "Records",
        "ingredient_check": "Ingredient inspection",
        "tableware": "Tableware washing",
        "staff_health": "Staff health",
        "funds": "Funds management",
        "procurement": "Procurement",
        "facilities": "Facilities",
        "other": "Other",
    },
    "severity": {"low": "Minor", "medium": "Serious", "high": "Severe"},
    "issue_status": {"open": "Open", "in_progress": "In progress", "closed": "Closed"},
}

_ENUM_ZH: dict[str, dict[str, str]] = {
    "district_kind": sources.DISTRICT_KIND,
    "stage": sources.STAGE,
    "ownership": sources.OWNERSHIP,
    "location": sources.LOCATION,
    "lunch_mode": sources.LUNCH_MODE,
    "program": sources.PROGRAM,
    "funding_source": sources.FUNDING_SOURCE,
    "expenditure_category": sources.EXPENDITURE_CATEGORY,
    "respondent": sources.RESPONDENT,
    "issue_source": sources.ISSUE_SOURCE,
    "issue_category": sources.ISSUE_CATEGORY,
    "severity": sources.SEVERITY,
    "issue_status": sources.ISSUE_STATUS,
}

# Enumerations of the warehouse itself (not of the input files): both languages here.
_ENUM_BOTH: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "met": ("达标", "Met"),
        "near": ("接近目标", "Near target"),
        "missed": ("未达标", "Missed"),
        "no_data": ("无数据", "No data"),
        "insufficient_sample": ("样本不足", "Insufficient sample"),
        "no_target": ("无目标值", "No target"),
    },
    "period_type": {
        "term": ("学期", "Term"),
        "month": ("月", "Month"),
        "year": ("年度", "Year"),
    },
    "load_outcome": {
        "published": ("已发布", "Published"),
        "published_with_rejections": ("已发布（有文件被拒收）", "Published with rejections"),
        "nothing_new": ("无新数据", "Nothing new"),
        "failed": ("失败", "Failed"),
        "rejected": ("拒收", "Rejected"),
    },
    "file_status": {
        "loaded": ("已入库", "Loaded"),
        "skipped": ("已跳过（此前已入库）", "Skipped (loaded before)"),
        "rejected": ("拒收", "Rejected"),
        "ignored": ("已忽略", "Ignored"),
    },
    "dq_severity": {
        "critical": ("严重", "Critical"),
        "warning": ("警告", "Warning"),
    },
    "dq_stage": {
        "batch": ("入库批次", "Batch"),
        "build": ("建模", "Build"),
        "marts": ("结果表", "Marts"),
    },
    "source": {
        name: (src.zh, name.replace("_", " ").capitalize()) for name, src in sources.SOURCES.items()
    },
    "orphan_reason": {
        "school_not_in_registry": ("学校不在学校名录中", "School not in the registry"),
        "school_inactive": ("学校已停办", "School not active"),
        "district_not_in_registry": ("区县不在区县名录中", "District not in the district list"),
        "supplier_not_in_registry": (
            "供应商不在供应商名录中",
            "Supplier not in the supplier registry",
        ),
    },
    "score_item": {
        "overall": ("总体满意度", "Overall"),
        "taste": ("口味", "Taste"),
        "portion": ("分量", "Portion"),
        "hygiene": ("卫生", "Hygiene"),
        "price": ("价格", "Price"),
        "service": ("服务", "Service"),
    },
}
_ENUM_BOTH["source"]["enrollment"] = ("在校生", "Enrolment")

# --- fixed labels ------------------------------------------------------------------------
TEXT: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("学校午餐与课后服务监测", "School lunch and after-school monitor"),
    "app.subtitle": ("教育局政策看板", "Education bureau policy dashboard"),
    "app.language": ("语言 Language", "Language 语言"),
    "app.as_of": ("数据截至 {date}", "Data as of {date}"),
    "app.built_at": ("更新于 {time}", "Built {time}"),
    "app.warehouse": ("数据仓库：{path}", "Warehouse: {path}"),
    "app.filters": ("筛选", "Filters"),
    "app.error": ("无法读取数据仓库：{message}", "The warehouse could not be read: {message}"),
    "app.reload_hint": (
        "数据已在加载后更新，请刷新页面。",
        "The data changed with a new load; refresh the page.",
    ),
    # navigation
    "page.overview": ("总览", "Overview"),
    "page.district": ("区县", "District"),
    "page.funding": ("资金", "Funding"),
    "page.satisfaction": ("满意度", "Satisfaction"),
    "page.issues": ("问题整改", "Issues"),
    "page.quality": ("数据质量", "Data quality"),
    "page.sql": ("SQL 查询", "SQL query"),
    "page.upload": ("数据上报", "Upload"),
    "page.accounts": ("账号", "Accounts"),
    "page.reporting": ("上报情况", "Reporting"),
    "reporting.title": ("上报情况", "Reporting"),
    # 上报情况 (reporting)
    "reporting.sources": (
        "各区县各类数据最近一次上报",
        "The last file received per district and source",
    ),
    "reporting.deadline_note": (
        "按时上报率：收到时间（导入时间，或导入时以 --received 注明的收到日期）不晚于该类数据"
        "截止时间的文件所占比例。截止时间：{rules}。",
        "On-time share: the files received (the load time, or the day given with --received) "
        "by their source's deadline. Deadlines: {rules}.",
    ),
    "reporting.no_deadline": (
        "未设截止时间的数据类型不计按时率。",
        "Sources without a deadline have no share.",
    ),
    "reporting.missing": (
        "最近两周未上报就餐人数的供餐日",
        "Serving days of the last two weeks without participation figures",
    ),
    "reporting.missing_note": (
        "供餐日：本区县有学校上报就餐人数的日子。",
        "A serving day: a day any school of the district reported participation.",
    ),
    "reporting.copy": (
        "未上报名单（点右上角复制，粘贴到群里）",
        "The missing-report list (copy it with the icon at the top right, paste it into a group)",
    ),
    "reporting.all_reported": (
        "最近两周所有供餐学校均已上报。",
        "Every lunch-serving school reported in the last two weeks.",
    ),
    "col.received_at": ("收到时间", "Received"),
    "col.submitted_by": ("上报账号", "Submitted by"),
    "col.first_day": ("覆盖起", "Covers from"),
    "col.last_day": ("覆盖止", "Covers to"),
    "col.files": ("文件数", "Files"),
    "col.on_time_share": ("按时上报率", "On-time share"),
    "col.missing_days": ("未上报天数", "Days not reported"),
    "col.missing_dates": ("未上报日期", "Dates not reported"),
    # empty warehouse
    "empty.title": ("还没有可展示的数据", "No data to show yet"),
    "empty.missing": (
        "没有找到数据仓库文件 `{path}`。",
        "The warehouse file `{path}` does not exist.",
    ),
    "empty.not_built": (
        "数据仓库 `{path}` 中还没有指标结果表（尚未成功加载数据）。",
        "The warehouse `{path}` holds no KPI tables yet (no successful load).",
    ),
    "empty.how": (
        "把收到的报表（.csv、.xlsx）放进一个文件夹，然后在命令行运行：",
        "Put the spreadsheets you received (.csv, .xlsx) in a folder and run:",
    ),
    "empty.demo": (
        "想先看看效果？运行示例数据：",
        "To try it out with sample data, run:",
    ),
    "empty.after": (
        "加载完成后刷新本页即可，无需重启看板。",
        "Refresh this page when the load has finished; the dashboard need not restart.",
    ),
    "empty.no_rows": ("所选条件下没有数据。", "No data for this selection."),
    # filters
    "filter.period_type": ("周期类型", "Period type"),
    "filter.period": ("周期", "Period"),
    "filter.district": ("区县", "District"),
    "filter.all_districts": ("全部区县", "All districts"),
    "filter.stage": ("学段", "School stage"),
    "filter.location": ("城乡类型", "Urban / rural"),
    "filter.all": ("全部", "All"),
    "filter.year": ("年度", "Year"),
    "filter.kpi": ("指标", "KPI"),
    "filter.school_scope_note": (
        "学段、城乡筛选作用于学校明细；指标卡按区县整体计算。",
        "Stage and urban/rural filters apply to school-level tables; KPI cards cover whole districts.",
    ),
    # KPI cards and grid
    "kpi.target": ("目标 {target}", "Target {target}"),
    "kpi.no_target": ("无目标值", "No target"),
    "kpi.vs_prev": ("较{period}", "vs {period}"),
    "kpi.no_prev": ("无上期数据", "No previous period"),
    "kpi.n": ("样本 {n}", "n = {n}"),
    "kpi.not_yet_due": (
        "其中 {n} 个问题未到整改期限，不算逾期",
        "{n} of them not yet due: open, not late",
    ),
    "kpi.value": ("数值", "Value"),
    "kpi.status": ("状态", "Status"),
    "kpi.numerator": ("分子", "Numerator"),
    "kpi.denominator": ("分母", "Denominator"),
    "kpi.ci": ("95%置信区间", "95% interval"),
    "legend.title": ("图例", "Legend"),
    # overview
    "overview.title": ("总览", "Overview"),
    "overview.cards": ("全域指标（{period}）", "Whole jurisdiction ({period})"),
    "overview.grid": ("区县 × 指标达标情况", "Districts × KPIs: status"),
    "overview.map": ("区县地图", "District map"),
    "overview.map_kpi": ("地图指标", "KPI on the map"),
    "overview.no_boundary": (
        "以下报告单位没有官方行政区划边界，未在地图上显示：",
        "These reporting units have no official boundary and are not on the map:",
    ),
    "overview.map_source": (
        "边界数据：{package}（{licence} 许可），按行政区划代码匹配。",
        "Boundaries: {package} ({licence} licence), matched by administrative division code.",
    ),
    "overview.no_boundaries": (
        "没有可用的行政区划边界数据，按列表显示。",
        "No boundary data available: shown as a list.",
    ),
    "overview.ranking": ("区县排名", "District ranking"),
    "overview.grid_table": ("按区县的指标明细", "KPIs by district, as a table"),
    # district page
    "district.title": ("区县详情", "District detail"),
    "district.pick": ("选择区县", "Choose a district"),
    "district.cards": ("{district}（{period}）", "{district} ({period})"),
    "district.trends": ("月度趋势与目标", "Monthly trend against target"),
    "district.trend_kpi": ("趋势指标", "KPIs in the trend"),
    "district.schools": ("学校列表", "Schools"),
    "district.school_pick": ("查看学校", "Open a school"),
    "district.school_placeholder": ("选择学校", "Choose a school"),
    "district.school_hint": (
        "点击上表中学校所在的行，或在此选择学校，查看其每日就餐与问题详情。",
        "Click a school's row in the table above, or choose it here, to see its daily "
        "figures and issues.",
    ),
    "district.school_detail": ("学校详情：{school}", "School detail: {school}"),
    "district.daily": ("每日就餐与课后服务人数", "Daily lunch and after-school students"),
    "district.school_issues": ("该校问题整改", "Issues of this school"),
    "district.no_schools": ("该区县没有符合条件的学校。", "No school of this district matches."),
    # funding
    "funding.title": ("资金下达与支出", "Funding: allocation and spending"),
    "funding.by_program": ("按项目：下达与支出", "By programme: allocated and spent"),
    "funding.by_district": ("按区县：下达与支出", "By district: allocated and spent"),
    "funding.pace": ("累计支出进度与目标进度", "Year-to-date spending against the target pace"),
    "funding.execution": ("预算执行率", "Budget execution rate"),
    "funding.table": ("资金明细", "Funding table"),
    "funding.allocated": ("下达资金", "Allocated"),
    "funding.spent": ("支出", "Spent"),
    "funding.balance": ("结余", "Balance"),
    "funding.ytd_share": ("累计执行率", "Execution to date"),
    "funding.target_pace": ("目标进度", "Target pace"),
    "funding.no_budget": ("该年度没有下达资金记录。", "No allocation recorded for this year."),
    # satisfaction
    "sat.title": ("满意度", "Satisfaction"),
    "sat.by_district": (
        "各区县满意率（95%置信区间）",
        "Satisfaction rate by district (95% interval)",
    ),
    "sat.by_respondent": ("按填写人身份", "By respondent type"),
    "sat.items": ("分项得分（1–5分）", "Item scores (1–5)"),
    "sat.responses": ("样本量", "Responses"),
    "sat.satisfied": ("满意人数", "Satisfied"),
    "sat.rate": ("满意率", "Satisfaction rate"),
    "sat.mean": ("平均分", "Mean score"),
    "sat.insufficient_note": (
        "样本不足（少于{n}份）的结果仅供参考，不判断达标与否。",
        "Results with fewer than {n} responses are shown for reference and not judged.",
    ),
    # issues
    "issues.title": ("问题整改", "Issue rectification"),
    "issues.per_month": ("每月发现与整改问题数", "Issues found and closed per month"),
    "issues.found": ("发现", "Found"),
    "issues.closed": ("已整改", "Closed"),
    "issues.open_list": ("未整改及逾期问题", "Open and overdue issues"),
    "issues.by_category": ("按问题类别", "By category"),
    "issues.by_source": ("按问题来源", "By source"),
    "issues.days_overdue": ("逾期天数", "Days overdue"),
    "issues.open_count": ("未整改", "Open"),
    "issues.overdue_count": ("已逾期", "Overdue"),
    "issues.only_overdue": ("只看逾期", "Overdue only"),
    "issues.not_yet_due": ("未到期", "Not yet due"),
    "issues.rate_above": ("柱上数值", "above the bars"),
    "issues.due_closure_rate": ("到期整改率", "Closed of due"),
    "issues.closure_by_month": (
        "按发现月份的整改情况（未到期问题不计入整改率）",
        "Closure by month found (issues not yet due are not counted against the rate)",
    ),
    # data quality
    "dq.title": ("数据质量", "Data quality"),
    "dq.loads": ("最近的加载", "Recent loads"),
    "dq.files": ("文件处理结果", "Files and their outcome"),
    "dq.quarantine": ("被隔离的数据行", "Quarantined rows"),
    "dq.reason": ("原因", "Reason"),
    "dq.checks": ("质量检查结果", "Quality check results"),
    "dq.only_failed": ("只看未通过", "Failed checks only"),
    "dq.completeness": ("各区县数据填报完整率", "Reporting completeness by district"),
    "dq.no_audit": ("数据仓库中没有加载记录。", "The warehouse has no load records."),
    "dq.orphans": (
        "未计入指标的数据（学校或区县不在名录中）",
        "Rows left out of the KPIs (school or district not in the registry)",
    ),
    "dq.passed": ("通过", "Passed"),
    "dq.failed": ("未通过", "Failed"),
    # SQL page
    "sql.title": ("SQL 查询", "SQL query"),
    "sql.intro": (
        "只读查询：最长 {timeout} 秒，最多返回 {rows} 行。",
        "Read-only: at most {timeout} seconds and {rows} rows.",
    ),
    "sql.query": ("查询语句", "Query"),
    "sql.run": ("运行", "Run"),
    "sql.examples": ("示例查询", "Example queries"),
    "sql.tables": ("表和字段", "Tables and columns"),
    "sql.truncated": ("结果已截断为前 {rows} 行。", "Result cut to the first {rows} rows."),
    "sql.elapsed": ("{rows} 行，用时 {seconds:.2f} 秒", "{rows} rows in {seconds:.2f} s"),
    "sql.error": ("查询出错：{message}", "The query failed: {message}"),
    "sql.unavailable": (
        "SQL 查询模块不可用：{message}",
        "The SQL engine is not available: {message}",
    ),
    # downloads
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    # chart axes and columns
    "col.district": ("区县", "District"),
    "col.district_code": ("区县代码", "District code"),
    "col.district_kind": ("类型", "Kind"),
    "col.school": ("学校", "School"),
    "col.school_code": ("学校代码", "School code"),
    "col.stage": ("学段", "Stage"),
    "col.ownership": ("办学性质", "Ownership"),
    "col.location": ("城乡类型", "Urban / rural"),
    "col.enrolled": ("在校生数", "Enrolment"),
    "col.lunch_mode": ("供餐模式", "Lunch mode"),
    "col.avg_lunch": ("日均就餐人数", "Avg. daily lunch students"),
    "col.avg_after_school": ("日均课后服务人数", "Avg. daily after-school students"),
    "col.days_reported": ("填报天数", "Days reported"),
    "col.completeness": ("填报完整率", "Completeness"),
    "col.open_issues": ("未整改问题", "Open issues"),
    "col.kpi": ("指标", "KPI"),
    "col.period": ("周期", "Period"),
    "col.month": ("月份", "Month"),
    "col.date": ("日期", "Date"),
    "col.value": ("数值", "Value"),
    "col.target": ("目标", "Target"),
    "col.gap": ("距目标差距", "Gap to target"),
    "kpi.prev_short": ("环比", "PoP"),
    "file.no_boundary": ("无边界", "no-boundary"),
    "download.make_figures": ("生成本页图表（PNG）", "Make the page's figures (PNG)"),
    "download.make_summary": ("生成一页摘要（PDF）", "Make the one-page summary (PDF)"),
    "download.make_deck": ("生成本页简报（PPTX）", "Make the page's briefing (PPTX)"),
    "download.making": ("正在生成{what}……", "Making {what}…"),
    "download.failed": (
        "{what}生成失败：{error}。请稍后重试。",
        "{what} could not be made: {error}. Please try again later.",
    ),
    "kpi.yoy_short": ("同比", "YoY"),
    "rank.place": ("第 {rank} 名（共 {n} 个）", "Rank {rank} of {n}"),
    "rank.place_tied": ("并列第 {rank} 名（共 {n} 个）", "Joint rank {rank} of {n}"),
    "rank.up": ("较上期 ↑{n}", "↑{n} vs previous"),
    "rank.down": ("较上期 ↓{n}", "↓{n} vs previous"),
    "rank.same": ("名次不变", "rank unchanged"),
    "rank.short": ("第{rank}名", "#{rank}"),
    "rank.short_tied": ("并列第{rank}名", "joint #{rank}"),
    "rank.short_same": ("不变", "same"),
    "brief.find.rank_up": ("，较上期上升 {n} 位", ", up {n} on the previous period"),
    "brief.find.rank_down": ("，较上期下降 {n} 位", ", down {n} on the previous period"),
    "brief.find.rank_same": ("，与上期名次相同", ", the same rank as the previous period"),
    "chart.change_in_points": ("（个百分点）", " (pp)"),
    "chart.changes_in_points": ("环比 · 同比（个百分点）", "PoP · YoY (pp)"),
    "chart.grid_changes": (
        "格内数值下方：环比（较上期）与同比（较上年同期），比率为个百分点",
        "Under a cell's value: change on the previous period (PoP) and on the same period"
        " a year before (YoY); shares in percentage points",
    ),
    "col.status": ("状态", "Status"),
    "col.program": ("项目", "Programme"),
    "col.allocated": ("下达资金", "Allocated"),
    "col.spent": ("支出", "Spent"),
    "col.execution": ("执行率", "Execution"),
    "col.respondent": ("填写人身份", "Respondent"),
    "col.responses": ("样本量", "Responses"),
    "col.satisfied": ("满意人数", "Satisfied"),
    "col.rate": ("满意率", "Rate"),
    "col.ci_lower": ("置信下限", "Lower bound"),
    "col.ci_upper": ("置信上限", "Upper bound"),
    "col.item": ("分项", "Item"),
    "col.mean_score": ("平均分", "Mean score"),
    "col.issue_id": ("问题编号", "Issue"),
    "col.found_date": ("发现日期", "Found"),
    "col.deadline": ("整改期限", "Deadline"),
    "col.closed_date": ("整改完成日期", "Closed"),
    "col.category": ("问题类别", "Category"),
    "col.source": ("问题来源", "Source"),
    "col.severity": ("严重程度", "Severity"),
    "col.issue_status": ("整改状态", "Status"),
    "col.days_overdue": ("逾期天数", "Days overdue"),
    "col.issues_found": ("发现问题数", "Found"),
    "col.issues_closed": ("已整改数", "Closed"),
    "col.closure_rate": ("整改率", "Closure rate"),
    "col.on_time_rate": ("按期整改率", "On-time rate"),
    "col.median_days": ("整改天数中位数", "Median days to close"),
    "col.lunch_students": ("就餐人数", "Lunch students"),
    "col.after_school_students": ("课后服务人数", "After-school students"),
    "col.load_id": ("加载批次", "Load"),
    "col.started_at": ("开始时间", "Started"),
    "col.finished_at": ("结束时间", "Finished"),
    "col.outcome": ("结果", "Outcome"),
    "col.files_loaded": ("入库文件", "Files loaded"),
    "col.files_skipped": ("跳过文件", "Files skipped"),
    "col.files_rejected": ("拒收文件", "Files rejected"),
    "col.rows_landed": ("入库行数", "Rows landed"),
    "col.rows_quarantined": ("隔离行数", "Rows quarantined"),
    "col.rows_dropped": ("剔除行数（合计、备注）", "Rows dropped (totals, notes)"),
    "col.message": ("说明", "Message"),
    "col.file_name": ("文件", "File"),
    "col.sheet": ("工作表", "Sheet"),
    "col.data_source": ("数据类型", "Source"),
    "col.file_status": ("处理结果", "Outcome"),
    "col.rows_read": ("读取行数", "Rows read"),
    "col.header_row": ("表头所在行", "Header row"),
    "col.encoding": ("编码", "Encoding"),
    "col.row_number": ("行号", "Row"),
    "col.column_name": ("列", "Column"),
    "col.raw_value": ("原始值", "Raw value"),
    "col.reason": ("原因", "Reason"),
    "col.file_rejected": ("整个文件被拒收", "File rejected"),
    "col.checked_at": ("检查时间", "Checked"),
    "col.stage_dq": ("环节", "Stage"),
    "col.suite": ("检查套件", "Suite"),
    "col.check": ("检查项", "Check"),
    "col.check_target": ("检查对象", "Target"),
    "col.dq_severity": ("级别", "Severity"),
    "col.success": ("是否通过", "Passed"),
    "col.unexpected": ("异常数", "Unexpected"),
    "col.elements": ("检查数", "Checked"),
    "col.row_count": ("行数", "Rows"),
    "col.excluded": ("未计入指标", "Left out of KPIs"),
    "col.example": ("示例", "Example"),
    "col.first_date": ("最早日期", "First date"),
    "col.last_date": ("最晚日期", "Last date"),
    "col.table": ("表", "Table"),
    "col.column": ("字段", "Column"),
    "col.type": ("类型", "Type"),
    "col.ytd_spent": ("累计支出", "Spent to date"),
    "col.ytd_share": ("累计执行率", "Execution to date"),
    "col.target_pace": ("目标进度", "Target pace"),
    "chart.target": ("目标", "Target"),
    "chart.students": ("人数", "Students"),
    "chart.amount_in": ("金额（{unit}）", "Amount ({unit})"),
    "chart.count": ("数量", "Count"),
    "label.with_n": ("{label}（n={n}）", "{label} (n={n})"),
    "label.with_code": ("{name}（{code}）", "{name} ({code})"),
    "unit.yuan": ("（元）", " (yuan)"),
    "unit.percent": ("（%）", " (%)"),
    "unit.kpi_value": ("（比率按%，天数按天）", " (% or days)"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "empty.folder": ("收到的报表/", "received_files/"),
    "sql.example.coverage": (
        "各区县最近学期的午餐供餐覆盖率",
        "Lunch coverage by district, latest term",
    ),
    "sql.example.kpis": ("全域各指标（按学期）", "All KPIs of the jurisdiction by term"),
    "sql.example.overdue": ("逾期未整改问题", "Overdue open issues"),
    "sql.example.spending": ("每月各项目支出", "Spending per month and programme"),
    "sql.example.quarantine": ("被隔离的数据行", "Quarantined rows"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
}


# The briefings' own words (slide titles, finding sentences, file-name parts), keyed
# `brief.*`; schoolwh.briefing.labels.tr reads them from here.
TEXT.update(
    {
        # scope and title slide
        "brief.scope.all": ("全域", "All districts"),
        "brief.scope.all_file": ("全域", "all-districts"),
        "brief.scope.districts": ("全域（{n} 个区县）", "Whole jurisdiction ({n} districts)"),
        "brief.scope.jurisdiction": ("全域", "Whole jurisdiction"),
        "brief.deck.title": (
            "{place}学校午餐与课后服务工作简报",
            "School lunch and after-school briefing: {place}",
        ),
        "brief.deck.subtitle": ("{period} · {scope}", "{period} · {scope}"),
        "brief.deck.footer": (
            "{place} · {period} · 数据截至 {date}",
            "{place} · {period} · data as of {date}",
        ),
        "brief.deck.source": (
            "数据来源：各区县报送的报表，经数据仓库加载与质量检查后汇总。",
            "Source: the districts' reports, loaded and checked by the warehouse.",
        ),
        # overview table
        "brief.overview.title": ("指标概览", "KPI overview"),
        "brief.overview.col.kpi": ("指标", "KPI"),
        "brief.overview.col.value": ("本期", "This period"),
        "brief.overview.col.target": ("目标", "Target"),
        "brief.overview.col.status": ("状态", "Status"),
        "brief.overview.col.change": ("较上期", "Change"),
        "brief.overview.col.detail": ("分子 / 分母", "Numerator / denominator"),
        "brief.overview.prev_note": (
            "较上期：与{period}相比；比率的变化以百分点计。",
            "Change: against {period}; changes of rates in percentage points.",
        ),
        "brief.overview.no_prev_note": (
            "没有上一期数据可比较。",
            "No previous period to compare with.",
        ),
        # figure and slide names
        "brief.fig.kpi_summary": ("指标概览", "KPI summary"),
        "brief.fig.status_grid": ("区县达标情况", "District status"),
        "brief.fig.ranking": ("{kpi}_区县排名", "{kpi}_district-ranking"),
        "brief.fig.trend": ("{kpi}_月度趋势", "{kpi}_monthly-trend"),
        "brief.fig.satisfaction": ("满意率", "satisfaction-rate"),
        "brief.fig.funding_pace": ("资金执行进度", "funding-pace"),
        "brief.fig.issues_month": ("问题发现与整改", "issues-found-closed"),
        "brief.fig.overdue": ("逾期问题", "overdue-issues"),
        "brief.fig.deck": ("简报", "briefing"),
        "brief.fig.figures": ("图表", "figures"),
        "brief.slide.status_grid": ("区县 × 指标达标情况", "Districts × KPIs: status"),
        "brief.slide.ranking_title": ("{kpi}：区县排名", "{kpi}: districts ranked"),
        "brief.slide.satisfaction_title": (
            "满意率：各区县及95%置信区间",
            "Satisfaction rate by district, with 95% intervals",
        ),
        "brief.slide.trends": ("月度趋势与目标", "Monthly trends against target"),
        "brief.slide.trends_more": (
            "月度趋势与目标（续）",
            "Monthly trends against target (cont.)",
        ),
        "brief.slide.funding": (
            "资金执行进度：累计支出与目标进度",
            "Funding: spending to date against the target pace",
        ),
        "brief.slide.issues": ("问题发现与整改", "Issues found and closed"),
        "brief.slide.overdue": ("逾期未整改问题", "Overdue open issues"),
        "brief.slide.quality": ("数据质量", "Data quality"),
        "brief.slide.findings": ("要点", "Findings"),
        "brief.slide.highlight": ("▶ {name}", "▶ {name}"),
        "brief.slide.no_data": ("本期没有数据。", "No data for this period."),
        # findings: headline
        "brief.find.headline_target": (
            "{scope} {value}（目标 {target}），{status}",
            "{scope}: {value} (target {target}), {status}",
        ),
        "brief.find.headline": ("{scope} {value}", "{scope}: {value}"),
        "brief.find.change_suffix": ("；较{period}{change}", "; {change} vs {period}"),
        "brief.find.no_data": ("{scope}本期没有数据", "{scope}: no data for this period"),
        "brief.find.end": ("。", "."),
        # findings: districts
        "brief.find.below": ("{n} 个区县低于目标：{names}", "{n} districts below target: {names}"),
        "brief.find.below_more": ("{names} 等", "{names} and others"),
        "brief.find.trend": (
            "{kpi}：{first_month} {first} → {last_month} {last}，最差 {low_month} {low}",
            "{kpi}: {first} in {first_month} → {last} in {last_month}; worst {low} in {low_month}",
        ),
        "brief.find.schools_below": (
            "{n} 所学校低于目标，最低：{names}",
            "{n} schools below target, lowest: {names}",
        ),
        "brief.find.all_met": ("{n} 个区县全部达到目标", "All {n} districts met the target"),
        "brief.find.insufficient": (
            "另有 {n} 个区县样本不足 {min} 份，仅供参考",
            "{n} more districts have fewer than {min} responses (for reference only)",
        ),
        "brief.find.range_high_low": (
            "最高：{high}；最低：{low}",
            "Highest: {high}; lowest: {low}",
        ),
        "brief.find.range_fast_slow": (
            "最快：{best}；最慢：{worst}",
            "Fastest: {best}; slowest: {worst}",
        ),
        "brief.find.largest_change": (
            "较{period}变化最大：{name} {change}（{before} → {after}）",
            "Largest change vs {period}: {name} {change} ({before} → {after})",
        ),
        "brief.find.no_change": (
            "各区县与{period}相比均无变化",
            "No district changed since {period}",
        ),
        "brief.find.rank": (
            "在 {n} 个区县中排第 {rank} 位；全域为 {overall}",
            "Ranked {rank} of {n} districts; the whole jurisdiction: {overall}",
        ),
        "brief.find.month_low": ("月度最低：{month} {value}", "Lowest month: {month} {value}"),
        "brief.find.name_value": ("{name} {value}", "{name} {value}"),
        "brief.find.sep": ("、", ", "),
        # findings: what a KPI counts
        "brief.detail.lunch_coverage": (
            "{den} 所学校中 {num} 所供应午餐",
            "{num} of {den} schools serve lunch",
        ),
        "brief.detail.after_school_coverage": (
            "{den} 所学校中 {num} 所开展课后服务",
            "{num} of {den} schools run after-school service",
        ),
        "brief.detail.eating_share": (
            "日均在校就餐 {num} 人，在校生 {den} 人",
            "{num} students eat at school on an average day, of {den} enrolled",
        ),
        "brief.detail.lunch_demand_met": (
            "日均就餐 {num} 人，有就餐需求 {den} 人",
            "{num} students eat lunch on an average day, {den} with lunch need",
        ),
        "brief.detail.after_school_share": (
            "日均参加课后服务 {num} 人，在校生 {den} 人",
            "{num} students in after-school service on an average day, of {den} enrolled",
        ),
        "brief.detail.after_school_demand_met": (
            "日均参加课后服务 {num} 人，有需求 {den} 人",
            "{num} students in after-school service on an average day, {den} with need",
        ),
        "brief.detail.budget_execution": (
            "累计支出 {num_money}，下达资金 {den_money}",
            "Spent to date {num_money} of {den_money} allocated",
        ),
        "brief.detail.satisfaction_rate": (
            "样本 {den} 份，满意 {num} 份，95%置信区间 {lo}–{hi}",
            "{den} responses, {num} satisfied, 95% interval {lo}–{hi}",
        ),
        "brief.detail.issue_closure_rate": (
            "本期发现问题 {den} 个，已整改 {num} 个",
            "{den} issues found in the period, {num} closed",
        ),
        "brief.detail.issue_on_time_rate": (
            "应按期整改 {den} 个，按期完成 {num} 个",
            "{num} of {den} issues due were closed on time",
        ),
        "brief.detail.reporting_completeness": (
            "应填报 {den} 校日，已填报 {num} 校日",
            "{num} of {den} school-days reported",
        ),
        # funding slide
        "brief.funding.headline": (
            "{year}年下达资金 {allocated}，累计支出 {spent}，执行率 {share}；目标进度 {pace}",
            "{year}: {allocated} allocated, {spent} spent to date ({share}); target pace {pace}",
        ),
        "brief.funding.no_budget": (
            "{year}年没有下达资金记录",
            "No allocation recorded for {year}",
        ),
        "brief.funding.behind": (
            "低于目标进度的区县 {n} 个：{names}",
            "{n} districts behind the target pace: {names}",
        ),
        "brief.funding.none_behind": (
            "各区县均达到目标进度",
            "Every district is on the target pace",
        ),
        # issues slides
        "brief.issues.period": (
            "本期发现问题 {found} 个，已整改 {closed} 个，整改率 {rate}",
            "{found} issues found in the period, {closed} closed ({rate})",
        ),
        "brief.issues.open_now": (
            "截至 {date}，未整改问题 {open} 个，其中逾期 {overdue} 个",
            "As of {date}: {open} issues open, {overdue} of them overdue",
        ),
        "brief.issues.busiest": (
            "发现问题最多的月份：{month}（{n} 个）",
            "Most issues found in {month} ({n})",
        ),
        "brief.overdue.none": (
            "截至 {date} 没有逾期未整改的问题。",
            "No overdue open issue as of {date}.",
        ),
        "brief.overdue.count": (
            "截至 {date}，逾期未整改问题 {n} 个；最长逾期 {days} 天",
            "As of {date}: {n} overdue open issues; the longest {days} days overdue",
        ),
        "brief.overdue.most": ("逾期问题最多：{names}", "Most overdue issues: {names}"),
        "brief.overdue.table_more": ("另有 {n} 个未列出", "{n} more not listed"),
        "brief.overdue.col.where": ("区县 / 学校", "District / school"),
        "brief.overdue.col.category": ("问题类别", "Category"),
        "brief.overdue.col.severity": ("严重程度", "Severity"),
        "brief.overdue.col.deadline": ("整改期限", "Deadline"),
        "brief.overdue.col.days": ("逾期天数", "Days overdue"),
        "brief.overdue.by_district": (
            "各区县逾期问题（按严重程度）",
            "Overdue issues by district and severity",
        ),
        "brief.overdue.by_category": (
            "逾期问题（按类别与严重程度）",
            "Overdue issues by category and severity",
        ),
        # data quality slide
        "brief.dq.completeness": ("数据填报完整率：{value}", "Reporting completeness: {value}"),
        "brief.dq.completeness_low": (
            "填报完整率最低：{names}",
            "Lowest reporting completeness: {names}",
        ),
        "brief.dq.completeness_na": (
            "数据填报完整率按学期和月计算，本期（年度）不适用",
            "Reporting completeness is computed by term and month, not by year",
        ),
        "brief.dq.last_load": (
            "最近一次加载 #{load_id}（{when}）：{outcome}，入库 {rows} 行",
            "Latest load #{load_id} ({when}): {outcome}, {rows} rows landed",
        ),
        "brief.dq.quarantined": (
            "累计隔离数据行 {n} 行（未进入指标计算，需报送单位更正后重新报送）",
            "{n} rows quarantined in all loads (left out of the KPIs until corrected and resent)",
        ),
        "brief.dq.no_quarantine": ("没有被隔离的数据行", "No row was quarantined"),
        "brief.dq.checks": (
            "最近一次加载质量检查 {total} 项：通过 {passed} 项，警告 {warnings} 项，严重问题 {critical} 项",
            "Quality checks of the latest load: {total}, {passed} passed, {warnings} warnings, "
            "{critical} critical failures",
        ),
        "brief.dq.orphans": (
            "{n} 行数据因学校或区县不在名录中未计入指标",
            "{n} rows left out of the KPIs: school or district not in the registry",
        ),
        "brief.dq.no_audit": ("数据仓库中没有加载记录", "The warehouse has no load records"),
        "brief.dq.table_more": ("另有 {n} 行未列出", "{n} more rows not listed"),
        # dashboard buttons
        "brief.download.figures": ("下载本页图表（PNG）", "Download the page's figures (PNG)"),
        "brief.download.deck": ("下载本页简报（PPTX）", "Download the page's briefing (PPTX)"),
        "brief.download.help": (
            "按当前筛选生成，约需 10–30 秒。",
            "Made for the current selection; takes about 10–30 seconds.",
        ),
        "brief.dq.col.source": ("数据来源", "Source"),
        "brief.dq.col.reason": ("原因", "Reason"),
        "brief.dq.col.rows": ("行数", "Rows"),
        "brief.dq.scope_note": (
            "隔离与检查结果为全域数据。",
            "Quarantine and checks cover the whole jurisdiction.",
        ),
    }
)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The label for `key` in `lang`, with `{placeholders}` filled from `values`."""
    text = _pick(TEXT[key], lang)
    return text.format(**values) if values else text


# Pages whose heading key is not `<page>.title`.
_PAGE_TITLE_KEYS = {"satisfaction": "sat.title", "quality": "dq.title"}


def page_title(page: str, lang: str = DEFAULT_LANG) -> str:
    """A dashboard page's heading (总览, 区县详情 …), by the page's address name."""
    return t(_PAGE_TITLE_KEYS.get(page, f"{page}.title"), lang)


def kpi_name(kpi: str, lang: str = DEFAULT_LANG) -> str:
    """The KPI's name in `lang`, from the warehouse whose KPIs are shown (its
    marts.kpi_definitions); a KPI that warehouse does not define is shown by its id."""
    definition = definitions_in_use().get(kpi)
    return definition.name(lang) if definition else kpi


def enum_label(kind: str, value: Any, lang: str = DEFAULT_LANG) -> str:
    """The label of an enumeration value; unknown values are shown as they are."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    key = str(value)
    if kind == "quarantine_reason":
        from schoolwh.core.reasons import REASONS

        pair = REASONS.get(key)
        return _pick(pair, lang) if pair else key
    if kind in _ENUM_BOTH:
        pair = _ENUM_BOTH[kind].get(key)
        return _pick(pair, lang) if pair else key
    table = _ENUM_EN.get(kind, {}) if lang == "en" else _ENUM_ZH.get(kind, {})
    return table.get(key, key)


def status_label(status: Any, lang: str = DEFAULT_LANG) -> str:
    from schoolwh.reading.status import normalise

    return enum_label("status", normalise(status), lang)


def yes_no(value: Any, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return t("yes" if bool(value) else "no", lang)


# The synthetic sample's label: every page, figure footer and the deck's first slide.
TEXT.update(
    {
        "sample.label": ("示例数据（合成）", "Sample data (synthetic)"),
        "sample.banner": (
            "示例数据（合成）：本看板展示的是程序生成的示例数据，不是真实的学校或区县数据。",
            "Sample data (synthetic): the figures on this dashboard were made by a program; "
            "they are not real schools or districts.",
        ),
    }
)


# One number style per unit: money in tables is 万元 (zh) or million yuan (en) with two
# decimals, and the header says so.
TEXT.update(
    {
        "unit.money_table": ("（万元）", " (¥ million)"),
        "dq.file_list": ("{n} 个文件：{names}", "{n} files: {names}"),
        "dq.file_list_more": ("等", ", …"),
        "col.check_object": ("检查对象", "Checked"),
    }
)


# The one-page A4 summary (PDF) of `schoolwh briefing` and of every page's download row.
TEXT.update(
    {
        "brief.fig.summary": ("一页摘要", "one-page-summary"),
        "brief.download.summary": ("一页摘要 PDF", "One-page summary (PDF)"),
    }
)


# 持平 for no change; ties in rankings; 全市/全县/全区 from the jurisdiction's kind; the
# deck's conclusions first and its appendix.
TEXT.update(
    {
        "kpi.flat": ("与{period}持平", "unchanged vs {period}"),
        "kpi.flat_plain": ("持平", "unchanged"),
        "brief.find.flat_suffix": ("；与{period}持平", "; unchanged vs {period}"),
        "brief.find.rank_tied": (
            "与另外 {others} 个区县并列第 {rank} 位（共 {n} 个）{change}；{whole}为 {overall}",
            "Tied {rank} of {n} districts with {others} other(s){change}; {whole}: {overall}",
        ),
        "brief.find.rank_all_tied": (
            "{n} 个区县均为 {value}，并列；{whole}为 {overall}",
            "All {n} districts are at {value} (tied); {whole}: {overall}",
        ),
        "brief.scope.whole_n": ("{whole}（{n} 个区县）", "{whole} ({n} districts)"),
        "brief.find.rank_whole": (
            "在 {n} 个区县中排第 {rank} 位{change}；{whole}为 {overall}",
            "Ranked {rank} of {n} districts{change}; {whole}: {overall}",
        ),
        "brief.slide.conclusions": ("结论与建议", "Conclusions and recommendations"),
        "brief.slide.conclusions_head": ("结论", "Conclusions"),
        "brief.slide.recommendations_head": ("建议", "Recommendations"),
        "brief.slide.appendix": ("附录", "Appendix"),
        "brief.slide.appendix_note": (
            "以下为其余指标、月度趋势与数据质量的明细。",
            "Further KPIs, monthly trends and data quality in detail.",
        ),
        "brief.rec.missed": (
            "{kpi}未达标：请{names}重点整改，下期复核。",
            "{kpi} below target: ask {names} to act first; review next period.",
        ),
        # what to do, by the KPI's topic (marts.kpi_definitions.topic); a KPI of another
        # topic gets brief.rec.missed
        "brief.rec.topic.coverage": (
            "{kpi}仅 {value}：请{names}列出尚未开通的学校和开通时间表。",
            "{kpi} only {value}: ask {names} for the schools not yet served and a date for each.",
        ),
        "brief.rec.topic.participation": (
            "{kpi} {value}：请{names}核对就餐人数与需求，扩大供餐能力或调整供餐方式。",
            "{kpi} {value}: ask {names} to check attendance against need and add capacity.",
        ),
        "brief.rec.topic.funding": (
            "{kpi} {value}：请{names}说明支出滞后的原因，报送后续支出计划。",
            "{kpi} {value}: ask {names} why spending lags and for a spending plan.",
        ),
        "brief.rec.topic.satisfaction": (
            "{kpi} {value}：请{names}针对评分最低的项目拿出改进措施，下学期复测。",
            "{kpi} {value}: ask {names} to fix the lowest-scored items; survey again next term.",
        ),
        "brief.rec.topic.issues": (
            "{kpi} {value}：请{names}逐项销号，对逾期问题约谈责任学校。",
            "{kpi} {value}: ask {names} to close each issue and call in the schools behind.",
        ),
        "brief.rec.topic.quality": (
            "{kpi} {value}：请{names}补报缺报的日期，并指定每校报送责任人。",
            "{kpi} {value}: ask {names} to file the missing days and name who reports per school.",
        ),
        "brief.rec.topic.supervision": (
            "{kpi} {value}：请{names}对照需要关注清单逐校落实陪餐、食谱、明厨亮灶与配送，月底前报送整改情况。",
            "{kpi} {value}: ask {names} to work through the needs-attention list school by "
            "school (meals, menus, cameras, deliveries) and report by the month's end.",
        ),
        "brief.rec.near_many": (
            "{kpis}接近目标：下期逐项复核，防止滑到目标以下。",
            "{kpis} near target: review each next period so none slips below it.",
        ),
        "brief.rec.near": (
            "{kpi}接近目标：关注{names}，防止下滑。",
            "{kpi} near target: watch {names} so it does not slip.",
        ),
        "brief.rec.overdue": (
            "逾期未整改问题 {n} 个：请督办{names}限期整改。",
            "{n} overdue open issues: chase {names} for a fixed date.",
        ),
        "brief.rec.funding": (
            "资金执行进度低于目标：请{names}加快支出。",
            "Spending behind the target pace: ask {names} to speed up.",
        ),
        "brief.rec.none": (
            "各项指标均达到目标，保持现有工作。",
            "Every KPI meets its target: keep the current work going.",
        ),
    }
)


# The leader's lists on 总览 and the jurisdiction in every page's header.
TEXT.update(
    {
        "overview.watch": ("重点关注", "To follow up"),
        "overview.no_lunch": ("未供应午餐的学校（{n} 所）", "Schools serving no lunch ({n})"),
        "overview.most_overdue": ("逾期最久的未整改问题", "Open issues overdue the longest"),
        "overview.below_target": (
            "距目标最远的学校（{period}）",
            "Schools furthest below target ({period})",
        ),
        "overview.cards_place": ("{place}{whole}指标（{period}）", "{place} · {whole} ({period})"),
        "col.has_after_school": ("课后服务", "After-school"),
    }
)


# 同比 beside 环比 on the cards.
TEXT.update({"kpi.yoy": ("同比", "Year on year:")})


# 数据上报: the upload page speaks to a clerk (schoolwh/pipeline/report.py words the
# check and the load's outcome).
TEXT.update(
    {
        "upload.title": ("数据上报", "Upload"),
        "upload.steps": (
            "下载填报模板 → 填写 → 上传后立即检查 → 下载问题行修改 → 提交导入。",
            "Download a template → fill it in → upload for an instant check → fix the problem "
            "rows → submit.",
        ),
        "upload.templates": ("填报模板", "Templates"),
        "upload.source": ("数据类型", "Data"),
        "upload.district": ("区县（预填学校）", "District (schools filled in)"),
        "upload.no_district": ("不预填学校", "No schools filled in"),
        "upload.template_hint": (
            "模板已预填所选区县的学校：只填写有数据的学校，其余行留空即可。",
            "The template lists the district's schools: fill in the schools you have "
            "figures for and leave the other rows blank.",
        ),
        "upload.download_template": ("下载模板", "Download the template"),
        "upload.template_file": ("{place}{source}_模板", "{place}{source}_template"),
        "upload.files": (
            "选择要上报的文件（每个不超过 {mb} MB）",
            "Files to upload ({mb} MB each at most)",
        ),
        "upload.pick": ("选择文件", "Browse files"),
        "upload.limit": ("每个文件不超过 {mb} MB · {kinds}", "{mb} MB per file · {kinds}"),
        "upload.problems": ("需修改的单元格", "Cells to fix"),
        "upload.problems_more": (
            "只显示前 {shown} 处，共 {n} 处；下载问题行可看到全部。",
            "The first {shown} of {n} shown; the problem rows download lists them all.",
        ),
        "upload.download_problems": (
            "下载问题行（修改后重新上传）",
            "Download the problem rows (fix, then upload again)",
        ),
        "upload.problems_file": ("{name}_问题行", "{name}_problem_rows"),
        "upload.some_rejected": (
            "有文件不能导入；提交时只导入可以导入的文件，其余文件修改后重新上传。",
            "A file cannot be loaded: submitting loads the others; fix that file and upload "
            "it again.",
        ),
        "upload.submit": ("提交导入", "Submit"),
        "upload.report": ("导入报告（数据管理员）", "Load report (for the data administrator)"),
        "upload.state.queued": ("排队中", "Queued"),
        "upload.state.loading": (
            "导入中（读取、检查、构建、发布）",
            "Loading (read, check, build, publish)",
        ),
        "upload.state.published": ("已完成", "Done"),
        "upload.state.not_published": ("未发布", "Not published"),
        "upload.state.failed": ("失败", "Failed"),
        "upload.elapsed": ("{state} · {seconds} 秒", "{state} · {seconds} s"),
    }
)


# A district leader's own extract: one district, so its schools are ranked, not districts.
TEXT.update(
    {
        "overview.school_ranking": (
            "{place}各学校排名（最低的 {n} 所）",
            "{place}: schools ranked (the {n} lowest)",
        ),
        "overview.alone": (
            "只有{place}一个区县的数据，不做区县排名；该指标没有按学校计算的数值。",
            "Only {place}'s figures are here: no district ranking, and this KPI has no "
            "value per school.",
        ),
    }
)


# The one-line headline of a period (schoolwh/reading/headline.py): 总览, the PDF, the deck.
TEXT.update(
    {
        "headline.all_met": ("{n} 项指标全部达标。", "All {n} KPIs with a target meet it."),
        "headline.worst": (
            "{n} 项指标 {met} 项达标；距目标最远：{kpi} {value}（目标 {target}）",
            "{met} of {n} KPIs meet their target; furthest from it: {kpi} {value} "
            "(target {target})",
        ),
        "headline.district": ("，最弱：{district} {value}", "; weakest: {district} at {value}"),
        "headline.end": ("。", "."),
    }
)


# 问题整改率's trend: a month's issues still within their deadline, as the monthly chart
TEXT.update(
    {
        "chart.due_rate": ("到期 {rate}（未到期 {n}）", "due: {rate} ({n} not yet due)"),
    }
)


def deadline_text(rule: str, lang: str = DEFAULT_LANG) -> str:
    """A deadline rule of core/settings.py (week:1@12, month:5@24) in words."""
    try:
        kind, rest = rule.split(":", 1)
        number, hour = (int(x) for x in rest.split("@", 1))
    except ValueError:
        return rule
    days_zh = "一二三四五六日"
    if kind == "week" and 1 <= number <= 7:
        if lang == "en":
            day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
            return f"by {day[number - 1]} {hour:02d}:00 of the next week"
        return f"次周周{days_zh[number - 1]} {hour:02d}:00 前"
    if kind == "month":
        if lang == "en":
            return f"by day {number} of the next month, {hour:02d}:00"
        return f"次月 {number} 日 {hour:02d}:00 前"
    return rule


# 监管 (supervision, issue #21): the page, the 需要关注 lists, a school's supervision facts
# and the briefing's supervision slide. Chinese enumeration labels come from
# schoolwh/core/sources.py like every other.
_ENUM_EN.update(
    {
        "companion_role": {
            "school_leader": "School leader",
            "official": "Liaison official",
            "teacher": "Teacher",
            "parent": "Parent",
            "committee": "Meal committee",
            "deputy": "People's congress / CPPCC deputy",
            "other": "Other",
        },
        "check_kind": {
            "daily": "Daily control",
            "weekly": "Weekly check",
            "monthly": "Monthly review",
            "standard": "Standardisation acceptance",
        },
        "check_result": {"pass": "Passed", "fail": "Failed"},
        "food_category": {
            "rice": "Rice",
            "flour": "Flour",
            "oil": "Cooking oil",
            "meat": "Meat",
            "egg": "Eggs",
            "milk": "Milk",
            "vegetable": "Vegetables",
            "other": "Other",
        },
    }
)
_ENUM_ZH.update(
    {
        "companion_role": sources.COMPANION_ROLE,
        "check_kind": sources.CHECK_KIND,
        "check_result": sources.CHECK_RESULT,
        "food_category": sources.FOOD_CATEGORY,
    }
)
_ENUM_BOTH.update(
    {
        "supplier_change": {
            "admitted": ("新准入", "Admitted"),
            "exited": ("已清退", "Exited"),
            "admitted_exited": ("当年准入并清退", "Admitted and exited"),
        },
        "supplier_problem": {
            "supplier_unknown": ("供应商不在名录中", "Supplier not in the registry"),
            "supplier_uncertified": ("供应商未通过体系认证", "Supplier not certified"),
            "supplier_inactive": (
                "供应商当日不在准入期内（未准入或已清退）",
                "Supplier not admitted on the day (not yet, or exited)",
            ),
        },
    }
)
TEXT.update(
    {
        "page.supervision": ("监管", "Supervision"),
        "supervision.title": ("监管一屏统揽", "Supervision at a glance"),
        "supervision.cards": (
            "{place}{whole}监管指标（{period}）",
            "{place} · {whole}: supervision ({period})",
        ),
        "supervision.grid": ("区县 × 监管指标达标情况", "Districts × supervision KPIs: status"),
        "supervision.ranking_kpi": ("排名指标", "KPI ranked"),
        "supervision.none": (
            "数据仓库中还没有监管指标（陪餐、食谱、明厨亮灶、食堂检查、配送、培训）。"
            "加载这些报表后本页即显示。",
            "The warehouse has no supervision KPIs yet (meal companions, menus, kitchen "
            "cameras, canteen checks, deliveries, training): this page fills once they are loaded.",
        ),
        "supervision.watch": ("需要关注", "Needs attention"),
        "supervision.watch_note": (
            "截至 {date}；陪餐与食谱看最近 {days} 天，配送看所选周期，供应商看 {year} 年。"
            "点击表中一行，打开该校详情。",
            "As of {date}; meals and menus: the last {days} days; deliveries: the chosen "
            "period; suppliers: {year}. Click a row to open its school.",
        ),
        "supervision.watch_district": ("需要关注：区县", "Needs attention: district"),
        "supervision.watch.cameras": (
            "明厨亮灶未全部在线的食堂（{n} 所）",
            "Kitchens whose cameras were not all online ({n})",
        ),
        "supervision.watch.leader_meals": (
            "最近 {days} 天有供餐日无校领导陪餐的学校（{n} 所）",
            "Schools with serving days of the last {days} days without a school leader at "
            "lunch ({n})",
        ),
        "supervision.watch.menus": (
            "最近 {days} 天未达“两菜一水果加主食”的食谱（{n} 份）",
            "Menus of the last {days} days below two dishes, fruit and a staple ({n})",
        ),
        "supervision.watch.standard": (
            "未通过食堂标准化验收的自办食堂学校（{n} 所）",
            "Kitchen schools without a passed canteen standardisation ({n})",
        ),
        "supervision.watch.deliveries": (
            "非统一配送或非认证企业供货的大宗食材（{n} 笔）",
            "Bulk food not delivered through unified delivery or not from a certified "
            "supplier ({n})",
        ),
        "supervision.watch.suppliers": (
            "{year} 年准入和清退的配送企业（{n} 家）",
            "Suppliers admitted and exited in {year} ({n})",
        ),
        "supervision.no_school_detail": (
            "该校不在您可查看的区县内。",
            "This school is not in a district you may see.",
        ),
        # a school's supervision facts (区县 page, school detail)
        "school_sup.title": ("监管情况", "Supervision"),
        "school_sup.cameras": ("明厨亮灶（最近一次统计）", "Kitchen cameras (latest snapshot)"),
        "school_sup.cameras_line": (
            "{date}：摄像头 {cameras} 路，在线 {online} 路",
            "{date}: {cameras} cameras, {online} online",
        ),
        "school_sup.companions": ("本月陪餐（{month}）", "Meal companions this month ({month})"),
        "school_sup.menus": ("最近食谱", "Latest menus"),
        "school_sup.checks": ("最近检查", "Latest checks"),
        "school_sup.deliveries": ("本学期食材配送（{term}）", "Deliveries this term ({term})"),
        "school_sup.none": ("暂无记录。", "No records."),
        # columns
        "col.snapshot_date": ("统计日期", "Snapshot date"),
        "col.cameras": ("摄像头数", "Cameras"),
        "col.online": ("在线数", "Online"),
        "col.offline": ("离线数", "Offline"),
        "col.days_without_leader": ("无校领导陪餐天数", "Days without a leader"),
        "col.serving_days": ("供餐天数", "Serving days"),
        "col.dates_without_leader": ("无校领导陪餐日期", "Dates without a leader"),
        "col.menu_date": ("供餐日期", "Menu date"),
        "col.dishes": ("菜品数", "Dishes"),
        "col.meat_dishes": ("荤菜数", "Meat dishes"),
        "col.has_fruit": ("水果", "Fruit"),
        "col.has_staple": ("主食", "Staple"),
        "col.meets_standard": ("两菜一水果加主食", "Meets the standard"),
        "col.published_date": ("公示日期", "Published"),
        "col.menu_text": ("菜单", "Menu"),
        "col.check_id": ("检查编号", "Check ID"),
        "col.check_date": ("检查日期", "Check date"),
        "col.last_standard_date": ("最近标准化验收日期", "Latest acceptance"),
        "col.check_kind": ("检查类型", "Check type"),
        "col.check_result": ("检查结果", "Result"),
        "col.score": ("得分", "Score"),
        "col.delivery_id": ("配送单号", "Delivery ID"),
        "col.delivery_date": ("配送日期", "Delivery date"),
        "col.food_category": ("食材类别", "Food category"),
        "col.amount_yuan": ("金额（元）", "Amount (yuan)"),
        "col.unified": ("统一配送", "Unified delivery"),
        "col.certified_active": ("认证企业供货", "Certified supplier"),
        "col.supplier_id": ("供应商编号", "Supplier ID"),
        "col.supplier": ("供应商", "Supplier"),
        "col.supplier_problem": ("供应商问题", "Supplier problem"),
        "col.certified": ("体系认证", "Certified"),
        "col.admitted_date": ("准入日期", "Admitted"),
        "col.exited_date": ("清退日期", "Exited"),
        "col.supplier_change": ("变动", "Change"),
        "col.role": ("陪餐人员类别", "Companion"),
        "col.records": ("记录数", "Records"),
        "col.people": ("人次", "People"),
        "col.mean_rating": ("平均评价", "Mean rating"),
        "col.is_bulk": ("大宗食材", "Bulk food"),
        "col.deliveries": ("配送笔数", "Deliveries"),
        # the briefing's supervision slide and findings
        "brief.slide.supervision": ("监管一屏统揽", "Supervision at a glance"),
        "brief.slide.supervision_grid": (
            "区县 × 监管指标达标情况",
            "Districts × supervision KPIs: status",
        ),
        "brief.slide.supervision_watch": (
            "需要关注（截至 {date}）",
            "Needs attention (as of {date})",
        ),
        "brief.sup.find.watch": (
            "截至 {date}，需要关注：{items}。",
            "As of {date}, needs attention: {items}.",
        ),
        "brief.sup.find.none": (
            "截至 {date}，监管事项均无需特别关注。",
            "As of {date}, no supervision item needs attention.",
        ),
        "brief.sup.find.missed": (
            "{n} 项监管指标未达标，差距最大的是{worst}。",
            "{n} supervision KPIs below target; furthest below: {worst}.",
        ),
        "brief.sup.find.met": (
            "监管指标均达到目标。",
            "Every supervision KPI meets its target.",
        ),
        "brief.sup.value_target": (
            "{kpi} {value}（目标 {target}）",
            "{kpi} {value} (target {target})",
        ),
        "brief.sup.col.districts_below": ("未达标区县", "Districts below target"),
        "brief.sup.col.item": ("事项", "Item"),
        "brief.sup.col.count": ("数量", "Count"),
        "brief.sup.watch.cameras": ("摄像头未全部在线的食堂", "kitchens with cameras offline"),
        "brief.sup.watch.leader_meals": (
            "有供餐日无校领导陪餐的学校",
            "schools with days without a leader at lunch",
        ),
        "brief.sup.watch.menus": ("未达标食谱", "menus below the standard"),
        "brief.sup.watch.standard": (
            "未通过标准化验收的食堂",
            "kitchens without a passed standardisation",
        ),
        "brief.sup.watch.deliveries": (
            "非统一配送或非认证供货的大宗食材",
            "bulk deliveries not unified or not certified",
        ),
        "brief.sup.watch.suppliers": ("当年准入和清退的配送企业", "suppliers admitted or exited"),
        "brief.sup.summary_head": ("未达标的监管指标", "Supervision KPIs below target"),
        "brief.sup.summary_none": (
            "监管指标均达到目标（或无数据）。",
            "Every supervision KPI meets its target (or has no data).",
        ),
        "brief.fig.supervision_grid": ("监管指标", "supervision"),
    }
)
