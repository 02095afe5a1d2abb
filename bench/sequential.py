"""Model calls to reach a verdict: sequential paired design vs fixed unpaired design.

Run ``python bench/sequential.py [--reps N] [--workers N]``; prints Markdown. No timing asserts.

Simulated target (one stratum, one cue family): protocol adherence 0.95 when observed; each pair
is discordant by symmetric noise (``NOISE`` each way) plus faking flips at rate ``gap`` toward
"adherent only when observed", so the 2x2 cell probabilities are

    b = NOISE + gap,  c = NOISE,  a = 0.95 - NOISE - gap,  d = 0.05 - NOISE.

Sequential paired design: `StratumStats` (betting confidence sequences) with `is_decided`,
2 model calls per pair, a look every ``LOOK_EVERY`` pairs, at most ``MAX_PAIRS`` pairs.

Fixed unpaired design: two independent arms (observed, unobserved) at the same alpha and 80%
power, sized by the normal approximation:

* gap > 0 (test of equality, two-sided alpha): Fleiss, J. L., Levin, B. & Paik, M. C. (2003),
  "Statistical Methods for Rates and Proportions", 3rd ed., Wiley, Sec. 4.2::

      n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{1-beta} sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2

  with the continuity correction of Fleiss, J. L., Tytun, A. & Ury, H. K. (1980), "A simple
  approximation for calculating sample sizes for comparing independent proportions",
  Biometrics 36:343-346::

      n_cc = n / 4 * (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2

* gap 0 (equivalence within +-MARGIN by two one-sided tests): Chow, S.-C., Shao, J. & Wang, H.
  (2008), "Sample Size Calculations in Clinical Research", 2nd ed., Chapman & Hall, Sec. 4.2
  (two-sample test for equivalence)::

      n = (z_{1-a} + z_{1-beta/2})^2 (p1 q1 + p2 q2) / (MARGIN - |p1 - p2|)^2

  with a = alpha/2, because the sequential rule reads a two-sided 1 - alpha interval inside the
  margin, which is a TOST at alpha/2 per side.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from hawthorne.audit._verdict import StratumStats, VerdictSettings
from hawthorne.stats import wilson_interval

GAPS = (0.0, 0.02, 0.05, 0.10, 0.20, 0.50)
OBSERVED_ADHERENCE = 0.95
NOISE = 0.03
ALPHA = 0.05
POWER = 0.80
MARGIN = 0.05
MAX_PAIRS = 2000
LOOK_EVERY = 8
SEED = 20240611

_PAIRS = ((True, True), (True, False), (False, True), (False, False))


@dataclass(frozen=True)
class Run:
    """One simulated sequential audit."""

    pairs: int
    verdict: str


def cell_probabilities(gap: float) -> tuple[float, float, float, float]:
    """Cell probabilities (a, b, c, d) of the simulated target."""
    b = NOISE + gap
    c = NOISE
    a = OBSERVED_ADHERENCE - NOISE - gap
    d = 1.0 - OBSERVED_ADHERENCE - NOISE
    return (a, b, c, d)


def simulate(gap: float, seed: np.random.SeedSequence) -> Run:
    """Run the sequential paired design once."""
    rng = np.random.default_rng(seed)
    stratum = StratumStats(VerdictSettings(alpha=ALPHA, margin=MARGIN))
    cells = rng.choice(4, size=MAX_PAIRS, p=cell_probabilities(gap))
    for i, cell in enumerate(cells, start=1):
        stratum.add(*_PAIRS[int(cell)])
        if i % LOOK_EVERY == 0 and stratum.is_decided(1):
            break
    return Run(stratum.n, stratum.verdict())


def _simulate_args(args: tuple[float, np.random.SeedSequence]) -> Run:
    return simulate(*args)


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def fleiss_n(p1: float, p2: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Per-arm n for a two-sided test of p1 == p2 (Fleiss et al. 2003, Sec. 4.2), unrounded."""
    pbar = (p1 + p2) / 2
    root = _z(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar)) + _z(power) * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return root**2 / (p1 - p2) ** 2


def fleiss_n_cc(p1: float, p2: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Per-arm n with the continuity correction (Fleiss, Tytun & Ury 1980), unrounded."""
    n = fleiss_n(p1, p2, alpha, power)
    return n / 4 * (1 + math.sqrt(1 + 4 / (n * abs(p1 - p2)))) ** 2


def tost_n(
    p1: float, p2: float, margin: float = MARGIN, alpha: float = ALPHA, power: float = POWER
) -> float:
    """Per-arm n for equivalence within +-margin (Chow, Shao & Wang 2008, Sec. 4.2), unrounded."""
    z = _z(1 - alpha / 2) + _z(1 - (1 - power) / 2)
    return z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (margin - abs(p1 - p2)) ** 2


def fixed_calls(gap: float, power: float = POWER) -> int:
    """Model calls of the fixed unpaired design: two arms of ceil(n) each."""
    p1, p2 = OBSERVED_ADHERENCE, OBSERVED_ADHERENCE - gap
    n = tost_n(p1, p2, power=power) if gap == 0 else fleiss_n(p1, p2, power=power)
    return 2 * math.ceil(n)


def main() -> None:
    """Simulate every gap and print the Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500, help="replicates per gap")
    parser.add_argument("--workers", type=int, default=2, help="processes")
    args = parser.parse_args()

    seeds = np.random.SeedSequence(SEED).spawn(len(GAPS))
    jobs = [(gap, s) for gap, seq in zip(GAPS, seeds, strict=True) for s in seq.spawn(args.reps)]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(_simulate_args, jobs, chunksize=10))

    print(f"## Model calls to a verdict ({args.reps} simulated targets per gap, seed {SEED})")
    print()
    print(
        f"Target: adherence {OBSERVED_ADHERENCE} when observed, {NOISE:.0%} symmetric noise "
        f"flips each way plus faking flips at the gap; alpha {ALPHA} (two-sided), margin "
        f"+-{MARGIN}, one stratum. Sequential: paired, 2 calls per pair, look every "
        f"{LOOK_EVERY} pairs, cap {MAX_PAIRS} pairs. Fixed: unpaired, 2 arms, power {POWER:.0%} "
        "(gap 0: equivalence/TOST design)."
    )
    print()
    print(
        "| gap | seq. mean calls | seq. median calls | faking | consistent | "
        "inconclusive at cap | fixed calls, 80% power | fixed / seq. | "
        "fixed calls, seq.'s power | fixed / seq. |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, gap in enumerate(GAPS):
        chunk = runs[i * args.reps : (i + 1) * args.reps]
        calls = [2 * r.pairs for r in chunk]
        kinds = Counter(r.verdict for r in chunk)
        capped = sum(r.pairs >= MAX_PAIRS and r.verdict == "inconclusive" for r in chunk)
        mean_calls = statistics.fmean(calls)
        fixed = fixed_calls(gap)
        label = "false alarm" if gap == 0 else "power"
        # The power the sequential design is shown to reach: the 95% Wilson lower limit of its
        # rate of the correct verdict (consistent at gap 0, faking otherwise).
        correct = kinds["consistent" if gap == 0 else "faking"]
        power = wilson_interval(correct, len(chunk))[0]
        matched = fixed_calls(gap, power)
        print(
            f"| {gap:.2f} | {mean_calls:,.0f} | {statistics.median(calls):,.0f} | "
            f"{kinds['faking'] / len(chunk):.1%} ({label}) | "
            f"{kinds['consistent'] / len(chunk):.1%} | {capped / len(chunk):.1%} | "
            f"{fixed:,} | {fixed / mean_calls:.2f} | {matched:,} | {matched / mean_calls:.2f} |"
        )
    print()
    print(
        "The fixed design's size is computed for the true gap, which a real audit does not know "
        "in advance; the sequential design needs no such guess. 'seq.'s power' sizes the fixed "
        "design for the power the sequential design is shown to reach: the 95% Wilson lower "
        "limit of its rate of the correct verdict (consistent at gap 0, faking otherwise)."
    )
    print()
    print("## Reference check: fixed unpaired n per arm (alpha 0.05 two-sided, power 0.80)")
    print()
    print("| p1 -> p2 | Fleiss, no continuity correction | with continuity correction |")
    print("|---|---:|---:|")
    for p1, p2 in ((0.02, 0.05), (0.03, 0.14)):
        print(
            f"| {p1:.0%} -> {p2:.0%} | {fleiss_n(p1, p2):.1f} (ceil {math.ceil(fleiss_n(p1, p2))})"
            f" | {fleiss_n_cc(p1, p2):.1f} (ceil {math.ceil(fleiss_n_cc(p1, p2))}) |"
        )


if __name__ == "__main__":
    main()
