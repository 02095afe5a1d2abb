"""Human oversight of live decisions: sampling plans, review labels, overrides, estimates.

Pure logic: a :class:`ReviewPlan` sizes and draws each period's stratified sample
(:func:`draw_sample`, inclusion probabilities recorded); :func:`estimate_period` turns labels
into a design-based violation rate with agreement figures; :func:`override_summary` gives a
stream's override rate, directions and CUSUM. The queue (locks, double review, who may label
what) lives over the store in :mod:`hawthorne.store`.
"""

from hawthorne.review._estimate import LabelledItem, estimate_period
from hawthorne.review._labels import (
    DEVIATIONS,
    LABELS,
    Direction,
    Label,
    direction_of,
    label_of_oracle,
)
from hawthorne.review._overrides import OverrideSummary, OverrideTest, override_summary
from hawthorne.review._plan import (
    PERIODS,
    STRATA,
    Draw,
    Period,
    ReviewPlan,
    Sampled,
    draw_sample,
    period_bounds,
    period_end,
    period_of,
    stratum_of,
)

__all__ = [
    "DEVIATIONS",
    "Direction",
    "Draw",
    "LABELS",
    "Label",
    "LabelledItem",
    "OverrideSummary",
    "OverrideTest",
    "PERIODS",
    "Period",
    "ReviewPlan",
    "STRATA",
    "Sampled",
    "direction_of",
    "draw_sample",
    "estimate_period",
    "label_of_oracle",
    "override_summary",
    "period_bounds",
    "period_end",
    "period_of",
    "stratum_of",
]
