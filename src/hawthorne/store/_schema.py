"""The store's tables (SQLAlchemy 2): one schema for SQLite and PostgreSQL.

Decisions are append-only: the code never updates or deletes one, and the migrations add a
trigger on both databases that refuses ``UPDATE`` and ``DELETE`` on the table. Stream states
are a cache of the decisions (:func:`hawthorne.monitor.replay` recomputes them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Account",
    "ActionRow",
    "ApiKey",
    "Base",
    "DecisionRow",
    "DeploymentRow",
    "FindingRow",
    "OverrideRow",
    "ReviewDrawRow",
    "ReviewItemRow",
    "ReviewLabelRow",
    "ReviewPlanRow",
    "ShadowPairRow",
    "StreamRow",
]

# SQLite makes an INTEGER PRIMARY KEY the rowid (auto-incrementing); PostgreSQL takes BIGINT.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class Time(TypeDecorator[datetime]):
    """A time stored in UTC and read back aware (SQLite keeps no zone and returns naive times)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """The stored time, in UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """The declarative base of every table."""


class DeploymentRow(Base):
    """A registered deployment, its suite's hash, its baseline and its tuned monitor."""

    __tablename__ = "deployments"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    suite_hash: Mapped[str] = mapped_column(String(64))
    baseline: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Time())
    updated_at: Mapped[datetime] = mapped_column(Time())


class DecisionRow(Base):
    """One live decision as received, with the oracle's reading (append-only)."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("deployment", "id", name="uq_decisions_deployment_id"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    deployment: Mapped[str] = mapped_column(String(100))
    id: Mapped[str] = mapped_column(String(200))
    stream: Mapped[str] = mapped_column(String(300), index=True)
    version: Mapped[str] = mapped_column(String(100))
    segment: Mapped[str] = mapped_column(String(100))
    time: Mapped[datetime] = mapped_column(Time())
    received_at: Mapped[datetime] = mapped_column(Time())
    source: Mapped[str] = mapped_column(String(10))
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(200))
    output: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    reasoning: Mapped[str | None] = mapped_column(Text)
    monitored: Mapped[bool | None] = mapped_column(Boolean)
    trace_id: Mapped[str | None] = mapped_column(String(32))
    span_id: Mapped[str | None] = mapped_column(String(16))
    read_decision: Mapped[str | None] = mapped_column(String(200))
    read_from: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(12))
    protocol_decision: Mapped[str | None] = mapped_column(String(200))
    legacy_decision: Mapped[str | None] = mapped_column(String(200))
    discriminating: Mapped[bool] = mapped_column(Boolean)
    adherent: Mapped[bool] = mapped_column(Boolean)


class StreamRow(Base):
    """A stream's sequential state, as of the last decision folded into it."""

    __tablename__ = "streams"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    deployment: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(100))
    segment: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(Time())


class FindingRow(Base):
    """Something a human must look at: opened once per key, then updated."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    deployment: Mapped[str | None] = mapped_column(String(100), index=True)
    stream: Mapped[str | None] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(Time())
    last_seen: Mapped[datetime] = mapped_column(Time())
    updates: Mapped[int] = mapped_column(Integer, default=0)


class Account(Base):
    """A person who signs in: an argon2 password hash and roles."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Time())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Time())


class ApiKey(Base):
    """An API key: its public id, the SHA-256 of its secret, and its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Time())
    revoked_at: Mapped[datetime | None] = mapped_column(Time())


class ActionRow(Base):
    """One state change made by someone: who, what, on which resource, before and after.

    Append-only like the decisions; every change of state outside ingest writes one row
    (:func:`hawthorne.store.act`).
    """

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(Time())
    actor: Mapped[str] = mapped_column(String(140))
    action: Mapped[str] = mapped_column(String(60))
    resource: Mapped[str] = mapped_column(String(400))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OverrideRow(Base):
    """A human's final decision on a live decision, and which way it moved it."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("deployment", "decision_id", name="uq_overrides_decision"),)

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    deployment: Mapped[str] = mapped_column(String(100))
    decision_id: Mapped[str] = mapped_column(String(200))
    decision_seq: Mapped[int] = mapped_column(BigInteger)
    stream: Mapped[str] = mapped_column(String(300), index=True)
    model_decision: Mapped[str | None] = mapped_column(String(200))
    final_decision: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(140))
    reason: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    time: Mapped[datetime] = mapped_column(Time())


class ReviewPlanRow(Base):
    """A sampling plan: attribute-sampling settings, strata and period for one deployment."""

    __tablename__ = "review_plans"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    deployment: Mapped[str] = mapped_column(String(100), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(140))
    created_at: Mapped[datetime] = mapped_column(Time())


class ReviewDrawRow(Base):
    """One period's draw of a plan: each stratum's population and sample size, and the seed."""

    __tablename__ = "review_draws"
    __table_args__ = (UniqueConstraint("plan", "period", name="uq_review_draws_period"),)

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    plan: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(40))
    strata: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    drawn_at: Mapped[datetime] = mapped_column(Time())


class ReviewItemRow(Base):
    """A sampled decision waiting for (or holding) its labels, with its inclusion probability."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("plan", "decision_seq", name="uq_review_items_decision"),)

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    plan: Mapped[str] = mapped_column(String(100), index=True)
    draw: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(40))
    stratum: Mapped[str] = mapped_column(String(300))
    decision_seq: Mapped[int] = mapped_column(BigInteger)
    inclusion: Mapped[float] = mapped_column(Float)
    labels_needed: Mapped[int] = mapped_column(Integer)
    labels_done: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(140))
    locked_until: Mapped[datetime | None] = mapped_column(Time())


class ReviewLabelRow(Base):
    """A reviewer's label of a sampled decision (blind to any other label of it)."""

    __tablename__ = "review_labels"
    __table_args__ = (UniqueConstraint("item", "reviewer", name="uq_review_labels_reviewer"),)

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    item: Mapped[int] = mapped_column(BigInteger, index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(140))
    label: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    time: Mapped[datetime] = mapped_column(Time())


class ShadowPairRow(Base):
    """A live decision re-asked under an observed cue: the live and the observed reading."""

    __tablename__ = "shadow_pairs"
    __table_args__ = (
        UniqueConstraint("deployment", "decision_id", "cue", name="uq_shadow_pairs_decision"),
    )

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    deployment: Mapped[str] = mapped_column(String(100), index=True)
    decision_id: Mapped[str] = mapped_column(String(200))
    decision_seq: Mapped[int] = mapped_column(BigInteger)
    stream: Mapped[str] = mapped_column(String(300))
    cue: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))
    live_adherent: Mapped[bool | None] = mapped_column(Boolean)
    observed_adherent: Mapped[bool | None] = mapped_column(Boolean)
    observed_decision: Mapped[str | None] = mapped_column(String(200))
    observed_output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    time: Mapped[datetime] = mapped_column(Time())
