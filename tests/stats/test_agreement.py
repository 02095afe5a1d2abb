"""Cohen's kappa and its Fleiss–Cohen–Everitt standard error."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from hawthorne.stats import Kappa, cohen_kappa


def _pairs(table: list[list[int]], labels: str = "abcdefgh") -> list[tuple[str, str]]:
    """Expand a contingency table (rows: first rater, columns: second) into labelled pairs."""
    return [
        (labels[i], labels[j])
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


def _kappa_of(p: np.ndarray) -> float:
    p_o = float(np.trace(p))
    p_e = float(p.sum(axis=1) @ p.sum(axis=0))
    return (p_o - p_e) / (1 - p_e)


def _delta_method_se(table: list[list[int]]) -> float:
    """First principles: κ as a function of the k² cell shares, multinomial covariance."""
    counts = np.asarray(table, dtype=float)
    n = counts.sum()
    p = (counts / n).ravel()
    k = counts.shape[0]
    gradient = np.empty_like(p)
    h = 1e-6
    for cell in range(p.size):
        up, down = p.copy(), p.copy()
        up[cell] += h
        down[cell] -= h
        gradient[cell] = (_kappa_of(up.reshape(k, k)) - _kappa_of(down.reshape(k, k))) / (2 * h)
    covariance = (np.diag(p) - np.outer(p, p)) / n
    return math.sqrt(float(gradient @ covariance @ gradient))


# SAS PROC FREQ's printout for this 3×3 table (AGREE option; quoted as the reference in
# statsmodels' tests, statsmodels/stats/tests/test_inter_rater.py, ``table10``): Kappa 0.4842,
# ASE 0.1380, 95% limits 0.2137 and 0.7547. SAS's ASE is the FCE (1969) non-null variance.
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def test_a_published_example() -> None:
    k = cohen_kappa(_pairs(SAS_TABLE))
    assert k.kappa is not None and k.standard_error is not None
    assert k.lower is not None and k.upper is not None
    assert round(k.kappa, 4) == 0.4842
    assert round(k.standard_error, 4) == 0.1380
    assert (round(k.lower, 4), round(k.upper, 4)) == (0.2137, 0.7547)
    # By hand, in exact arithmetic: n = 19, p_o = 13/19, margins (5, 8, 6) and (0, 13, 6).
    p_o = Fraction(13, 19)
    p_e = Fraction(5 * 0 + 8 * 13 + 6 * 6, 19 * 19)
    assert k.observed == pytest.approx(float(p_o))
    assert k.expected == pytest.approx(float(p_e))
    assert k.kappa == pytest.approx(float((p_o - p_e) / (1 - p_e)))
    assert k.n == 19


@pytest.mark.parametrize(
    "table",
    [
        SAS_TABLE,
        [[20, 5], [10, 15]],
        [[40, 3, 2, 0], [4, 25, 6, 1], [1, 2, 30, 5], [0, 0, 3, 8]],
        [[3, 9], [7, 1]],  # worse than chance
    ],
)
def test_the_standard_error_is_the_delta_method_variance(table: list[list[int]]) -> None:
    k = cohen_kappa(_pairs(table))
    assert k.standard_error == pytest.approx(_delta_method_se(table), rel=1e-5)
    # Swapping the raters transposes the table and changes nothing.
    swapped = cohen_kappa([(b, a) for a, b in _pairs(table)])
    assert swapped.kappa == pytest.approx(k.kappa)
    assert swapped.standard_error == pytest.approx(k.standard_error)


def test_perfect_agreement() -> None:
    k = cohen_kappa([("ok", "ok")] * 30 + [("faking", "faking")] * 10)
    assert k.kappa == pytest.approx(1.0)
    assert k.standard_error == pytest.approx(0.0, abs=1e-12)
    assert k.lower == pytest.approx(1.0) and k.upper == 1.0
    assert k.observed == 1.0
    assert k.expected == pytest.approx(0.75**2 + 0.25**2)


def test_chance_agreement_of_one_leaves_kappa_undefined() -> None:
    k = cohen_kappa([("ok", "ok")] * 12, categories=["ok", "faking"])
    assert k == Kappa(None, None, None, None, 1.0, 1.0, 12, 0.95)
    assert k.to_json()["kappa"] is None


def test_matches_sklearn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(11)
    labels = ["ok", "faking", "unclear"]
    for _ in range(20):
        n = int(rng.integers(5, 200))
        first = rng.choice(labels, size=n, p=[0.6, 0.3, 0.1])
        agree = rng.random(n) < 0.7
        second = np.where(agree, first, rng.choice(labels, size=n))
        k = cohen_kappa(list(zip(first.tolist(), second.tolist(), strict=True)))
        if k.kappa is None:
            continue
        assert k.kappa == pytest.approx(metrics.cohen_kappa_score(first, second), abs=1e-12)


def test_the_interval_holds_kappa_and_stays_in_range() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        first = rng.choice(["a", "b"], size=n, p=[0.8, 0.2])
        second = np.where(rng.random(n) < 0.85, first, rng.choice(["a", "b"], size=n))
        k = cohen_kappa(list(zip(first.tolist(), second.tolist(), strict=True)), confidence=0.9)
        if k.kappa is None:
            continue
        assert k.lower is not None and k.upper is not None
        assert -1.0 <= k.lower <= k.kappa <= k.upper <= 1.0
    # Small and near-perfect: the normal interval would pass 1 and is clipped.
    near = cohen_kappa([("a", "a")] * 8 + [("b", "b")] * 3 + [("a", "b")])
    assert near.upper == 1.0


def test_the_interval_covers() -> None:
    # Two raters agreeing beyond chance: a known joint distribution and its true kappa.
    joint = np.array([[0.55, 0.05, 0.02], [0.08, 0.15, 0.03], [0.01, 0.03, 0.08]])
    true_kappa = _kappa_of(joint)
    rng = np.random.default_rng(2024)
    labels = np.array([(i, j) for i in "abc" for j in "abc"])
    hits = 0
    reps = 1000
    for _ in range(reps):
        draw = labels[rng.choice(9, size=150, p=joint.ravel())]
        k = cohen_kappa([(str(a), str(b)) for a, b in draw])
        assert k.lower is not None and k.upper is not None
        hits += k.lower <= true_kappa <= k.upper
    assert hits / reps >= 0.93


def test_unused_categories_change_nothing() -> None:
    pairs = _pairs([[20, 5], [10, 15]], labels="xy")
    assert cohen_kappa(pairs, categories=["x", "y", "z"]) == cohen_kappa(pairs)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        cohen_kappa([])
    with pytest.raises(ValueError, match="outside the categories"):
        cohen_kappa([("ok", "faking")], categories=["ok"])
    with pytest.raises(ValueError, match="repeat"):
        cohen_kappa([("ok", "ok")], categories=["ok", "ok"])
    with pytest.raises(ValueError, match="pair"):
        cohen_kappa([("ok", "ok", "ok")])  # type: ignore[list-item]
    for confidence in (0.0, 1.0):
        with pytest.raises(ValueError, match="confidence"):
            cohen_kappa([("ok", "ok")], confidence=confidence)
