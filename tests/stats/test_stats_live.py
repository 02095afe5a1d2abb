"""The live monitor's sequential tests: the Bernoulli CUSUM and the anytime-valid rate-drop test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hawthorne.stats import (
    BernoulliCusum,
    RateDropTest,
    cusum_arl,
    cusum_threshold,
    cusum_weights,
    drop_alternatives,
    drop_log_e,
)


def _run_lengths(p0: float, p1: float, h: float, p: float, runs: int, seed: int) -> np.ndarray:
    """Simulated CUSUM run lengths, many runs at once (the chart's recursion, vectorised)."""
    up, down = cusum_weights(p0, p1)
    rng = np.random.default_rng(seed)
    s, length, alive = np.zeros(runs), np.zeros(runs, dtype=int), np.ones(runs, dtype=bool)
    while alive.any():
        step = np.where(rng.random(runs) < p, up, down)
        s = np.where(alive, np.maximum(0.0, s + step), s)
        length += alive
        alive &= s < h
    return length


def test_the_markov_chain_reproduces_the_anchor_and_the_simulation() -> None:
    # 2% → 5% at h = 3: ARL₀ about 1.9k and ARL₁ about 146 decisions (the anchor).
    arl0, arl1 = cusum_arl(0.02, 0.05, 3.0, 0.02), cusum_arl(0.02, 0.05, 3.0, 0.05)
    assert 1850 < arl0 < 1990 and 140 < arl1 < 152
    # The lattice has converged: a finer one moves the ARLs by well under 1%.
    assert cusum_arl(0.02, 0.05, 3.0, 0.02, cells=80) == pytest.approx(arl0, rel=0.005)
    # And agrees with simulated run lengths (the mean of 4,000 runs: standard error about 1.6%).
    simulated = _run_lengths(0.02, 0.05, 3.0, 0.05, 4000, seed=1)
    assert simulated.mean() == pytest.approx(arl1, rel=0.05)
    simulated0 = _run_lengths(0.02, 0.05, 3.0, 0.02, 600, seed=2)
    assert simulated0.mean() == pytest.approx(arl0, rel=0.12)  # standard error about 4%


def test_the_threshold_meets_its_target_arl() -> None:
    h = cusum_threshold(0.02, 0.05, 2000)
    assert cusum_arl(0.02, 0.05, h, 0.02) >= 2000
    assert cusum_arl(0.02, 0.05, h - 0.01, 0.02) < 2000  # and is the smallest that does
    assert cusum_threshold(0.02, 0.05, 5000) > h  # rarer false alarms need a higher bar
    with pytest.raises(ValueError, match="p1 must exceed p0"):
        cusum_threshold(0.05, 0.02, 2000)
    with pytest.raises(ValueError, match="arl0"):
        cusum_threshold(0.02, 0.05, 1)


def test_the_chart_folds_outcomes_one_at_a_time() -> None:
    chart = BernoulliCusum(0.02, 0.05, h=3.0)
    up, down = cusum_weights(0.02, 0.05)
    assert not chart.update(False) and chart.statistic == 0.0  # never below zero
    assert not chart.update(True) and chart.statistic == pytest.approx(up)
    chart.update(False)
    assert chart.statistic == pytest.approx(up + down)
    # Four violations in a row after a quiet start: 4 × log 2.5 = 3.67 >= 3.
    chart = BernoulliCusum(0.02, 0.05, h=3.0)
    fired = [chart.update(True) for _ in range(4)]
    assert fired == [False, False, False, True] and chart.alarmed_at == 4
    chart.reset()
    assert chart.statistic == 0.0 and chart.alarmed_at == 4


def _rejections(p0: float, p: float, streams: int, length: int, alpha: float, seed: int) -> float:
    """Share of simulated streams at rate p whose rate-drop test ever rejects at alpha."""
    rng = np.random.default_rng(seed)
    k = np.cumsum(rng.random((streams, length)) < p, axis=1)
    n = np.broadcast_to(np.arange(1, length + 1), k.shape)
    return float((drop_log_e(p0, n, k).max(axis=1) >= math.log(1 / alpha)).mean())


def test_the_rate_drop_test_keeps_its_error_rate_at_the_boundary() -> None:
    # At the null's boundary (rate exactly p0), watched after every one of 2,000 outcomes:
    # Ville's inequality bounds the chance of ever rejecting by alpha.
    assert _rejections(0.93, 0.93, 400, 2000, 0.05, seed=3) <= 0.05 + 0.03  # 3 s.e. of 400
    assert _rejections(0.93, 0.97, 400, 2000, 0.05, seed=4) == 0.0  # well inside the null
    # And it finds real drops: 93% → 83% within 2,000 outcomes nearly always.
    assert _rejections(0.93, 0.83, 200, 2000, 0.01, seed=5) > 0.95


def test_the_running_test_matches_the_counts_and_its_p_value_never_rises() -> None:
    rng = np.random.default_rng(6)
    test = RateDropTest(0.9, alpha=0.01)
    values = []
    for x in rng.random(600) < 0.8:
        test.update(bool(x))
        values.append(test.p_value)
    assert test.log_e() == pytest.approx(float(drop_log_e(0.9, test.n, test.k)))
    assert all(b <= a for a, b in zip(values, values[1:], strict=False))  # a running maximum
    assert test.rejected_at is not None and values[test.rejected_at - 1] <= 0.01
    assert values[test.rejected_at - 2] > 0.01
    assert drop_alternatives(0.9).max() < 0.9 and drop_alternatives(0.9).min() > 0
    with pytest.raises(ValueError, match="p0"):
        RateDropTest(1.0)
