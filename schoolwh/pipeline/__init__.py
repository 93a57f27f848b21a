"""One load: lock, build copy, batch checks, dbt runner, build state, publish, report."""
