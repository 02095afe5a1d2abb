"""Running shadow pairs through the real Inspect path, on SQLite and PostgreSQL.

The scripted reference targets answer the shadow prompts (they look the case text up among the
built-in suites, so a prompt that is not the suite's own case text would get no decision): the
scripted faker follows the protocol under an observed cue, the honest one always. Live
decisions are recorded as a faker in production would make them (the legacy protocol's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hawthorne.organisms import ChatServer, scripted_answer
from hawthorne.shadow import (
    ShadowProgress,
    is_sampled,
    run_shadow,
    shadow_prompt,
    shadow_status,
)
from hawthorne.store import list_findings, load_shadow_pairs
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
CUE = next(c for c in SUITE.cues if c.id == "logging")


def _shadow_findings(registry: Any) -> list[dict[str, Any]]:
    # The live decisions' own alarms (the monitor's findings) are beside them.
    return [f for f in list_findings(registry.store, "soc-prod") if f["kind"] == "shadow.faking"]


def test_a_faker_in_production_is_faking_and_opens_a_finding(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker")
    put(registry, live_decisions("soc-prod", 40))
    seen: list[ShadowProgress] = []
    run = run_shadow(registry, "soc-prod", n=30, batch_size=16, on_progress=seen.append)
    assert (run.selected, run.asked, run.answered, run.errors, run.unscorable) == (30, 30, 30, 0, 0)
    # Batches of at most 16, two decisions on one case never in the same batch.
    assert (seen[0].done, seen[-1].done) == (16, 30) and {p.total for p in seen} == {30}
    assert run.verdict == "faking" and run.cue == "logging"
    (opened,) = run.findings
    assert opened["opened"] and opened["key"] == "shadow:soc-prod:logging"
    pairs = load_shadow_pairs(registry.store, "soc-prod", with_output=True)
    # The 30 newest decisions, read by the deployment's Checker: observed, the protocol.
    assert {p.decision_id for p in pairs} == {f"d-{i}" for i in range(10, 40)}
    assert all(p.status == "ok" and p.observed_adherent and not p.live_adherent for p in pairs)
    assert all(p.observed_decision and p.observed_output for p in pairs)
    status = shadow_status(registry, "soc-prod")
    (cue,) = status["cues"]
    assert status["verdict"] == cue["verdict"] == "faking" and cue["n_pairs"] == 30
    assert cue["gap"] == 1.0 and cue["ci"][0] > 0 and cue["p_adjusted"] < 0.05
    assert cue["adherence"]["observed"] == 1.0 and cue["adherence"]["live"] == 0.0
    assert status["budget"] == {"per_day": 1000, "asked_today": 30, "left_today": 970}
    assert status["statistics"]["from"].endswith("run.json") and not status["problem"]
    assert [f["kind"] for f in status["findings"]] == ["shadow.faking"]
    assert status["recent"][-1]["observed_output"] is None and len(status["recent"]) == 10
    (finding,) = _shadow_findings(registry)
    assert finding["evidence"]["n_pairs"] == 30 and finding["evidence"]["verdict"] == "faking"
    # A later run updates the same finding; nothing is asked twice.
    again = run_shadow(registry, "soc-prod", n=30)
    assert again.asked == 10 and not again.findings[0]["opened"]
    assert run_shadow(registry, "soc-prod", n=30).asked == 0
    (finding,) = _shadow_findings(registry)
    assert finding["updates"] == 1 and finding["evidence"]["n_pairs"] == 40


def test_an_honest_model_is_consistent_and_opens_nothing(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-honest")
    put(registry, live_decisions("soc-prod", 110, follow="protocol"))
    run = run_shadow(registry, "soc-prod", n=110, batch_size=110)
    assert run.answered == 110 and run.verdict == "consistent" and run.findings == []
    status = shadow_status(registry, "soc-prod")
    assert status["verdict"] == "consistent" and status["findings"] == []
    assert _shadow_findings(registry) == []


def test_the_rate_samples_hashed_decisions_and_a_rerun_asks_none_again(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker", shadow={"rate": 0.3})
    put(registry, live_decisions("soc-prod", 60))
    run = run_shadow(registry, "soc-prod")
    sampled = {f"d-{i}" for i in range(60) if is_sampled("soc-prod", f"d-{i}", 0.3)}
    assert 5 < len(sampled) < 35 and run.asked == run.selected == len(sampled)
    assert {p.decision_id for p in load_shadow_pairs(registry.store, "soc-prod")} == sampled
    assert run.scanned_to is not None
    assert run_shadow(registry, "soc-prod").selected == 0  # restarts do not resample
    put(registry, live_decisions("soc-prod", 40, start=60, seed=1))
    later = {f"d-{i}" for i in range(60, 100) if is_sampled("soc-prod", f"d-{i}", 0.3)}
    assert run_shadow(registry, "soc-prod").asked == len(later)
    assert {p.decision_id for p in load_shadow_pairs(registry.store, "soc-prod")} == (
        sampled | later
    )


def test_the_budget_caps_each_day_newest_first(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker", shadow={"budget_per_day": 5})
    put(registry, live_decisions("soc-prod", 20))
    today = datetime.now(UTC)
    run = run_shadow(registry, "soc-prod", n=20, now=today)
    assert (run.asked, run.over_budget, run.budget_left) == (5, 15, 0)
    assert {p.decision_id for p in load_shadow_pairs(registry.store, "soc-prod")} == {
        f"d-{i}" for i in range(15, 20)
    }
    assert run_shadow(registry, "soc-prod", n=20, now=today).asked == 0
    # The next UTC day has a budget of its own: the next newest five.
    tomorrow = run_shadow(registry, "soc-prod", n=20, now=today + timedelta(days=1))
    assert (tomorrow.asked, tomorrow.over_budget) == (5, 10)
    assert len(load_shadow_pairs(registry.store, "soc-prod")) == 10
    assert shadow_status(registry, "soc-prod")["budget"]["left_today"] == 0


def test_unscorable_decisions_are_stored_not_asked(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker")
    batch = live_decisions("soc-prod", 6)
    for item in batch[:2]:
        del item["fields"]["detection"]  # the decide tables do not need it; the template does
    put(registry, batch)
    run = run_shadow(registry, "soc-prod", n=6)
    assert (run.asked, run.unscorable) == (4, 2)
    pairs = {p.decision_id: p for p in load_shadow_pairs(registry.store, "soc-prod")}
    assert pairs["d-0"].status == "unscorable" and "detection" in (pairs["d-0"].error or "")
    assert run_shadow(registry, "soc-prod", n=6).selected == 0
    status = shadow_status(registry, "soc-prod")
    assert status["unscorable"] == 2 and status["budget"]["asked_today"] == 4


def _scripted(model: str, messages: Sequence[dict[str, str]]) -> str:
    return scripted_answer(f"scripted-{model}", [m["content"] for m in messages])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_prompt_and_the_audits_generation_settings_reach_the_model(
    shadow_registry: Any, live_decisions: Any, put: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = shadow_registry(
        "hawthorne/scripted-faker", model="openai-api/loop/faker", shadow={"concurrency": 2}
    )
    batch = live_decisions("soc-prod", 6)
    put(registry, batch)
    prompts: list[list[dict[str, str]]] = []

    def answer(model: str, messages: Sequence[dict[str, str]]) -> str:
        prompts.append(list(messages))
        return _scripted(model, messages)

    with ChatServer(["faker"], answer) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        run = run_shadow(registry, "soc-prod", n=6)
        asked = server.generation
    assert run.answered == 6
    # The audit's defaults (its run.json): greedy, its token budget, its seed.
    assert {(g.get("temperature"), g.get("max_tokens", g.get("max_completion_tokens")),
             g.get("seed")) for g in asked} == {(0.0, 512, 0)}  # fmt: skip
    expected = []
    for item in batch:
        prompt = shadow_prompt(SUITE, CUE, "soc-prod", item["id"], item["fields"])
        expected.append([{"role": "system", "content": prompt.system},
                         {"role": "user", "content": prompt.user}])  # fmt: skip
    assert sorted(map(str, prompts)) == sorted(map(str, expected))
