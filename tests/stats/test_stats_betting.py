"""The betting confidence sequence (Waudby-Smith & Ramdas 2024, hedged capital, PrPl bets)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hawthorne.stats import BettingConfidenceSequence


def test_before_any_data() -> None:
    cs = BettingConfidenceSequence()
    assert cs.n == 0
    assert cs.interval == (-1.0, 1.0)
    assert cs.p_value(0.0) == 1.0
    assert BettingConfidenceSequence(lower=0.0, upper=1.0).interval == (0.0, 1.0)


def test_blatant_faker_excludes_zero_after_seven_observations() -> None:
    # On [0, 1] every D = +1 is x = 1 and the null 0 is m = 1/2. The PrPl bet exceeds the
    # truncation c/m = 1.5 from the first step, so the hedged capital is 0.5 * 1.75^t, which
    # first reaches 1/alpha = 20 at t = 7 (0.5 * 1.75^6 = 14.4, 0.5 * 1.75^7 = 25.1).
    cs = BettingConfidenceSequence()
    first_exclusion = None
    for t in range(1, 21):
        cs.update([1.0])
        if first_exclusion is None and cs.interval[0] > 0.0:
            first_exclusion = t
        if t == 6:
            assert cs.p_value(0.0) == pytest.approx(1 / (0.5 * 1.75**6))
    assert first_exclusion == 7
    assert cs.interval[1] == 1.0


def test_perfectly_consistent_sequence_narrows_inside_the_margin_by_about_100() -> None:
    cs = BettingConfidenceSequence()
    cs.update([0.0] * 80)
    lo, hi = cs.interval
    assert not (-0.05 < lo and hi < 0.05)
    cs.update([0.0] * 20)
    lo, hi = cs.interval
    assert -0.05 < lo <= 0.0 <= hi < 0.05
    assert cs.p_value(0.0) == 1.0


def test_p_value_is_consistent_with_the_interval() -> None:
    rng = np.random.default_rng(3)
    nulls = np.round(np.linspace(-1.0, 1.0, 401), 12)
    for mean_probs in [(0.1, 0.7, 0.2), (0.05, 0.9, 0.05), (0.0, 0.6, 0.4)]:
        cs = BettingConfidenceSequence()
        for _ in range(10):
            cs.update(rng.choice([-1.0, 0.0, 1.0], size=30, p=mean_probs))
            lo, hi = cs.interval
            for null in nulls:
                outside = not lo <= null <= hi
                assert (cs.p_value(float(null)) <= cs.alpha) == outside, (null, lo, hi)


def test_p_value_off_the_grid_lies_between_its_neighbours() -> None:
    cs = BettingConfidenceSequence()
    cs.update(np.random.default_rng(5).choice([-1.0, 0.0, 1.0], size=200, p=[0.1, 0.6, 0.3]))
    left, mid, right = cs.p_value(0.0), cs.p_value(0.0005), cs.p_value(0.001)
    assert min(left, right) - 1e-12 <= mid <= max(left, right) + 1e-12


def test_batching_does_not_change_the_result() -> None:
    xs = np.random.default_rng(11).uniform(-1, 1, size=300)
    one_by_one = BettingConfidenceSequence()
    for x in xs:
        one_by_one.update([float(x)])
    at_once = BettingConfidenceSequence()
    at_once.update(xs.tolist())
    assert one_by_one.n == at_once.n == 300
    assert one_by_one.interval == at_once.interval
    assert one_by_one.p_value(0.1) == pytest.approx(at_once.p_value(0.1), rel=1e-9)


def test_copy_is_independent() -> None:
    cs = BettingConfidenceSequence()
    cs.update([1.0] * 5)
    clone = cs.copy()
    clone.update([1.0] * 5)
    assert cs.n == 5 and clone.n == 10
    assert cs.interval != clone.interval


def test_thousands_of_observations_in_one_update() -> None:
    cs = BettingConfidenceSequence(lower=0.0, upper=1.0)
    cs.update(np.random.default_rng(2).binomial(1, 0.9, size=5000).astype(float))
    lo, hi = cs.interval
    assert lo < 0.9 < hi
    assert hi - lo < 0.05


@pytest.mark.parametrize(
    "kwargs",
    [{"alpha": 0.0}, {"alpha": 1.0}, {"lower": 1.0, "upper": 1.0}, {"grid_size": 1}],
)
def test_rejects_bad_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BettingConfidenceSequence(**kwargs)  # type: ignore[arg-type]


def test_rejects_bad_observations() -> None:
    cs = BettingConfidenceSequence()
    with pytest.raises(ValueError):
        cs.update([0.5, 1.5])
    with pytest.raises(ValueError):
        cs.update([float("nan")])
    assert cs.n == 0
    with pytest.raises(ValueError):
        cs.p_value(2.0)


@pytest.mark.slow  # a simulation: thousands of sequences
@pytest.mark.parametrize(
    ("values", "probs", "lower", "upper", "grid_size"),
    [
        ((-1.0, 0.0, 1.0), (0.1, 0.7, 0.2), -1.0, 1.0, 201),
        ((-1.0, 1.0), (0.5, 0.5), -1.0, 1.0, 201),
        ((0.0, 0.6), (0.4, 0.6), 0.0, 1.0, 51),
        ((0.0, 1.0), (0.1, 0.9), 0.0, 1.0, 101),
    ],
)
def test_time_uniform_coverage(
    values: tuple[float, ...],
    probs: tuple[float, ...],
    lower: float,
    upper: float,
    grid_size: int,
) -> None:
    # The running intersection after 1000 observations contains the mean iff the mean was never
    # excluded, so this checks coverage at all 1000 times at once. A coarse grid that holds the
    # true mean keeps the simulation cheap enough for 1500 replicates (but not so coarse that
    # the interval falls between two grid points).
    mean = float(np.dot(values, probs))
    rng = np.random.default_rng(2024)
    reps, misses = 1500, 0
    for _ in range(reps):
        cs = BettingConfidenceSequence(lower=lower, upper=upper, grid_size=grid_size)
        data = rng.choice(values, size=1000, p=probs)
        for batch in np.split(data, 4):
            cs.update(batch)
        lo, hi = cs.interval
        missed = not lo <= mean <= hi
        assert missed == (cs.p_value(mean) <= cs.alpha)
        misses += missed
    # Ville's inequality bounds the miss rate by alpha; allow 3 simulation SEs.
    assert misses / reps <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / reps)
