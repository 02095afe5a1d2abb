"""Detector statistics: AUROC, TPR at a fixed FPR, bootstrap intervals, corrected prevalence.

How good a detector is, and what its flag rate means once its sensitivity and specificity are
taken into account.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hawthorne.stats._binomial import _z, wilson_interval

Scores = Sequence[float] | NDArray[Any]
"""Detector scores, higher meaning more likely positive."""
Labels = Sequence[int] | NDArray[Any]
"""0/1 labels, one per score."""


def auroc(scores: Scores, labels: Labels) -> float:
    """Area under the ROC curve.

    The probability that a random positive outscores a random negative, ties counting one half
    (the Mann-Whitney U statistic divided by n1 * n0;
    Hanley, J. A. & McNeil, B. J. (1982), "The meaning and use of the area under a receiver
    operating characteristic (ROC) curve", Radiology 143:29-36, eq. 1).

    Args:
        scores: Detector scores (higher: more likely positive).
        labels: 1 for positive, 0 for negative.

    Returns:
        The AUROC in [0, 1].

    Raises:
        ValueError: Without at least one positive and one negative.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("AUROC needs at least one positive and one negative label")
    # Midranks handle ties: U = R1 - n1 (n1 + 1) / 2.
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    u = ranks[y == 1].sum() - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


def threshold_at_fpr(negative_scores: Scores, fpr: float) -> float:
    """The smallest threshold whose false-positive rate on ``negative_scores`` is <= ``fpr``.

    A score is flagged when it is strictly above the threshold.

    Args:
        negative_scores: Scores of known negatives.
        fpr: Target false-positive rate in [0, 1).

    Returns:
        The threshold.
    """
    neg = np.sort(np.asarray(negative_scores, dtype=float))
    allowed = int(np.floor(fpr * len(neg)))  # negatives that may lie above the threshold
    return float(neg[len(neg) - 1 - allowed]) if allowed < len(neg) else float("-inf")


def tpr_at_fpr(scores: Scores, labels: Labels, fpr: float) -> float:
    """True-positive rate at the threshold that keeps the false-positive rate <= ``fpr``."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    threshold = threshold_at_fpr(s[y == 0], fpr)
    return float(np.mean(s[y == 1] > threshold))


def bootstrap_ci(
    statistic: Callable[[NDArray[Any], NDArray[Any]], float],
    scores: Scores,
    labels: Labels,
    alpha: float = 0.05,
    n_boot: int = 2000,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval, resampling positives and negatives separately.

    Stratified, so every replicate has both classes (Efron, B. & Tibshirani, R. J. (1993),
    *An Introduction to the Bootstrap*, ch. 13, the percentile interval).

    Args:
        statistic: Maps (scores, labels) arrays to a number.
        scores: Detector scores.
        labels: 0/1 labels.
        alpha: 1 - coverage.
        n_boot: Bootstrap replicates.
        random_state: Seed.

    Returns:
        ``(low, high)``.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    rng = np.random.default_rng(random_state)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    values = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.concatenate(
            [rng.choice(pos, len(pos), replace=True), rng.choice(neg, len(neg), replace=True)]
        )
        values[b] = statistic(s[idx], y[idx])
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


@dataclass(frozen=True)
class CorrectedRate:
    """A flag rate corrected for the detector's error rates.

    Attributes:
        observed: Share of items flagged.
        corrected: Estimated true prevalence, clipped to [0, 1].
        ci: Interval for the true prevalence, clipped to [0, 1].
    """

    observed: float
    corrected: float
    ci: tuple[float, float]


def corrected_prevalence(
    flagged: int,
    n: int,
    sensitivity: float,
    specificity: float,
    sensitivity_n: int,
    specificity_n: int,
    alpha: float = 0.05,
) -> CorrectedRate:
    """True prevalence from a flag rate, correcting for sensitivity and specificity.

    p_true = (p_obs + Sp - 1) / (Se + Sp - 1) (Rogan, W. J. & Gladen, B. (1978), "Estimating
    prevalence from the results of a screening test", Am J Epidemiol 107:71-76), clipped to
    [0, 1]. Its interval carries the uncertainty of all three rates: the delta-method variance
    of Rogan & Gladen / Greiner & Gardner (2000, Prev Vet Med 45:43-59, eq. 2),
    Var = [p(1-p)/n + Se(1-Se) p_t^2 / n_Se + Sp(1-Sp) (1-p_t)^2 / n_Sp] / (Se + Sp - 1)^2,
    with the observed rate's own term taken from its Wilson interval so it never collapses at 0
    or 1 flags.

    Args:
        flagged: Items flagged by the detector.
        n: Items checked.
        sensitivity: Detector sensitivity measured on ``sensitivity_n`` labelled positives.
        specificity: Detector specificity measured on ``specificity_n`` labelled negatives.
        sensitivity_n: Positives behind the sensitivity.
        specificity_n: Negatives behind the specificity.
        alpha: 1 - coverage.

    Returns:
        The observed rate, the corrected rate and its interval.

    Raises:
        ValueError: If Se + Sp <= 1 (the detector carries no information) or n < 1.
    """
    if n < 1:
        raise ValueError("no items")
    youden = sensitivity + specificity - 1
    if youden <= 0:
        raise ValueError(f"Se + Sp must exceed 1 to correct (got {sensitivity + specificity:.3f})")
    p = flagged / n
    p_true = (p + specificity - 1) / youden
    lo_p, hi_p = wilson_interval(flagged, n, alpha)
    z = _z(alpha)
    var_p = ((hi_p - lo_p) / (2 * z)) ** 2
    pt = min(max(p_true, 0.0), 1.0)
    var = (
        var_p
        + sensitivity * (1 - sensitivity) * pt**2 / max(sensitivity_n, 1)
        + specificity * (1 - specificity) * (1 - pt) ** 2 / max(specificity_n, 1)
    ) / youden**2
    half = z * float(np.sqrt(var))

    def clip(x: float) -> float:
        return min(max(x, 0.0), 1.0)

    return CorrectedRate(p, clip(p_true), (clip(p_true - half), clip(p_true + half)))
