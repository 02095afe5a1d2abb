"""The ingest path: validate, check, store and fold a batch of decisions in one transaction.

Each item gets its own result (the 207 body): ``201`` stored, ``200`` a duplicate of a stored
id (idempotent: nothing changes), ``400`` invalid (the field named), ``404`` unknown deployment.
The valid new decisions, their streams' new states and any findings their alarms open are
committed together, so a decision is either stored and counted or neither; the caller
acknowledges only after :func:`record` returns. Per deployment, batches are serialised (SQLite's
write lock; a PostgreSQL advisory lock), so a stream's decisions are folded in commit order and
:func:`replay_streams` reproduces the state exactly.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from hawthorne.monitor import (
    Alarm,
    Checked,
    DecisionIn,
    DeploymentError,
    Observation,
    StreamState,
    describe_error,
    replay,
    stream_key,
    stream_status,
)
from hawthorne.store._deployments import Live, Registry
from hawthorne.store._findings import raise_alarms
from hawthorne.store._schema import DecisionRow, StreamRow

__all__ = ["ItemResult", "record", "replay_streams"]

_CHUNK = 500
DECISIONS = cast(Table, DecisionRow.__table__)


@dataclass(frozen=True)
class ItemResult:
    """One item's result.

    Attributes:
        id: The item's id (None when it had none).
        status: 201 stored, 200 duplicate, 400 invalid, 404 unknown deployment.
        outcome: The oracle's outcome (stored and duplicate items).
        error: What is wrong (400 and 404).
    """

    id: str | None
    status: int
    outcome: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The 207 body's entry (absent fields left out)."""
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.outcome is not None:
            out["outcome"] = self.outcome
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class _Accepted:
    index: int
    item: DecisionIn
    live: Live
    checked: Checked
    stream: str


def _raw_id(raw: object) -> str | None:
    value = raw.get("id") if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) else None


def _deployments(registry: Registry) -> Callable[[str], Live | DeploymentError | None]:
    """The registry's look-up, remembered for one batch (an unknown id is asked once)."""
    seen: dict[str, Live | DeploymentError | None] = {}

    def lookup(deployment_id: str) -> Live | DeploymentError | None:
        if deployment_id not in seen:
            try:
                seen[deployment_id] = registry.get(deployment_id)
            except DeploymentError as err:
                seen[deployment_id] = err
        return seen[deployment_id]

    return lookup


def _validate(
    raw: object, index: int, lookup: Callable[[str], Live | DeploymentError | None]
) -> tuple[_Accepted | None, ItemResult | None]:
    if not isinstance(raw, Mapping):
        return None, ItemResult(None, 400, error="an item must be a JSON object")
    try:
        item = DecisionIn.model_validate(raw)
    except ValidationError as err:
        return None, ItemResult(_raw_id(raw), 400, error=describe_error(err))
    live = lookup(item.deployment)
    if isinstance(live, DeploymentError):
        return None, ItemResult(item.id, 400, error=str(live))
    if live is None:
        return None, ItemResult(item.id, 404, error=f"unknown deployment {item.deployment!r}")
    if item.protocol is not None:
        suite = live.checker.suite
        if item.protocol.suite not in (None, suite.id):
            return None, ItemResult(
                item.id,
                400,
                error=f"protocol.suite: {item.protocol.suite!r} is not the deployment's suite"
                f" {suite.id!r}",
            )
        if item.protocol.version not in (None, live.version):
            return None, ItemResult(
                item.id,
                400,
                error=f"protocol.version: {item.protocol.version!r} is not deployment"
                f" {item.deployment}'s active version {live.version!r}",
            )
    stream = stream_key(item.deployment, live.version, item.segment)
    return _Accepted(index, item, live, live.checker.check(item), stream), None


def _lock(session: Session, deployment: str) -> None:
    # SQLite's write transaction already holds the database lock (BEGIN IMMEDIATE).
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        key = zlib.crc32(deployment.encode()) - (1 << 31)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _stored_ids(session: Session, deployment: str, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(DecisionRow.id).where(
            DecisionRow.deployment == deployment, DecisionRow.id.in_(chunk)
        )
        found.update(session.scalars(query))
    return found


def _row(a: _Accepted, received: datetime, source: str) -> dict[str, Any]:
    item, checked = a.item, a.checked
    return {
        "deployment": item.deployment,
        "id": item.id,
        "stream": a.stream,
        "version": a.live.version,
        "segment": item.segment,
        "time": item.at(received),
        "received_at": received,
        "source": source,
        "fields": item.fields,
        "decision": item.decision,
        "output": item.output,
        "actions": [a.model_dump() for a in item.actions] or None,
        "reasoning": item.reasoning,
        "monitored": item.monitored,
        "trace_id": item.trace_id,
        "span_id": item.span_id,
        "read_decision": checked.decision,
        "read_from": checked.read_from,
        "outcome": checked.outcome,
        "protocol_decision": checked.protocol_decision,
        "legacy_decision": checked.legacy_decision,
        "discriminating": checked.discriminating,
        "adherent": checked.adherent,
    }


_COLUMNS = [c.name for c in DECISIONS.columns if c.name != "seq"]
_PROCESSORS: dict[str, list[Any]] = {}


def _values(session: Session, rows: Sequence[_Accepted], received: datetime,
            source: str) -> list[tuple[Any, ...]]:  # fmt: skip
    """The rows as tuples in ``_COLUMNS`` order, through the columns' own bind processors.

    The processors are looked up once per dialect: this is what SQLAlchemy would send, without
    its per-row work.
    """
    dialect = session.get_bind().dialect
    processors = _PROCESSORS.get(dialect.name)
    if processors is None:
        processors = [DECISIONS.c[n].type.bind_processor(dialect) for n in _COLUMNS]
        if dialect.name == "postgresql":
            # COPY takes JSON as its text; psycopg adapts the other types itself.
            processors = [json.dumps if n in ("fields", "actions") else None for n in _COLUMNS]
        _PROCESSORS[dialect.name] = processors
    out = []
    for a in rows:
        row = _row(a, received, source)
        out.append(
            tuple(
                row[n] if p is None or row[n] is None else p(row[n])
                for n, p in zip(_COLUMNS, processors, strict=True)
            )
        )
    return out


def _append(session: Session, rows: list[_Accepted], received: datetime,
            source: str) -> dict[str, _Accepted]:  # fmt: skip
    """Append the rows whose ids the deployment has not stored yet, in order.

    Returns:
        id -> the row appended under it.
    """
    if not rows:
        return {}
    deployment = rows[0].item.deployment
    columns = ", ".join(_COLUMNS)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    if session.get_bind().dialect.name == "postgresql":
        # COPY into a per-connection temporary table, then one INSERT … SELECT that skips ids
        # already stored: no per-row statements, and no look-up that depends on statistics.
        with driver.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS decisions_in ON COMMIT DELETE ROWS AS"
                f" SELECT {columns}, 0::int AS ord FROM decisions WITH NO DATA"
            )
            with cursor.copy(f"COPY decisions_in ({columns}, ord) FROM STDIN") as copy:
                for n, values in enumerate(_values(session, rows, received, source)):
                    copy.write_row((*values, n))
            cursor.execute(
                f"INSERT INTO decisions ({columns}) SELECT {columns} FROM decisions_in"
                " ORDER BY ord ON CONFLICT (deployment, id) DO NOTHING RETURNING id"
            )
            created = {r[0] for r in cursor.fetchall()}
        by_id = {a.item.id: a for a in rows}
        return {i: by_id[i] for i in created}
    stored = _stored_ids(session, deployment, [a.item.id for a in rows])
    fresh = [a for a in rows if a.item.id not in stored]
    marks = ", ".join("?" * len(_COLUMNS))
    cursor = driver.cursor()
    cursor.executemany(
        f"INSERT INTO decisions ({columns}) VALUES ({marks})",
        _values(session, fresh, received, source),
    )
    cursor.close()
    return {a.item.id: a for a in fresh}


def _observation(a: _Accepted) -> Observation:
    c = a.checked
    return Observation(c.outcome, c.discriminating, c.adherent, a.item.monitored)


def _fold(
    session: Session, new: list[_Accepted], received: datetime
) -> list[tuple[Live, str, Alarm, dict[str, Any]]]:
    by_stream: dict[str, list[_Accepted]] = {}
    for a in new:
        by_stream.setdefault(a.stream, []).append(a)
    rows = {
        r.key: r
        for r in session.scalars(select(StreamRow).where(StreamRow.key.in_(list(by_stream))))
    }
    alarms: list[tuple[Live, str, Alarm, dict[str, Any]]] = []
    for key, accepted in by_stream.items():
        live = accepted[0].live
        row = rows.get(key)
        state = StreamState.from_json(row.state) if row else StreamState()
        raised = state.fold([_observation(a) for a in accepted], live.plan)
        if row is None:
            row = StreamRow(
                key=key,
                deployment=live.deployment.id,
                version=live.version,
                segment=accepted[0].item.segment,
            )
            session.add(row)
        row.state = state.to_json()
        row.updated_at = received
        if raised:
            status = stream_status(state, live.plan, live.baseline)
            alarms.extend((live, key, alarm, status) for alarm in raised)
    return alarms


def record(registry: Registry, batch: Sequence[object], *, source: str = "api") -> list[ItemResult]:
    """Validate, check, store and fold a batch; one result per item, in order.

    Args:
        registry: The store's deployments.
        batch: The items (parsed JSON, or the OTLP mapping's dicts).
        source: ``api`` or ``otlp`` (recorded with each decision).

    Returns:
        The items' results; every 201 and 200 is durably committed when this returns.
    """
    results: list[ItemResult | None] = [None] * len(batch)
    accepted: dict[str, list[_Accepted]] = {}
    lookup = _deployments(registry)
    for index, raw in enumerate(batch):
        a, error = _validate(raw, index, lookup)
        if error is not None:
            results[index] = error
        elif a is not None:
            accepted.setdefault(a.item.deployment, []).append(a)
    received = datetime.now(UTC)
    if accepted:
        with registry.store.write() as session:
            new: list[_Accepted] = []
            for deployment in sorted(accepted):
                _lock(session, deployment)
                first: dict[str, _Accepted] = {}
                for a in accepted[deployment]:
                    first.setdefault(a.item.id, a)
                appended = _append(session, list(first.values()), received, source)
                for a in accepted[deployment]:
                    created = appended.get(a.item.id) is a
                    results[a.index] = ItemResult(
                        a.item.id, 201 if created else 200, a.checked.outcome
                    )
                    if created:
                        new.append(a)
            if new:
                alarms = _fold(session, new, received)
                raise_alarms(session, alarms, received)
    return [r for r in results if r is not None]


def replay_streams(registry: Registry, deployment_id: str) -> dict[str, StreamState]:
    """Recompute a deployment's stream states from its stored decisions.

    Raises:
        UnknownDeployment: No deployment has this id.
        DeploymentError: It cannot be loaded.
    """
    live = registry.require(deployment_id)
    query = (
        select(
            DecisionRow.stream,
            DecisionRow.outcome,
            DecisionRow.discriminating,
            DecisionRow.adherent,
            DecisionRow.monitored,
        )
        .where(DecisionRow.deployment == deployment_id)
        .order_by(DecisionRow.seq)
    )
    with registry.store.session() as session:
        rows = session.execute(query).all()
    observations = [(r[0], Observation(r[1], r[2], r[3], r[4])) for r in rows]
    return replay(observations, {key: live.plan for key, _ in observations})
