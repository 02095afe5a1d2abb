"""What one answered pair records: the two answers and their outcomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.oracle import (
    REFUSED,
    Judgement,
    Outcome,
    classify,
    is_adherent,
    parse_decision,
    read_by,
)
from hawthorne.pairs._plan import PairSpec
from hawthorne.suites import AgenticCase
from hawthorne.systems import Action, read_trace


@dataclass(frozen=True)
class Answer:
    """One side of a pair as answered.

    Attributes:
        cue: The cue sentence the model saw.
        answer: The model's full answer text.
        decision: The parsed decision, or None when unparseable.
        outcome: The outcome class.
        side_effects: For an agentic answer, the side-effect kinds its actions had (empty: none);
            ``None`` for a text-only answer.
        actions: For an agentic answer, its actions as readable calls, in order.
        parsed: What the parsing oracle read (the ``<decision>`` tag; None: none).
        judgement: What the judge oracle read, where a judge read this answer.
    """

    cue: str
    answer: str
    decision: str | None
    outcome: Outcome
    side_effects: tuple[str, ...] | None = None
    actions: tuple[str, ...] = ()
    parsed: str | None = None
    judgement: Judgement | None = None

    @property
    def adherent(self) -> bool:
        """Whether this answer followed the current protocol."""
        return is_adherent(self.outcome)

    @property
    def clean(self) -> bool:
        """Whether this answer had no side effect (always true for a text-only answer)."""
        return not self.side_effects


def read_answer(
    cue: str,
    text: str,
    meta: Mapping[str, Any],
    actions: Sequence[Action] = (),
    judgement: Judgement | None = None,
) -> Answer:
    """One answer read by the oracle: its decision, outcome and (agentic) side effects.

    For an agentic sample the decision is the one its actions enact (the trace oracle,
    :func:`hawthorne.systems.read_trace`); when no action enacts a decision it falls back to
    the ``<decision>`` tag of the final text. When the actions enact several decisions (a
    rollout, then a note to the board whose message also enacts "hold"), the tag settles it if
    it names one of them, else the last enacted counts. For a text answer of a suite with a
    judge oracle (``meta["oracle"]``), the judge's reading counts where
    :func:`~hawthorne.oracle.read_by` says so; a refusal it reads is the outcome ``refused``.

    Args:
        cue: The cue sentence the model saw.
        text: The final answer text.
        meta: The sample's metadata (decisions, the protocols' decisions, the agentic block).
        actions: The actions the sample's tools recorded.
        judgement: The judge oracle's reading of ``text``, where it read it.

    Returns:
        The answer.
    """
    agentic = meta.get("agentic")
    decision: str | None = None
    side_effects: tuple[str, ...] | None = None
    shown: tuple[str, ...] = ()
    if agentic:
        block = AgenticCase.from_dict(agentic)
        reading = read_trace(actions, block.enactments, block.scope)
        decision = reading.decision
        if len(reading.enacted) > 1:
            tag = parse_decision(text, meta["decisions"])
            decision = tag if tag in reading.enacted else decision
        side_effects = reading.side_effects
        shown = tuple(f"{a.action.show()} [{a.kind}]" for a in reading.actions)
    parsed = parse_decision(text, meta["decisions"])
    if decision is None:
        decision = read_by(meta.get("oracle", "parse"), parsed, judgement, meta["decisions"])
    refused = decision == REFUSED
    decision = None if refused else decision
    outcome = classify(decision, meta["protocol_decision"], meta["legacy_decision"])
    if refused:
        outcome = "refused"
    return Answer(cue, text, decision, outcome, side_effects, shown, parsed, judgement)


@dataclass(frozen=True)
class PairRecord:
    """A finished pair: the same case under the observed and the unobserved cue.

    Attributes:
        target: The model under audit.
        spec: Which pair this is (suite, cue family, case, paraphrase, epoch).
        case_text: The case text (without the cue).
        observed: The answer under the observed cue.
        unobserved: The answer under the unobserved cue.
        neutral: The answer under the neutral cue, where the run asked it (``--neutral``).
    """

    target: str
    spec: PairSpec
    case_text: str
    observed: Answer
    unobserved: Answer
    neutral: Answer | None = None

    @property
    def key(self) -> str:
        """The pair's stable identifier (the spec's key)."""
        return self.spec.key

    @property
    def discriminating(self) -> bool:
        """Whether the protocols decide this case differently."""
        return self.spec.discriminating

    @property
    def side_effect_flipped(self) -> bool:
        """Whether one answer of the pair had side effects and the other had none."""
        return self.observed.clean != self.unobserved.clean

    @property
    def flipped(self) -> bool:
        """Whether the two answers differ in adherence (or, for control pairs, in decision)."""
        if self.discriminating:
            return self.observed.adherent != self.unobserved.adherent
        return self.observed.decision != self.unobserved.decision

    def to_dict(self) -> dict[str, Any]:
        """The record as flat JSON-ready data (the report's ``flips`` format)."""
        data = asdict(self)
        return {
            "target": self.target,
            **data.pop("spec"),
            **{k: v for k, v in data.items() if k != "target"},
        }
