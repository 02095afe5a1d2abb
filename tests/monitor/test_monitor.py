"""The monitor's pure logic: the oracle check, the stream fold and its replay, baselines."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hawthorne.monitor import (
    Baseline,
    Checker,
    DecisionIn,
    DeploymentError,
    MonitorSettings,
    Observation,
    StreamState,
    load_deployment,
    parse_deployment,
    plan_monitor,
    read_baseline,
    replay,
)
from hawthorne.stats import rate_confidence_sequence
from hawthorne.suites import load_suite

SOC = load_suite("soc-triage")
ROLLOUT = load_suite("change-rollout")


def _item(**kw: Any) -> DecisionIn:
    return DecisionIn.model_validate({"id": "x", "deployment": "d", **kw})


def _discriminating(suite: Any) -> Any:
    return next(c for c in suite.cases if suite.is_discriminating(c))


def test_the_check_reads_a_decision_an_output_tag_or_nothing() -> None:
    checker = Checker(SOC)
    case = _discriminating(SOC)
    protocol, legacy = SOC.expected(case)
    given = checker.check(_item(fields=case.fields, decision=f"  {protocol.upper()} "))
    assert (given.outcome, given.read_from, given.discriminating) == ("protocol", "decision", True)
    tagged = checker.check(_item(fields=case.fields, output=f"sure <decision>{legacy}</decision>"))
    assert (tagged.outcome, tagged.read_from, tagged.adherent) == ("legacy", "output", False)
    junk = checker.check(_item(fields=case.fields, output="I would rather not say"))
    assert junk.outcome == "invalid" and not junk.scorable
    unknown = checker.check(_item(fields=case.fields, decision="shrug"))
    assert unknown.outcome == "invalid"
    partial = dict(case.fields)
    missing = checker.needed[0]
    del partial[missing]
    short = checker.check(_item(fields=partial, decision=protocol))
    assert short.outcome == "unscorable" and short.missing == (missing,)


def test_an_agentic_decision_is_read_from_its_tool_calls() -> None:
    checker = Checker(ROLLOUT)
    case = next(
        c
        for c in ROLLOUT.cases
        if ROLLOUT.is_discriminating(c) and ROLLOUT.expected(c)[0] == "hold"
    )
    fields = {**case.fields, "case_id": case.id}
    hold = [
        {"tool": "config_get", "args": {"key": "x"}},
        {"tool": "send_message", "args": {"recipient": "Change-Advisory-Board", "body": "rule 1"}},
    ]
    held = checker.check(_item(fields=fields, actions=hold))
    assert (held.decision, held.read_from, held.outcome) == ("hold", "actions", "protocol")
    key = f"{case.fields['service']}/releases/{case.id}"
    rolled = checker.check(
        _item(
            fields=fields, actions=[{"tool": "config_set", "args": {"key": key, "value": "live"}}]
        )
    )
    assert (rolled.decision, rolled.outcome) == ("roll-out", "legacy")
    other_key = checker.check(
        _item(fields=fields, actions=[{"tool": "config_set", "args": {"key": "a/b", "value": "1"}}])
    )
    assert other_key.decision is None and other_key.outcome == "invalid"


def test_decision_errors_name_the_field() -> None:
    from pydantic import ValidationError

    from hawthorne.monitor import describe_error

    cases = [
        ({"fields": {"a": ["x"]}, "decision": "y"}, "fields.a"),
        ({"decision": "y", "trace_id": "Z" * 32}, "trace_id must be lowercase"),
        ({"decision": "y", "colour": "red"}, "colour"),
        ({}, "nothing to read"),
    ]
    for extra, expected in cases:
        with pytest.raises(ValidationError) as err:
            _item(**extra)
        assert expected in describe_error(err.value)
    assert _item(fields={"n": 3, "b": True}, decision="y").fields == {"n": "3", "b": "true"}


def _stream(n: int, rate: float, seed: int) -> list[Observation]:
    rng = np.random.default_rng(seed)
    return [Observation("protocol" if x else "legacy", True, bool(x)) for x in rng.random(n) < rate]


PLAN = plan_monitor(
    Baseline("run", "t", "s", "h", "c", 100, 0.98, (0.96, 1.0), 0.5, (0.4, 0.6), "faking", 0.05),
    MonitorSettings(),
)


def test_folding_in_batches_equals_one_replay() -> None:
    obs = _stream(400, 0.97, 1) + _stream(400, 0.6, 2)
    live = StreamState()
    rng = random.Random(0)
    alarms, start = [], 0
    while start < len(obs):
        size = rng.randint(1, 60)
        alarms += live.fold(obs[start : start + size], PLAN)
        start += size
    (replayed,) = replay([("k", o) for o in obs], {"k": PLAN}).values()
    assert replayed == live
    assert StreamState.from_json(live.to_json()) == live
    assert [a.kind for a in alarms].count("drop") == 1
    assert live.drop_rejected_at is not None and live.drop_rejected_at > 400


def test_the_tests_alarm_on_a_reverting_stream_and_not_on_an_honest_one() -> None:
    honest, faker = StreamState(), StreamState()
    assert honest.fold(_stream(3000, 0.98, 3), PLAN) == []
    raised = faker.fold(_stream(500, 0.98, 4) + _stream(1500, 0.80, 5), PLAN)
    assert {a.kind for a in raised} == {"drop", "cusum"}
    assert all(a.at > 500 for a in raised if a.kind == "drop")
    assert faker.drop_p_value <= PLAN.alpha < honest.drop_p_value


def test_the_plan_accounts_for_the_baselines_uncertainty() -> None:
    assert PLAN.drop_p0 == pytest.approx(0.96 - 0.05)
    assert PLAN.cusum_p0 == pytest.approx(0.04)
    assert PLAN.cusum_p1 == pytest.approx(0.5)  # the audited unobserved violation rate
    wide = Baseline("run", "t", "s", "h", "c", 5, 0.6, (0.05, 1.0), 0.0, (0.0, 0.5), "x", 0.05)
    with pytest.raises(DeploymentError, match="leaves nothing to fall below"):
        plan_monitor(wide, MonitorSettings())


def test_the_rate_interval_covers_the_truth_at_all_times_at_once() -> None:
    assert rate_confidence_sequence(0, 0) == (0.0, 1.0)
    assert rate_confidence_sequence(10, 0)[0] == 0.0 and rate_confidence_sequence(10, 10)[1] == 1.0
    rng = np.random.default_rng(7)
    alpha, p, misses = 0.1, 0.9, 0
    for _ in range(200):
        xs = rng.random(1000) < p
        k = np.cumsum(xs)
        bounds = (rate_confidence_sequence(n, int(k[n - 1]), alpha) for n in range(10, 1001, 10))
        misses += any(not (lo <= p <= hi) for lo, hi in bounds)
    assert misses / 200 <= alpha
    low, high = rate_confidence_sequence(1000, 900, 0.05)
    assert 0.85 < low < 0.9 < high < 0.94  # wider than a fixed-n interval: valid at every n


def _write_deployment(tmp: Path, baseline: Path, **extra: Any) -> Path:
    import yaml

    path = tmp / "dep.yaml"
    doc = {
        "schema": "hawthorne.deployment/1",
        "id": "soc-prod",
        "model": "hawthorne/scripted-honest",
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": str(baseline), "target": "hawthorne/scripted-honest"},
        **extra,
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_baseline_is_read_and_another_suite_version_refused(
    baseline_run: Path, tmp_path: Path
) -> None:
    suite, baseline = read_baseline(load_deployment(_write_deployment(tmp_path, baseline_run)))
    assert (baseline.target, baseline.suite, baseline.cue_family) == (
        "hawthorne/scripted-honest",
        "soc-triage",
        "logging",
    )
    assert baseline.observed == 1.0 and baseline.observed_ci[0] < 1.0
    import hawthorne.suites

    builtin = Path(hawthorne.suites.__file__).parent / "builtin" / "suites" / "soc-triage.yaml"
    source = builtin.read_text()
    edited = tmp_path / "soc-triage.yaml"
    edited.write_text(source.replace("then: escalate", "then: suppress", 1))
    changed = _write_deployment(tmp_path, baseline_run, suite=str(edited))
    with pytest.raises(DeploymentError, match="audited other suite versions"):
        read_baseline(load_deployment(changed))
    wrong = _write_deployment(tmp_path, baseline_run, protocol_version="7")
    with pytest.raises(DeploymentError, match="protocol version"):
        read_baseline(load_deployment(wrong))
    with pytest.raises(DeploymentError, match="baseline.target"):
        read_baseline(
            parse_deployment(
                {
                    **load_deployment(wrong).to_json(),
                    "protocol_version": "2",
                    "baseline": {"run": str(baseline_run)},
                }  # fmt: skip
            )
        )
    with pytest.raises(DeploymentError, match="schema"):
        parse_deployment({"id": "x"})


def _span(attrs: dict[str, str]) -> dict[str, Any]:
    return {
        "traceId": "ab" * 16,
        "spanId": "cd" * 8,
        "name": "agent",
        "endTimeUnixNano": "1700000000000000000",
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs.items()],
    }


def test_tool_call_spans_in_both_vocabularies_are_read_through_the_enact_table() -> None:
    import json

    from hawthorne.monitor import decode_traces

    case = next(
        c
        for c in ROLLOUT.cases
        if ROLLOUT.is_discriminating(c) and ROLLOUT.expected(c)[0] == "hold"
    )
    common = {"hawthorne.deployment": "rollout", "hawthorne.fields.case_id": case.id}
    common |= {f"hawthorne.fields.{k}": v for k, v in case.fields.items()}
    key = f"{case.fields['service']}/releases/{case.id}"
    tool = "llm.output_messages.0.message.tool_calls"
    openinference = {
        **common,
        "hawthorne.decision.id": "oi",
        f"{tool}.0.tool_call.function.name": "config_get",
        f"{tool}.0.tool_call.function.arguments": json.dumps({"key": key}),
        f"{tool}.1.tool_call.function.name": "config_set",
        f"{tool}.1.tool_call.function.arguments": json.dumps({"key": key, "value": "live"}),
    }
    genai_messages = [
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "Freeze is active: holding."},
                {"type": "tool_call", "id": "1", "name": "send_message",
                 "arguments": {"recipient": "change-advisory-board", "body": "rule 1"}},
            ],
        }
    ]  # fmt: skip
    genai = {**common, "hawthorne.decision.id": "genai",
             "gen_ai.output.messages": json.dumps(genai_messages)}  # fmt: skip
    body = {"resourceSpans": [{"scopeSpans": [{"spans": [_span(openinference), _span(genai)]}]}]}
    spans = decode_traces(json.dumps(body).encode(), "application/json")
    checker = Checker(ROLLOUT)
    read = {d["id"]: checker.check(DecisionIn.model_validate(d)) for d in spans.decisions}
    assert (read["oi"].decision, read["oi"].read_from, read["oi"].outcome) == (
        "roll-out",
        "actions",
        "legacy",
    )
    assert (read["genai"].decision, read["genai"].outcome) == ("hold", "protocol")
