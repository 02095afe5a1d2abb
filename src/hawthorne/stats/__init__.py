"""Pure statistics for paired audits: intervals, exact tests, confidence sequences, Holm.

Every function is a pure function of counts or p-values (the confidence sequence is a small
state machine over observations); none imports Inspect. Each formula cites its source in its
docstring.
"""

from hawthorne.stats._betting import BettingConfidenceSequence
from hawthorne.stats._binomial import mcnemar_exact, paired_difference_ci, wilson_interval
from hawthorne.stats._multiplicity import holm

__all__ = [
    "BettingConfidenceSequence",
    "holm",
    "mcnemar_exact",
    "paired_difference_ci",
    "wilson_interval",
]
