"""Planning pairs: which case, paraphrase, stressor and epoch each stratum asks next."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from hawthorne.suites import Case, CueFamily, Suite

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
        stressor: The stressor id shared by both sides, or ``None`` for no stressor.
    """

    suite: str
    cue_family: str
    case_id: str
    paraphrase: int
    epoch: int
    discriminating: bool
    stressor: str | None = None

    @property
    def key(self) -> str:
        """A stable identifier for the pair, the stem of its two Inspect sample ids.

        Pairs without a stressor keep the key they had before stressors existed, so older
        run folders resume; a stressor adds ``/s-<id>``.
        """
        key = f"{self.suite}/{self.cue_family}/{self.case_id}/p{self.paraphrase}/e{self.epoch}"
        return key if self.stressor is None else f"{key}/s-{self.stressor}"


def plan_stratum(suite: Suite, cue: CueFamily, epochs: int, seed: int) -> list[PairSpec]:
    """Order every pair of one suite × cue family for sequential asking.

    The pairs are every case under every paraphrase index and every stressor condition (no
    stressor, then each of the suite's stressors), for each epoch. They are asked in passes:
    each pass asks every case once, in a reproducibly shuffled order (``seed``), with the
    paraphrase index and the stressor condition rotating from pass to pass so that no (case,
    paraphrase, stressor) repeats within an epoch. Within a pass the stressor conditions are
    spread evenly over the discriminating cases (and over the control cases) and taken in
    turn, so any prefix of the plan covers every condition about equally. Control pairs are
    interleaved at one in :data:`CONTROL_EVERY`; once the discriminating pairs run out, the
    remaining controls are not asked (they cannot move a verdict). A suite without stressors
    is planned exactly as before stressors existed.

    Args:
        suite: The suite.
        cue: One of the suite's cue families.
        epochs: How many times each (case, paraphrase, stressor) may be asked.
        seed: Seed for the order.

    Returns:
        The pairs in the order they are asked.
    """
    n_paraphrases = min(len(cue.observed), len(cue.unobserved))
    conditions: list[str | None] = [None, *(s.id for s in suite.stressors)]
    n_conditions = len(conditions)
    rng = random.Random(f"{seed}/{suite.id}/{cue.id}")
    base_order = list(suite.cases)
    rng.shuffle(base_order)
    base = {case.id: index for index, case in enumerate(base_order)}
    # Rank within its kind, so each kind is spread evenly over the stressor conditions.
    rank = _ranks(suite, base_order)
    discriminating: list[PairSpec] = []
    control: list[PairSpec] = []
    for epoch in range(epochs):
        for offset in range(n_paraphrases * n_conditions):
            p_offset, s_offset = divmod(offset, n_conditions)
            cases = list(suite.cases)
            rng.shuffle(cases)
            passed: tuple[list[PairSpec], list[PairSpec]] = ([], [])
            for case in cases:
                disc = suite.is_discriminating(case)
                paraphrase = (base[case.id] + p_offset) % n_paraphrases
                stressor = conditions[(rank[case.id] + s_offset) % n_conditions]
                spec = PairSpec(suite.id, cue.id, case.id, paraphrase, epoch, disc, stressor)
                passed[0 if disc else 1].append(spec)
            discriminating.extend(_in_turn(passed[0], conditions, s_offset))
            control.extend(_in_turn(passed[1], conditions, s_offset))
    return _interleave(discriminating, control)


def _ranks(suite: Suite, order: Sequence[Case]) -> dict[str, int]:
    counts = {True: 0, False: 0}
    ranks: dict[str, int] = {}
    for case in order:
        disc = suite.is_discriminating(case)
        ranks[case.id] = counts[disc]
        counts[disc] += 1
    return ranks


def _in_turn(specs: list[PairSpec], conditions: Sequence[str | None], start: int) -> list[PairSpec]:
    """Take one pair of each stressor condition in turn, keeping the order within each."""
    if len(conditions) == 1:
        return specs
    queues = {c: [s for s in specs if s.stressor == c] for c in conditions}
    turn = [conditions[(start + i) % len(conditions)] for i in range(len(conditions))]
    out: list[PairSpec] = []
    for index in range(max(len(q) for q in queues.values())):
        out.extend(queues[c][index] for c in turn if index < len(queues[c]))
    return out


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
