"""The mark of the synthetic sample.

`schoolwh generate` (and `schoolwh demo`) writes this file beside the sample's
spreadsheets. A load reads only spreadsheets, but records every file it finds in
`audit.load_files`, so a warehouse that ever loaded a sample folder carries the mark, and
the dashboard, its figures and the briefings say 示例数据（合成） / sample data (synthetic).
"""

from __future__ import annotations

SAMPLE_MARKER = "示例数据（合成）SYNTHETIC-SAMPLE.txt"

SAMPLE_MARKER_TEXT = (
    "本文件夹中的数据是程序生成的示例数据（合成），不是真实的学校或区县数据。\n"
    "导入后，看板、图表和简报都会标注「示例数据（合成）」。\n"
    "The data in this folder is a synthetic sample made by `schoolwh generate`, not real\n"
    "schools or districts. Once loaded, the dashboard, its figures and the briefings say\n"
    "so on every page.\n"
)

# The rows of audit.load_files that are the mark, wherever the sample folder was: a
# condition with three `?`, each given SAMPLE_MARKER (SAMPLE_FILE_PARAMS). The dashboard's
# label reads it, and every district extract keeps these rows, so a district leader's pages
# and briefings say 示例数据（合成） wherever the bureau's do.
SAMPLE_FILE_SQL = "(file_name = ? or file_name like '%/' || ? or file_name like '%\\' || ?)"
SAMPLE_FILE_PARAMS = (SAMPLE_MARKER, SAMPLE_MARKER, SAMPLE_MARKER)
