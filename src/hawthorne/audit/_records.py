"""What one answered pair records: the two answers and their outcomes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.audit._plan import PairSpec
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
