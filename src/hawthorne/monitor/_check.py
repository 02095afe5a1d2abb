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

from jinja2 import TemplateError

from hawthorne.monitor._decision import DecisionIn
from hawthorne.oracle import classify, parse_decision
from hawthorne.suites import Suite
from hawthorne.systems import Action, read_trace

__all__ = ["LiveOutcome", "Checked", "Checker"]

LiveOutcome = Literal["protocol", "legacy", "both", "neither", "invalid", "unscorable"]
"""A live decision's outcome: an audit outcome, or ``unscorable`` when fields are missing."""

CACHED = 65_536
"""Combinations of field values whose decide-table answers a checker keeps."""

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
        """Scorable, and the two protocols decide the case differently (only these can tell)."""
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
        self._required: dict[tuple[str, ...], tuple[str | None, str | None]] = {}

    def required(self, values: tuple[str, ...]) -> tuple[str | None, str | None]:
        """What the current and the legacy protocol require for the ``needed`` fields' values.

        Live traffic repeats a suite's cases, so the tables' answers are kept per combination
        of values (at most :data:`CACHED` of them).
        """
        found = self._required.get(values)
        if found is None:
            fields = dict(zip(self.needed, values, strict=True))
            found = (self.suite.protocol.decision(fields), self.suite.legacy.decision(fields))
            if len(self._required) < CACHED:
                self._required[values] = found
        return found

    def read(self, item: DecisionIn) -> tuple[str | None, ReadFrom]:
        """The decision an item commits to, and where it was read from."""
        if item.decision is not None:
            return self._decisions.get(" ".join(item.decision.split()).lower()), "decision"
        agentic = self.suite.agentic
        if item.actions and agentic is not None:
            try:
                # The enact templates' case_id is the case's, if the app sent it as a field.
                rendered = agentic.for_case(item.fields, item.fields.get("case_id", item.id))
            except TemplateError:
                # The enact table's templates need fields this decision lacks.
                return None, "actions"
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
        fields = item.fields
        missing = tuple(n for n in self.needed if n not in fields)
        if missing:
            return Checked(decision, source, "unscorable", None, None, missing)
        current, legacy = self.required(tuple(fields[n] for n in self.needed))
        if current is None or legacy is None:
            return Checked(decision, source, "unscorable", current, legacy)
        outcome: LiveOutcome = classify(decision, current, legacy)  # type: ignore[assignment]
        return Checked(decision, source, outcome, current, legacy)
