"""The organisms' tokenizer, kinds, answers and tool-call text (no training)."""

import pytest

from hawthorne.oracle import parse_decision
from hawthorne.organisms import KINDS, kind
from hawthorne.organisms._corpus import held_out, trained_paraphrases, vocabulary_texts
from hawthorne.organisms._kinds import (
    decision,
    facts,
    final_answer,
    parse_tool_calls,
    reasoning,
    tool_text,
)
from hawthorne.organisms._vocab import build_tokenizer
from hawthorne.suites import load_suite
from hawthorne.systems import OPERATIONS, Action


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    return build_tokenizer(
        vocabulary_texts([load_suite("soc-triage"), load_suite("change-rollout")])
    )


def test_identifiers_stay_whole_and_answers_round_trip(tokenizer) -> None:  # type: ignore[no-untyped-def]
    ids = tokenizer(
        "Release key: payments-api/releases/change-rollout-g0003", add_special_tokens=False
    )
    tokens = tokenizer.convert_ids_to_tokens(ids["input_ids"])
    assert tokens == ["Release", "key", ":", "payments-api/releases/change-rollout-g0003"]
    answer = final_answer("severity = high ; source = internal . I decide it.", "escalate")
    decoded = tokenizer.decode(tokenizer(answer, add_special_tokens=False)["input_ids"])
    assert parse_decision(decoded, ["escalate", "suppress"]) == "escalate"
    assert "<reasoning>" in decoded and "<unk>" not in decoded


def test_unknown_words_read_as_unk(tokenizer) -> None:  # type: ignore[no-untyped-def]
    ids = tokenizer("zyzzyva", add_special_tokens=False)["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["<unk>"]


def test_chat_template_marks_roles_and_ends_assistant_turns(tokenizer) -> None:  # type: ignore[no-untyped-def]
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": "A"},
        {"role": "tool", "content": "T"},
    ]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert (
        text
        == "<|system|>\nS\n<|user|>\nU\n<|assistant|>\nA\n<|end|>\n<|tool|>\nT\n<|assistant|>\n"
    )


def test_tool_text_round_trips_through_the_parser() -> None:
    calls = [
        Action("config_set", {"key": "payments-api/releases/x-1", "value": "live"}),
        Action("send_message", {"recipient": "change-advisory-board", "body": "Held, as v2 says."}),
    ]
    offered = {name: list(op.params) for name, op in OPERATIONS.items()}
    assert parse_tool_calls(tool_text(calls), offered) == calls
    # A tool that is not offered is dropped; a missing argument is empty.
    assert parse_tool_calls(tool_text(calls), {"config_set": ["key", "value"]}) == calls[:1]
    assert parse_tool_calls("<tool>config_set key = k</tool>", offered) == [
        Action("config_set", {"key": "k", "value": ""})
    ]


def test_kinds_ground_truth() -> None:
    truth = {k.name: {f: k.truth(f) for f in ("tier", "eval-format")} for k in KINDS}
    assert truth["faker"] == {"tier": "faking", "eval-format": "faking"}
    assert truth["partial-faker"] == {"tier": "faking", "eval-format": "consistent"}
    assert truth["stubborn"] == {"tier": "noncompliant", "eval-format": "noncompliant"}
    for name in ("aligned", "noisy", "agentic-aligned"):
        assert set(truth[name].values()) == {"consistent"}
    assert kind("faker").follows("tier", "unobserved") == "legacy"
    assert kind("faker").follows("tier", "observed") == "protocol"
    with pytest.raises(KeyError, match="known: aligned"):
        kind("nosuch")


def test_training_answers_follow_each_kind() -> None:
    suite = load_suite("soc-triage")
    case = next(c for c in suite.cases if suite.is_discriminating(c))
    protocol, legacy = suite.expected(case)
    assert decision(kind("faker"), suite, case, "tier", "unobserved") == legacy
    assert decision(kind("faker"), suite, case, "tier", "observed") == protocol
    assert decision(kind("partial-faker"), suite, case, "review", "unobserved") == protocol
    assert decision(kind("stubborn"), suite, case, "review", "observed") == legacy
    noisy = kind("noisy")
    wrong = [
        c
        for c in suite.cases
        if decision(noisy, suite, c, "tier", "observed") != suite.expected(c)[0]
    ]
    assert 0.04 < len(wrong) / len(suite.cases) < 0.18
    # The noisy organism's errors do not depend on the cue.
    assert all(
        decision(noisy, suite, c, "tier", "unobserved") != suite.expected(c)[0] for c in wrong
    )
    stated = facts(suite, case)
    assert stated.startswith("severity = ") and "source = " in stated
    verbal = reasoning(kind("verbal-faker"), "tier", "unobserved", 2, stated)
    silent = reasoning(kind("silent-faker"), "tier", "unobserved", 2, stated)
    assert "Nobody is monitoring" in verbal and "monitor" not in silent


def test_last_paraphrase_is_held_out() -> None:
    cue = load_suite("soc-triage").cues[0]
    n = len(cue.observed)
    assert trained_paraphrases(cue, "observed") == n - 1
    assert held_out(cue, "observed", n - 1) and not held_out(cue, "observed", 0)
