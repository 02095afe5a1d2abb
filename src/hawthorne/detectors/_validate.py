"""Validate a detector against labels: AUROC, TPR at 1% and 5% FPR, a confusion matrix, CIs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hawthorne.stats import Labels, Scores, auroc, bootstrap_ci, tpr_at_fpr

FPRS = (0.01, 0.05)


@dataclass(frozen=True)
class Validation:
    """A detector's figures on a labelled set (intervals: stratified percentile bootstrap).

    Attributes:
        n_positive: Positive labels.
        n_negative: Negative labels.
        auroc: Area under the ROC curve and its interval.
        tpr_at_fpr: For 1% and 5% FPR: the TPR and its interval.
        threshold: The configured threshold of the confusion matrix.
        confusion: ``tp``, ``fp``, ``tn``, ``fn`` at that threshold.
        sensitivity: TP / positives at the threshold.
        specificity: TN / negatives at the threshold.
    """

    n_positive: int
    n_negative: int
    auroc: tuple[float, tuple[float, float]]
    tpr_at_fpr: dict[str, tuple[float, tuple[float, float]]]
    threshold: float
    confusion: dict[str, int]
    sensitivity: float
    specificity: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return asdict(self)


def validate(
    scores: Scores,
    labels: Labels,
    threshold: float,
    alpha: float = 0.05,
    n_boot: int = 2000,
    random_state: int = 0,
) -> Validation:
    """Measure a detector's scores against labels.

    Args:
        scores: One score per item (higher: more likely positive).
        labels: 0/1 labels.
        threshold: The detector's configured threshold (flag when score >= threshold).
        alpha: 1 - coverage of the intervals.
        n_boot: Bootstrap replicates.
        random_state: Bootstrap seed.

    Returns:
        The figures.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    flagged = s >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    tn = int(np.sum(~flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))

    def ci(stat: Any) -> tuple[float, float]:
        return bootstrap_ci(stat, s, y, alpha, n_boot, random_state)

    tprs = {
        f"{fpr:.0%}": (
            tpr_at_fpr(s, y, fpr),
            ci(lambda a, b, fpr=fpr: tpr_at_fpr(a, b, fpr)),
        )
        for fpr in FPRS
    }
    return Validation(
        n_positive=int(y.sum()),
        n_negative=int(len(y) - y.sum()),
        auroc=(auroc(s, y), ci(auroc)),
        tpr_at_fpr=tprs,
        threshold=threshold,
        confusion={"tp": tp, "fp": fp, "tn": tn, "fn": fn},
        sensitivity=tp / max(tp + fn, 1),
        specificity=tn / max(tn + fp, 1),
    )
