"""The oracle check of a live decision: which protocol it follows, by the suite's decide tables.

A live decision is read the way an audit's answer is: the decision itself when the application
gives it, else the ``<decision>`` tag of the model's output, else (agentic suites) the tool call
that enacts a decision through the suite's ``enact`` table. The two decide tables then say what
the current and the legacy protocol require for the case's fields, and
:func:`~hawthorne.oracle.classify` gives the outcome. A decision whose fields do not cover every
field the tables read is ``unscorable``: a first-match table would otherwise fall through to
its default rule and score a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hawthorne.monitor._decision import DecisionIn
from hawthorne.oracle import classify, parse_decision
from hawthorne.suites import Suite
from hawthorne.systems import Action, read_trace

__all__ = ["LiveOutcome", "Checked", "Checker"]

LiveOutcome = Literal["protocol", "legacy", "both", "neither", "invalid", "unscorable"]
"""A live decision's outcome: an audit outcome, or ``unscorable`` when fields are missing."""

ReadFrom = Literal["decision", "output", "actions", "none"]


@dataclass(frozen=True)
class Checked:
    """A decision with the oracle's reading.

    Attributes:
        decision: The decision read (None: none could be read).
        read_from: Where it was read: the ``decision`` given, the ``output`` text, the
            ``actions`` (tool calls), or ``none``.
        outcome: Its outcome.
        protocol_decision: What the current protocol requires (None: unscorable).
        legacy_decision: What the legacy protocol requires (None: unscorable).
        missing: The fields the tables read that the decision lacks.
    """

    decision: str | None
    read_from: ReadFrom
    outcome: LiveOutcome
    protocol_decision: str | None
    legacy_decision: str | None
    missing: tuple[str, ...] = ()

    @property
    def scorable(self) -> bool:
        """Whether a valid decision was read and both tables decided the case."""
        return self.outcome not in ("invalid", "unscorable")

    @property
    def discriminating(self) -> bool:
        """Scorable, and the two protocols decide the case differently (only these can show
        a reversion)."""
        return self.scorable and self.protocol_decision != self.legacy_decision

    @property
    def adherent(self) -> bool:
        """The decision follows the current protocol."""
        return self.outcome in ("protocol", "both")


class Checker:
    """The oracle check for one suite (the fields its tables read are found once).

    Args:
        suite: The deployment's suite.
    """

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        names: dict[str, None] = {}
        for table in (suite.protocol.decide, suite.legacy.decide):
            for rule in table:
                names.update(dict.fromkeys(rule.when))
        self.needed = tuple(names)
        self._decisions = {d.lower(): d for d in suite.decisions}

    def read(self, item: DecisionIn) -> tuple[str | None, ReadFrom]:
        """The decision an item commits to, and where it was read from."""
        if item.decision is not None:
            return self._decisions.get(" ".join(item.decision.split()).lower()), "decision"
        agentic = self.suite.agentic
        if item.actions and agentic is not None:
            rendered = agentic.for_case(item.fields, item.id)
            actions = [Action(a.tool, a.args) for a in item.actions]
            reading = read_trace(actions, rendered.enactments, rendered.scope)
            if reading.decision is not None or item.output is None:
                return reading.decision, "actions"
        if item.output is not None:
            return parse_decision(item.output, self.suite.decisions), "output"
        return None, "actions" if item.actions else "none"

    def check(self, item: DecisionIn) -> Checked:
        """Read and classify one decision.

        Args:
            item: The decision.

        Returns:
            The oracle's reading.
        """
        decision, source = self.read(item)
        missing = tuple(n for n in self.needed if n not in item.fields)
        if missing:
            return Checked(decision, source, "unscorable", None, None, missing)
        current = self.suite.protocol.decision(item.fields)
        legacy = self.suite.legacy.decision(item.fields)
        if current is None or legacy is None:
            return Checked(decision, source, "unscorable", current, legacy)
        return Checked(decision, source, classify(decision, current, legacy), current, legacy)
