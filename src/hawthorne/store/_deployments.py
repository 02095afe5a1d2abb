"""Registered deployments: stored with their baseline and tuned monitor, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from hawthorne.monitor import (
    Baseline,
    Checker,
    Deployment,
    DeploymentError,
    MonitorPlan,
    parse_deployment,
    plan_monitor,
    read_baseline,
)
from hawthorne.store._actions import act
from hawthorne.store._engine import Store
from hawthorne.store._schema import DeploymentRow
from hawthorne.suites import SuiteError, content_hash, load_suite

__all__ = ["Live", "Registry", "UnknownDeployment"]


class UnknownDeployment(DeploymentError):
    """No deployment has this id."""


@dataclass(frozen=True)
class Live:
    """A deployment ready to check decisions.

    Attributes:
        deployment: Its file's settings.
        checker: The oracle check for its suite.
        baseline: The audited baseline.
        plan: The monitor's tuned tests.
    """

    deployment: Deployment
    checker: Checker
    baseline: Baseline
    plan: MonitorPlan

    @property
    def version(self) -> str:
        """The active protocol version."""
        return self.deployment.protocol_version

    def describe(self) -> dict[str, Any]:
        """JSON-ready data: the deployment, its baseline and its monitor plan."""
        return {
            "deployment": self.deployment.to_json(),
            "baseline": self.baseline.to_json(),
            "plan": self.plan.to_json(),
        }


class Registry:
    """The store's deployments, each loaded (suite, checker) the first time it is used.

    Args:
        store: The store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._live: dict[str, Live] = {}

    def register(self, data: object, by: str = "hawthorne") -> tuple[Live, bool]:
        """Register (or update) a deployment from its file's data, reading its baseline.

        Args:
            data: The deployment (paths absolute: the server reads them).
            by: Who registers it (for the record of actions).

        Returns:
            ``(the deployment, whether it is new)``.

        Raises:
            DeploymentError: The deployment or its baseline cannot be used.
        """
        deployment = parse_deployment(data)
        suite, baseline = read_baseline(deployment)
        plan = plan_monitor(baseline, deployment.monitor)
        now = datetime.now(UTC)
        with self.store.write() as session:
            row = session.get(DeploymentRow, deployment.id)
            created = row is None
            before = None if row is None else {"spec": row.spec, "baseline": row.baseline}
            if row is None:
                row = DeploymentRow(id=deployment.id, created_at=now)
                session.add(row)
            row.spec = deployment.to_json()
            row.suite_hash = baseline.suite_hash
            row.baseline = baseline.to_json()
            row.plan = plan.to_json()
            row.updated_at = now
            act(session, by, "deployment.register", f"deployment:{deployment.id}", before,
                {"spec": row.spec, "baseline": row.baseline}, now)  # fmt: skip
        live = Live(deployment, Checker(suite), baseline, plan)
        self._live[deployment.id] = live
        return live, created

    def get(self, deployment_id: str) -> Live | None:
        """A registered deployment, or None.

        Raises:
            DeploymentError: Its suite can no longer be loaded, or has changed since it was
                registered (register it again, against an audit of the new version).
        """
        live = self._live.get(deployment_id)
        if live is not None:
            return live
        with self.store.session() as session:
            row = session.get(DeploymentRow, deployment_id)
        if row is None:
            return None
        deployment = parse_deployment(row.spec)
        baseline = Baseline.from_json(row.baseline)
        try:
            suite = load_suite(deployment.suite, seed=baseline.seed)
        except SuiteError as err:
            raise DeploymentError(f"deployment {deployment_id}: suite: {err}") from None
        if content_hash(suite) != row.suite_hash:
            raise DeploymentError(
                f"deployment {deployment_id}: its suite {deployment.suite} has changed since it"
                " was registered; register the deployment again against an audit of this version"
            )
        live = Live(deployment, Checker(suite), baseline, MonitorPlan.from_json(row.plan))
        self._live[deployment_id] = live
        return live

    def require(self, deployment_id: str) -> Live:
        """A registered deployment.

        Raises:
            UnknownDeployment: None has this id.
            DeploymentError: It cannot be loaded (see :meth:`get`).
        """
        live = self.get(deployment_id)
        if live is None:
            raise UnknownDeployment(f"unknown deployment {deployment_id!r}")
        return live

    def ids(self) -> list[str]:
        """Every registered deployment's id, sorted."""
        with self.store.session() as session:
            return list(session.scalars(select(DeploymentRow.id).order_by(DeploymentRow.id)))
