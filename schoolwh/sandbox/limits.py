"""Caps of the ad hoc SQL box. Analysts cannot change them: the configuration is locked."""

from __future__ import annotations

# DuckDB settings of every sandboxed connection.
THREADS = 2
MEMORY_LIMIT = "1GB"
# Spill space for sorts and joins larger than memory, in a private folder removed after
# each query (never beside the published warehouse).
MAX_TEMP_DIRECTORY_SIZE = "2GB"

# Defaults of `schoolwh sql` and the dashboard's SQL page.
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_ROWS = 10_000

# The worker interrupts its own query at the timeout; the caller kills the worker if it
# has not answered this many seconds later (start-up, a query deaf to the interrupt).
HARD_KILL_GRACE = 5.0
