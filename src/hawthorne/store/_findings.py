"""Findings: opened once per key when a test alarms, then updated with the latest evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hawthorne.monitor import Alarm
from hawthorne.store._actions import act
from hawthorne.store._engine import Store
from hawthorne.store._schema import FindingRow

if TYPE_CHECKING:
    from hawthorne.store._deployments import Live

__all__ = [
    "FINDING_STATUSES",
    "OPEN_STATUSES",
    "finding_json",
    "list_findings",
    "open_finding",
    "raise_alarms",
]

FINDING_STATUSES = ("new", "in_progress", "resolved", "suppressed")
"""A finding's statuses."""
OPEN_STATUSES = ("new", "in_progress")
"""The statuses of a finding someone still has to act on."""

_TITLES = {
    "drop": "Live adherence on {stream} is below the audited observed adherence minus the margin",
    "cusum": "The violation rate on {stream} has risen (CUSUM alarm)",
}
# A significant drop is a reverted protocol in production: high. A CUSUM crossing is a change
# point that may be noise at the chart's ARL0: medium until the drop test confirms it.
_SEVERITY = {"drop": "high", "cusum": "medium"}


def raise_alarms(
    session: Session, alarms: Sequence[tuple[Live, str, Alarm, dict[str, Any]]], now: datetime
) -> None:
    """Open or update one finding per stream and test for the alarms of a batch.

    A resolved finding whose test alarms again is reopened (``new``); a suppressed one is
    updated but stays suppressed.

    Args:
        session: The batch's write session.
        alarms: ``(deployment, stream key, alarm, the stream's status)`` per alarm.
        now: The batch's time.
    """
    for live, stream, alarm, status in alarms:
        key = f"monitor:{stream}:{alarm.kind}"
        evidence = {
            "test": alarm.kind,
            "at_decision": alarm.at,
            "statistic": round(alarm.statistic, 6),
            "threshold": round(alarm.threshold, 6),
            "stream": status,
            "baseline": live.baseline.to_json(),
            "plan": live.plan.to_json(),
        }
        open_finding(
            session, key, f"monitor.{alarm.kind}", live.deployment.id, stream,
            _SEVERITY[alarm.kind], _TITLES[alarm.kind].format(stream=stream), evidence, now,
        )  # fmt: skip


def open_finding(
    session: Session,
    key: str,
    kind: str,
    deployment: str | None,
    stream: str | None,
    severity: str,
    title: str,
    evidence: dict[str, Any],
    now: datetime,
    reopen: bool = True,
) -> tuple[FindingRow, bool]:
    """Open the finding ``key``, or update it with the latest evidence; recorded by :func:`act`.

    Args:
        session: The write session.
        key: The finding's key (one finding per key).
        kind: Its kind, e.g. ``monitor.drop``.
        deployment: The deployment it concerns.
        stream: The stream it concerns, if one.
        severity: ``high``, ``medium``…
        title: Its title.
        evidence: The evidence behind it (replaces the earlier evidence on an update).
        now: The time.
        reopen: Whether a resolved finding becomes ``new`` again (a suppressed one never does).

    Returns:
        ``(the finding, whether this call opened it)``.
    """
    row = session.scalar(select(FindingRow).where(FindingRow.key == key))
    if row is None:
        row = FindingRow(
            key=key,
            kind=kind,
            deployment=deployment,
            stream=stream,
            severity=severity,
            status="new",
            title=title,
            evidence=evidence,
            first_seen=now,
            last_seen=now,
            updates=0,
        )
        session.add(row)
        session.flush()
        act(session, "hawthorne", "finding.open", f"finding:{key}",
            after={"kind": kind, "severity": severity}, now=now)  # fmt: skip
        return row, True
    before = {"status": row.status, "updates": row.updates}
    row.evidence = evidence
    row.last_seen = now
    row.updates += 1
    if reopen and row.status == "resolved":
        row.status = "new"
    act(session, "hawthorne", "finding.update", f"finding:{key}", before,
        {"status": row.status, "updates": row.updates}, now)  # fmt: skip
    return row, False


def finding_json(row: FindingRow) -> dict[str, Any]:
    """A finding as JSON-ready data."""
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "deployment": row.deployment,
        "stream": row.stream,
        "severity": row.severity,
        "status": row.status,
        "title": row.title,
        "evidence": row.evidence,
        "first_seen": row.first_seen.isoformat(),
        "last_seen": row.last_seen.isoformat(),
        "updates": row.updates,
    }


def list_findings(
    store: Store, deployment: str | None = None, statuses: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Findings, newest first, optionally for one deployment and some statuses."""
    query = select(FindingRow).order_by(FindingRow.id.desc())
    if deployment is not None:
        query = query.where(FindingRow.deployment == deployment)
    if statuses:
        query = query.where(FindingRow.status.in_(list(statuses)))
    with store.session() as session:
        return [finding_json(r) for r in session.scalars(query)]
