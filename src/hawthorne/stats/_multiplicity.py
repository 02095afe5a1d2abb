"""Family-wise error control across several tests."""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values.

    Holm, S. (1979), "A simple sequentially rejective multiple test procedure", Scand J Statist
    6:65-70. With the m p-values sorted ascending, p_(1) <= ... <= p_(m), the adjusted values are
    (Wright, S. P. (1992), "Adjusted p-values for simultaneous inference", Biometrics 48:1005-1013,
    Sec. 3.2)::

        p~_(i) = min(1, max_{j <= i} (m - j + 1) * p_(j))

    Rejecting every hypothesis with p~ <= alpha is Holm's procedure, which controls the
    family-wise error rate at alpha under any dependence between the tests.

    Args:
        p_values: Unadjusted p-values, each in [0, 1].

    Returns:
        Adjusted p-values in the order of the input; monotone in the input p-values, capped at 1.

    Raises:
        ValueError: If a p-value is NaN or outside [0, 1].
    """
    for p in p_values:
        if math.isnan(p) or not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must lie in [0, 1], got {p!r}")
    m = len(p_values)
    # A stable sort keeps tied p-values in input order, so ties get identical adjustments anyway.
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
