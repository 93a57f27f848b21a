"""Caps of the ad hoc SQL box. Analysts cannot change them: the configuration is locked."""

from __future__ import annotations

from schoolwh.core.sources import raw_only_columns

# DuckDB settings of every sandboxed connection. There is no spill space: the local
# file system is switched off entirely (see worker.py), so a query needing more memory
# than this stops with DuckDB's out-of-memory message.
THREADS = 2
MEMORY_LIMIT = "1GB"

# The worker process's address space (RLIMIT_AS). DuckDB's memory_limit does not cover
# everything (a vector of 2,048 strings of 300 KB each is 600 MB of string heap), so the
# operating system caps the whole worker: a query that would need more fails with
# DuckDB's out-of-memory message in the worker, and never takes the machine.
# Python and DuckDB take about 0.8 GB of address space before the first query.
WORKER_ADDRESS_SPACE = 2 * 1024**3

# Defaults of `schoolwh sql` and the dashboard's SQL page.
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_ROWS = 10_000
# The most result data the worker sends back (text lengths plus 8 bytes a value): a
# bigger result is refused, whatever its row count. The dashboard holds smaller results.
DEFAULT_MAX_BYTES = 64 * 1024**2
DASHBOARD_MAX_BYTES = 16 * 1024**2

# The worker interrupts its own query at the timeout; the caller kills the worker if it
# has not answered this many seconds later (start-up, a query deaf to the interrupt).
HARD_KILL_GRACE = 5.0

# Relations holding raw free text, which may hold personal data (a parent's comment, a
# 陪餐 companion's or an inspector's name, a quarantined row as typed): never readable
# through the box. (schema, table) -> the columns that must not be read; the other
# columns of the relation may be named. The raw ones come from the contract (the columns
# it keeps in raw.* only), so a new source's free text is protected by its definition.
PROTECTED = {
    **raw_only_columns(),
    ("audit", "quarantine"): ("raw_row",),
}

# Table functions a query may call (DuckDB's plan names them in capitals): the catalog
# (`duckdb_*`, which information_schema, SHOW and DESCRIBE read) and row generators. Every
# other one is refused, so none can hand over a protected relation's values or statistics
# (`pragma_storage_info('raw.survey')` shows each column's min and max). File readers
# never get this far: DuckDB refuses them while planning (no file system in the box).
TABLE_FUNCTIONS = (
    "RANGE",
    "GENERATE_SERIES",
    "UNNEST",
    "PRAGMA_TABLE_INFO",
    "PRAGMA_SHOW",
    "PRAGMA_VERSION",
    "PRAGMA_PLATFORM",
    "PRAGMA_DATABASE_SIZE",
    "CHECKPOINT",  # CHECKPOINT / FORCE CHECKPOINT: nothing to write on a read-only file
    "FORCE_CHECKPOINT",
)
TABLE_FUNCTION_PREFIXES = ("DUCKDB_",)
