"""Overrides: a human's final decision on a live decision, and each stream's override figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from hawthorne.review import direction_of, override_summary
from hawthorne.store._actions import Refused, act
from hawthorne.store._deployments import Registry
from hawthorne.store._schema import DecisionRow, OverrideRow

__all__ = ["OverrideError", "override_status", "record_override"]


class OverrideError(Refused):
    """An override cannot be recorded: ``status`` is the HTTP status that says why."""


def _json(row: OverrideRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "deployment": row.deployment,
        "decision_id": row.decision_id,
        "stream": row.stream,
        "model_decision": row.model_decision,
        "final_decision": row.final_decision,
        "direction": row.direction,
        "by": row.actor,
        "reason": row.reason,
        "note": row.note,
        "time": row.time.isoformat(),
    }


def record_override(
    registry: Registry,
    deployment: str,
    decision_id: str,
    final_decision: str,
    by: str,
    reason: str,
    note: str | None = None,
    recorded_by: str | None = None,
) -> dict[str, Any]:
    """Record that ``by`` replaced a live decision's outcome with ``final_decision``.

    Args:
        registry: The deployments.
        deployment: The deployment's id.
        decision_id: The decision's id (as recorded).
        final_decision: The decision that stands, one of the suite's decisions.
        by: The person who overrode it.
        reason: A reason code (``false-positive``, ``policy-exception``…).
        note: Free text.
        recorded_by: The identity that sent the override (default: ``by``).

    Returns:
        The override as JSON-ready data, with its direction against the protocol.

    Raises:
        UnknownDeployment: No deployment has this id.
        OverrideError: No such decision (404), an unknown decision name (400), or the decision
            already has an override (409).
    """
    live = registry.require(deployment)
    decisions = {d.lower(): d for d in live.checker.suite.decisions}
    final = decisions.get(final_decision.strip().lower())
    if final is None:
        raise OverrideError(
            f"final_decision: {final_decision!r} is not one of {sorted(decisions.values())}", 400
        )
    now = datetime.now(UTC)
    with registry.store.write() as session:
        decision = session.scalar(
            select(DecisionRow).where(
                DecisionRow.deployment == deployment, DecisionRow.id == decision_id
            )
        )
        if decision is None:
            raise OverrideError(f"deployment {deployment} has no decision {decision_id!r}", 404)
        taken = session.scalar(
            select(OverrideRow.actor).where(
                OverrideRow.deployment == deployment, OverrideRow.decision_id == decision_id
            )
        )
        if taken is not None:
            raise OverrideError(f"decision {decision_id!r} was already overridden by {taken}", 409)
        row = OverrideRow(
            deployment=deployment,
            decision_id=decision_id,
            decision_seq=decision.seq,
            stream=decision.stream,
            model_decision=decision.read_decision,
            final_decision=final,
            direction=direction_of(decision.read_decision, final, decision.protocol_decision),
            actor=by,
            reason=reason,
            note=note,
            time=now,
        )
        session.add(row)
        session.flush()
        shown = _json(row)
        act(
            session,
            recorded_by or by,
            "override.create",
            f"override:{deployment}/{decision_id}",
            after=shown,
            now=now,
        )
    return shown


def override_status(registry: Registry, deployment: str) -> dict[str, Any]:
    """Per stream: the override rate and directions, and the CUSUM against the first window.

    Raises:
        UnknownDeployment: No deployment has this id.
    """
    live = registry.require(deployment)
    with registry.store.session() as session:
        counts = dict(
            session.execute(
                select(DecisionRow.stream, func.count())
                .where(DecisionRow.deployment == deployment)
                .group_by(DecisionRow.stream)
            ).all()
        )
        overrides = session.execute(
            select(OverrideRow.stream, OverrideRow.decision_seq, OverrideRow.direction)
            .where(OverrideRow.deployment == deployment)
            .order_by(OverrideRow.decision_seq)
        ).all()
        by_stream: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for stream, seq, direction in overrides:
            by_stream[stream].append((seq, direction))
        streams = []
        for stream in sorted(counts):
            marks = by_stream.get(stream, [])
            positions = _positions(session, stream, [seq for seq, _ in marks])
            summary = override_summary(
                counts[stream], positions, [d for _, d in marks], live.deployment.monitor.arl0
            )
            streams.append({"stream": stream, **summary.to_json()})
    return {"deployment": deployment, "streams": streams}


def _positions(session: Any, stream: str, seqs: list[int]) -> list[int]:
    """Each overridden decision's 0-based index in its stream (by store order)."""
    if not seqs:
        return []
    ordered = session.scalars(
        select(DecisionRow.seq).where(DecisionRow.stream == stream).order_by(DecisionRow.seq)
    ).all()
    index = {seq: i for i, seq in enumerate(ordered)}
    return [index[seq] for seq in seqs]
