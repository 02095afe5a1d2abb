"""The stratified (Horvitz–Thompson) review rate and its Korn–Graubard interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import beta, t  # type: ignore[import-untyped]

from hawthorne.stats import (
    RateEstimate,
    StratumSample,
    deviation_upper_bound,
    meets_tolerable_rate,
    stratified_rate,
)


def _draw(
    populations: list[int], deviations: list[int], samples: list[int], reps: int, seed: int
) -> list[RateEstimate]:
    """Stratified SRSWOR: the deviations in a sample of n_h from N_h are hypergeometric."""
    rng = np.random.default_rng(seed)
    counts = np.stack(
        [
            rng.hypergeometric(d, big_n - d, n, size=reps)
            for big_n, d, n in zip(populations, deviations, samples, strict=True)
        ],
        axis=1,
    )
    return [
        stratified_rate(
            [
                StratumSample(f"s{h}", populations[h], samples[h], int(row[h]))
                for h in range(len(populations))
            ]
        )
        for row in counts
    ]


def _true_variance(populations: list[int], deviations: list[int], samples: list[int]) -> float:
    """V(p̂) = Σ W_h² (1 − f_h) S_h² / n_h with S_h² = N_h P_h Q_h / (N_h − 1)."""
    big_n = sum(populations)
    total = 0.0
    for pop, dev, n in zip(populations, deviations, samples, strict=True):
        p = dev / pop
        s2 = pop * p * (1 - p) / (pop - 1)
        total += (pop / big_n) ** 2 * (1 - n / pop) * s2 / n
    return total


POPULATIONS = [5000, 800, 200]
DEVIATIONS = [50, 64, 60]  # true rates 0.01, 0.08, 0.30
SAMPLES = [60, 60, 40]
TRUE_RATE = sum(DEVIATIONS) / sum(POPULATIONS)


@pytest.fixture(scope="module")
def replicates() -> list[RateEstimate]:
    return _draw(POPULATIONS, DEVIATIONS, SAMPLES, reps=2000, seed=20240917)


def test_the_estimate_and_its_variance_are_unbiased(replicates: list[RateEstimate]) -> None:
    estimates = np.array([r.estimate for r in replicates])
    variances = np.array([r.standard_error**2 for r in replicates])
    true_variance = _true_variance(POPULATIONS, DEVIATIONS, SAMPLES)
    # Four Monte-Carlo standard errors.
    assert abs(estimates.mean() - TRUE_RATE) < 4 * math.sqrt(true_variance / len(estimates))
    assert abs(variances.mean() - true_variance) < 4 * variances.std() / math.sqrt(len(variances))
    # The spread of the estimates is the design variance, too.
    assert estimates.var() == pytest.approx(true_variance, rel=0.1)


def test_the_interval_and_the_bound_cover(replicates: list[RateEstimate]) -> None:
    two_sided = np.mean([r.lower <= TRUE_RATE <= r.upper for r in replicates])
    one_sided = np.mean([TRUE_RATE <= r.upper_one_sided for r in replicates])
    assert two_sided >= 0.93
    assert one_sided >= 0.93
    for r in replicates:
        assert 0.0 <= r.lower <= r.estimate <= r.upper_one_sided <= r.upper <= 1.0
        assert 0 < r.effective_n <= r.sample == sum(SAMPLES)


def test_a_zero_in_a_heavy_lightly_sampled_stratum_is_not_overread() -> None:
    # 90% of the decisions deviate at 10% but only 10 of them are labelled; the other stratum is
    # clean and heavily sampled. A third of the samples find nothing at all. Bounding those by
    # Clopper–Pearson on all 210 labelled items (1.4%) would miss the true 9% every time.
    populations, deviations, samples = [9000, 1000], [900, 0], [10, 200]
    true_rate = 0.09
    replicates = _draw(populations, deviations, samples, reps=2000, seed=7)
    zeros = [r for r in replicates if r.deviations == 0]
    assert len(zeros) > 500
    assert deviation_upper_bound(0, 210) < true_rate
    assert all(true_rate <= r.upper_one_sided for r in zeros)
    assert np.mean([true_rate <= r.upper_one_sided for r in replicates]) >= 0.93
    assert np.mean([r.lower <= true_rate <= r.upper for r in replicates]) >= 0.93


def test_one_stratum_without_fpc_by_hand() -> None:
    big_n, n, y = 1_000_000, 50, 5
    r = stratified_rate([StratumSample("all", big_n, n, y)])
    p = y / n
    variance = (1 - n / big_n) * p * (1 - p) / (n - 1)
    n_star = p * (1 - p) / variance  # (n − 1) / (1 − f), just under 49.003: below the cap
    assert n_star < n
    x = n_star * p
    assert r.estimate == pytest.approx(0.1)
    assert r.standard_error == pytest.approx(math.sqrt(variance))
    assert r.effective_n == pytest.approx(n_star)
    assert r.lower == pytest.approx(beta.ppf(0.025, x, n_star - x + 1))
    assert r.upper == pytest.approx(beta.ppf(0.975, x + 1, n_star - x))
    assert r.upper_one_sided == pytest.approx(beta.ppf(0.95, x + 1, n_star - x))
    assert (r.sample, r.population, r.deviations, r.confidence) == (n, big_n, y, 0.95)


def test_one_stratum_with_fpc_by_hand() -> None:
    # A quarter of the stratum labelled: the FPC cuts the variance by 1 − f = 0.75, n* =
    # 49 / 0.75 ≈ 65 is capped at n = 50, and the interval is plain Clopper–Pearson on 5 of 50.
    r = stratified_rate([StratumSample("all", 200, 50, 5)])
    assert r.standard_error == pytest.approx(math.sqrt(0.75 * 0.1 * 0.9 / 49))
    assert r.effective_n == 50.0
    assert r.lower == pytest.approx(beta.ppf(0.025, 5, 46))
    assert r.upper == pytest.approx(beta.ppf(0.975, 6, 45))
    assert r.upper_one_sided == pytest.approx(deviation_upper_bound(5, 50))


def test_two_strata_by_hand() -> None:
    r = stratified_rate([StratumSample("low", 900, 30, 3), StratumSample("high", 100, 20, 8)])
    # p̂ = 0.9 · 3/30 + 0.1 · 8/20 = 0.13
    assert r.estimate == pytest.approx(0.13)
    variance = 0.9**2 * (1 - 30 / 900) * 0.1 * 0.9 / 29 + 0.1**2 * (1 - 20 / 100) * 0.4 * 0.6 / 19
    assert r.standard_error == pytest.approx(math.sqrt(variance))
    n_star = min(50.0, 0.13 * 0.87 / variance)
    assert r.effective_n == pytest.approx(n_star)
    assert r.upper == pytest.approx(beta.ppf(0.975, n_star * 0.13 + 1, n_star * 0.87))


def test_a_census_is_exact() -> None:
    r = stratified_rate([StratumSample("all", 40, 40, 3)], confidence=0.99)
    assert r.estimate == 0.075
    assert r.lower == r.upper == r.upper_one_sided == 0.075
    assert r.standard_error == 0.0
    assert r.effective_n == 40.0
    census = stratified_rate([StratumSample("a", 10, 10, 0), StratumSample("b", 5, 5, 5)])
    assert census.estimate == census.upper_one_sided == pytest.approx(1 / 3)


def test_zero_of_59_is_the_attribute_sampling_bound() -> None:
    r = stratified_rate([StratumSample("all", 1_000_000, 59, 0)])
    assert round(r.upper_one_sided, 4) == 0.0495
    assert r.upper_one_sided == pytest.approx(deviation_upper_bound(0, 59))
    assert r.upper_one_sided == pytest.approx(1 - 0.05 ** (1 / 59))
    assert r.upper == pytest.approx(1 - 0.025 ** (1 / 59))
    assert r.estimate == r.lower == r.standard_error == 0.0
    assert r.effective_n == 59.0
    assert meets_tolerable_rate(r, 0.05)
    assert not meets_tolerable_rate(stratified_rate([StratumSample("all", 10**6, 58, 0)]), 0.05)
    # Proportional allocation has equal weights: Kish's n is the whole sample again.
    proportional = stratified_rate(
        [StratumSample("a", 6000, 36, 0), StratumSample("b", 3833, 23, 0)]
    )
    assert proportional.upper_one_sided == pytest.approx(0.0495, abs=5e-4)


def test_no_variance_falls_back_to_kish() -> None:
    strata = [StratumSample("big", 10_000, 10, 0), StratumSample("small", 100, 100, 0)]
    r = stratified_rate(strata)
    kish = 1 / ((10_000 / 10_100) ** 2 / 10 + (100 / 10_100) ** 2 / 100)
    assert r.effective_n == pytest.approx(kish)
    assert r.upper_one_sided == pytest.approx(1 - 0.05 ** (1 / kish))
    assert r.upper_one_sided > 0.25  # not 1 − 0.05^(1/110) ≈ 2.7%
    # Deviations found only in the census stratum: p̂ > 0 but v̂ = 0, so again Kish.
    mixed = stratified_rate([strata[0], StratumSample("small", 100, 100, 50)])
    assert mixed.standard_error == 0.0
    assert mixed.effective_n == pytest.approx(kish)
    assert mixed.upper_one_sided > 0.25


def test_a_stratum_of_one_counts_its_worst_case_variance() -> None:
    r = stratified_rate([StratumSample("a", 900, 30, 3), StratumSample("one", 100, 1, 0)])
    variance = 0.9**2 * (1 - 30 / 900) * 0.1 * 0.9 / 29 + 0.1**2 / 4
    assert r.standard_error == pytest.approx(math.sqrt(variance))
    assert r.estimate == pytest.approx(0.09)
    # A stratum of one decision, labelled, is a census and adds nothing.
    alone = stratified_rate([StratumSample("a", 900, 30, 3), StratumSample("one", 1, 1, 1)])
    assert alone.standard_error == pytest.approx(
        math.sqrt((900 / 901) ** 2 * (1 - 30 / 900) * 0.1 * 0.9 / 29)
    )


def test_the_degrees_of_freedom_adjustment() -> None:
    strata = [StratumSample("a", 900, 6, 1), StratumSample("b", 100, 4, 2)]
    plain = stratified_rate(strata)
    adjusted = stratified_rate(strata, df_adjustment=True)
    factor = (t.ppf(0.975, 9) / t.ppf(0.975, 8)) ** 2
    assert adjusted.effective_n == pytest.approx(plain.effective_n * factor)
    assert adjusted.estimate == plain.estimate
    assert adjusted.upper > plain.upper and adjusted.lower < plain.lower
    n_one = plain.effective_n * (t.ppf(0.95, 9) / t.ppf(0.95, 8)) ** 2
    p = plain.estimate
    assert adjusted.upper_one_sided == pytest.approx(beta.ppf(0.95, n_one * p + 1, n_one * (1 - p)))
    with pytest.raises(ValueError, match="degrees-of-freedom"):
        stratified_rate(
            [StratumSample("a", 10, 1, 0), StratumSample("b", 10, 1, 1)], df_adjustment=True
        )


def test_to_json() -> None:
    data = stratified_rate([StratumSample("all", 200, 50, 5)]).to_json()
    assert set(data) == {
        "estimate", "lower", "upper", "upper_one_sided", "standard_error", "effective_n",
        "sample", "population", "deviations", "confidence",
    }  # fmt: skip
    assert data["sample"] == 50


def test_bad_input_is_refused() -> None:
    for args in [(0, 0, 0), (10, 11, 0), (10, 5, 6), (10, -1, 0), (10, 5, -1)]:
        with pytest.raises(ValueError, match="stratum 'x'"):
            StratumSample("x", *args)
    with pytest.raises(ValueError, match="integer"):
        StratumSample("x", 10, 5.0, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stratum 'quiet'"):
        stratified_rate([StratumSample("busy", 100, 10, 1), StratumSample("quiet", 50, 0, 0)])
    with pytest.raises(ValueError, match="unique"):
        stratified_rate([StratumSample("a", 100, 10, 1), StratumSample("a", 50, 5, 0)])
    with pytest.raises(ValueError, match="at least one stratum"):
        stratified_rate([])
    for confidence in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="confidence"):
            stratified_rate([StratumSample("a", 100, 10, 1)], confidence=confidence)
    r = stratified_rate([StratumSample("a", 100, 10, 1)])
    for rate in (0.0, 1.0):
        with pytest.raises(ValueError, match="tolerable"):
            meets_tolerable_rate(r, rate)
