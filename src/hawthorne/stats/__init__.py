"""Pure statistics: paired and unpaired intervals, exact tests, confidence sequences, Holm.

Every function is a pure function of counts or p-values (the confidence sequence, the CUSUM
chart and the rate-drop test are small state machines over observations); none imports
Inspect. Each formula cites its source in its docstring.
"""

from hawthorne.stats._betting import BettingConfidenceSequence
from hawthorne.stats._binomial import (
    fisher_exact,
    independent_difference_ci,
    mcnemar_exact,
    paired_difference_ci,
    wilson_interval,
)
from hawthorne.stats._confseq import rate_confidence_sequence
from hawthorne.stats._cusum import BernoulliCusum, cusum_arl, cusum_threshold, cusum_weights
from hawthorne.stats._detection import (
    Labels,
    Scores,
    auroc,
    bootstrap_ci,
    corrected_prevalence,
    threshold_at_fpr,
    tpr_at_fpr,
)
from hawthorne.stats._drop import RateDropTest, drop_alternatives, drop_log_e
from hawthorne.stats._multiplicity import holm
from hawthorne.stats._sampling import attribute_sample_size, deviation_upper_bound

__all__ = [
    "BernoulliCusum",
    "BettingConfidenceSequence",
    "Labels",
    "RateDropTest",
    "Scores",
    "attribute_sample_size",
    "auroc",
    "bootstrap_ci",
    "corrected_prevalence",
    "cusum_arl",
    "cusum_threshold",
    "cusum_weights",
    "deviation_upper_bound",
    "drop_alternatives",
    "drop_log_e",
    "fisher_exact",
    "holm",
    "independent_difference_ci",
    "mcnemar_exact",
    "paired_difference_ci",
    "rate_confidence_sequence",
    "threshold_at_fpr",
    "tpr_at_fpr",
    "wilson_interval",
]
