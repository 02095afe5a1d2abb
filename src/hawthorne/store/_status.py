"""A deployment's monitor status: every stream's state, against the baseline, with its findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hawthorne.monitor import StreamState, stream_status
from hawthorne.store._deployments import Registry
from hawthorne.store._findings import OPEN_STATUSES, list_findings
from hawthorne.store._schema import StreamRow

__all__ = ["monitor_status"]


def monitor_status(registry: Registry, deployment_id: str) -> dict[str, Any]:
    """The monitor's view of a deployment (``GET /api/v1/deployments/{id}/monitor``).

    Returns:
        ``{"deployment", "baseline", "plan", "streams": [{"stream", "segment", "version",
        ...status..., "findings": [...]}]}``.

    Raises:
        UnknownDeployment: No deployment has this id.
        DeploymentError: It cannot be loaded.
    """
    live = registry.require(deployment_id)
    with registry.store.session() as session:
        rows = session.scalars(
            select(StreamRow).where(StreamRow.deployment == deployment_id).order_by(StreamRow.key)
        ).all()
    findings = list_findings(registry.store, deployment_id, OPEN_STATUSES)
    streams = []
    for row in rows:
        status = stream_status(StreamState.from_json(row.state), live.plan, live.baseline)
        streams.append(
            {
                "stream": row.key,
                "version": row.version,
                "segment": row.segment,
                **status,
                "findings": [f for f in findings if f["stream"] == row.key],
            }
        )
    return {**live.describe(), "streams": streams}
