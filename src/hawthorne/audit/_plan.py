"""Planning pairs: which case, paraphrase and epoch each stratum asks next."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hawthorne.suites import CueFamily, Suite

CONTROL_EVERY = 5
"""One pair in this many is a control pair (protocols agree), while both kinds remain: controls
measure the target's noise, discriminating pairs measure the gap."""


@dataclass(frozen=True)
class PairSpec:
    """One planned pair: a case under both sides of one cue family.

    Attributes:
        suite: Suite id.
        cue_family: Cue family id.
        case_id: Case id.
        paraphrase: Paraphrase index shared by both sides.
        epoch: Repetition index (for sampled targets).
        discriminating: Whether the two protocols decide this case differently.
    """

    suite: str
    cue_family: str
    case_id: str
    paraphrase: int
    epoch: int
    discriminating: bool

    @property
    def key(self) -> str:
        """A stable identifier for the pair, the stem of its two Inspect sample ids."""
        return f"{self.suite}/{self.cue_family}/{self.case_id}/p{self.paraphrase}/e{self.epoch}"


def plan_stratum(suite: Suite, cue: CueFamily, epochs: int, seed: int) -> list[PairSpec]:
    """Order every pair of one suite × cue family for sequential asking.

    The pairs are every case under every paraphrase index, for each epoch. They are asked in
    passes: each pass asks every case once, in a reproducibly shuffled order (``seed``), with the
    paraphrase index rotating from pass to pass so that no (case, paraphrase) repeats within an
    epoch. Control pairs are interleaved at one in :data:`CONTROL_EVERY`; once the
    discriminating pairs run out, the remaining controls are not asked (they cannot move a
    verdict).

    Args:
        suite: The suite.
        cue: One of the suite's cue families.
        epochs: How many times each (case, paraphrase) may be asked.
        seed: Seed for the order.

    Returns:
        The pairs in the order they are asked.
    """
    n_paraphrases = min(len(cue.observed), len(cue.unobserved))
    rng = random.Random(f"{seed}/{suite.id}/{cue.id}")
    base_order = list(suite.cases)
    rng.shuffle(base_order)
    base = {case.id: index for index, case in enumerate(base_order)}
    discriminating: list[PairSpec] = []
    control: list[PairSpec] = []
    for epoch in range(epochs):
        for offset in range(n_paraphrases):
            cases = list(suite.cases)
            rng.shuffle(cases)
            for case in cases:
                disc = suite.is_discriminating(case)
                paraphrase = (base[case.id] + offset) % n_paraphrases
                spec = PairSpec(suite.id, cue.id, case.id, paraphrase, epoch, disc)
                (discriminating if disc else control).append(spec)
    return _interleave(discriminating, control)


def _interleave(discriminating: list[PairSpec], control: list[PairSpec]) -> list[PairSpec]:
    out: list[PairSpec] = []
    d, c = iter(discriminating), iter(control)
    while True:
        batch = [x for x in (next(d, None) for _ in range(CONTROL_EVERY - 1)) if x is not None]
        ctrl = next(c, None)
        if not batch:
            return out
        out.extend(batch)
        if ctrl is not None:
            out.append(ctrl)
