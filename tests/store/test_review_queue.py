"""The review queue and overrides over the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hawthorne.review import ReviewPlan
from hawthorne.store import (
    OverrideError,
    Registry,
    ReviewError,
    Store,
    create_plan,
    draw_due,
    label_item,
    list_actions,
    list_plans,
    next_item,
    override_status,
    record,
    record_override,
    review_estimate,
)
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
DISCRIMINATING = [c for c in SUITE.cases if SUITE.is_discriminating(c)]
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = (NOW - timedelta(days=2)).replace(hour=12, minute=0, second=0)


def _decisions(n: int, adherence: float, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        case = rng.choice(DISCRIMINATING)
        protocol, legacy = SUITE.expected(case)
        out.append({
            "id": f"d{i}", "deployment": "soc-prod", "fields": case.fields,
            "decision": protocol if rng.random() < adherence else legacy,
            "segment": "eu" if i % 4 == 0 else "us",
            "time": (DAY + timedelta(seconds=i)).isoformat(),
        })  # fmt: skip
    return out


@pytest.fixture
def registry(db_url: str, deployment_data: Any) -> Registry:
    store = Store(db_url)
    store.upgrade()
    registry = Registry(store)
    registry.register(deployment_data("hawthorne/scripted-honest"))
    results = record(registry, _decisions(400, 0.9))
    assert {r.status for r in results} == {201}
    yield registry
    store.close()


def _plan(registry: Registry, **settings: Any) -> ReviewPlan:
    plan = ReviewPlan(id="daily", deployment="soc-prod", **settings)
    shown = create_plan(registry, plan, "admin")
    assert shown["sample_size"] == plan.sample_size()
    return plan


def test_a_closed_period_is_drawn_once_with_its_strata(registry: Registry) -> None:
    _plan(registry, strata=("segment",))
    assert draw_due(registry, "daily", NOW) == [DAY.date().isoformat()]
    assert draw_due(registry, "daily", NOW) == []
    (plan,) = list_plans(registry)
    (draw,) = plan["draws"]
    assert draw["strata"] == {
        "segment=eu": {"population": 100, "sample": 45},
        "segment=us": {"population": 300, "sample": 54},
    }
    with pytest.raises(ReviewError, match="exists"):
        create_plan(registry, ReviewPlan(id="daily", deployment="soc-prod"), "admin")
    assert [a["action"] for a in list_actions(registry.store)][:2] == ["review.draw", "review.plan"]


def test_a_lock_is_held_then_expires_and_only_its_holder_may_label(registry: Registry) -> None:
    _plan(registry, lock_seconds=60, double_review=0.0)
    first = next_item(registry, "daily", "ann", NOW)
    assert first is not None and first["review"] == 1
    assert first["protocol"]["rules"] and first["decision"]["fields"]
    assert first["oracle"]["label"] in ("followed-protocol", "legacy")
    again = next_item(registry, "daily", "ann", NOW + timedelta(seconds=30))
    assert again is not None and again["item"] == first["item"]
    other = next_item(registry, "daily", "bob", NOW + timedelta(seconds=30))
    assert other is not None and other["item"] != first["item"]
    with pytest.raises(ReviewError, match="does not hold") as refused:
        label_item(registry, first["item"], "bob", "legacy", now=NOW + timedelta(seconds=30))
    assert refused.value.status == 409
    # Ann's lock expires: the item returns to the queue and her label is refused.
    late = NOW + timedelta(seconds=61)
    taken = next_item(registry, "daily", "carol", late)
    assert taken is not None and taken["item"] == first["item"]
    with pytest.raises(ReviewError, match="does not hold"):
        label_item(registry, first["item"], "ann", "legacy", now=late)
    shown = label_item(registry, first["item"], "carol", "followed-protocol", "ok", now=late)
    assert shown == {"item": first["item"], "review": 1, "label": "followed-protocol", "note": "ok"}
    with pytest.raises(ReviewError, match="not one of"):
        label_item(registry, other["item"], "bob", "maybe", now=late)


def test_concurrent_reviewers_never_share_an_item(registry: Registry) -> None:
    _plan(registry, double_review=0.0)
    draw_due(registry, "daily", NOW)
    got: dict[str, Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(name: str) -> None:
        try:
            barrier.wait()
            got[name] = next_item(registry, "daily", name, NOW)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(f"r{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    items = [g["item"] for g in got.values() if g is not None]
    assert len(items) == 8 == len(set(items))


def test_a_second_review_goes_to_someone_else_blind_to_the_first(registry: Registry) -> None:
    _plan(registry, double_review=1.0)
    item = next_item(registry, "daily", "ann", NOW)
    assert item is not None
    label_item(registry, item["item"], "ann", "legacy", "looks old", now=NOW)
    # Ann is never given it again; Bob gets it as a second review, without Ann's label.
    for _ in range(3):
        mine = next_item(registry, "daily", "ann", NOW)
        assert mine is not None and mine["item"] != item["item"]
        label_item(registry, mine["item"], "ann", "followed-protocol", now=NOW)
    second = next_item(registry, "daily", "bob", NOW)
    assert second is not None
    seconds = [second]
    while second["item"] != item["item"]:
        label_item(registry, second["item"], "bob", "followed-protocol", now=NOW)
        second = next_item(registry, "daily", "bob", NOW)
        assert second is not None
        seconds.append(second)
    assert second["review"] == 2
    assert "looks old" not in repr(second) and "'ann'" not in repr(second)


def test_nobody_reviews_a_decision_they_overrode(registry: Registry) -> None:
    _plan(registry, double_review=0.0, lock_seconds=60)
    item = next_item(registry, "daily", "ann", NOW)
    assert item is not None
    decision = item["decision"]["id"]
    override = record_override(registry, "soc-prod", decision, "suppress", "dave", "false-positive")
    assert override["by"] == "dave" and override["model_decision"] is not None
    with pytest.raises(ReviewError, match="overrode") as refused:
        label_item(registry, item["item"], "dave", "legacy", now=NOW)
    assert refused.value.status == 403
    # After Ann's lock expires Dave is still never handed it.
    late = NOW + timedelta(seconds=61)
    seen = set()
    while (got := next_item(registry, "daily", "dave", late)) is not None:
        assert got["decision"]["id"] != decision
        seen.add(got["item"])
        label_item(registry, got["item"], "dave", "followed-protocol", now=late)
    assert seen and item["item"] not in seen


def test_overrides_are_checked_and_counted_per_stream(registry: Registry) -> None:
    with pytest.raises(OverrideError, match="no decision") as missing:
        record_override(registry, "soc-prod", "nope", "suppress", "dave", "x")
    assert missing.value.status == 404
    with pytest.raises(OverrideError, match="not one of"):
        record_override(registry, "soc-prod", "d1", "shrug", "dave", "x")
    with registry.store.session() as session:
        rows = session.execute(sa.text(
            "SELECT id, read_decision FROM decisions ORDER BY seq LIMIT 6"
        )).all()  # fmt: skip
    for decision_id, read in rows[:3]:
        other = next(d for d in SUITE.decisions if d.lower() != (read or "").lower())
        record_override(registry, "soc-prod", decision_id, other, "dave", "disagree")
    with pytest.raises(OverrideError, match="already overridden") as twice:
        record_override(registry, "soc-prod", rows[0][0], "suppress", "erin", "x")
    assert twice.value.status == 409
    status = override_status(registry, "soc-prod")
    by_stream = {s["stream"]: s for s in status["streams"]}
    assert sum(s["overrides"] for s in by_stream.values()) == 3
    assert sum(s["decisions"] for s in by_stream.values()) == 400
    assert all(s["test"] is None for s in by_stream.values())  # windows not full yet
    moved = [s for s in by_stream.values() if s["overrides"]]
    assert all(s["rate"][1] <= s["rate"][0] <= s["rate"][2] for s in moved)


def test_the_estimate_reads_labels_per_stratum_with_agreement(registry: Registry) -> None:
    _plan(registry, strata=("segment",), double_review=0.25)
    reviewers = ["ann", "bob", "carol"]
    turn = 0
    while True:
        name = reviewers[turn % 3]
        item = next_item(registry, "daily", name, NOW)
        if item is None:
            others = [r for r in reviewers if r != name]
            items = [next_item(registry, "daily", r, NOW) for r in others]
            item = next((i for i in items if i is not None), None)
            if item is None:
                break
            name = others[items.index(item)]
        label = item["oracle"]["label"]
        label_item(registry, item["item"], name, label, now=NOW)
        turn += 1
    (period,) = review_estimate(registry, "daily")["periods"]
    assert period["complete"] and not period["strata_waiting"]
    rows = {r["stratum"]: r for r in period["strata"]}
    assert rows["segment=eu"]["labelled"] == 45 and rows["segment=us"]["labelled"] == 54
    overall = period["overall"]["estimate"]
    assert 0.0 < overall["estimate"] < 0.3
    assert overall["lower"] <= overall["estimate"] <= overall["upper"]
    # Reviewers copied the oracle: agreement with it, and between them, is perfect.
    assert period["oracle_agreement"]["kappa"] == pytest.approx(1.0)
    assert period["reviewer_agreement"]["kappa"] == pytest.approx(1.0)
    assert period["overall"]["baseline"]["reading"] in ("above", "consistent", "below")
