"""Attribute sampling: how many decisions to review, and what k deviations in n say.

The sample size is the auditor's attribute (discovery) sample (AICPA, *Audit Sampling* audit
guide, Table A-1; Guy, Carmichael & Whittington (2002), *Audit Sampling: An Introduction*, ch.
3): the smallest n such that, if the population's deviation rate were the tolerable rate p_t,
a sample would show at most c deviations with probability at most 1 − C::

    P(X <= c) <= 1 - C,   X ~ Binomial(n, p_t)

For c = 0 this is n = ⌈ln(1 − C) / ln(1 − p_t)⌉ (59 at C = 95%, p_t = 5%; 299 at 95%, 1%; 45
at 90%, 5%); for c = 1 and 2 at 95%, 5% it is 93 and 124, the table's figures. For a finite
population of N decisions, X is hypergeometric with ⌈p_t N⌉ deviations in the population (the
finite-population correction: fewer draws are needed). After review, the upper bound on the
deviation rate from k deviations in n is the one-sided Clopper–Pearson bound (Clopper, C. J. &
Pearson, E. S. (1934), Biometrika 26(4):404-413): the p with P(X <= k; n, p) = 1 − C.
"""

from __future__ import annotations

import math

from scipy.stats import beta, binom, hypergeom  # type: ignore[import-untyped]

__all__ = ["attribute_sample_size", "deviation_upper_bound"]

_MAX_N = 10_000_000


def _check(tolerable_rate: float, confidence: float) -> None:
    if not 0.0 < tolerable_rate < 1.0:
        raise ValueError(f"the tolerable rate must lie in (0, 1), got {tolerable_rate!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must lie in (0, 1), got {confidence!r}")


def attribute_sample_size(
    tolerable_rate: float,
    confidence: float,
    expected_deviations: int = 0,
    population: int | None = None,
) -> int:
    """The attribute sample size for a tolerable deviation rate at a confidence.

    Args:
        tolerable_rate: The deviation rate that must not go undetected (p_t, e.g. 0.05).
        confidence: The confidence C (e.g. 0.95).
        expected_deviations: c, the deviations the sample may show and still support a rate
            below p_t.
        population: The population's size N (None: infinite, binomial).

    Returns:
        n (at most ``population``: past it, review everything).

    Raises:
        ValueError: A rate or confidence outside (0, 1), c < 0, or N < 1.
    """
    _check(tolerable_rate, confidence)
    c = expected_deviations
    if c < 0:
        raise ValueError(f"expected deviations must be at least 0, got {c}")
    if population is not None and population < 1:
        raise ValueError(f"the population must hold at least one decision, got {population}")
    if population is None:
        if c == 0:
            return math.ceil(math.log(1.0 - confidence) / math.log(1.0 - tolerable_rate))

        def tail(n: int) -> float:
            return float(binom.cdf(c, n, tolerable_rate))

        limit = _MAX_N
    else:
        deviations = math.ceil(tolerable_rate * population)

        def tail(n: int) -> float:
            return float(hypergeom.cdf(c, population, deviations, n))

        limit = population
    # tail(n) falls as n grows: bisect for the smallest n with tail(n) <= 1 - C.
    low, high = c + 1, c + 1
    while tail(high) > 1.0 - confidence:
        if high >= limit:
            return limit
        low, high = high, min(2 * high, limit)
    while low < high:
        mid = (low + high) // 2
        if tail(mid) <= 1.0 - confidence:
            high = mid
        else:
            low = mid + 1
    return high


def deviation_upper_bound(deviations: int, n: int, confidence: float = 0.95) -> float:
    """The one-sided Clopper–Pearson upper bound on the deviation rate after k in n.

    Args:
        deviations: k, the deviations found.
        n: The sample size.
        confidence: The confidence C.

    Returns:
        The upper bound (1.0 when every item deviated).

    Raises:
        ValueError: k outside 0..n, n < 1, or C outside (0, 1).
    """
    if n < 1 or not 0 <= deviations <= n:
        raise ValueError(f"need 0 <= deviations <= n and n >= 1, got {deviations}, {n}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must lie in (0, 1), got {confidence!r}")
    if deviations == n:
        return 1.0
    return float(beta.ppf(confidence, deviations + 1, n - deviations))
