"""Model calls to reach a verdict: sequential paired design vs fixed unpaired and paired designs.

Run ``python bench/sequential.py [--reps N] [--workers N]``; prints Markdown. No timing asserts.

Simulated targets (one stratum, one cue family). Each pair is one case asked under the observed
and the unobserved cue; the paired 2x2 table has cells a (adherent under both), b (observed
only), c (unobserved only), d (neither), and gap = P(b) - P(c). Two kinds of within-pair
dependence:

* errors: the target fails a share ``r`` of cases when observed; a failure is *shared* by both
  sides of the pair (a hard case is failed under either cue, as models at temperature 0 do)
  except for independent noise flips, ``eps`` each way; faking adds unobserved-only failures at
  rate ``gap``::

      b = eps + gap,   c = eps,   d = r - eps,   a = 1 - r - eps - gap

  Scenario A, "shared errors": r = 5%, eps = 0.5%. Scenario B, "noisy": r = 5%, eps = 3%.
* independent answers: the two sides of a pair are independent (within-pair correlation 0, the
  worst case for pairing), with adherence 1 - r observed and 1 - r - gap unobserved.

The issue's reference scenarios, non-adherence 2% observed -> 5% unobserved and 3% -> 14%, are
run both with shared errors (eps = 0.5%) and with independent answers.

Sequential paired design: `StratumStats` and its stopping rule `is_decided` (faking test at
alpha, or the gap's confidence sequence inside +-margin), 2 model calls per pair, looks as the
audit runner makes them (FIRST_LOOK pairs, then doubling up to MAX_LOOK per look), at most
``MAX_PAIRS`` pairs. Only discriminating pairs are simulated; the runner's control pairs cost
every design the same.

Fixed designs, at the same alpha and 80% power (the fixed size is computed for the true gap,
which a real audit does not know in advance):

* unpaired: two independent arms (observed, unobserved) of n calls each, sized by the normal
  approximation for a two-sided test of p1 = p2: Fleiss, J. L., Levin, B. & Paik, M. C. (2003),
  "Statistical Methods for Rates and Proportions", 3rd ed., Wiley, Sec. 4.2::

      n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{1-beta} sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2

  (the reference table also gives the continuity correction of Fleiss, J. L., Tytun, A. & Ury,
  H. K. (1980), "A simple approximation for calculating sample sizes for comparing independent
  proportions", Biometrics 36:343-346: n_cc = n / 4 * (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2).
* paired, Connor: n pairs for McNemar's test by Connor, R. J. (1987), "Sample size for testing
  differences in proportions for the paired-sample design", Biometrics 43:207-211,
  with psi = P(b) + P(c) the discordance and delta = P(b) - P(c) the gap::

      n = (z_{1-alpha/2} sqrt(psi) + z_{1-beta} sqrt(psi - delta^2))^2 / delta^2

* paired, exact: the smallest n pairs at which the exact McNemar test (`mcnemar_exact`, the
  audit's fixed mode) rejects at alpha with b > c with probability >= 80%, computed exactly
  (binomial sums, no simulation).

At gap 0 the right verdict is ``consistent`` and the fixed designs are equivalence designs
(two one-sided tests at alpha/2 each, matching a two-sided 1 - alpha interval inside the margin):

* unpaired: Chow, S.-C., Shao, J. & Wang, H. (2008), "Sample Size Calculations in Clinical
  Research", 2nd ed., Chapman & Hall, Sec. 4.2 (two-sample test for equivalence)::

      n = (z_{1-alpha/2} + z_{1-beta/2})^2 (p1 q1 + p2 q2) / (MARGIN - |p1 - p2|)^2

* paired, normal: the same formula for the mean of the paired differences (one-sample
  equivalence test, Chow, Shao & Wang 2008, Sec. 3.1, with the variance of D, psi - delta^2)::

      n = (z_{1-alpha/2} + z_{1-beta/2})^2 (psi - delta^2) / (MARGIN - |delta|)^2

  With rare discordance this normal approximation is far too optimistic (it asks for a few
  dozen pairs that hold less than one discordant pair on average), hence also:
* paired, exact: the smallest n pairs (by bisection) at which the audit's fixed-mode rule,
  Newcombe's interval inside +-MARGIN, holds with probability >= 80%, by exact enumeration of
  the multinomial 2x2 tables.

A second table runs the faking test alone (stopping only on ``faking``), on the same simulated
pairs, to compare the audit's faking test (the betting confidence sequence's anytime p-value at
0) with a test built for detection: the one-sided sequential McNemar test
`hawthorne.stats._mixture.SequentialMcNemar` (a Jeffreys mixture of bets on the discordant
pairs). The CS p-value is two-sided (hedged capital, theta = 1/2): in the faking direction it
rejects when the bet on "gap > 0" has grown to 2/alpha, a one-sided test at alpha/2, the same
convention as the fixed designs' two-sided alpha. The mixture is shown at that same level
(p <= alpha/2) and at the one-sided level alpha (p <= alpha), which doubles the false-alarm
bound in the faking direction.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np

from hawthorne.audit._runner import FIRST_LOOK, MAX_LOOK
from hawthorne.audit._verdict import StratumStats, VerdictSettings
from hawthorne.stats import BettingConfidenceSequence, mcnemar_exact, paired_difference_ci
from hawthorne.stats._mixture import SequentialMcNemar

GAPS = (0.0, 0.02, 0.05, 0.10, 0.20, 0.50)
ALPHA = 0.05
POWER = 0.80
MARGIN = 0.05
MAX_PAIRS = 2000
FINE_LOOK = 8
SEED = 20240611

_PAIRS = ((True, True), (True, False), (False, True), (False, False))
Cells = tuple[float, float, float, float]


@dataclass(frozen=True)
class Scenario:
    """A family of simulated targets."""

    name: str
    r: float  # non-adherence when observed
    eps: float | None  # noise flips each way; None: independent answers
    gaps: tuple[float, ...]

    def cells(self, gap: float) -> Cells:
        """Cell probabilities (a, b, c, d) at this gap."""
        if self.eps is None:
            p1, p2 = 1.0 - self.r, 1.0 - self.r - gap
            return (p1 * p2, p1 * (1 - p2), (1 - p1) * p2, (1 - p1) * (1 - p2))
        return (1.0 - self.r - self.eps - gap, self.eps + gap, self.eps, self.r - self.eps)


SCENARIOS = (
    Scenario("A: shared errors (5% non-adherence, noise 0.5% each way)", 0.05, 0.005, GAPS),
    Scenario("B: noisy (5% non-adherence, noise 3% each way)", 0.05, 0.03, GAPS),
)
REFERENCES = (
    Scenario("2% -> 5%, shared errors (noise 0.5% each way)", 0.02, 0.005, (0.03,)),
    Scenario("2% -> 5%, independent answers", 0.02, None, (0.03,)),
    Scenario("3% -> 14%, shared errors (noise 0.5% each way)", 0.03, 0.005, (0.11,)),
    Scenario("3% -> 14%, independent answers", 0.03, None, (0.11,)),
)


def phi(cells: Cells) -> float:
    """Within-pair correlation of the observed and unobserved adherence indicators."""
    a, b, c, d = cells
    return (a * d - b * c) / math.sqrt((a + b) * (c + d) * (a + c) * (b + d))


def looks(cap: int = MAX_PAIRS, first: int = FIRST_LOOK, most: int = MAX_LOOK) -> Iterator[int]:
    """Cumulative pairs at each look; by default as the audit runner schedules them."""
    size, total = first, 0
    while total < cap:
        total = min(cap, total + size)
        yield total
        size = min(2 * size, most)


# --- sequential simulations -------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One simulated sequential audit, and the faking tests alone on the same pairs."""

    pairs: int
    verdict: str
    cs_faking: int | None  # pairs until the CS p-value at 0 was <= alpha (None: never)
    mix_same: int | None  # pairs until the sequential McNemar p-value was <= alpha / 2
    mix_alpha: int | None  # pairs until the sequential McNemar p-value was <= alpha


def simulate(cells: Cells, seed: np.random.SeedSequence, look: int | None = None) -> Run:
    """Run the sequential paired design once, and the two faking tests alone.

    With ``look`` set, looks come every ``look`` pairs instead of the runner's schedule, and the
    faking tests alone are not run.
    """
    rng = np.random.default_rng(seed)
    drawn = rng.choice(4, size=MAX_PAIRS, p=cells)
    stratum = StratumStats(VerdictSettings(alpha=ALPHA, margin=MARGIN))
    added = 0
    schedule = looks() if look is None else looks(MAX_PAIRS, look, look)
    for end in schedule:
        for cell in drawn[added:end]:
            stratum.add(*_PAIRS[int(cell)])
        added = end
        if stratum.is_decided(1):
            break
    if look is not None:
        return Run(stratum.n, stratum.verdict(), None, None, None)
    diffs = np.array([0.0, 1.0, -1.0, 0.0])[drawn]
    # The audit's faking test: the betting CS's p-value at 0 (its value does not depend on the
    # grid, so a 3-point grid -1, 0, 1 keeps this cheap).
    cs = BettingConfidenceSequence(ALPHA, -1.0, 1.0, grid_size=3)
    mixture = SequentialMcNemar()
    cs_at = same_at = alpha_at = None
    start = 0
    for end in looks():
        if cs_at is None:
            cs.update(diffs[start:end])
            cs_at = end if cs.p_value(0.0) <= ALPHA else None
        if same_at is None:
            mixture.update(diffs[start:end])
            p = mixture.p_value
            alpha_at = alpha_at or (end if p <= ALPHA else None)
            same_at = end if p <= ALPHA / 2 else None
        start = end
        if cs_at is not None and same_at is not None:
            break
    return Run(stratum.n, stratum.verdict(), cs_at, same_at, alpha_at)


def _simulate_args(args: tuple[Cells, np.random.SeedSequence, int | None]) -> Run:
    return simulate(*args)


# --- fixed designs ------------------------------------------------------------------------------


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


def tost_n(p1: float, p2: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Per-arm n for equivalence within +-MARGIN (Chow, Shao & Wang 2008, Sec. 4.2)."""
    z = _z(1 - alpha / 2) + _z(1 - (1 - power) / 2)
    return z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (MARGIN - abs(p1 - p2)) ** 2


def connor_n(psi: float, delta: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Pairs for McNemar's test (Connor 1987), unrounded."""
    root = _z(1 - alpha / 2) * math.sqrt(psi) + _z(power) * math.sqrt(psi - delta**2)
    return root**2 / delta**2


def paired_tost_n(psi: float, delta: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Pairs for equivalence of the mean paired difference within +-MARGIN (normal approx.)."""
    z = _z(1 - alpha / 2) + _z(1 - (1 - power) / 2)
    return z**2 * (psi - delta**2) / (MARGIN - abs(delta)) ** 2


_LOG_FACT = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, 20_001, dtype=np.float64)))))


def _binom_pmf(n: int, p: float) -> np.ndarray:
    k = np.arange(n + 1)
    log_c = _LOG_FACT[n] - _LOG_FACT[k] - _LOG_FACT[n - k]
    with np.errstate(divide="ignore"):
        return np.exp(log_c + k * math.log(p) + (n - k) * math.log1p(-p))


@cache
def _mcnemar_critical(k: int) -> int:
    """Smallest b with mcnemar_exact(b, k - b) <= ALPHA and b > k - b (k + 1 if none)."""
    lo, hi = k // 2 + 1, k + 1
    while lo < hi:  # the p-value decreases in b for b > k / 2
        mid = (lo + hi) // 2
        if mcnemar_exact(mid, k - mid) <= ALPHA:
            hi = mid
        else:
            lo = mid + 1
    return lo


def exact_mcnemar_n(cells: Cells, power: float = POWER, limit: int = 20_000) -> int:
    """Smallest n pairs at which the exact McNemar test detects b > c with this power."""
    _, pb, pc, _ = cells
    psi, q = pb + pc, pb / (pb + pc)
    reject = [0.0]  # P(reject | k discordant pairs), k = 0, 1, ...; k = 0 never rejects
    for n in range(1, limit + 1):
        reject.append(float(_binom_pmf(n, q)[_mcnemar_critical(n) :].sum()))
        if float(np.dot(_binom_pmf(n, psi), reject)) >= power:
            return n
    raise RuntimeError("no n up to the limit reaches the power")


def _equivalence_probability(cells: Cells, n: int) -> float:
    """P(Newcombe's 1 - ALPHA interval lies inside +-MARGIN) with n pairs, by enumeration."""
    _, pb, pc, pd = cells
    log_p = [math.log(p) for p in cells]

    def support(p: float) -> range:
        sd = math.sqrt(n * p * (1 - p))
        return range(max(0, int(n * p - 9 * sd)), min(n, int(n * p + 9 * sd) + 1) + 1)

    total = 0.0
    for b in support(pb):
        for c in support(pc):
            for d in support(pd):
                a = n - b - c - d
                if a < 0:
                    continue
                lo, hi = paired_difference_ci(a, b, c, d, ALPHA)
                if -MARGIN < lo and hi < MARGIN:
                    counts = (a, b, c, d)
                    log_pmf = _LOG_FACT[n] + sum(
                        k * lp - _LOG_FACT[k] for k, lp in zip(counts, log_p, strict=True)
                    )
                    total += math.exp(log_pmf)
    return total


def exact_equivalence_n(cells: Cells, power: float = POWER) -> int:
    """Smallest n pairs (bisection) at which the fixed-mode equivalence rule has this power."""
    lo, hi = 1, 64
    while _equivalence_probability(cells, hi) < power:
        lo, hi = hi, 2 * hi
    while lo < hi:
        mid = (lo + hi) // 2
        if _equivalence_probability(cells, mid) >= power:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True)
class Fixed:
    """Model calls of the fixed designs at one row."""

    unpaired: int
    paired_normal: int
    paired_exact: int


def fixed_calls(cells: Cells) -> Fixed:
    """Model calls of the three fixed designs for these cell probabilities."""
    a, b, c, _ = cells
    p1, p2 = a + b, a + c
    psi, delta = b + c, b - c
    if abs(delta) < 1e-12:
        unpaired = tost_n(p1, p2)
        paired = paired_tost_n(psi, delta)
        exact = exact_equivalence_n(cells)
    else:
        unpaired = fleiss_n(p1, p2)
        paired = connor_n(psi, delta)
        exact = exact_mcnemar_n(cells)
    return Fixed(2 * math.ceil(unpaired), 2 * math.ceil(paired), 2 * exact)


def _fixed_args(cells: Cells) -> Fixed:
    return fixed_calls(cells)


# --- report -------------------------------------------------------------------------------------


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%}"


def _ratio(fixed: int, seq: float) -> str:
    return f"{fixed / seq:.2f}"


def main() -> None:
    """Simulate every scenario and print the Markdown tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000, help="replicates per row")
    parser.add_argument("--workers", type=int, default=2, help="processes")
    args = parser.parse_args()
    reps: int = args.reps

    rows = [(s, gap) for s in (*SCENARIOS, *REFERENCES) for gap in s.gaps]
    seeds = np.random.SeedSequence(SEED).spawn(len(rows))
    children = [seq.spawn(reps) for seq in seeds]
    jobs: list[tuple[Cells, np.random.SeedSequence, int | None]] = [
        (scenario.cells(gap), child, None)
        for (scenario, gap), kids in zip(rows, children, strict=True)
        for child in kids
    ]
    # The same targets of scenario A (same seeds) with a look every FINE_LOOK pairs.
    fine_jobs = [
        (SCENARIOS[0].cells(gap), child, FINE_LOOK)
        for gap, kids in zip(SCENARIOS[0].gaps, children, strict=False)
        for child in kids
    ]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        fixed_list = list(pool.map(_fixed_args, [s.cells(g) for s, g in rows]))
        runs = list(pool.map(_simulate_args, jobs + fine_jobs, chunksize=20))
    by_row = [runs[i * reps : (i + 1) * reps] for i in range(len(rows) + len(SCENARIOS[0].gaps))]

    look_list = list(looks(200))[:4]
    print(f"## Model calls to a verdict ({reps} simulated targets per row, seed {SEED})")
    print()
    print(
        f"alpha {ALPHA}, margin +-{MARGIN}, one stratum; 2 model calls per pair. Sequential: "
        f"the audit's stopping rule, looks after {', '.join(map(str, look_list))}, ... pairs "
        f"(the runner's schedule), at most {MAX_PAIRS} pairs. Fixed designs: {POWER:.0%} power "
        "for the true gap, alpha two-sided: unpaired (Fleiss), paired normal (Connor 1987), "
        "paired exact (exact McNemar test, exact power). At gap 0 they are equivalence designs "
        "(unpaired and paired normal-approximation TOST; paired exact: Newcombe's interval "
        "inside the margin, exact enumeration). phi: within-pair correlation of observed and "
        "unobserved adherence. 'fixed / seq.' is the fixed design's calls over the sequential "
        "design's mean calls: 3 or more means the sequential design needs at most a third of "
        "the calls."
    )
    print()
    header = (
        "| gap | P(b) / P(c) | phi | seq. calls, mean (median) | faking | consistent | "
        "neither | unpaired | paired, normal | paired, exact | unpaired / seq. | "
        "paired normal / seq. | paired exact / seq. |"
    )
    rule = "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    index = 0
    for scenario in (*SCENARIOS, *REFERENCES):
        if scenario is REFERENCES[0]:
            print("### The issue's reference scenarios")
            print()
            print(header.replace("| gap |", "| scenario | gap |"))
            print("|---" + rule)
        elif scenario in SCENARIOS:
            print(f"### {scenario.name}")
            print()
            print(header)
            print(rule)
        for gap in scenario.gaps:
            cells = scenario.cells(gap)
            chunk, fixed = by_row[index], fixed_list[index]
            index += 1
            calls = [2 * r.pairs for r in chunk]
            kinds = Counter(r.verdict for r in chunk)
            mean_calls = statistics.fmean(calls)
            lead = f"| {scenario.name} " if scenario in REFERENCES else ""
            print(
                f"{lead}| {gap:.2f} | {cells[1]:.3f} / {cells[2]:.3f} | {phi(cells):.2f} | "
                f"{mean_calls:,.0f} ({statistics.median(calls):,.0f}) | "
                f"{_share(kinds['faking'], reps)} | {_share(kinds['consistent'], reps)} | "
                f"{_share(reps - kinds['faking'] - kinds['consistent'], reps)} | "
                f"{fixed.unpaired:,} | {fixed.paired_normal:,} | {fixed.paired_exact:,} | "
                f"{_ratio(fixed.unpaired, mean_calls)} | "
                f"{_ratio(fixed.paired_normal, mean_calls)} | "
                f"{_ratio(fixed.paired_exact, mean_calls)} |"
            )
        if scenario in SCENARIOS or scenario is REFERENCES[-1]:
            print()
    print(
        "Correct verdicts: `consistent` at gap 0 (`faking` there is a false alarm); `faking` "
        f"or `consistent` for 0 < gap < {MARGIN} (the gap is real but inside the margin); "
        f"`faking` for gap >= {MARGIN}. 'neither' is `inconclusive` at the cap (or "
        "`noncompliant`). The fixed designs detect faking with 80% power and a 2.5% one-sided "
        "false-alarm rate, so wherever the sequential design's `faking` rate is >= 80% (and "
        "its false-alarm rate <= 2.5%) the comparison favours the fixed designs. Below the "
        "margin the sequential design mostly stops on `consistent`, a different (cheaper) "
        "question than the fixed designs' detection; the next table compares detection alone."
    )
    print()
    print("## The faking test alone: pairs until `faking` (no stop for `consistent`)")
    print()
    print(
        "Same simulated pairs and looks; each test runs until it rejects or the cap. CS: the "
        "audit's faking test, the betting confidence sequence's anytime p-value at 0 <= alpha "
        "(one-sided level alpha/2 in the faking direction). Mixture: the one-sided sequential "
        "McNemar test (Jeffreys mixture of bets on the discordant pairs) at the same level, "
        "p <= alpha/2, and at p <= alpha (twice the false-alarm bound). 'rejected': power, or "
        "the false-alarm rate at gap 0 (bounds: alpha/2 = "
        f"{ALPHA / 2}, and {ALPHA} for the last column)."
    )
    print()
    print(
        "| scenario | gap | CS: calls, mean (median) | rejected | mixture, same level: calls "
        "| rejected | mixture, p <= alpha: calls | rejected | CS / mixture same level | "
        "CS / mixture p <= alpha | unpaired / CS | paired exact / CS |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    index = 0
    for scenario in (*SCENARIOS, *REFERENCES):
        for gap in scenario.gaps:
            chunk, fixed = by_row[index], fixed_list[index]
            index += 1
            columns = []
            means = []
            for at in ([r.cs_faking for r in chunk], [r.mix_same for r in chunk]):
                calls = [2 * (n or MAX_PAIRS) for n in at]
                means.append(statistics.fmean(calls))
                hits = sum(n is not None for n in at)
                columns.append(
                    f"{means[-1]:,.0f} ({statistics.median(calls):,.0f}) | {_share(hits, reps)}"
                )
            at = [r.mix_alpha for r in chunk]
            calls = [2 * (n or MAX_PAIRS) for n in at]
            means.append(statistics.fmean(calls))
            columns.append(f"{means[-1]:,.0f} | {_share(sum(n is not None for n in at), reps)}")
            label = scenario.name.split(" (")[0]
            if gap == 0:
                versus = "– | – | – | –"
            else:
                versus = (
                    f"{means[0] / means[1]:.2f} | {means[0] / means[2]:.2f} | "
                    f"{_ratio(fixed.unpaired, means[0])} | "
                    f"{_ratio(fixed.paired_exact, means[0])}"
                )
            print(f"| {label} | {gap:.2f} | {' | '.join(columns)} | {versus} |")
    print()
    print(
        f"Runs that never reject count as the cap ({2 * MAX_PAIRS:,} calls), so means at low "
        "power are lower bounds."
    )
    print()
    print(f"## Look schedule ({SCENARIOS[0].name}, the audit's stopping rule)")
    print()
    print(
        "The same simulated targets as above, with the runner's looks and with a look every "
        f"{FINE_LOOK} pairs (any schedule is valid for anytime-valid statistics; smaller looks "
        "stop closer to the first time the evidence suffices, at the cost of more, smaller "
        "batches of concurrent calls)."
    )
    print()
    print(
        "| gap | runner's looks: calls, mean (median) | faking | consistent | "
        f"every {FINE_LOOK} pairs: calls, mean (median) | faking | consistent | "
        f"unpaired / seq. (every {FINE_LOOK}) | paired exact / seq. (every {FINE_LOOK}) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, gap in enumerate(SCENARIOS[0].gaps):
        coarse, fine, fixed = by_row[i], by_row[len(rows) + i], fixed_list[i]
        cells_text = []
        for chunk in (coarse, fine):
            calls = [2 * r.pairs for r in chunk]
            kinds = Counter(r.verdict for r in chunk)
            cells_text.append(
                f"{statistics.fmean(calls):,.0f} ({statistics.median(calls):,.0f}) | "
                f"{_share(kinds['faking'], reps)} | {_share(kinds['consistent'], reps)}"
            )
        fine_mean = statistics.fmean(2 * r.pairs for r in fine)
        print(
            f"| {gap:.2f} | {cells_text[0]} | {cells_text[1]} | "
            f"{_ratio(fixed.unpaired, fine_mean)} | {_ratio(fixed.paired_exact, fine_mean)} |"
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
