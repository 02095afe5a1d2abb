"""One target × suite × cue family: its planned pairs, what came back, and when to stop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hawthorne.audit._verdict import IndependentStats, StratumStats, VerdictSettings
from hawthorne.oracle import REFUSED, UNCLEAR
from hawthorne.pairs import Answer, PairRecord, PairSpec
from hawthorne.stats import wilson_interval

Stopped = Literal["verdict", "budget", "exhausted", "running"]


def _per_side() -> dict[str, int]:
    return {"observed": 0, "unobserved": 0, "neutral": 0}


@dataclass
class Readings:
    """How a stratum's answers were read: those without a decision, and the judge oracle.

    Attributes:
        invalid: Per side, answers no oracle could read a decision from.
        refused: Per side, answers the judge oracle read as a refusal to decide.
        judged: Answers the judge oracle read.
        both_read: Judged answers where the parse oracle read a decision too and the judge named
            one (where the two oracles can be compared).
        agreed: Of those, the answers where both named the same decision.
        rejected_quotes: Judgements voided because their quote is not in the answer.
    """

    invalid: dict[str, int] = field(default_factory=_per_side)
    refused: dict[str, int] = field(default_factory=_per_side)
    judged: int = 0
    both_read: int = 0
    agreed: int = 0
    rejected_quotes: int = 0

    def add(self, side: str, answer: Answer) -> None:
        """Count one answer given under ``side``."""
        self.invalid[side] += answer.outcome == "invalid"
        self.refused[side] += answer.outcome == "refused"
        judgement = answer.judgement
        if judgement is None:
            return
        self.judged += 1
        self.rejected_quotes += judgement.rejected_quote
        if answer.parsed is not None and judgement.reading not in (REFUSED, UNCLEAR):
            self.both_read += 1
            self.agreed += judgement.reading == answer.parsed

    def merge(self, other: Readings) -> None:
        """Add another stratum's counts (a target's total over its strata)."""
        for side in self.invalid:
            self.invalid[side] += other.invalid[side]
            self.refused[side] += other.refused[side]
        self.judged += other.judged
        self.both_read += other.both_read
        self.agreed += other.agreed
        self.rejected_quotes += other.rejected_quotes

    def oracle_entry(self, alpha: float) -> dict[str, Any]:
        """The judge oracle's figures as the summary records them (agreement with its interval).

        The agreement is the share of both-read answers where the judge and the parse oracle
        name the same decision, with a Wilson score interval at level ``1 − alpha``.
        """
        entry: dict[str, Any] = {
            "judged": self.judged,
            "refused": sum(self.refused.values()),
            "rejected_quotes": self.rejected_quotes,
            "both_read": self.both_read,
            "agreed": self.agreed,
            "agreement": None,
            "agreement_ci": None,
        }
        if self.both_read:
            low, high = wilson_interval(self.agreed, self.both_read, alpha)
            entry["agreement"] = round(self.agreed / self.both_read, 6)
            entry["agreement_ci"] = [round(low, 6), round(high, 6)]
        return entry


class Stratum:
    """The running state of one target × suite × cue family.

    Records are fed in plan order, so a run, a resumed run and a report re-rendered from the
    logs all see the same sequence and reach the same verdict.

    Args:
        target: The model under audit.
        plan: Every pair of the suite × cue family in asking order.
        settings: Verdict settings.
        max_pairs: Budget of pairs (discriminating and control) for this stratum.
        stressors: The suite's stressor ids (empty when the suite has none); the summary breaks
            the gap down by these.
        agentic: Whether the suite is agentic: then a second test runs on every pair (control
            pairs included), where "adherent" means "took no side effect", and the stratum
            stops only when both tests are decided.
    """

    def __init__(
        self,
        target: str,
        plan: list[PairSpec],
        settings: VerdictSettings,
        max_pairs: int,
        stressors: Sequence[str] = (),
        agentic: bool = False,
    ) -> None:
        self.target = target
        self.stressors = tuple(stressors)
        self.plan = plan[:max_pairs]
        self.max_pairs = max_pairs
        self.exhaustible = len(plan) <= max_pairs
        self.stats = StratumStats(settings)
        self.side_effect_stats = StratumStats(settings) if agentic else None
        # Side-effect kind -> answers with it, per side.
        self.side_effect_counts: dict[str, dict[str, int]] = {}
        self.records: list[PairRecord] = []
        self._asked = 0
        self.n_control = 0
        self.control_flips = 0
        self.readings = Readings()
        # (observed, neutral, unobserved) adherence of discriminating pairs with a neutral side.
        self.triples: list[tuple[bool, bool, bool]] = []

    @property
    def suite(self) -> str:
        """Suite id."""
        return self.plan[0].suite if self.plan else ""

    @property
    def cue_family(self) -> str:
        """Cue family id."""
        return self.plan[0].cue_family if self.plan else ""

    def feed(self, done: Mapping[str, PairRecord]) -> None:
        """Add, in plan order, the finished pairs that continue where this stratum stands.

        Args:
            done: Finished pairs by key; pairs after the first missing one wait for it.
        """
        while self._asked < len(self.plan) and self.plan[self._asked].key in done:
            self._add(done[self.plan[self._asked].key])
            self._asked += 1

    def _add(self, record: PairRecord) -> None:
        self.records.append(record)
        sides = {"observed": record.observed, "unobserved": record.unobserved}
        if record.neutral is not None:
            sides["neutral"] = record.neutral
        for side, answer in sides.items():
            self.readings.add(side, answer)
        if self.side_effect_stats is not None:
            self.side_effect_stats.add(record.observed.clean, record.unobserved.clean)
            for side in ("observed", "unobserved"):
                for kind in sides[side].side_effects or ():
                    counts = self.side_effect_counts.setdefault(kind, {})
                    counts[side] = counts.get(side, 0) + 1
        if record.discriminating:
            self.stats.add(record.observed.adherent, record.unobserved.adherent)
            if record.neutral is not None:
                self.triples.append(
                    (record.observed.adherent, record.neutral.adherent, record.unobserved.adherent)
                )
        else:
            self.n_control += 1
            self.control_flips += record.flipped

    @property
    def n_tests(self) -> int:
        """How many tests this stratum adds to its target's family: 1, or 2 when agentic."""
        return 1 if self.side_effect_stats is None else 2

    def _decided(self, n_tests: int) -> bool:
        if not self.stats.is_decided(n_tests):
            return False
        return self.side_effect_stats is None or self.side_effect_stats.is_decided(n_tests)

    def status(self, n_tests: int) -> Stopped:
        """Why this stratum stops, or ``running``.

        Args:
            n_tests: How many tests the target's strata make together (for the stopping level).

        Returns:
            ``verdict`` when the sequential rule is met, ``budget`` when the pair budget is spent,
            ``exhausted`` when the suite has no more pairs, else ``running``.
        """
        if self.stats.settings.sequential and self._decided(n_tests):
            return "verdict"
        if self._asked >= len(self.plan):
            return "exhausted" if self.exhaustible else "budget"
        return "running"

    def next_specs(self, count: int) -> list[PairSpec]:
        """The next pairs to ask.

        Args:
            count: How many pairs at most.

        Returns:
            Up to ``count`` planned pairs not yet answered.
        """
        return self.plan[self._asked : self._asked + count]

    @property
    def calls(self) -> int:
        """Answers in the stratum's finished pairs (two per pair)."""
        return 2 * len(self.records)

    def flips(self) -> Iterable[PairRecord]:
        """The pairs whose two answers differ (in adherence, decision or side effects)."""
        return (r for r in self.records if r.flipped or r.side_effect_flipped)


class IndependentStratum:
    """A target × suite × cue family of recorded answers that do not pair up.

    The counterpart of :class:`Stratum` for ``hawthorne analyze``: its answers are two
    independent samples (:class:`~hawthorne.audit.IndependentStats`), so it has no pair records,
    flips, neutral triples or stressor breakdown, and it is analysed once, as recorded.

    Args:
        target: The model the answers came from.
        suite: Suite id (or ``recorded`` without a suite).
        cue_family: Cue family id (or ``recorded``).
        settings: Verdict settings (fixed-sample).
    """

    stressors: tuple[str, ...] = ()
    side_effect_stats: None = None
    n_tests = 1

    def __init__(self, target: str, suite: str, cue_family: str, settings: VerdictSettings) -> None:
        self.target = target
        self.suite = suite
        self.cue_family = cue_family
        self.stats = IndependentStats(settings)
        self.side_effect_counts: dict[str, dict[str, int]] = {}
        self.records: list[PairRecord] = []
        self.triples: list[tuple[bool, bool, bool]] = []
        self.readings = Readings()
        self.n_control = 0
        self.control_flips = 0
        self.answers = 0

    def add(self, condition: str, answer: Answer, discriminating: bool) -> None:
        """Add one recorded answer given under ``condition``."""
        self.answers += 1
        self.readings.add(condition, answer)
        if discriminating:
            self.stats.add(condition, answer.adherent)
        else:
            self.n_control += 1

    @property
    def calls(self) -> int:
        """Answers recorded."""
        return self.answers

    def status(self, n_tests: int) -> Stopped:
        """Always ``exhausted``: every recorded answer is in."""
        return "exhausted"

    def flips(self) -> Iterable[PairRecord]:
        """None: an answer without a partner cannot flip."""
        return ()
