"""Writers of the workbook formats bureaus send, for tests: .xls (Excel 97–2003, with
merged cells) through xlwt, and .ods written as the OpenDocument zip it is."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def ods_content(
    sheets: dict[str, list[list]],
    rows_xml: str | None = None,
    spans: dict[tuple[int, int], tuple[int, int]] | None = None,
) -> str:
    """content.xml of the sheets; `spans` merges cells ((row, col) → (rows, cols)) in every
    sheet, the cells they cover being written as covered cells."""
    body = []
    spans = spans or {}
    covered = {
        (r + i, c + j)
        for (r, c), (rows, cols) in spans.items()
        for i in range(rows)
        for j in range(cols)
        if (i, j) != (0, 0)
    }

    def cell(r: int, c: int, v) -> str:
        if (r, c) in covered:
            return "<table:covered-table-cell/>"
        xml = _ods_cell(v)
        if (r, c) in spans:
            rows, cols = spans[(r, c)]
            attrs = f' table:number-rows-spanned="{rows}" table:number-columns-spanned="{cols}"'
            xml = xml.replace("<table:table-cell", "<table:table-cell" + attrs, 1)
        return xml

    for name, rows in sheets.items():
        xml_rows = "".join(
            "<table:table-row>"
            + "".join(cell(r, c, v) for c, v in enumerate(row))
            + "</table:table-row>"
            for r, row in enumerate(rows)
        )
        body.append(
            f'<table:table table:name="{escape(name)}">{xml_rows}{rows_xml or ""}</table:table>'
        )
    return CONTENT_HEAD + "".join(body) + CONTENT_TAIL


def write_ods(
    path: Path,
    sheets: dict[str, list[list]],
    content: str | None = None,
    spans: dict[tuple[int, int], tuple[int, int]] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", content or ods_content(sheets, spans=spans), zipfile.ZIP_DEFLATED)
    return path


def write_xls(
    path: Path,
    sheets: dict[str, list[list]],
    merges: dict[str, list[tuple[int, int, int, int]]] | None = None,
    hidden: tuple[str, ...] = (),
) -> Path:
    """An Excel 97–2003 workbook; `merges` per sheet as (first row, last row, first col,
    last col), 0-based, their text in the first cell of `sheets`."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        merged = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in (merges or {}).get(name, [])}
        covered = {
            (r, c)
            for (r0, c0), (r1, c1) in merged.items()
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
        }
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (r, c) in merged:
                    r1, c1 = merged[(r, c)]
                    ws.write_merge(r, r1, c, c1, v)
                elif (r, c) not in covered and v is not None and v != "":
                    ws.write(r, c, v)
        if name in hidden:
            ws.visibility = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path
