"""Pure statistics: paired and unpaired intervals, exact tests, confidence sequences, Holm.

Review samples: attribute sample sizes, the stratified (Horvitz–Thompson) deviation rate with
its Korn–Graubard interval, and Cohen's kappa between two reviewers. Every function is a pure
function of counts or p-values (the confidence sequence, the CUSUM chart and the rate-drop test
are small state machines over observations); none imports Inspect. Each formula cites its source
in its docstring.
"""

from hawthorne.stats._agreement import Kappa, cohen_kappa
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
from hawthorne.stats._design import (
    RateEstimate,
    StratumSample,
    meets_tolerable_rate,
    stratified_rate,
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
from hawthorne.stats._drop import RateDropTest, drop_alternatives, drop_log_e
from hawthorne.stats._multiplicity import holm
from hawthorne.stats._sampling import attribute_sample_size, deviation_upper_bound

__all__ = [
    "BernoulliCusum",
    "BettingConfidenceSequence",
    "Kappa",
    "Labels",
    "RateDropTest",
    "RateEstimate",
    "Scores",
    "StratumSample",
    "attribute_sample_size",
    "auroc",
    "bootstrap_ci",
    "cohen_kappa",
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
    "meets_tolerable_rate",
    "paired_difference_ci",
    "rate_confidence_sequence",
    "stratified_rate",
    "threshold_at_fpr",
    "tpr_at_fpr",
    "wilson_interval",
]
