"""The ad hoc SQL box: one read-only query in a sandboxed worker, and its text formats."""

from schoolwh.sandbox.formatting import display_width, format_result, row_count_text
from schoolwh.sandbox.runner import SqlError, SqlResult, list_tables, run_sql

__all__ = [
    "SqlError",
    "SqlResult",
    "display_width",
    "format_result",
    "list_tables",
    "row_count_text",
    "run_sql",
]
