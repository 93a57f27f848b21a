"""The README.txt written beside the sample files (Chinese and English)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from schoolwh.core.sample import SAMPLE_MARKER, SAMPLE_MARKER_TEXT
from schoolwh.generator.calendar import DATA_END, TERMS, YEARS
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.summary import FLAW_KINDS, Flaw, WrittenFile
from schoolwh.generator.writers import set_mtime

README = "README.txt"
MARKER = "schoolwh 合成示例数据 / synthetic sample data"


def readme_text(
    j: Jurisdiction, files: Sequence[WrittenFile], flaws: Sequence[Flaw], clean: bool
) -> str:
    schools = j.schools.height
    lines = [
        MARKER,
        "=" * 40,
        "",
        "本文件夹中的数据全部为程序生成的合成数据，仅用于演示和测试，不是任何真实学校、学生或资金的数据。",
        "数据以郑州市16个区县（市）、开发区为原型校准（学校数、就餐比例约71%、午餐覆盖约90%等），"
        "学校名称、代码、人数和金额均为虚构。",
        "",
        "All data in this folder is SYNTHETIC, generated for demonstration and testing. It"
        " describes no real school, student or amount. It is calibrated on Zhengzhou's 16"
        " reporting districts (about 71 % of students eating at school, about 90 % of schools"
        " serving lunch); names, codes, counts and amounts are invented.",
        "",
        "监管数据（陪餐记录、食谱、明厨亮灶、食堂检查、供应商名录、食材配送、培训）按政策材料中的数字校准："
        "大多数供餐日有校领导陪餐，大多数食谱达到“两菜一水果加主食”并在前一周周四公示，"
        "明厨亮灶覆盖率和在线率接近100%，大多数校周开展周排查，大宗食材大多统一配送、来自通过认证的企业，"
        "每年清退和新招少数配送企业，培训人次与互助县（63所学校1050人次）相当；各区县之间有差异，"
        f"{YEARS[0]}年多数区县略低于{YEARS[-1]}年。陪餐人、检查人等姓名均为虚构（如“王某某”）。",
        "Supervision data (陪餐, menus, 明厨亮灶 cameras, canteen checks, the supplier registry,"
        " deliveries, training) is calibrated on the policy documents' figures: a school leader"
        " eats with the students on most serving days; most menus meet 两菜一水果加主食 and are"
        " published the Thursday before their week; camera coverage and online rates are near"
        " 100 %; most school-weeks have a 周排查; bulk food is mostly delivered unified by"
        " certified suppliers; a few suppliers exit and are admitted each year; training"
        " person-times are of Huzhu's order (1,050 for 63 schools). Districts differ, and"
        f" {YEARS[0]} is a little lower than {YEARS[-1]} in most. Personal names (王某某) are"
        " invented.",
        "",
        f"种子 seed: {j.seed}    学校 schools: {schools}    "
        f"在校生（{TERMS[-1].zh}）students ({TERMS[-1].code}): {j.students}",
        "",
        f"时间范围：{YEARS[0]}—{YEARS[-1]}年（{TERMS[0].zh}至{TERMS[-1].zh}，"
        f"数据截至{DATA_END.isoformat()}），{YEARS[-1]}年的每个时期都有上年同期，可看同比。",
        f"Period: {YEARS[0]}–{YEARS[-1]} ({TERMS[0].code} to {TERMS[-1].code}, data as of"
        f" {DATA_END.isoformat()}): every period of {YEARS[-1]} has the same period a year"
        " before (year-on-year change).",
        "",
        "加载 To load:  schoolwh load <this folder>",
        "",
        "文件 Files (source, data rows, planted flaws):",
    ]
    for f in files:
        if f.name == README:
            continue
        lines.append(
            f"  - {f.name}  [{', '.join(f.sources)}]  {f.rows} rows"
            + (f", {f.flaws} planted" if f.flaws else "")
        )
    if clean:
        lines += [
            "",
            "干净模式：UTF-8 CSV，英文标准列名和取值，ISO日期，金额单位为元，没有错误行。",
            "Clean mode: UTF-8 CSV, canonical English headers and values, ISO dates, yuan, no"
            " flaws.",
        ]
    else:
        lines += [
            "",
            "这些文件模仿区县报送的表格：GBK/UTF-8编码的CSV和XLSX、标题行、单位行、合计/小计行、"
            "填表人等备注行、中文列名和选项、多种日期写法、万元金额。",
            "These files imitate what a bureau receives: GBK and UTF-8 CSV and XLSX, title and"
            " unit lines, 合计/小计 rows, footer notes, Chinese headers and labels, varied date"
            " forms, amounts in 万元.",
            "",
            "每年的问题整改台账列出当年发现的问题和上年结转的未整改问题；"
            "《问题整改台账（更正）.xlsx》是台账的更正版，修改时间最晚，应覆盖原台账中的同一问题。",
            "Each year's issues ledger lists that year's issues and those carried over still"
            " open; 问题整改台账（更正）.xlsx re-issues changed issues of the ledgers; it is the"
            " newest file, so its rows win.",
            "",
            "最新学期的食谱已提前公示，供餐日期最晚到数据截至日之后约两周（食谱日期不推动数据截至日）；"
            "每年的《大宗食材配送企业名录》列出截至当年12月31日的企业，较新的名录修改时间更晚，"
            "同一企业以其为准（如后一年的清退日期）。",
            "The latest term's menus are published ahead: their dates reach about two weeks past"
            " the as-of date (menu dates do not move it). Each year's supplier registry lists the"
            " suppliers as on its 31 December; the newer list is the newer file, so its rows"
            " win (an exit in the later year, for one).",
            "",
            f"预置的问题行只在{YEARS[-1]}年的文件中；之前年份的文件没有错误行。",
            f"Planted flaws are in the {YEARS[-1]} files only; earlier years' files have none.",
            "",
            "预置的问题行 Planted flaws (file, sheet, spreadsheet row, kind, column; after → the"
            " reason the load quarantines the row with):",
        ]
        for flaw in flaws:
            lines.append(f"  - {flaw.line()}")
        lines += ["", "类型说明 Kinds:"]
        lines += [f"  - {k}: {v}" for k, v in FLAW_KINDS.items()]
    return "\n".join(lines) + "\n"


def write_readme(
    out_dir: Path,
    j: Jurisdiction,
    files: Sequence[WrittenFile],
    flaws: Sequence[Flaw],
    *,
    clean: bool,
    when: datetime,
) -> WrittenFile:
    path = out_dir / README
    path.write_text(readme_text(j, files, flaws, clean), encoding="utf-8", newline="\n")
    set_mtime(path, when)
    # the mark a load carries into the warehouse: the figures are synthetic
    marker = out_dir / SAMPLE_MARKER
    marker.write_text(SAMPLE_MARKER_TEXT, encoding="utf-8", newline="\n")
    set_mtime(marker, when)
    return WrittenFile(README, (), 0)
