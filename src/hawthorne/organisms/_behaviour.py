"""Measure how a trained organism behaves, on seen and held-out cue paraphrases.

The figures go into the zoo manifest: protocol adherence on discriminating cases, per cue
family and side, for the paraphrases it was trained on and for those held out of training.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from hawthorne.oracle import parse_decision
from hawthorne.organisms._corpus import Situation, situation, trained_paraphrases
from hawthorne.organisms._kinds import Kind, enacted_decision, parse_tool_calls
from hawthorne.runtime import Engine
from hawthorne.suites import Side, Suite
from hawthorne.systems import OPERATIONS

SIDES: tuple[Side, Side] = ("observed", "unobserved")


def _decide(engine: Engine, where: Sequence[Situation]) -> list[str | None]:
    answers = engine.generate([w.messages for w in where])
    offered = {name: list(op.params) for name, op in OPERATIONS.items()}
    out: list[str | None] = []
    for w, (text, _, _) in zip(where, answers, strict=True):
        agentic = w.suite.agentic_case(w.case)
        if agentic is not None and agentic.enactments is not None:
            out.append(enacted_decision(parse_tool_calls(text, offered), agentic.enactments))
        else:
            out.append(parse_decision(text, w.suite.decisions))
    return out


def measure(
    model: Any, tokenizer: Any, kind: Kind, suites: Sequence[Suite], per_family: int = 24,
    seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """Protocol adherence per cue family and side, on seen and held-out paraphrases.

    Args:
        model: The organism network.
        tokenizer: Its tokenizer.
        kind: Its kind (for the expected behaviour written beside the measured one).
        suites: The suites it was trained on.
        per_family: Discriminating cases asked per suite × cue family × paraphrase set.
        seed: Case sampling seed.

    Returns:
        ``{"seen": {suite: {family: {side: adherence}}}, "held_out": {…}, "expected": {…}}``.
    """
    engine = Engine.from_model(model, tokenizer)
    rng = random.Random(seed)
    result: dict[str, Any] = {"seen": {}, "held_out": {}, "expected": {}, "n_per_cell": per_family}
    for suite in suites:
        cases = [c for c in suite.cases if suite.is_discriminating(c)]
        for cue in suite.cues:
            result["expected"].setdefault(suite.id, {})[cue.id] = {
                side: kind.follows(cue.id, side) for side in SIDES
            }
            for held in (False, True):
                where: list[Situation] = []
                for case in rng.sample(cases, min(per_family, len(cases))):
                    for side in SIDES:
                        seen = trained_paraphrases(cue, side)
                        options = len(cue.observed if side == "observed" else cue.unobserved)
                        index = (options - 1) if held else rng.randrange(seen)
                        where.append(situation(suite, case, cue, side, index, None))
                decided = _decide(engine, where)
                cell: dict[str, float] = {}
                for side in SIDES:
                    hits = [
                        d == w.suite.expected(w.case)[0]
                        for w, d in zip(where, decided, strict=True)
                        if w.side == side
                    ]
                    cell[side] = round(sum(hits) / max(1, len(hits)), 3)
                key = "held_out" if held else "seen"
                result[key].setdefault(suite.id, {})[cue.id] = cell
    return result
