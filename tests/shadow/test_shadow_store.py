"""Shadow pairs in the store, on SQLite and PostgreSQL: candidates, pairs, budget, finding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hawthorne.store import (
    ShadowPair,
    list_actions,
    list_findings,
    load_shadow_pairs,
    record_shadow_finding,
    save_shadow_pairs,
    shadow_asked_since,
    shadow_candidates,
)
from hawthorne.store._schema import FindingRow
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
CONTROL = [c for c in SUITE.cases if not SUITE.is_discriminating(c)]


def _pair(decision: str, seq: int, status: str = "ok", **extra: Any) -> ShadowPair:
    return ShadowPair(decision, seq, "soc-prod/2/default", "logging", "m", status, False, **extra)  # type: ignore[arg-type]


def test_candidates_are_discriminating_decisions_without_a_pair(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry()
    store = registry.store
    put(registry, live_decisions("soc-prod", 6, prefix="a"))
    control = live_decisions("soc-prod", 3, prefix="c", cases=CONTROL)
    invalid = [{**d, "decision": None, "output": "no tag"} for d in
               live_decisions("soc-prod", 2, prefix="i")]  # fmt: skip
    watched = [{**d, "monitored": True} for d in live_decisions("soc-prod", 2, prefix="w")]
    put(registry, control + invalid + watched)
    put(registry, live_decisions("soc-prod", 4, prefix="b"))
    found = shadow_candidates(store, "soc-prod", "2", "logging")
    assert [c.id for c in found] == [f"a-{i}" for i in range(6)] + [f"b-{i}" for i in range(4)]
    assert found == sorted(found, key=lambda c: c.seq)
    assert all(c.adherent is False and "case_id" in c.fields for c in found)
    newest = shadow_candidates(store, "soc-prod", "2", "logging", newest=True, limit=3)
    assert [c.id for c in newest] == ["b-3", "b-2", "b-1"]
    assert shadow_candidates(store, "soc-prod", "1", "logging") == []  # another version
    # A pair for a decision takes it out, for that cue family only; the default start is
    # after the newest paired decision.
    a3 = found[3]
    save_shadow_pairs(store, "soc-prod", [_pair(a3.id, a3.seq, "error", error="boom")])
    after = shadow_candidates(store, "soc-prod", "2", "logging")
    assert [c.id for c in after] == [c.id for c in found[4:]]
    assert [c.id for c in shadow_candidates(store, "soc-prod", "2", "logging", after_seq=0)] == [
        c.id for c in found if c.id != a3.id
    ]
    assert len(shadow_candidates(store, "soc-prod", "2", "tier", after_seq=0)) == 10
    errored = shadow_candidates(store, "soc-prod", "2", "logging", errored=True)
    assert [c.id for c in errored] == [a3.id]


def test_pairs_are_kept_once_and_only_a_failed_one_is_replaced(shadow_registry: Any) -> None:
    store = shadow_registry().store
    first = [_pair("d-1", 1, "error", error="timeout"), _pair("d-2", 2, observed_adherent=True),
             _pair("d-3", 3, "unscorable", error="no template")]  # fmt: skip
    assert save_shadow_pairs(store, "soc-prod", first) == 3
    again = [_pair("d-1", 1, observed_adherent=True, observed_decision="escalate",
                   observed_output="<decision>escalate</decision>"),
             _pair("d-2", 2, observed_adherent=False), _pair("d-3", 3, observed_adherent=True),
             _pair("d-4", 4, "error", error="timeout")]  # fmt: skip
    # d-1 (a failed request) is replaced by its retry; d-2 and d-3 stay as they were.
    assert save_shadow_pairs(store, "soc-prod", again) == 2
    # A retry that fails again keeps the newer cause.
    assert save_shadow_pairs(store, "soc-prod", [_pair("d-4", 4, "error", error="reset")]) == 1
    assert save_shadow_pairs(store, "soc-prod", [_pair("d-2", 2, "error", error="x")]) == 0
    pairs = {p.decision_id: p for p in load_shadow_pairs(store, "soc-prod", with_output=True)}
    assert pairs["d-1"].status == "ok" and pairs["d-1"].error is None
    assert pairs["d-1"].observed_output == "<decision>escalate</decision>"
    assert pairs["d-2"].observed_adherent is True and pairs["d-3"].status == "unscorable"
    assert pairs["d-4"].error == "reset"
    assert all(p.time is not None and p.time.tzinfo is not None for p in pairs.values())
    assert load_shadow_pairs(store, "soc-prod")[0].observed_output is None
    # In the order asked: the retried ones last.
    order = [p.decision_id for p in load_shadow_pairs(store, "soc-prod")]
    assert order == ["d-2", "d-3", "d-1", "d-4"]
    assert load_shadow_pairs(store, "soc-prod", cue="tier") == []
    # Each save that changed something is one recorded action, with what it wrote.
    actions = list_actions(store, "shadow:soc-prod")
    assert [a["action"] for a in actions] == ["shadow.pairs"] * 3
    assert actions[-1]["after"] == {"written": 3, "error": 1, "ok": 1, "unscorable": 1}
    assert {a["actor"] for a in actions} == {"hawthorne"}


def test_the_budget_counts_requests_made_since_a_time(shadow_registry: Any) -> None:
    store = shadow_registry().store
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    yesterday = now - timedelta(days=1)
    save_shadow_pairs(store, "soc-prod", [
        _pair("d-1", 1, time=yesterday), _pair("d-2", 2, "error", time=now),
        _pair("d-3", 3, time=now), _pair("d-4", 4, "unscorable", time=now),
    ])  # fmt: skip
    midnight = now.replace(hour=0)
    assert shadow_asked_since(store, "soc-prod", midnight) == 2  # unscorable: never asked
    assert shadow_asked_since(store, "soc-prod", midnight - timedelta(days=1)) == 3
    assert shadow_asked_since(store, "eu-prod", midnight) == 0


def test_a_finding_is_opened_once_then_updated_and_a_resolved_one_stays_resolved(
    shadow_registry: Any,
) -> None:
    store = shadow_registry().store
    made = record_shadow_finding(store, "soc-prod", "logging", {"gap": 0.5}, "faking")
    assert made["opened"] and made["key"] == "shadow:soc-prod:logging"
    again = record_shadow_finding(store, "soc-prod", "logging", {"gap": 0.6}, "faking")
    assert not again["opened"] and again["id"] == made["id"]
    (finding,) = list_findings(store, "soc-prod")
    assert finding["kind"] == "shadow.faking" and finding["severity"] == "high"
    assert finding["evidence"] == {"gap": 0.6} and finding["updates"] == 1
    assert finding["stream"] is None and finding["status"] == "new"
    with store.write() as session:
        row = session.scalar(select(FindingRow).where(FindingRow.id == made["id"]))
        assert row is not None
        row.status = "resolved"
    assert record_shadow_finding(store, "soc-prod", "logging", {}, "faking")["status"] == "resolved"
    recorded = [a["action"] for a in list_actions(store, "finding:shadow:soc-prod:logging")]
    assert recorded == ["finding.update", "finding.update", "finding.open"]
