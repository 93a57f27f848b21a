"""Paths and settings shared by every command."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = PROJECT_ROOT / "dbt"
ENV_WAREHOUSE = "SCHOOLWH_WAREHOUSE"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
# DuckDB storage format of the warehouse file: readable by the 1.5.x command-line client.
STORAGE_VERSION = "v1.5.0"


def resolve_warehouse(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --warehouse, else $SCHOOLWH_WAREHOUSE, else data/warehouse.duckdb."""
    if path:
        return Path(path).expanduser().resolve()
    env = os.environ.get(ENV_WAREHOUSE)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


def archive_dir(warehouse: Path) -> Path:
    """Where loaded files are kept by content hash, beside the warehouse."""
    return warehouse.parent / "archive"
