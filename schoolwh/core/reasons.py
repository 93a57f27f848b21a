"""Why a row can be quarantined: one code per reason, explained in Chinese and English.

The ingest rules write these codes; the load report, the dashboard and the correction
sheets explain them with these words (docs/contract.md lists them).
"""

from __future__ import annotations

# reason code -> (Chinese, English) explanation shown to clerks
REASONS: dict[str, tuple[str, str]] = {
    "missing_value": ("必填项为空", "a required value is empty"),
    "bad_number": ("不是有效的数字", "not a valid number"),
    "bad_date": ("不是有效的日期（如 2025-09-01）", "not a valid date (e.g. 2025-09-01)"),
    "bad_boolean": ("应填 是/否", "should be yes/no (是/否)"),
    "bad_term": ("学期格式无法识别（如 2025年秋季学期）", "term not recognised (e.g. 2025-autumn)"),
    "unknown_label": ("不在可选值范围内", "not one of the allowed values"),
    "out_of_range": ("超出允许范围", "outside the allowed range"),
    "need_exceeds_enrolled": ("需求人数大于在校生数", "need is larger than enrolment"),
    "lunch_start_missing": (
        "有午餐供餐的学校必须填写供餐开始日期",
        "lunch_start_date is required when lunch_mode is not none",
    ),
    "date_in_future": ("日期晚于导入日期", "date is after the load date"),
    "not_positive": ("金额必须大于 0", "amount must be greater than 0"),
    "zero_amount": ("金额不能为 0", "amount must not be 0"),
    "deadline_before_found": ("整改期限早于发现日期", "deadline is before found_date"),
    "closed_before_found": ("整改完成日期早于发现日期", "closed_date is before found_date"),
    "closed_date_missing": (
        "状态为已整改时必须填写整改完成日期",
        "closed_date is required when status is closed",
    ),
    "closed_date_unexpected": (
        "未整改完成的问题不应填写整改完成日期",
        "closed_date must be empty unless status is closed",
    ),
    "extra_cells": (
        "该行单元格多于表头（数字中的逗号未加引号？）",
        "the row has more cells than the header (an unquoted comma in a number?)",
    ),
    "date_before_floor": (
        "日期早于允许的最早日期（默认 2000-01-01，可由 SCHOOLWH_DATE_FLOOR 设置）：日期须在最早日期与导入日期之间",
        "date is before the earliest accepted date (2000-01-01 unless SCHOOLWH_DATE_FLOOR "
        "says otherwise): dates must lie between that floor and the load date",
    ),
    "year_outside_window": (
        "年份不在允许范围内：须在最早日期的年份与导入日期的下一年之间",
        "year outside the plausible window: from the year of the date floor to the year "
        "after the load date",
    ),
    "bad_code": (
        "代码只能由数字和英文字母组成，中间可用 - _ . /（不能含形似字母、空格或其他符号）",
        "a code may hold only digits and Latin letters, with - _ . / between them (no "
        "lookalike letters, spaces or other signs)",
    ),
    "amount_too_large": (
        "金额过大（须小于 1e16 元），请检查单位或多余的数字",
        "amount too large (must be below 1e16 yuan): check the unit or extra digits",
    ),
    "out_of_scope": (
        "该学校或区县不在本账号负责的区县内",
        "the school or district is outside the districts of this account",
    ),
    "short_row": (
        "该行单元格少于表头（文件被截断？）",
        "the row has fewer cells than the header (a file cut short?)",
    ),
    "cell_too_long": (
        "单元格内容过长（超过 32,767 个字符）",
        "a cell is too long (more than 32,767 characters)",
    ),
    "not_whole": (
        "按单位换算后不是整数（如 0.00015 万人）",
        "not a whole number after converting its unit (e.g. 0.00015 万人)",
    ),
    "parts_exceed_total": (
        "部分数大于总数（如荤菜数大于菜品数、在线数大于摄像头数）",
        "a part is larger than its total (e.g. meat_dishes > dishes, online > cameras)",
    ),
    "exited_before_admitted": ("清退日期早于准入日期", "exited_date is before admitted_date"),
    "jurisdiction_wide": (
        "区县代码为空表示服务全辖区，只能由全辖区（市局）账号导入",
        "an empty district_code means the whole jurisdiction: only a jurisdiction-wide "
        "account may load it",
    ),
    "duplicate_key": (
        "同一文件中主键重复，以后出现的一行为准",
        "duplicate key in the same file; the later row wins",
    ),
}
