"""Caps of the ad hoc SQL box. Analysts cannot change them: the configuration is locked."""

from __future__ import annotations

# DuckDB settings of every sandboxed connection. There is no spill space: the local
# file system is switched off entirely (see worker.py), so a query needing more memory
# than this stops with DuckDB's out-of-memory message.
THREADS = 2
MEMORY_LIMIT = "1GB"

# Defaults of `schoolwh sql` and the dashboard's SQL page.
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_ROWS = 10_000

# The worker interrupts its own query at the timeout; the caller kills the worker if it
# has not answered this many seconds later (start-up, a query deaf to the interrupt).
HARD_KILL_GRACE = 5.0
