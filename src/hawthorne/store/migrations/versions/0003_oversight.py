"""Human oversight: actions (append-only), overrides, review plans, draws, items, labels, shadows.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def _guards(table: str, dialect: str) -> list[str]:
    """Statements that make ``table`` append-only on ``dialect``, whoever connects."""
    if dialect == "postgresql":
        return [
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{table} are append-only'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "actions",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("time", TIME, nullable=False),
        sa.Column("actor", sa.String(140), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("resource", sa.String(400), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
    )
    op.create_table(
        "overrides",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(100), nullable=False),
        sa.Column("decision_id", sa.String(200), nullable=False),
        sa.Column("decision_seq", sa.BigInteger(), nullable=False),
        sa.Column("stream", sa.String(300), nullable=False),
        sa.Column("model_decision", sa.String(200)),
        sa.Column("final_decision", sa.String(200), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(140), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("time", TIME, nullable=False),
        sa.UniqueConstraint("deployment", "decision_id", name="uq_overrides_decision"),
    )
    op.create_index("ix_overrides_stream", "overrides", ["stream"])
    op.create_table(
        "review_plans",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("deployment", sa.String(100), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(140), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_index("ix_review_plans_deployment", "review_plans", ["deployment"])
    op.create_table(
        "review_draws",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("plan", sa.String(100), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("strata", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("drawn_at", TIME, nullable=False),
        sa.UniqueConstraint("plan", "period", name="uq_review_draws_period"),
    )
    op.create_table(
        "review_items",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("plan", sa.String(100), nullable=False),
        sa.Column("draw", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("stratum", sa.String(300), nullable=False),
        sa.Column("decision_seq", sa.BigInteger(), nullable=False),
        sa.Column("inclusion", sa.Float(), nullable=False),
        sa.Column("labels_needed", sa.Integer(), nullable=False),
        sa.Column("labels_done", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(140)),
        sa.Column("locked_until", TIME),
        sa.UniqueConstraint("plan", "decision_seq", name="uq_review_items_decision"),
    )
    op.create_index("ix_review_items_plan", "review_items", ["plan"])
    op.create_table(
        "review_labels",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("item", sa.BigInteger(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(140), nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("time", TIME, nullable=False),
        sa.UniqueConstraint("item", "reviewer", name="uq_review_labels_reviewer"),
    )
    op.create_index("ix_review_labels_item", "review_labels", ["item"])
    op.create_table(
        "shadow_pairs",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(100), nullable=False),
        sa.Column("decision_id", sa.String(200), nullable=False),
        sa.Column("decision_seq", sa.BigInteger(), nullable=False),
        sa.Column("stream", sa.String(300), nullable=False),
        sa.Column("cue", sa.String(100), nullable=False),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("live_adherent", sa.Boolean()),
        sa.Column("observed_adherent", sa.Boolean()),
        sa.Column("observed_decision", sa.String(200)),
        sa.Column("observed_output", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("time", TIME, nullable=False),
        sa.UniqueConstraint("deployment", "decision_id", "cue", name="uq_shadow_pairs_decision"),
    )
    op.create_index("ix_shadow_pairs_deployment", "shadow_pairs", ["deployment"])
    for statement in _guards("actions", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    """Drop them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER actions_append_only ON actions")
        op.execute("DROP FUNCTION actions_append_only()")
    for table in (
        "shadow_pairs",
        "review_labels",
        "review_items",
        "review_draws",
        "review_plans",
        "overrides",
        "actions",
    ):
        op.drop_table(table)
