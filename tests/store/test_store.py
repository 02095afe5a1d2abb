"""The store on SQLite and PostgreSQL: migrations, append-only decisions, state = replay."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from hawthorne.monitor import StreamState
from hawthorne.store import Registry, Store, StoreError, record, replay_streams
from hawthorne.store._schema import StreamRow
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
CASES = SUITE.cases


def _batch(rng: random.Random, prefix: str, n: int, adherence: float, segment: str) -> list[Any]:
    out = []
    for i in range(n):
        case = rng.choice(CASES)
        protocol, legacy = SUITE.expected(case)
        out.append({"id": f"{prefix}-{i}", "deployment": "soc-prod", "fields": case.fields,
                    "decision": protocol if rng.random() < adherence else legacy,
                    "segment": segment})  # fmt: skip
    return out


def test_migrations_upgrade_an_empty_database_and_the_previous_revision(db_url: str) -> None:
    store = Store(db_url)
    assert store.revision() is None
    assert store.upgrade("0001") == "0001"
    with store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO findings (key, kind, severity, status, title, evidence, first_seen,"
            " last_seen, updates) VALUES ('k', 'monitor.drop', 'high', 'new', 't', '{}',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
        ))  # fmt: skip
    assert store.upgrade() == store.head() == "0003"
    assert store.upgrade() == "0003"  # idempotent
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT key FROM findings")).scalar() == "k"
        tables = set(sa.inspect(conn).get_table_names())
    assert {"accounts", "api_keys", "decisions", "streams", "deployments", "actions"} <= tables
    store.close()


def test_decisions_are_append_only(db_url: str, deployment_data: Any) -> None:
    store = Store(db_url)
    store.upgrade()
    registry = Registry(store)
    registry.register(deployment_data("hawthorne/scripted-honest"))
    assert record(registry, _batch(random.Random(0), "a", 3, 1.0, "default"))[0].status == 201
    with store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO actions (time, actor, action, resource) VALUES"
            " (CURRENT_TIMESTAMP, 'ann', 'test', 'x')"
        ))  # fmt: skip
    for statement in (
        "UPDATE decisions SET outcome = 'legacy'",
        "DELETE FROM decisions",
        "UPDATE actions SET actor = 'bob'",
        "DELETE FROM actions",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM decisions")).scalar() == 3
    store.close()


def test_stream_state_equals_a_replay_of_the_stored_decisions(
    db_url: str, deployment_data: Any
) -> None:
    store = Store(db_url)
    store.upgrade()
    registry = Registry(store)
    registry.register(deployment_data("hawthorne/scripted-honest"))
    rng = random.Random(1)
    work = [
        _batch(rng, f"b{i}", rng.randint(1, 120), 0.95 if i < 6 else 0.2, rng.choice("xy"))
        for i in range(14)
    ]
    # Two writers at once, each with its own batches, and one batch sent twice.
    lanes = [work[0::2], work[1::2] + [work[0]]]
    threads = [
        threading.Thread(target=lambda lane=lane: [record(registry, b) for b in lane])
        for lane in lanes
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.session() as session:
        live = {
            r.key: StreamState.from_json(r.state) for r in session.scalars(sa.select(StreamRow))
        }
    replayed = replay_streams(registry, "soc-prod")
    assert replayed == live
    assert sum(s.seen for s in live.values()) == sum(len(b) for b in work)
    assert any(s.drop_rejected_at is not None for s in live.values())
    store.close()


def test_an_unreachable_or_foreign_database_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot reach the database"):
        Store("postgresql://nobody@127.0.0.1:1/none").upgrade()
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        Store("mysql://x/y")
    with pytest.raises(StoreError, match="not a database URL"):
        Store("::::")


def test_the_migrations_build_the_tables_the_code_declares(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from hawthorne.store._schema import Base

    store = Store(db_url)
    store.upgrade()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    store.close()
    assert differences == []
