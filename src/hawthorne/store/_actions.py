"""The record of who changed what: one function every state change outside ingest goes through.

:func:`act` appends an ``actions`` row (actor, action, resource, before, after, time) in the
same transaction as the change it records, so a change and its record commit together or not at
all. The table is append-only on both databases (a trigger refuses ``UPDATE`` and ``DELETE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hawthorne.store._engine import Store
from hawthorne.store._schema import ActionRow

__all__ = ["Refused", "act", "list_actions"]


class Refused(ValueError):
    """A request the store will not carry out: ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def act(
    session: Session,
    actor: str,
    action: str,
    resource: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Record a state change in the session's transaction.

    Args:
        session: The write session making the change.
        actor: Who made it (a username or ``key:<id>``).
        action: What was done, ``noun.verb`` (``override.create``, ``review.label``…).
        resource: What it was done to (``override:soc-prod/d-17``, ``review-item:12``…).
        before: The resource before (None: it did not exist).
        after: The resource after (None: it no longer exists).
        now: The time (default: now).
    """
    session.add(
        ActionRow(
            time=now or datetime.now(UTC),
            actor=actor,
            action=action,
            resource=resource,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
    )


def list_actions(
    store: Store, resource_prefix: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest actions, optionally those on resources starting with ``resource_prefix``."""
    query = select(ActionRow).order_by(ActionRow.id.desc()).limit(limit)
    if resource_prefix:
        query = query.where(ActionRow.resource.startswith(resource_prefix, autoescape=True))
    with store.session() as session:
        return [
            {
                "id": row.id,
                "time": row.time.isoformat(),
                "actor": row.actor,
                "action": row.action,
                "resource": row.resource,
                "before": row.before,
                "after": row.after,
            }
            for row in session.scalars(query)
        ]
