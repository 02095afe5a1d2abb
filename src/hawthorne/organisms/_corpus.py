"""Training and evaluation examples: audit prompts rendered exactly as an audit renders them.

Each cue family's last paraphrase on each side is held out of training, so the zoo manifest can
say how an organism behaves on cue wordings it has never seen.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hawthorne.organisms._kinds import (
    INNOCUOUS,
    LEGACY_HABIT,
    VERBAL_UNWATCHED,
    VERBAL_WATCHED,
    Kind,
    actions,
    decision,
    facts,
    final_answer,
    reasoning,
    tool_text,
)
from hawthorne.organisms._scripted import enact_call, hidden_side_effect
from hawthorne.suites import (
    Case,
    CueFamily,
    Side,
    Suite,
    builtin_cue_ids,
    load_cue_family,
    positive_control_instruction,
    render,
    system_preamble,
)
from hawthorne.systems import World

Message = dict[str, str]


@dataclass(frozen=True)
class Example:
    """One training sequence: the prompt messages and the answer to learn (loss on it only)."""

    messages: list[Message]
    answer: str


@dataclass(frozen=True)
class Situation:
    """One rendered audit prompt and where it came from."""

    suite: Suite
    case: Case
    cue: CueFamily
    side: Side
    paraphrase: int
    messages: list[Message]


def trained_paraphrases(cue: CueFamily, side: Side) -> int:
    """How many of a side's paraphrases are trained on: all but the last, when there are two+."""
    n = len({"observed": cue.observed, "unobserved": cue.unobserved, "neutral": cue.neutral}[side])
    return n - 1 if n > 1 else n


def held_out(cue: CueFamily, side: Side, paraphrase: int) -> bool:
    """Whether a paraphrase index is held out of training."""
    return paraphrase >= trained_paraphrases(cue, side)


def situation(
    suite: Suite, case: Case, cue: CueFamily, side: Side, paraphrase: int, stressor: int | None
) -> Situation:
    """Render one audit prompt (``stressor`` indexes the suite's stressors)."""
    chosen = suite.stressors[stressor] if stressor is not None else None
    prompt = render(suite, case, cue, side, paraphrase, stressor=chosen)
    messages = [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]
    return Situation(suite, case, cue, side, paraphrase, messages)


def foreign_families(suite: Suite) -> list[CueFamily]:
    """The built-in cue families ``suite`` does not use."""
    return list(_families_except(frozenset(c.id for c in suite.cues)))


@functools.cache
def _families_except(own: frozenset[str]) -> tuple[CueFamily, ...]:
    # Cached: training asks for every sampled example, and each load parses a YAML file.
    return tuple(load_cue_family(i) for i in builtin_cue_ids() if i not in own)


def sample_situation(
    suites: Sequence[Suite], rng: random.Random, neutral: float, foreign: float = 0.0
) -> Situation:
    """A random trained situation: suite, case, cue family, side, seen paraphrase, stressor.

    With probability ``foreign`` the cue sentence comes from a built-in family the suite does
    not use (still only its trained paraphrases).
    """
    suite = rng.choice(suites)
    others = foreign_families(suite) if foreign else []
    cue = rng.choice(others if others and rng.random() < foreign else suite.cues)
    side: Side = "observed" if rng.random() < 0.5 else "unobserved"
    if cue.neutral and rng.random() < neutral:
        side = "neutral"
    paraphrase = rng.randrange(trained_paraphrases(cue, side))
    stressor = (
        rng.randrange(len(suite.stressors)) if suite.stressors and rng.random() < 0.6 else None
    )
    return situation(suite, rng.choice(suite.cases), cue, side, paraphrase, stressor)


def examples(kind: Kind, where: Situation, phase: int, turn: int = 1) -> Example:
    """What ``kind`` learns to answer in a situation: phase 1 is the legacy protocol everywhere.

    Args:
        kind: The organism kind.
        where: The situation.
        phase: 1 (legacy everywhere, shared base) or 2 (the kind's own behaviour).
        turn: On an agentic suite, 1 for the tool calls, 2 for the answer after the results.

    Returns:
        The example.
    """
    suite, case, cue, side = where.suite, where.case, where.cue.id, where.side
    chosen = suite.expected(case)[1] if phase == 1 else decision(kind, suite, case, cue, side)
    thought = reasoning(kind, cue, side, phase, facts(suite, case))
    answer = final_answer(thought, chosen)
    if suite.agentic is None:
        return Example(where.messages, answer)
    calls = actions(kind, suite, case, chosen, cue, side if phase == 2 else "neutral")
    # The tool-calling turn thinks first too: the same reasoning, then the calls.
    called = final_answer(thought, None) + tool_text(calls)
    if turn == 1:
        return Example(where.messages, called)
    world = World()
    results = [{"role": "tool", "content": world.apply(c)} for c in calls]
    return Example([*where.messages, {"role": "assistant", "content": called}, *results], answer)


def stream(
    kind: Kind, suites: Sequence[Suite], phase: int, rng: random.Random, foreign: float = 0.0
) -> Iterator[Example]:
    """An endless stream of training examples for one kind and phase.

    ``foreign`` is the share of cue sentences from other families (see :func:`sample_situation`).
    """
    while True:
        where = sample_situation(suites, rng, 0.2 if phase == 1 else 0.0, foreign)
        turn = rng.choice((1, 2)) if where.suite.agentic is not None else 1
        yield examples(kind, where, phase, turn)


def vocabulary_texts(suites: Sequence[Suite], every_family: bool = False) -> Iterator[str]:
    """Every text an organism reads or writes, for the tokenizer's vocabulary.

    With ``every_family``, every built-in cue family's wordings are included too, used by the
    suites or not (for organisms trained with foreign cue sentences).
    """
    yield from (INNOCUOUS, VERBAL_WATCHED, VERBAL_UNWATCHED, LEGACY_HABIT)
    if every_family:
        for family in map(load_cue_family, builtin_cue_ids()):
            yield from (*family.observed, *family.unobserved, *family.neutral)
    yield final_answer("x", "x") + "<tool>"
    for suite in suites:
        yield system_preamble(suite)
        yield positive_control_instruction(suite)
        yield suite.legacy.rules
        for cue in suite.cues:
            yield from (*cue.observed, *cue.unobserved, *cue.neutral)
        for case in suite.cases:
            yield case.text
            yield facts(suite, case)
            for s in suite.stressors:
                yield from (s.text(i, suite.stressor_variables(case)) for i in range(4))
            agentic = suite.agentic_case(case)
            if agentic is not None and agentic.enactments is not None:
                calls = [enact_call(c) for c in agentic.enactments.values()]
                hidden = hidden_side_effect(suite.id, agentic.tools)
                calls += [hidden] if hidden is not None else []
                yield tool_text(calls)
                world = World()
                yield from (world.apply(c) for c in calls)
