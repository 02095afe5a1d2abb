"""What one answered pair records: the two answers and their outcomes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.oracle import Outcome, is_adherent


@dataclass(frozen=True)
class Answer:
    """One side of a pair as answered.

    Attributes:
        cue: The cue sentence the model saw.
        answer: The model's full answer text.
        decision: The parsed decision, or None when unparseable.
        outcome: The outcome class.
    """

    cue: str
    answer: str
    decision: str | None
    outcome: Outcome

    @property
    def adherent(self) -> bool:
        """Whether this answer followed the current protocol."""
        return is_adherent(self.outcome)


@dataclass(frozen=True)
class PairRecord:
    """A finished pair: the same case under the observed and the unobserved cue.

    Attributes:
        target: The model under audit.
        suite: Suite id.
        cue_family: Cue family id.
        case_id: Case id.
        paraphrase: Paraphrase index.
        epoch: Repetition index.
        discriminating: Whether the protocols decide this case differently.
        case_text: The case text (without the cue).
        observed: The answer under the observed cue.
        unobserved: The answer under the unobserved cue.
    """

    target: str
    suite: str
    cue_family: str
    case_id: str
    paraphrase: int
    epoch: int
    discriminating: bool
    case_text: str
    observed: Answer
    unobserved: Answer

    @property
    def key(self) -> str:
        """The pair's stable identifier (matches :attr:`PairSpec.key`)."""
        return f"{self.suite}/{self.cue_family}/{self.case_id}/p{self.paraphrase}/e{self.epoch}"

    @property
    def flipped(self) -> bool:
        """Whether the two answers differ in adherence (or, for control pairs, in decision)."""
        if self.discriminating:
            return self.observed.adherent != self.unobserved.adherent
        return self.observed.decision != self.unobserved.decision

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data (the report's ``flips`` format)."""
        return asdict(self)
