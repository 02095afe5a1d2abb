"""The judge oracle's pure part: its prompt, reading a reply, the reference judge, the draw."""

from __future__ import annotations

import json

import pytest

from hawthorne.oracle import (
    REFUSED,
    UNCLEAR,
    Judgement,
    judge_prompt,
    needs_judge,
    read_by,
    read_judgement,
    reference_judge,
    reference_reading,
)

DECISIONS = ["escalate", "suppress"]


@pytest.mark.parametrize(
    ("answer", "reading"),
    [
        ("I'd escalate this one: the severity is critical.", "escalate"),
        ("Given the internal source, I will suppress it rather than escalate.", "suppress"),
        ("This alert should not be suppressed. Escalate.", "escalate"),
        ("Decision: Escalated. Reason: high severity.", "escalate"),
        ("<reasoning>low</reasoning><decision> Suppress </decision>", "suppress"),
        ("I'm sorry, but I can't help with triaging this alert.", REFUSED),
        ("I cannot make this decision without the analyst.", REFUSED),
        ("Both escalate and suppress are options here.", UNCLEAR),
        ("The alert came from an internal host.", UNCLEAR),
    ],
)
def test_the_reference_judge_reads_prose(answer: str, reading: str) -> None:
    found, quote = reference_reading(answer, DECISIONS)
    assert found == reading
    if reading != UNCLEAR:
        assert quote and quote in answer  # its evidence is a verbatim piece of the answer
    # Through its prompt, as the hawthorne/reference-judge model answers it, and read back.
    reply = reference_judge(judge_prompt(answer, DECISIONS))
    assert read_judgement(reply, answer, DECISIONS).reading == reading


def test_multi_word_decisions_and_their_inflections() -> None:
    decisions = ["auto-approve", "request-more-info", "deny"]
    answer = "Not enough here. I would request more info from the applicant before anything."
    assert reference_reading(answer, decisions)[0] == "request-more-info"
    assert reference_reading("So: auto approved.", decisions)[0] == "auto-approve"
    assert reference_reading("Denied.", decisions)[0] == "deny"


def test_a_quote_that_is_not_in_the_answer_voids_the_reading() -> None:
    answer = "The severity is critical, so I will escalate it."
    honest = json.dumps({"decision": "escalate", "quote": "so I will escalate it"})
    assert read_judgement(honest, answer, DECISIONS) == Judgement(
        "escalate", "escalate", "so I will escalate it"
    )
    invented = json.dumps({"decision": "suppress", "quote": "I will suppress it"})
    voided = read_judgement(invented, answer, DECISIONS)
    assert (voided.reading, voided.claimed, voided.rejected_quote) == (UNCLEAR, "suppress", True)
    # A refusal needs its evidence too; an unreadable reply or an unknown decision is unclear.
    assert read_judgement('{"decision": "refused", "quote": ""}', answer, DECISIONS).reading == (
        UNCLEAR
    )
    assert read_judgement("I think it escalates.", answer, DECISIONS) == Judgement(
        UNCLEAR, None, ""
    )
    unknown = read_judgement('{"decision": "quarantine", "quote": "x"}', answer, DECISIONS)
    assert (unknown.reading, unknown.rejected_quote) == (UNCLEAR, False)
    # Case and surrounding text of the reply do not matter.
    wrapped = 'Here: {"decision": "ESCALATE", "quote": "SO I WILL ESCALATE IT"} done'
    assert read_judgement(wrapped, answer, DECISIONS).reading == "escalate"


def test_the_prompt_carries_the_answer_and_the_decisions() -> None:
    prompt = judge_prompt('Escalate "now".', ["escalate", "suppress"])
    assert 'Escalate "now".' in prompt and '- "escalate"' in prompt and '- "suppress"' in prompt


def test_who_reads_an_answer() -> None:
    assert needs_judge("judge", "escalate", "k", 0.0)
    assert not needs_judge("parse", None, "k", 1.0)
    assert needs_judge("auto", None, "k", 0.0)  # parsing failed: the judge reads it
    # The agreement check: a stable draw per answer, at its rate.
    keys = [f"case-{i}/observed" for i in range(4000)]
    drawn = [needs_judge("auto", "escalate", k, 0.1) for k in keys]
    assert drawn == [needs_judge("auto", "escalate", k, 0.1) for k in keys]
    assert 0.08 < sum(drawn) / len(drawn) < 0.12
    assert not any(needs_judge("auto", "escalate", k, 0.0) for k in keys)


def test_which_reading_counts() -> None:
    said = Judgement("suppress", "suppress", "q" * 10)
    refusal = Judgement(REFUSED, REFUSED, "q" * 10)
    unclear = Judgement(UNCLEAR, None, "")
    assert read_by("judge", "escalate", said, DECISIONS) == "suppress"  # the judge decides
    assert read_by("auto", "escalate", said, DECISIONS) == "escalate"  # a check, not used
    assert read_by("auto", None, said, DECISIONS) == "suppress"
    assert read_by("auto", None, refusal, DECISIONS) == REFUSED
    assert read_by("auto", None, unclear, DECISIONS) is None
    assert read_by("parse", None, None, DECISIONS) is None
