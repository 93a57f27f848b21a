"""Stand-in for dbt's `run_started_at` when linting."""


def strftime(fmt: str) -> str:
    return "2025-01-01 00:00:00"
