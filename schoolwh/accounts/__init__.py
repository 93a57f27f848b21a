"""Who may use the dashboard: accounts, roles, district scope and password checks.

The accounts live in one file beside the warehouse (`<warehouse>.accounts.json`, readable
by its owner only), never in a file the dashboard's readers or the SQL page open.
"""

from schoolwh.accounts.store import (
    ROLES,
    Account,
    AccountError,
    AccountStore,
    LoginFailed,
    accounts_path,
    extract_path,
    extracts_dir,
    scope_key,
)

__all__ = [
    "ROLES",
    "Account",
    "AccountError",
    "AccountStore",
    "LoginFailed",
    "accounts_path",
    "extract_path",
    "extracts_dir",
    "scope_key",
]
