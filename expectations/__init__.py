"""Great Expectations suites: checks on each new batch and on the built marts.

Public API (GX itself is imported lazily, inside these functions):

- `check_batch(con, load_id)` — validate the rows a load landed in raw.*;
- `check_marts(con, load_id)` — validate the built marts;
- `prepare_batch(con, load_id)` then `.validate()` — `check_batch` in two steps: read the
  frames (needs the warehouse), then validate them (does not), e.g. while dbt builds;
- `build_data_docs(runs, out_dir)` — write the HTML Data Docs of those runs.

Both checks return a `CheckRun`: a list of `schoolwh.core.audit.CheckResult` (one row of
audit.dq_results each) that also keeps GX's validation results for the Data Docs.
"""

from expectations.docs import DataDocsError, build_data_docs
from expectations.runner import (
    CheckRun,
    PreparedRun,
    check_batch,
    check_marts,
    import_gx,
    prepare_batch,
)

__all__ = [
    "CheckRun",
    "DataDocsError",
    "PreparedRun",
    "build_data_docs",
    "check_batch",
    "check_marts",
    "import_gx",
    "prepare_batch",
]
