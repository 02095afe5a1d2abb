"""The monitor: deployments, decisions (append-only), stream states and findings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)

# Decisions are append-only, on both databases, whoever connects.
SQLITE_GUARDS = [
    f"CREATE TRIGGER decisions_no_{verb.lower()} BEFORE {verb} ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$",
    "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION decisions_append_only()",
]


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "deployments",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("suite_hash", sa.String(64), nullable=False),
        sa.Column("baseline", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(100), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("stream", sa.String(300), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(200)),
        sa.Column("output", sa.Text()),
        sa.Column("actions", sa.JSON()),
        sa.Column("reasoning", sa.Text()),
        sa.Column("monitored", sa.Boolean()),
        sa.Column("trace_id", sa.String(32)),
        sa.Column("span_id", sa.String(16)),
        sa.Column("read_decision", sa.String(200)),
        sa.Column("read_from", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("protocol_decision", sa.String(200)),
        sa.Column("legacy_decision", sa.String(200)),
        sa.Column("discriminating", sa.Boolean(), nullable=False),
        sa.Column("adherent", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("deployment", "id", name="uq_decisions_deployment_id"),
    )
    op.create_index("ix_decisions_stream", "decisions", ["stream"])
    op.create_table(
        "streams",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("deployment", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )
    op.create_index("ix_streams_deployment", "streams", ["deployment"])
    op.create_table(
        "findings",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(400), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("deployment", sa.String(100)),
        sa.Column("stream", sa.String(300)),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.Column("updates", sa.Integer(), nullable=False),
    )
    op.create_index("ix_findings_deployment", "findings", ["deployment"])
    guards = POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    """Drop them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER decisions_append_only ON decisions")
        op.execute("DROP FUNCTION decisions_append_only()")
    for table in ("findings", "streams", "decisions", "deployments"):
        op.drop_table(table)
