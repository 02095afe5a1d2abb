"""The store: SQLAlchemy 2 tables and Alembic migrations on SQLite (WAL) or PostgreSQL.

:class:`Store` opens and migrates a database; :class:`Registry` holds its deployments;
:func:`record` is the ingest path (validate, check, store, fold, in one transaction);
:func:`monitor_status` and :func:`replay_streams` read the streams back; accounts and API keys
live here too (argon2 password hashes, SHA-256 key digests), and so do overrides and the review
queue (:func:`next_item`, :func:`label_item`, :func:`review_estimate`). Decisions and the record
of actions (:func:`act`) are append-only.
Shadow pairs are kept here too (:func:`save_shadow_pairs`, :func:`load_shadow_pairs`);
:mod:`hawthorne.shadow` asks them.
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
from hawthorne.store._actions import Refused, act, list_actions
from hawthorne.store._deployments import Live, Registry, UnknownDeployment
from hawthorne.store._engine import Store, StoreError, default_url, resolve_url
from hawthorne.store._findings import FINDING_STATUSES, OPEN_STATUSES, list_findings
from hawthorne.store._ingest import ItemResult, record, replay_streams
from hawthorne.store._overrides import OverrideError, override_status, record_override
from hawthorne.store._review import (
    ReviewError,
    create_plan,
    draw_due,
    get_plan,
    label_item,
    list_plans,
    next_item,
    review_estimate,
)
from hawthorne.store._shadow import (
    SHADOW_STATUSES,
    ShadowCandidate,
    ShadowPair,
    load_shadow_pairs,
    record_shadow_finding,
    save_shadow_pairs,
    shadow_asked_since,
    shadow_candidates,
)
from hawthorne.store._status import monitor_status

__all__ = [
    "FINDING_STATUSES",
    "Identity",
    "ItemResult",
    "Live",
    "OPEN_STATUSES",
    "OverrideError",
    "ROLES",
    "Refused",
    "Registry",
    "ReviewError",
    "Role",
    "SCOPES",
    "SHADOW_STATUSES",
    "Scope",
    "ShadowCandidate",
    "ShadowPair",
    "Store",
    "StoreError",
    "UnknownDeployment",
    "act",
    "authenticate_key",
    "authenticate_password",
    "create_account",
    "create_key",
    "create_plan",
    "default_url",
    "draw_due",
    "ensure_admin",
    "get_plan",
    "label_item",
    "list_accounts",
    "list_actions",
    "list_findings",
    "list_keys",
    "list_plans",
    "load_shadow_pairs",
    "monitor_status",
    "next_item",
    "override_status",
    "record",
    "record_override",
    "record_shadow_finding",
    "replay_streams",
    "resolve_url",
    "review_estimate",
    "revoke_key",
    "save_shadow_pairs",
    "shadow_asked_since",
    "shadow_candidates",
]
