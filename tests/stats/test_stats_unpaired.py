"""Unpaired statistics: Newcombe's hybrid score interval and Fisher's exact test."""

import numpy as np
import pytest

from hawthorne.stats import fisher_exact, independent_difference_ci

# Newcombe (1998), Stat Med 17:873-890, Table II, method 10 (hybrid score), to 4 decimals.
NEWCOMBE_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_METHOD_10)
def test_hybrid_score_interval_matches_newcombes_table(counts: tuple, expected: tuple) -> None:
    assert independent_difference_ci(*counts) == pytest.approx(expected, abs=5e-5)


def test_hybrid_score_interval_properties() -> None:
    lo, hi = independent_difference_ci(30, 40, 20, 40)
    assert lo < 0.25 < hi
    assert independent_difference_ci(20, 40, 30, 40) == pytest.approx((-hi, -lo))  # swap: negate
    wide = independent_difference_ci(30, 40, 20, 40, alpha=0.01)
    assert wide[0] < lo and hi < wide[1]
    assert independent_difference_ci(0, 0, 3, 5)[0] >= -1.0
    with pytest.raises(ValueError):
        independent_difference_ci(5, 4, 0, 4)


def test_hybrid_score_interval_covers_at_its_nominal_rate() -> None:
    rng = np.random.default_rng(3)
    for p1, p2, n1, n2 in ((0.7, 0.5, 40, 40), (0.9, 0.8, 25, 60), (0.5, 0.5, 15, 15)):
        x1, x2 = rng.binomial(n1, p1, 4000), rng.binomial(n2, p2, 4000)
        cover = np.mean(
            [
                lo <= p1 - p2 <= hi
                for lo, hi in (
                    independent_difference_ci(a, n1, b, n2) for a, b in zip(x1, x2, strict=True)
                )
            ]
        )
        # Nominal 0.95; Newcombe reports mean coverage near 0.95 for method 10. 4000 draws give
        # a Monte Carlo standard error of about 0.0035.
        assert 0.935 <= cover <= 0.975, (p1, p2, n1, n2, cover)


def test_fisher_exact_known_values() -> None:
    # Fisher's tea-tasting table (3 of 4 vs 1 of 4): two-sided p = 34/70.
    assert fisher_exact(3, 4, 1, 4) == pytest.approx(34 / 70)
    assert fisher_exact(4, 4, 0, 4) == pytest.approx(2 / 70)
    assert fisher_exact(5, 10, 5, 10) == pytest.approx(1.0)
    assert fisher_exact(0, 0, 3, 5) == 1.0
    # Symmetric in the two samples and in positives / negatives.
    assert fisher_exact(12, 20, 4, 18) == pytest.approx(fisher_exact(4, 18, 12, 20))
    assert fisher_exact(12, 20, 4, 18) == pytest.approx(fisher_exact(8, 20, 14, 18))


def test_fisher_exact_keeps_its_level() -> None:
    rng = np.random.default_rng(5)
    x1, x2 = rng.binomial(40, 0.6, 3000), rng.binomial(40, 0.6, 3000)
    rate = np.mean([fisher_exact(a, 40, b, 40) <= 0.05 for a, b in zip(x1, x2, strict=True)])
    assert rate <= 0.05 + 0.008  # exact, hence conservative: at most alpha, up to Monte Carlo
    x1, x2 = rng.binomial(40, 0.8, 1000), rng.binomial(40, 0.4, 1000)
    power = np.mean([fisher_exact(a, 40, b, 40) <= 0.05 for a, b in zip(x1, x2, strict=True)])
    assert power > 0.9
