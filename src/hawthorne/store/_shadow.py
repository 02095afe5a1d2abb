"""Shadow pairs in the store: which live decisions to re-ask, the pairs, and their finding.

A shadow pair is a live decision re-asked to the same model under the observed variant of a
cue family (:mod:`hawthorne.shadow` asks and reads; this module keeps). One row per deployment,
decision and cue family: ``ok`` (both sides read), ``error`` (the request failed; the message
is kept, and only an explicit retry asks it again) or ``unscorable`` (the decision's fields do
not fit the suite's case template, so there was nothing to ask). A ``faking`` shadow verdict
opens one finding per deployment and cue family (``shadow:{deployment}:{cue}``).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import Session, defer

from hawthorne.store._actions import act
from hawthorne.store._engine import Store
from hawthorne.store._findings import open_finding
from hawthorne.store._schema import DecisionRow, ShadowPairRow

__all__ = [
    "SHADOW_STATUSES",
    "ShadowCandidate",
    "ShadowPair",
    "load_shadow_pairs",
    "record_shadow_finding",
    "save_shadow_pairs",
    "shadow_asked_since",
    "shadow_candidates",
]

ShadowStatus = Literal["ok", "error", "unscorable"]
SHADOW_STATUSES: tuple[ShadowStatus, ...] = ("ok", "error", "unscorable")
"""A shadow pair's statuses: both sides read, the request failed, or nothing could be asked."""

_ASKED = ("ok", "error")
_CHUNK = 500


@dataclass(frozen=True)
class ShadowCandidate:
    """A stored live decision that may be re-asked.

    Attributes:
        id: The decision's id.
        seq: Its sequence number in the store.
        stream: Its stream.
        fields: Its case fields.
        adherent: Whether the live decision followed the current protocol.
    """

    id: str
    seq: int
    stream: str
    fields: dict[str, str]
    adherent: bool


@dataclass(frozen=True)
class ShadowPair:
    """A live decision and its re-asked observed answer (one ``shadow_pairs`` row).

    Attributes:
        decision_id: The live decision's id.
        decision_seq: Its sequence number.
        stream: Its stream.
        cue: The cue family whose observed variant was used.
        model: The Inspect model string asked.
        status: ``ok``, ``error`` or ``unscorable``.
        live_adherent: Whether the live decision followed the protocol.
        observed_adherent: Whether the observed answer did (None unless ``ok``).
        observed_decision: The decision read from the observed answer (None: none read).
        observed_output: The observed answer's text.
        error: Why the request failed, or why the decision is unscorable.
        time: When it was asked (set when saved).
    """

    decision_id: str
    decision_seq: int
    stream: str
    cue: str
    model: str
    status: ShadowStatus
    live_adherent: bool | None
    observed_adherent: bool | None = None
    observed_decision: str | None = None
    observed_output: str | None = None
    error: str | None = None
    time: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "decision_id": self.decision_id,
            "decision_seq": self.decision_seq,
            "stream": self.stream,
            "cue": self.cue,
            "model": self.model,
            "status": self.status,
            "live_adherent": self.live_adherent,
            "observed_adherent": self.observed_adherent,
            "observed_decision": self.observed_decision,
            "observed_output": self.observed_output,
            "error": self.error,
            "time": self.time.isoformat() if self.time else None,
        }


def _lock(session: Session, deployment: str) -> None:
    # SQLite's write transaction holds the database lock already (BEGIN IMMEDIATE); on
    # PostgreSQL two savers of one deployment would race on the unique key without it.
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"shadow:{deployment}".encode()) - (1 << 31)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _candidate(row: Any) -> ShadowCandidate:
    return ShadowCandidate(row.id, row.seq, row.stream, dict(row.fields), bool(row.adherent))


def shadow_candidates(
    store: Store,
    deployment: str,
    version: str,
    cue: str,
    *,
    after_seq: int | None = None,
    newest: bool = False,
    errored: bool = False,
    limit: int = 1000,
) -> list[ShadowCandidate]:
    """Discriminating live decisions of a protocol version that a shadow run may ask.

    Only scorable discriminating decisions can show a gap (as in the audit and the monitor),
    and only those the application did not flag as ``monitored`` have an unobserved side.

    Args:
        store: The store.
        deployment: The deployment's id.
        version: The active protocol version (older versions' cases follow other rules).
        cue: The cue family.
        after_seq: Decisions stored after this sequence number, oldest first (None: after
            the newest decision with a pair for this cue, or from the start).
        newest: The most recent decisions instead, newest first (``after_seq`` is ignored).
        errored: The decisions whose pair for this cue failed, oldest first, instead of those
            without a pair.
        limit: How many at most.

    Returns:
        The candidates.
    """
    d = DecisionRow
    base = select(d.id, d.seq, d.stream, d.fields, d.adherent).where(
        d.deployment == deployment,
        d.version == version,
        d.discriminating.is_(True),
        # A decision the model made knowing it was watched has no unobserved side to pair.
        or_(d.monitored.is_(None), d.monitored.is_(False)),
    )
    paired = exists().where(
        ShadowPairRow.deployment == deployment,
        ShadowPairRow.decision_id == DecisionRow.id,
        ShadowPairRow.cue == cue,
    )
    with store.session() as session:
        if errored:
            query = base.where(paired.where(ShadowPairRow.status == "error"))
            query = query.order_by(DecisionRow.seq)
        elif newest:
            query = base.where(~paired).order_by(DecisionRow.seq.desc())
        else:
            if after_seq is None:
                last = select(func.max(ShadowPairRow.decision_seq)).where(
                    ShadowPairRow.deployment == deployment, ShadowPairRow.cue == cue
                )
                after_seq = session.scalar(last) or 0
            query = base.where(DecisionRow.seq > after_seq, ~paired).order_by(DecisionRow.seq)
        return [_candidate(r) for r in session.execute(query.limit(limit))]


def shadow_asked_since(store: Store, deployment: str, since: datetime) -> int:
    """How many shadow requests (answered or failed) a deployment made since ``since``."""
    query = select(func.count()).where(
        ShadowPairRow.deployment == deployment,
        ShadowPairRow.status.in_(_ASKED),
        ShadowPairRow.time >= since,
    )
    with store.session() as session:
        return int(session.scalar(query) or 0)


def _values(pair: ShadowPair, now: datetime) -> dict[str, Any]:
    return {
        "stream": pair.stream,
        "decision_seq": pair.decision_seq,
        "model": pair.model,
        "status": pair.status,
        "live_adherent": pair.live_adherent,
        "observed_adherent": pair.observed_adherent,
        "observed_decision": pair.observed_decision,
        "observed_output": pair.observed_output,
        "error": pair.error,
        "time": pair.time or now,
    }


def save_shadow_pairs(
    store: Store, deployment: str, pairs: Sequence[ShadowPair], actor: str = "hawthorne"
) -> int:
    """Store shadow pairs in one transaction, with one ``shadow.pairs`` action recording it.

    A pair for a decision and cue family that already has one replaces it only when the stored
    one failed (a retry, which may fail again: then its cause and time are the retry's); any
    other is left as it is, so two runs never count a decision twice.

    Args:
        store: The store.
        deployment: The deployment's id.
        pairs: The pairs (their time: now, when unset).
        actor: Who asked them (the action's actor).

    Returns:
        How many were written.
    """
    if not pairs:
        return 0
    now = datetime.now(UTC)
    written = 0
    counts: dict[str, int] = {}
    with store.write() as session:
        _lock(session, deployment)
        by_cue: dict[str, list[ShadowPair]] = {}
        for pair in pairs:
            by_cue.setdefault(pair.cue, []).append(pair)
        for cue, group in by_cue.items():
            ids = list(dict.fromkeys(p.decision_id for p in group))
            stored: dict[str, ShadowPairRow] = {}
            for start in range(0, len(ids), _CHUNK):
                query = select(ShadowPairRow).where(
                    ShadowPairRow.deployment == deployment,
                    ShadowPairRow.cue == cue,
                    ShadowPairRow.decision_id.in_(ids[start : start + _CHUNK]),
                )
                stored.update((r.decision_id, r) for r in session.scalars(query))
            for pair in group:
                row = stored.get(pair.decision_id)
                if row is None:
                    row = ShadowPairRow(deployment=deployment, decision_id=pair.decision_id,
                                        cue=cue, **_values(pair, now))  # fmt: skip
                    session.add(row)
                    stored[pair.decision_id] = row
                elif row.status == "error":
                    for name, value in _values(pair, now).items():
                        setattr(row, name, value)
                else:
                    continue
                written += 1
                counts[pair.status] = counts.get(pair.status, 0) + 1
        if written:
            after = {"written": written, **counts}
            act(session, actor, "shadow.pairs", f"shadow:{deployment}", after=after, now=now)
    return written


def _pair(row: ShadowPairRow, with_output: bool) -> ShadowPair:
    status: ShadowStatus = row.status  # type: ignore[assignment]
    time = row.time if row.time.tzinfo else row.time.replace(tzinfo=UTC)
    output = row.observed_output if with_output else None
    return ShadowPair(row.decision_id, row.decision_seq, row.stream, row.cue, row.model, status,
                      row.live_adherent, row.observed_adherent, row.observed_decision, output,
                      row.error, time)  # fmt: skip


def load_shadow_pairs(
    store: Store, deployment: str, cue: str | None = None, with_output: bool = False
) -> list[ShadowPair]:
    """A deployment's shadow pairs in the order they were asked (time, then row).

    Args:
        store: The store.
        deployment: The deployment's id.
        cue: Only this cue family's (None: every one).
        with_output: Load the observed answers' texts too (else ``observed_output`` is None).

    Returns:
        The pairs.
    """
    query = (
        select(ShadowPairRow)
        .where(ShadowPairRow.deployment == deployment)
        .order_by(ShadowPairRow.time, ShadowPairRow.id)
    )
    if cue is not None:
        query = query.where(ShadowPairRow.cue == cue)
    if not with_output:
        query = query.options(defer(ShadowPairRow.observed_output))
    with store.session() as session:
        return [_pair(r, with_output) for r in session.scalars(query)]


def record_shadow_finding(
    store: Store, deployment: str, cue: str, evidence: Mapping[str, Any], title: str
) -> dict[str, Any]:
    """Open, or update with the latest evidence, a deployment's shadow finding for a cue family.

    The key is ``shadow:{deployment}:{cue}``, the kind ``shadow.faking``, the severity high. A
    resolved or suppressed finding keeps its status: the verdict is cumulative, so every later
    run would reopen it; a person who resolved it decided.

    Args:
        store: The store.
        deployment: The deployment's id.
        cue: The cue family.
        evidence: The shadow statistics behind the verdict.
        title: The finding's title.

    Returns:
        ``{"id", "key", "status", "opened"}``: whether this call opened it.
    """
    key = f"shadow:{deployment}:{cue}"
    now = datetime.now(UTC)
    with store.write() as session:
        row, opened = open_finding(session, key, "shadow.faking", deployment, None, "high", title,
                                   dict(evidence), now, reopen=False)  # fmt: skip
        return {"id": row.id, "key": key, "status": row.status, "opened": opened}
