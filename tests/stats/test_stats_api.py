"""The public surface of hawthorne.stats."""

from __future__ import annotations

import hawthorne.stats as stats


def test_all_is_sorted_and_exact() -> None:
    assert stats.__all__ == sorted(stats.__all__)
    assert stats.__all__ == [
        "BettingConfidenceSequence",
        "Labels",
        "Scores",
        "auroc",
        "bootstrap_ci",
        "corrected_prevalence",
        "holm",
        "mcnemar_exact",
        "paired_difference_ci",
        "threshold_at_fpr",
        "tpr_at_fpr",
        "wilson_interval",
    ]
    for name in stats.__all__:
        assert getattr(stats, name).__doc__
