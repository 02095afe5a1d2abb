"""Accounts (argon2 password hashes, roles, lockout) and API keys (hashed, scoped, shown once).

Passwords are hashed with argon2id through ``pwdlib``. An API key is ``hwk_<id>_<secret>``: the
id is public (it names the key in lists and logs), the secret 32 random bytes, and only its
SHA-256 is stored — a key has 256 bits of entropy, so a slow hash would add nothing but latency
to every ingest request, while a password needs one (RFC 9106 for argon2). Keys are compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from pwdlib import PasswordHash
from sqlalchemy import func, select

from hawthorne.store._actions import act
from hawthorne.store._engine import Store
from hawthorne.store._schema import Account, ApiKey

__all__ = [
    "ROLES",
    "SCOPES",
    "Identity",
    "Role",
    "Scope",
    "authenticate_key",
    "authenticate_password",
    "create_account",
    "create_key",
    "ensure_admin",
    "list_accounts",
    "list_keys",
    "revoke_key",
]

Role = Literal["viewer", "reviewer", "author", "approver", "auditor", "admin"]
"""An account's role: ``auditor`` reads everything and changes nothing; ``admin`` does all."""
ROLES: tuple[Role, ...] = get_args(Role)
"""Every role."""
Scope = Literal["ingest", "read", "admin"]
"""An API key's scope: record decisions, read, or administer."""
SCOPES: tuple[Scope, ...] = get_args(Scope)
"""Every scope."""

KEY_PREFIX = "hwk_"
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHash.recommended()
# A hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not a password")


@dataclass(frozen=True)
class Identity:
    """Who is making a request: an account (with roles) or an API key (with scopes).

    Attributes:
        name: The username, or ``key:<id>``.
        roles: The account's roles (empty for a key).
        scopes: The key's scopes; for an account, what its roles allow.
    """

    name: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]

    def can(self, scope: Scope) -> bool:
        """Whether this identity may do what ``scope`` covers (``admin`` covers ``read``)."""
        return scope in self.scopes or (scope == "read" and "admin" in self.scopes)


def _scopes_of(roles: tuple[str, ...]) -> tuple[str, ...]:
    # Every role reads; only admin administers; people do not ingest (applications do, by key).
    return ("read", "admin") if "admin" in roles else ("read",)


def _now() -> datetime:
    return datetime.now(UTC)


def create_account(
    store: Store, username: str, password: str, roles: list[str], by: str = "hawthorne"
) -> None:
    """Create an account (``by``: who creates it, for the record of actions).

    Raises:
        ValueError: An unknown role, an empty username or a password shorter than 12.
    """
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown roles {unknown}; roles are {', '.join(ROLES)}")
    if not username.strip():
        raise ValueError("the username is empty")
    if len(password) < 12:
        raise ValueError("a password needs at least 12 characters")
    password_hash = _hasher.hash(password)
    with store.write() as session:
        session.add(
            Account(
                username=username,
                password_hash=password_hash,
                roles=sorted(set(roles)),
                created_at=_now(),
                failed_logins=0,
            )
        )
        act(session, by, "account.create", f"account:{username}",
            after={"username": username, "roles": sorted(set(roles))})  # fmt: skip


def list_accounts(store: Store) -> list[dict[str, object]]:
    """Every account's username, roles and creation time (never a hash)."""
    with store.session() as session:
        accounts = session.scalars(select(Account).order_by(Account.username)).all()
        return [
            {"username": a.username, "roles": list(a.roles), "created_at": a.created_at.isoformat()}
            for a in accounts
        ]


def ensure_admin(store: Store) -> str | None:
    """On first start, create the ``admin`` account.

    Its password is ``HAWTHORNE_ADMIN_PASSWORD`` when set, else a random one returned so the
    caller can show it once.

    Returns:
        The generated password, or None (accounts exist, or the environment gave it).
    """
    with store.session() as session:
        if session.scalar(select(func.count()).select_from(Account)):
            return None
    given = os.environ.get("HAWTHORNE_ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(18)
    create_account(store, "admin", password, ["admin"])
    return None if given else password


def authenticate_password(store: Store, username: str, password: str) -> Identity | None:
    """Check a username and password; lock the account after repeated failures.

    Returns:
        The identity, or None (unknown account, wrong password, or locked).
    """
    # The hash is checked outside any write transaction: argon2 takes tens of milliseconds,
    # and SQLite's write lock would make every sign-in wait for every other one.
    with store.session() as session:
        account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    if account.locked_until is not None and account.locked_until > _now():
        return None
    if not _hasher.verify(password, account.password_hash):
        with store.write() as session:
            row = session.get(Account, account.id, populate_existing=True)
            if row is not None:
                row.failed_logins += 1
                if row.failed_logins >= MAX_FAILED_LOGINS:
                    row.locked_until = _now() + LOCKOUT
                    row.failed_logins = 0
        return None
    if account.failed_logins or account.locked_until is not None:
        with store.write() as session:
            row = session.get(Account, account.id, populate_existing=True)
            if row is not None:
                row.failed_logins, row.locked_until = 0, None
    roles = tuple(account.roles)
    return Identity(username, roles, _scopes_of(roles))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    store: Store, name: str, scopes: list[str], created_by: str | None = None
) -> tuple[str, str]:
    """Create an API key.

    Returns:
        ``(key id, the key)``: the key is shown once and never stored.

    Raises:
        ValueError: No scope, or an unknown one.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise ValueError(f"give scopes among {', '.join(SCOPES)} (got {scopes})")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with store.write() as session:
        session.add(
            ApiKey(
                id=key_id,
                secret_hash=_digest(secret),
                name=name,
                scopes=sorted(set(scopes)),
                created_by=created_by,
                created_at=_now(),
            )
        )
        act(session, created_by or "hawthorne", "key.create", f"key:{key_id}",
            after={"id": key_id, "name": name, "scopes": sorted(set(scopes))})  # fmt: skip
    return key_id, f"{KEY_PREFIX}{key_id}_{secret}"


def authenticate_key(store: Store, token: str) -> Identity | None:
    """Check an API key.

    Returns:
        The key's identity, or None (malformed, unknown, wrong secret or revoked).
    """
    if not token.startswith(KEY_PREFIX):
        return None
    key_id, _, secret = token[len(KEY_PREFIX) :].partition("_")
    if not key_id or not secret:
        return None
    with store.session() as session:
        key = session.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(key.secret_hash, _digest(secret)):
            return None
        return Identity(f"key:{key_id}", (), tuple(key.scopes))


def list_keys(store: Store) -> list[dict[str, object]]:
    """Every key's id, name, scopes, creator and dates (never a secret)."""
    with store.session() as session:
        keys = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
        return [
            {
                "id": k.id,
                "name": k.name,
                "scopes": list(k.scopes),
                "created_by": k.created_by,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys
        ]


def revoke_key(store: Store, key_id: str, by: str = "hawthorne") -> bool:
    """Revoke a key (``by``: who revokes it); False when there is no such key."""
    with store.write() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            return False
        if key.revoked_at is None:
            key.revoked_at = _now()
            act(session, by, "key.revoke", f"key:{key_id}", after={"revoked": True})
        return True
