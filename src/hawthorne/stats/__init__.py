"""Pure statistics: paired and unpaired intervals, exact tests, confidence sequences, Holm.

Every function is a pure function of counts or p-values (the confidence sequence is a small
state machine over observations); none imports Inspect. Each formula cites its source in its
docstring.
"""

from hawthorne.stats._betting import BettingConfidenceSequence
from hawthorne.stats._binomial import (
    fisher_exact,
    independent_difference_ci,
    mcnemar_exact,
    paired_difference_ci,
    wilson_interval,
)
from hawthorne.stats._detection import (
    Labels,
    Scores,
    auroc,
    bootstrap_ci,
    corrected_prevalence,
    threshold_at_fpr,
    tpr_at_fpr,
)
from hawthorne.stats._multiplicity import holm

__all__ = [
    "BettingConfidenceSequence",
    "Labels",
    "Scores",
    "auroc",
    "bootstrap_ci",
    "corrected_prevalence",
    "fisher_exact",
    "holm",
    "independent_difference_ci",
    "mcnemar_exact",
    "paired_difference_ci",
    "threshold_at_fpr",
    "tpr_at_fpr",
    "wilson_interval",
]
