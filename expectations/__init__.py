"""Great Expectations suites: checks on each new batch and on the built marts.

Public API (GX itself is imported lazily, inside these functions):

- `check_batch(con, load_id)` — validate the rows a load landed in raw.*;
- `check_marts(con, load_id)` — validate the built marts;
- `build_data_docs(runs, out_dir)` — write the HTML Data Docs of those runs.

Both checks return a `CheckRun`: a list of `schoolwh.audit.CheckResult` (one row of
audit.dq_results each) that also keeps GX's validation results for the Data Docs.
"""

from expectations.docs import DataDocsError, build_data_docs
from expectations.runner import CheckRun, check_batch, check_marts

__all__ = ["CheckRun", "DataDocsError", "build_data_docs", "check_batch", "check_marts"]
