"""The store: SQLAlchemy 2 tables and Alembic migrations on SQLite (WAL) or PostgreSQL.

:class:`Store` opens and migrates a database; :class:`Registry` holds its deployments;
:func:`record` is the ingest path (validate, check, store, fold, in one transaction);
:func:`monitor_status` and :func:`replay_streams` read the streams back; accounts and API keys
live here too (argon2 password hashes, SHA-256 key digests). Decisions are append-only.
"""

from hawthorne.store._accounts import (
    ROLES,
    SCOPES,
    Identity,
    Role,
    Scope,
    authenticate_key,
    authenticate_password,
    create_account,
    create_key,
    ensure_admin,
    list_accounts,
    list_keys,
    revoke_key,
)
from hawthorne.store._deployments import Live, Registry, UnknownDeployment
from hawthorne.store._engine import Store, StoreError, default_url, resolve_url
from hawthorne.store._findings import FINDING_STATUSES, OPEN_STATUSES, list_findings
from hawthorne.store._ingest import ItemResult, record, replay_streams
from hawthorne.store._status import monitor_status

__all__ = [
    "FINDING_STATUSES",
    "Identity",
    "ItemResult",
    "Live",
    "OPEN_STATUSES",
    "ROLES",
    "Registry",
    "Role",
    "SCOPES",
    "Scope",
    "Store",
    "StoreError",
    "UnknownDeployment",
    "authenticate_key",
    "authenticate_password",
    "create_account",
    "create_key",
    "default_url",
    "ensure_admin",
    "list_accounts",
    "list_findings",
    "list_keys",
    "monitor_status",
    "record",
    "replay_streams",
    "resolve_url",
    "revoke_key",
]
