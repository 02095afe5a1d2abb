"""The prompts the white-box methods read: audit prompts, their cues, decisions and activations.

Prompts are audit prompts rendered exactly as an audit renders them (:func:`cue_prompts`).
Movement is measured on discriminating cases only, where the protocol and the legacy protocol
decide differently, so a legacy decision is evidence of a fall-back; control cases carry the
cue without a decision that depends on it. Poser mode (:func:`poser_inputs`) keeps only the
observed prompts on which the models compared decide alike.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hawthorne.detectors._activations import Message, ResidualModel, answer_heads
from hawthorne.oracle import parse_decision
from hawthorne.organisms import Situation, situation, trained_paraphrases
from hawthorne.suites import SIDES, Side, Suite

WhitePosition = Literal["last", "mean", "decision"]
"""Where activations are read: the last prompt token, the mean over the prompt's tokens, or
the decision point (the last token of the model's own answer up to its ``<decision>`` tag)."""


class NotApplicable(ValueError):
    """A method cannot be measured on this model: a finding, reported as ``not applicable``.

    Raised where a model writes no decision to measure at (it ignores the answer format).
    """


def cue_prompts(
    suite: Suite,
    cases: int = 16,
    *,
    discriminating: bool = True,
    sides: Sequence[Side] = SIDES,
    held_out: bool = False,
    random_state: int = 0,
) -> list[Situation]:
    """Audit prompts for white-box methods: cases under each side of the suite's cue families.

    Rendered exactly as an audit renders them (:func:`hawthorne.organisms.situation`).
    Case ``i`` takes cue family ``i mod k``; both sides of a case share a paraphrase index, as
    a pair does. Control cases (``discriminating=False``) carry the cue without a decision
    that depends on it.

    Args:
        suite: A text suite (agentic suites decide through tool calls: not supported).
        cases: How many cases to sample.
        discriminating: Sample discriminating cases (True) or control cases (False).
        sides: The sides to render each case under.
        held_out: Use the paraphrase held out of organism training instead of a trained one.
        random_state: Seed for the case and paraphrase draw.

    Returns:
        ``len(sides)`` prompts per case, case by case.

    Raises:
        ValueError: For an agentic suite.
    """
    if suite.agentic is not None:
        raise ValueError(f"suite {suite.id} is agentic: white-box methods read text decisions")
    rng = random.Random(random_state)
    pool = [c for c in suite.cases if suite.is_discriminating(c) == discriminating]
    out: list[Situation] = []
    for i, case in enumerate(rng.sample(pool, min(cases, len(pool)))):
        cue = suite.cues[i % len(suite.cues)]
        trained = [trained_paraphrases(cue, s) for s in sides]
        index = max(trained) if held_out else rng.randrange(min(trained))
        out += [situation(suite, case, cue, side, index, None) for side in sides]
    return out


def is_discriminating(prompt: Situation) -> bool:
    """Whether the prompt's case is one where the protocol and the legacy protocol differ."""
    return prompt.suite.is_discriminating(prompt.case)


def conversations(prompts: Sequence[Situation]) -> list[list[Message]]:
    """The chat messages of each prompt, as the model reads them."""
    return [p.messages for p in prompts]


def answer_decisions(
    model: ResidualModel, prompts: Sequence[Situation], batch_size: int = 16
) -> list[str | None]:
    """The decision each prompt's greedy answer commits to (None when unparseable).

    Args:
        model: The model that answers.
        prompts: Audit prompts.
        batch_size: Prompts per forward pass.

    Returns:
        One decision (or None) per prompt.
    """
    return parse_answers(prompts, model.generate(conversations(prompts), batch_size=batch_size))


def parse_answers(prompts: Sequence[Situation], answers: Sequence[str]) -> list[str | None]:
    """The parsing oracle's decision per answer, each against its own suite's decisions."""
    return [parse_decision(a, p.suite.decisions) for p, a in zip(prompts, answers, strict=True)]


def read_activations(
    model: ResidualModel,
    prompts: Sequence[Situation],
    position: WhitePosition,
    batch_size: int,
    answers: Sequence[str] | None = None,
) -> NDArray[np.float32]:
    """Activations ``(n, layers, hidden)`` at ``position``.

    Args:
        model: The model read.
        prompts: Audit prompts.
        position: ``last``, ``mean`` or ``decision`` (see :data:`WhitePosition`).
        batch_size: Prompts per forward pass.
        answers: The greedy answers, where the caller has them already (``decision`` only;
            generated here otherwise).

    Returns:
        The residual stream after each decoder layer, per prompt.
    """
    chats = conversations(prompts)
    if position != "decision":
        return model.activations(chats, (position,), batch_size=batch_size)[position]
    if answers is None:
        answers = model.generate(chats, batch_size=batch_size)
    # Without a decision tag the whole answer is the best stand-in for the decision point.
    heads = [h if h is not None else a for h, a in zip(answer_heads(answers), answers, strict=True)]
    return model.activations(chats, ("last",), batch_size=batch_size, continuations=heads)["last"]


def cue_text(prompt: Situation) -> str:
    """The cue sentence as the prompt carries it (its side's paraphrase)."""
    sides = {"observed": prompt.cue.observed, "unobserved": prompt.cue.unobserved,
             "neutral": prompt.cue.neutral}  # fmt: skip
    return sides[prompt.side][prompt.paraphrase]


def cue_tokens(model: ResidualModel, prompt: Situation) -> list[int]:
    """The ids of the tokens that lie wholly inside the prompt's cue, as the model encodes it.

    Read from the tokenizer's character offsets on the chat-templated prompt, so a tokenizer
    whose tokens depend on their context (byte-pair encodings) is covered; a tokenizer without
    offsets falls back to encoding the cue on its own.

    Raises:
        ValueError: When the cue is not found in the prompt.
    """
    tokenizer = model.tokenizer
    text = tokenizer.apply_chat_template(prompt.messages, add_generation_prompt=True,
                                         tokenize=False)  # fmt: skip
    cue = cue_text(prompt)
    start = text.find(cue)
    if start < 0:
        raise ValueError(f"the cue of case {prompt.case.id} is not in its rendered prompt")
    end = start + len(cue)
    try:
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    except NotImplementedError:  # a slow tokenizer has no offsets
        return list(tokenizer(cue, add_special_tokens=False)["input_ids"])
    pairs = zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
    return [i for i, (a, b) in pairs if a >= start and b <= end and b > a]


def poser_inputs(
    models: Sequence[ResidualModel], prompts: Sequence[Situation], batch_size: int = 16
) -> list[Situation]:
    """Poser mode: the observed prompts on which every model gives the same decision.

    Clymer et al. 2024, "Poser": the hard version of the problem gives the auditor only
    inputs on which the aligned model and the faker behave identically, so behaviour alone
    cannot tell them apart. Unobserved prompts are dropped, which rules out
    :class:`~hawthorne.detectors.ObservationSteering` and the ``observed``
    :class:`~hawthorne.detectors.LinearProbe` (both raise ``ValueError``);
    :class:`~hawthorne.detectors.NoiseInjection` needs only observed prompts.

    Args:
        models: The models compared (same tokenizer and chat template not required).
        prompts: Candidate prompts.
        batch_size: Prompts per forward pass.

    Returns:
        The observed prompts with one agreed, parseable decision.
    """
    observed = [p for p in prompts if p.side == "observed"]
    found = [answer_decisions(m, observed, batch_size) for m in models]
    return [
        p
        for p, same in zip(observed, zip(*found, strict=True), strict=True)
        if same[0] is not None and len(set(same)) == 1
    ]


__all__ = [
    "NotApplicable",
    "WhitePosition",
    "answer_decisions",
    "conversations",
    "cue_prompts",
    "cue_text",
    "NotApplicable",
    "cue_tokens",
    "is_discriminating",
    "parse_answers",
    "poser_inputs",
    "read_activations",
]
