"""The one-sided sequential McNemar test (Jeffreys mixture of bets on the discordant pairs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hawthorne.stats._mixture import SequentialMcNemar


def _jeffreys_mixture(b: int, c: int) -> float:
    """E(b, c) of the continuous Jeffreys prior on [1/2, 1], by quadrature in q = sin^2(theta).

    The prior density is (2/pi) / sqrt(q (1 - q)) on [1/2, 1], i.e. uniform in theta on
    [pi/4, pi/2], so E = (4/pi) * integral of (2 sin^2 theta)^b (2 cos^2 theta)^c d theta.
    """
    theta = np.linspace(math.pi / 4, math.pi / 2, 400_001)
    f = (2 * np.sin(theta) ** 2) ** b * (2 * np.cos(theta) ** 2) ** c
    return float(4 / math.pi * np.trapezoid(f, theta))


def _diffs(rng: np.random.Generator, n: int, pb: float, pc: float) -> np.ndarray:
    u = rng.random(n)
    return (u < pb).astype(float) - ((u >= pb) & (u < pb + pc)).astype(float)


def test_before_any_data() -> None:
    test = SequentialMcNemar()
    assert (test.n, test.b, test.c) == (0, 0, 0)
    assert test.e_value == 1.0
    assert test.p_value == 1.0


@pytest.mark.parametrize(("b", "c"), [(1, 0), (0, 1), (6, 0), (9, 3), (25, 20), (3, 12)])
def test_e_value_is_the_jeffreys_mixture(b: int, c: int) -> None:
    test = SequentialMcNemar()
    test.update([1.0] * b + [-1.0] * c)
    assert (test.b, test.c) == (b, c)
    # 256 equal-mass components: the midpoint rule for the continuous mixture.
    assert test.e_value == pytest.approx(_jeffreys_mixture(b, c), rel=1e-3)


def test_blatant_faker_rejects_after_six_discordant_pairs() -> None:
    # E after k pairs all of type b: 8.6 (k=4), 15.6 (k=5), 28.8 (k=6) against 1/alpha = 20.
    # Concordant pairs multiply every bet by 1, so they change nothing.
    test = SequentialMcNemar()
    first = None
    for k in range(1, 11):
        test.update([0.0, 1.0, 0.0])
        if first is None and test.p_value <= 0.05:
            first = k
    assert first == 6
    assert test.n == 30 and test.b == 10


def test_p_value_is_the_running_maximum() -> None:
    test = SequentialMcNemar()
    test.update([1.0] * 6)
    p6 = test.p_value
    assert p6 == pytest.approx(1 / _jeffreys_mixture(6, 0), rel=1e-3)
    test.update([-1.0] * 20)
    assert test.e_value < 0.05
    assert test.p_value == p6
    # The same counts in the other order never pass 1: the order matters.
    reverse = SequentialMcNemar()
    reverse.update([-1.0] * 20 + [1.0] * 6)
    assert reverse.e_value == pytest.approx(test.e_value)
    assert reverse.p_value == 1.0


def test_no_evidence_against_the_null_from_c_pairs() -> None:
    test = SequentialMcNemar()
    test.update([-1.0] * 50 + [0.0] * 50)
    assert test.p_value == 1.0


def test_batching_does_not_change_the_result() -> None:
    d = _diffs(np.random.default_rng(4), 3000, 0.08, 0.04)
    one_by_one = SequentialMcNemar()
    for x in d:
        one_by_one.update([float(x)])
    at_once = SequentialMcNemar()
    at_once.update(d.tolist())
    assert (at_once.n, at_once.b, at_once.c) == (one_by_one.n, one_by_one.b, one_by_one.c)
    assert at_once.p_value == pytest.approx(one_by_one.p_value, rel=1e-9)
    assert at_once.e_value == pytest.approx(one_by_one.e_value, rel=1e-9)


def test_copy_is_independent() -> None:
    test = SequentialMcNemar()
    test.update([1.0] * 3)
    clone = test.copy()
    clone.update([1.0] * 3)
    assert test.b == 3 and clone.b == 6
    assert test.p_value > clone.p_value


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        SequentialMcNemar(components=0)
    test = SequentialMcNemar()
    for bad in ([1.0, 0.5], [2.0], [float("nan")]):
        with pytest.raises(ValueError):
            test.update(bad)
    assert test.n == 0 and test.p_value == 1.0


@pytest.mark.slow  # a simulation: thousands of sequences
@pytest.mark.parametrize(
    ("pairs", "pb", "pc"),
    [
        (1000, 0.5, 0.5),  # every pair discordant, no gap: the hardest null
        (5000, 0.05, 0.05),  # independent noise, 10% discordance
        (30_000, 0.005, 0.005),  # shared errors: 1% discordance
        (1000, 0.2, 0.3),  # a negative gap (more adherent when unobserved)
    ],
)
def test_false_alarm_rate_is_at_most_alpha_at_every_time(pairs: int, pb: float, pc: float) -> None:
    # p_value after the last pair is the minimum over all times, so this counts the targets
    # that were ever flagged (a look after every pair). Ville's inequality bounds it by alpha;
    # the mixture is nearly tight (about 4.5% for the fair coin over 1000 discordant pairs), so
    # a two-sided prior or a missing running maximum would fail. Allow 3 simulation SEs.
    rng = np.random.default_rng(2026)
    reps, alarms = 1000, 0
    for _ in range(reps):
        test = SequentialMcNemar()
        test.update(_diffs(rng, pairs, pb, pc))
        alarms += test.p_value <= 0.05
    assert alarms / reps <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / reps)


@pytest.mark.slow  # a simulation: thousands of sequences
def test_power_grows_with_the_gap() -> None:
    # Shared errors: P(b) = 0.005 + gap, P(c) = 0.005; mean pairs to p <= 0.05.
    rng = np.random.default_rng(9)
    means = []
    for gap in (0.05, 0.2):
        needed = []
        for _ in range(200):
            d = _diffs(rng, 2000, 0.005 + gap, 0.005)
            test = SequentialMcNemar()
            for x in d:
                test.update([float(x)])
                if test.p_value <= 0.05:
                    break
            needed.append(test.n)
        means.append(float(np.mean(needed)))
    # About 6-7 discordant pairs at a gap of 0.2 (0.21 discordance), 9-10 at 0.05.
    assert means[1] < 45 < 120 < means[0] < 250
