"""Detector statistics: AUROC, TPR at a fixed FPR, bootstrap intervals, Rogan-Gladen."""

import numpy as np
import pytest

from hawthorne.stats._detection import (
    auroc,
    bootstrap_ci,
    corrected_prevalence,
    threshold_at_fpr,
    tpr_at_fpr,
)


def test_auroc_counts_ties_as_half_and_matches_pair_counting() -> None:
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75  # Hanley & McNeil's example
    assert auroc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5
    rng = np.random.default_rng(1)
    s, y = rng.normal(size=60), rng.integers(0, 2, 60)
    pairs = [(a > b) + 0.5 * (a == b) for a in s[y == 1] for b in s[y == 0]]
    assert auroc(s, y) == pytest.approx(np.mean(pairs))
    with pytest.raises(ValueError):
        auroc([0.1, 0.2], [1, 1])


def test_tpr_at_fpr_keeps_false_positives_within_the_rate() -> None:
    neg = np.linspace(0, 1, 100)
    threshold = threshold_at_fpr(neg, 0.05)
    assert np.mean(neg > threshold) <= 0.05
    assert np.mean(neg > threshold) == pytest.approx(0.05, abs=0.011)
    scores = [*neg, 0.97, 0.5, 0.99]
    labels = [0] * 100 + [1, 1, 1]
    assert tpr_at_fpr(scores, labels, 0.05) == pytest.approx(2 / 3)
    assert tpr_at_fpr(scores, labels, 0.0) == 0.0  # nothing beats the top negative


@pytest.mark.slow  # a simulation: thousands of sequences
def test_bootstrap_interval_covers_the_true_auroc() -> None:
    rng = np.random.default_rng(7)
    hits = 0
    for rep in range(40):
        pos, neg = rng.normal(1, 1, 80), rng.normal(0, 1, 80)
        s, y = np.r_[pos, neg], np.r_[np.ones(80), np.zeros(80)]
        lo, hi = bootstrap_ci(auroc, s, y, n_boot=300, random_state=rep)
        hits += lo <= 0.7602 <= hi  # Phi(1 / sqrt 2)
    assert hits >= 34


def test_rogan_gladen_recovers_prevalence_and_widens_for_a_weak_detector() -> None:
    # True prevalence 0.3, Se 0.9, Sp 0.95: expected flag rate 0.3*0.9 + 0.7*0.05 = 0.305.
    rate = corrected_prevalence(305, 1000, 0.9, 0.95, 200, 200)
    assert rate.corrected == pytest.approx(0.3, abs=1e-9)
    assert rate.ci[0] < 0.3 < rate.ci[1]
    weak = corrected_prevalence(460, 1000, 0.6, 0.6, 200, 200)  # 0.3*0.6 + 0.7*0.4
    assert weak.ci[1] - weak.ci[0] > rate.ci[1] - rate.ci[0]
    # Fewer flags than the false-positive rate explains: clipped at 0.
    assert corrected_prevalence(10, 1000, 0.9, 0.95, 200, 200).corrected == 0.0
    with pytest.raises(ValueError):
        corrected_prevalence(10, 100, 0.5, 0.5, 10, 10)


def test_rogan_gladen_interval_coverage() -> None:
    rng = np.random.default_rng(3)
    se, sp, prev, n = 0.85, 0.9, 0.2, 400
    hits = 0
    for _ in range(300):
        truth = rng.random(n) < prev
        flags = np.where(truth, rng.random(n) < se, rng.random(n) < 1 - sp)
        se_hat = np.mean(rng.random(150) < se)
        sp_hat = np.mean(rng.random(150) < sp)
        rate = corrected_prevalence(int(flags.sum()), n, se_hat, sp_hat, 150, 150)
        hits += rate.ci[0] <= prev <= rate.ci[1]
    assert hits / 300 >= 0.92
