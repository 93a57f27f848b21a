"""Mappings: a bureau's own header names, codes and constants, written once in TOML.

    source = "enrollment"            # optional: force the source
    sheets = ["小学", "初级中学"]      # optional: only these sheets
    [columns]                        # header cell or multi-row path → canonical column
    "机构代码" = "school_code"
    "在校生数（个）/合计" = "enrolled"
    [values.ownership]               # a file's own codes → canonical values
    "831县级教育部门" = "public"
    [constants]                      # a column the file lacks, the same for every row of a sheet
    term = "2023-autumn"
    stage = { from = "sheet", map = { "小学" = "primary", "初级中学" = "junior" } }
    school_year = { from = "title", pattern = "(\\d{4})" }

Keys match under the header rules (case, spaces, full/half width, a unit in brackets).
A `from = "sheet"` constant reads the sheet's name, `from = "title"` the lines above the
header; `map` turns that text into a value (a key found in it), `pattern` takes a part of
it (its first group). Mappings in a `mappings/` folder beside the warehouse apply by
themselves to the files whose header they fit.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.headers import fold, path_key
from schoolwh.core.sources import SOURCES

MAPPINGS_DIR = "mappings"


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class Constant:
    value: str | None = None
    origin: str | None = None  # "sheet" or "title"
    map: tuple[tuple[str, str], ...] = ()
    pattern: str | None = None

    def resolve(self, sheet: str | None, title: list[str]) -> str | None:
        if self.origin is None:
            return self.value
        texts = [sheet or ""] if self.origin == "sheet" else title
        for text in texts:
            folded = fold(text)
            if self.map:
                exact = [v for k, v in self.map if fold(k) == folded]
                if exact:
                    return exact[0]
                inside = [v for k, v in self.map if fold(k) and fold(k) in folded]
                if inside:
                    return inside[0]
                continue
            if self.pattern:
                m = re.search(self.pattern, text)
                if m:
                    return m.group(1) if m.groups() else m.group(0)
                continue
            if text.strip():
                return text.strip()
        return None


@dataclass
class Mapping:
    name: str
    source: str | None = None
    sheets: tuple[str, ...] | None = None
    columns: dict[str, str] = field(default_factory=dict)  # path key -> canonical column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> folded -> value
    constants: dict[str, Constant] = field(default_factory=dict)

    def applies_to(self, sheet: str | None) -> bool:
        if self.sheets is None or sheet is None:
            return True
        return fold(sheet) in {fold(s) for s in self.sheets}

    def by_source(self) -> dict[str, dict[str, str]]:
        """Column names per source (only the columns each source has)."""
        targets = [SOURCES[self.source]] if self.source else list(SOURCES.values())
        return {
            src.name: {k: v for k, v in self.columns.items() if v in src.names} for src in targets
        }

    def resolved_constants(self, sheet: str | None, title: list[str]) -> dict[str, str]:
        out = {}
        for col, const in self.constants.items():
            value = const.resolve(sheet, title)
            if value is not None:
                out[col] = value
        return out


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; a MappingError names the file and the key at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(
            f"映射文件「{path.name}」无法读取 / cannot read the mapping {path.name}: {exc}"
        ) from exc
    return parse_mapping(data, path.name)


def parse_mapping(data: dict, name: str) -> Mapping:
    def bad(key: str, why_zh: str, why_en: str) -> MappingError:
        return MappingError(
            f"映射文件「{name}」的「{key}」{why_zh} / mapping {name}, {key}: {why_en}"
        )

    known = {"source", "sheets", "columns", "values", "constants"}
    for key in data:
        if key not in known:
            raise bad(key, "无法识别", f"unknown key; use {', '.join(sorted(known))}")
    source = data.get("source")
    if source is not None and source not in SOURCES:
        raise bad("source", f"不是已知的数据类型（{'、'.join(SOURCES)}）", "unknown source")
    # a column of any source: one workbook may be read as several sources
    names = {n for s in SOURCES.values() for n in s.names}
    sheets = data.get("sheets")
    if sheets is not None and not (
        isinstance(sheets, list) and all(isinstance(s, str) for s in sheets)
    ):
        raise bad("sheets", "应为工作表名称列表", "must be a list of sheet names")
    columns: dict[str, str] = {}
    for key, col in (data.get("columns") or {}).items():
        if col not in names:
            raise bad(
                f"columns.{key}", f"指向未知的列「{col}」", f"names an unknown column {col!r}"
            )
        columns[path_key(key)] = col
    values: dict[str, dict[str, str]] = {}
    for col, table in (data.get("values") or {}).items():
        if col not in names or not isinstance(table, dict):
            raise bad(f"values.{col}", "不是已知的列", "is not a known column with a table")
        values[col] = {fold(str(k)): str(v) for k, v in table.items()}
    constants: dict[str, Constant] = {}
    for col, spec in (data.get("constants") or {}).items():
        if col not in names:
            raise bad(f"constants.{col}", "不是已知的列", "is not a known column")
        if isinstance(spec, dict):
            origin = spec.get("from")
            if origin not in ("sheet", "title"):
                raise bad(f"constants.{col}.from", "应为 sheet 或 title", "must be sheet or title")
            table = spec.get("map") or {}
            pattern = spec.get("pattern")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise bad(f"constants.{col}.pattern", "不是有效的正则表达式", str(exc)) from exc
            constants[col] = Constant(
                None, origin, tuple((str(k), str(v)) for k, v in table.items()), pattern
            )
        else:
            constants[col] = Constant(str(spec))
    return Mapping(
        name,
        source,
        tuple(sheets) if sheets is not None else None,
        columns,
        values,
        constants,
    )


def folder_mappings(warehouse: Path) -> list[Mapping]:
    """The mappings kept beside the warehouse (`mappings/*.toml`), by name."""
    folder = warehouse.parent / MAPPINGS_DIR
    if not folder.is_dir():
        return []
    return [load_mapping(p) for p in sorted(folder.glob("*.toml"))]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def starter(file_label: str, sheets: list[dict]) -> str:
    """A commented starter mapping: per sheet, its header paths, the closest source and
    the required columns still unmapped. `sheets` holds dicts with keys name, header_row,
    source, recognised (column -> path), paths, missing, suggestions, title."""
    best = max(sheets, key=lambda s: len(s["recognised"]), default=None)
    lines = [
        f"# 映射文件 / mapping for {file_label} — written by `schoolwh map`.",
        "# 补全后使用 / complete it, then: schoolwh load FILE --mapping THIS.toml",
        "# 或放入仓库旁的 mappings/ 文件夹，今后自动使用 / or keep it in mappings/ beside the",
        "# warehouse: it then applies by itself to files with this header.",
        "",
    ]
    if best is None or best["source"] is None:
        lines.append('# source = ""   # 未找到接近的数据类型 / no source is close')
        return "\n".join(lines) + "\n"
    src = SOURCES[best["source"]]
    lines.append(f'source = "{src.name}"   # 最接近 closest: {src.zh}')
    # the sheets that come as near the source as the best one
    chosen = [
        s
        for s in sheets
        if s["source"] == src.name and len(s["recognised"]) == len(best["recognised"])
    ]
    names = [s["name"] for s in chosen if s["name"] is not None]
    if names:
        lines.append("sheets = [" + ", ".join(_q(n) for n in names) + "]")
    lines += ["", "[columns]"]
    seen: set[str] = set()
    for sheet in chosen:
        where = f"工作表「{sheet['name']}」" if sheet["name"] else "表头"
        lines.append(f"# {where}第 {sheet['header_row']} 行 / header row {sheet['header_row']}")
        recognised = {p: c for c, p in sheet["recognised"].items()}
        for path in sheet["paths"]:
            if path in seen:
                continue
            seen.add(path)
            if path in recognised:
                lines.append(f"{_q(path)} = {_q(recognised[path])}   # 已识别 recognised")
            else:
                lines.append(f'# {_q(path)} = ""')
    # a column missing from every chosen sheet
    missing = dict.fromkeys(
        m for m in chosen[0]["missing"] if all(m in s["missing"] for s in chosen)
    )
    if missing:
        lines.append("# 仍缺少的必填列 / required columns still unmapped:")
        for col in missing:
            hint = next(
                (s["suggestions"][col] for s in chosen if col in s.get("suggestions", {})), None
            )
            guess = f"   # 是否为「{hint}」？ / is it {hint!r}?" if hint else ""
            lines.append(f'# "?" = "{col}"   # {src.column(col).zh}{guess}')
    enums = [c for c in src.columns if c.enum]
    if enums:
        lines.append("")
        for c in enums:
            allowed = ", ".join(f"{k}（{v}）" for k, v in c.enum.items())
            lines.append(f"# [values.{c.name}]   # 本文件的写法 → {allowed}")
    lines += ["", "[constants]   # 文件中没有、每行相同的列 / columns the file lacks"]
    for col in missing:
        lines.append(
            f'# {col} = ""   # 或 or {{ from = "sheet", map = {{ ... }} }} / {{ from = "title" }}'
        )
    return "\n".join(lines) + "\n"


def starter_for(path: Path) -> str:
    """The starter mapping of a file: its sheets' header paths, the closest source, the
    required columns still unmapped (see `starter`)."""
    from ingest.headers import Closest, block_depth, find_header, header_paths
    from ingest.readers import read_file

    sheets, _encoding = read_file(path, path.read_bytes())
    described = []
    for sheet in sheets:
        if sheet.hidden:
            continue
        found = find_header(sheet.head, None, sheet.merges)
        if found is None:
            continue
        if isinstance(found, Closest):
            depth = block_depth(found.header_index, sheet.merges, len(sheet.head))
            paths = header_paths(sheet.head, found.header_index, depth, sheet.merges)
            described.append(
                {
                    "name": sheet.name,
                    "header_row": found.header_index + 1,
                    "source": found.source.name if found.matched else None,
                    "recognised": found.recognised,
                    "paths": ["/".join(p) for p in paths if p],
                    "missing": found.missing,
                    "suggestions": found.suggestions,
                }
            )
        else:
            described.append(
                {
                    "name": sheet.name,
                    "header_row": found.header_index + 1,
                    "source": found.source.name,
                    "recognised": found.labels,
                    "paths": ["/".join(p) for p in found.paths if p],
                    "missing": [],
                    "suggestions": {},
                }
            )
    return starter(path.name, described)
