"""Tiny hand-made bureau files for tests: CSV in any encoding, XLSX with typed cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", bom: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


SCHOOLS_HEADER_ZH = [
    "学校代码",
    "学校名称",
    "区县代码",
    "学段",
    "办学性质",
    "城乡类型",
    "供餐模式",
    "供餐开始日期",
    "课后服务",
]


def school_row(code: str, district: str = "410105", mode: str = "自办食堂", start="2020-09-01"):
    return [code, f"学校{code[-2:]}", district, "小学", "公办", "城区", mode, start, "是"]
