"""Who is asking: an API key or an account.

An API key comes as ``Authorization: Bearer hwk_…`` or ``X-API-Key``, an account as HTTP Basic.
Every endpoint but the OpenAPI schema depends on :func:`require`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from hawthorne.store import Identity, Role, Scope, authenticate_key, authenticate_password

__all__ = ["require", "require_role", "require_scope_or_role"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hawthorne", Basic realm="hawthorne"'}


def _credentials(request: Request) -> tuple[str, str] | str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        try:
            user, sep, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        # NUL cannot name an account (and PostgreSQL would refuse to look it up).
        return (user, password) if sep and "\x00" not in user + password else None
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


async def _identify(request: Request) -> Identity:
    store = request.app.state.store
    given = _credentials(request)
    identity: Identity | None = None
    if isinstance(given, str):
        identity = await run_in_threadpool(authenticate_key, store, given)
    elif given is not None:
        identity = await run_in_threadpool(authenticate_password, store, *given)
    if identity is None:
        raise HTTPException(
            401, "authentication required: an API key or an account", headers=_CHALLENGE
        )
    return identity


def require(scope: Scope) -> Callable[[Request], object]:
    """A dependency: the request's identity, which must hold ``scope`` (401 or 403 otherwise).

    Args:
        scope: ``ingest``, ``read`` or ``admin``.
    """

    async def dependency(request: Request) -> Identity:
        identity = await _identify(request)
        if not identity.can(scope):
            raise HTTPException(403, f"{identity.name} lacks the {scope!r} scope")
        return identity

    return dependency


def require_role(role: Role) -> Callable[[Request], object]:
    """A dependency: an account holding ``role`` (API keys hold no role: 403).

    Args:
        role: The role, e.g. ``reviewer``.
    """

    async def dependency(request: Request) -> Identity:
        identity = await _identify(request)
        if role not in identity.roles:
            raise HTTPException(403, f"{identity.name} lacks the {role!r} role")
        return identity

    return dependency


def require_scope_or_role(scope: Scope, role: Role) -> Callable[[Request], object]:
    """A dependency: a key holding ``scope`` or an account holding ``role``."""

    async def dependency(request: Request) -> Identity:
        identity = await _identify(request)
        if role not in identity.roles and not (not identity.roles and identity.can(scope)):
            raise HTTPException(
                403, f"{identity.name} needs a key with the {scope!r} scope or the {role!r} role"
            )
        return identity

    return dependency
