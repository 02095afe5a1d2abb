"""Wilson interval, exact McNemar test and Newcombe's paired-difference interval."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from hawthorne.stats import mcnemar_exact, paired_difference_ci, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Newcombe (1998), Stat Med 17:857, worked examples, method 3 (Wilson score).
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_matches_published_values(
    successes: int, n: int, expected: tuple[float, float]
) -> None:
    lo, hi = wilson_interval(successes, n)
    assert lo == pytest.approx(expected[0], abs=5e-5)
    assert hi == pytest.approx(expected[1], abs=5e-5)


def test_wilson_edges_and_levels() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(29, 29)[1] == 1.0
    assert wilson_interval(0, 29)[0] == 0.0
    narrow = wilson_interval(40, 100, alpha=0.10)
    wide = wilson_interval(40, 100, alpha=0.01)
    assert wide[0] < narrow[0] < 0.4 < narrow[1] < wide[1]
    # Symmetry: x successes of n mirrors n - x successes.
    lo, hi = wilson_interval(7, 30)
    mlo, mhi = wilson_interval(23, 30)
    assert (lo, hi) == pytest.approx((1 - mhi, 1 - mlo))


@pytest.mark.parametrize(
    ("successes", "n", "alpha"), [(-1, 5, 0.05), (6, 5, 0.05), (1, 5, 0.0), (1, 5, 1.0)]
)
def test_wilson_rejects_bad_input(successes: int, n: int, alpha: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n, alpha)


def _mcnemar_reference(b: int, c: int) -> float:
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1))
    return float(min(Fraction(1), Fraction(2 * tail, 2**n)))


def _mcnemar_log_reference(b: int, c: int) -> float:
    n, k = b + c, min(b, c)
    logs = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2)
        for i in range(k + 1)
    ]
    top = max(logs)
    return min(1.0, 2 * math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def test_mcnemar_known_values() -> None:
    # b=9, c=2: P(X <= 2 | 11, 1/2) = (1 + 11 + 55) / 2048, doubled.
    assert mcnemar_exact(9, 2) == pytest.approx(134 / 2048, rel=1e-12)
    assert mcnemar_exact(0, 5) == pytest.approx(2 / 32, rel=1e-12)
    assert mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(3, 4) == 1.0  # doubled tail exceeds 1 and is capped


def test_mcnemar_matches_exact_fractions_for_small_tables() -> None:
    for b in range(16):
        for c in range(16):
            assert mcnemar_exact(b, c) == pytest.approx(_mcnemar_reference(b, c), rel=1e-12)
            assert mcnemar_exact(b, c) == mcnemar_exact(c, b)


def test_mcnemar_works_for_thousands_of_discordant_pairs() -> None:
    assert mcnemar_exact(2100, 1900) == pytest.approx(_mcnemar_reference(2100, 1900), rel=1e-10)
    tiny = mcnemar_exact(10_000, 9_000)
    assert 0.0 < tiny < 1e-10
    assert tiny == pytest.approx(_mcnemar_log_reference(10_000, 9_000), rel=1e-9)
    # Beyond the exact-integer limit the log-space sum takes over.
    huge = mcnemar_exact(12_000, 10_000)
    assert 0.0 < huge < 1e-30
    assert huge == pytest.approx(_mcnemar_log_reference(12_000, 10_000), rel=1e-9)
    assert mcnemar_exact(20_000, 20_001) == 1.0


def test_mcnemar_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 3)


def test_newcombe_published_example() -> None:
    # Newcombe (1998), Stat Med 17:2635, worked example a=36, b=12, c=2, d=0 (n=50):
    # difference 0.2000, method 10 interval 0.0569 to 0.3404.
    lo, hi = paired_difference_ci(36, 12, 2, 0)
    assert lo == pytest.approx(0.0569, abs=5e-5)
    assert hi == pytest.approx(0.3404, abs=5e-5)


def test_newcombe_uses_the_phi_correction() -> None:
    # With ad > bc the phi numerator is reduced by n/2 (method 10). For a=27, b=c=0, d=3 the
    # uncorrected phi (= 1) would give +-0.0908; the corrected phi gives +-0.1097.
    lo, hi = paired_difference_ci(27, 0, 0, 3)
    assert lo == pytest.approx(-0.1097, abs=5e-5)
    assert hi == pytest.approx(0.1097, abs=5e-5)


def test_newcombe_properties() -> None:
    assert paired_difference_ci(0, 0, 0, 0) == (-1.0, 1.0)
    lo, hi = paired_difference_ci(12, 9, 2, 21)
    assert lo < 7 / 44 < hi
    # Swapping the conditions negates the interval.
    mlo, mhi = paired_difference_ci(12, 2, 9, 21)
    assert (mlo, mhi) == pytest.approx((-hi, -lo))
    assert paired_difference_ci(0, 30, 0, 0)[1] <= 1.0
    assert paired_difference_ci(0, 0, 30, 0)[0] >= -1.0
    wide = paired_difference_ci(12, 9, 2, 21, alpha=0.01)
    assert wide[0] < lo and hi < wide[1]
    with pytest.raises(ValueError):
        paired_difference_ci(1, -1, 0, 0)


@pytest.mark.parametrize(
    ("n", "probs"),
    [(60, (0.55, 0.20, 0.10, 0.15)), (100, (0.70, 0.12, 0.06, 0.12))],
)
def test_newcombe_covers_the_true_gap_at_the_nominal_rate(
    n: int, probs: tuple[float, float, float, float]
) -> None:
    reps = 2000
    gap = probs[1] - probs[2]
    rng = np.random.default_rng(1998)
    tables = rng.multinomial(n, probs, size=reps)
    hits = 0
    for a, b, c, d in tables:
        lo, hi = paired_difference_ci(int(a), int(b), int(c), int(d))
        hits += lo <= gap <= hi
    coverage = hits / reps
    se = math.sqrt(0.95 * 0.05 / reps)
    # Within 3 simulation SEs of nominal on both sides: neither liberal nor absurdly conservative.
    assert 0.95 - 3 * se <= coverage <= 0.95 + 3 * se
