"""Fixed-sample binomial statistics.

Wilson interval, exact McNemar test, Newcombe's paired and independent-samples intervals,
Fisher's exact test.
"""

from __future__ import annotations

import math
from statistics import NormalDist

# Above this many discordant pairs the exact integer sum of binomial coefficients gets slow
# (big-integer work grows roughly quadratically), so the tail is summed in log space instead.
_EXACT_INTEGER_LIMIT = 20_000


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")


def _check_count(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be a non-negative count, got {value!r}")


def _z(alpha: float) -> float:
    """Two-sided standard normal critical value z_{1-alpha/2}."""
    return NormalDist().inv_cdf(1.0 - alpha / 2.0)


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score confidence interval for a binomial proportion.

    Formula: Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical
    inference", JASA 22:209-212, the score interval (without continuity correction) as written in
    Newcombe, R. G. (1998), "Two-sided confidence intervals for the single proportion: comparison
    of seven methods", Stat Med 17:857-872, method 3::

        (2np + z^2 +- z * sqrt(z^2 + 4np(1-p))) / (2(n + z^2)),   z = z_{1-alpha/2}

    Args:
        successes: Number of successes, 0 <= successes <= n.
        n: Number of trials.
        alpha: Two-sided error rate; the interval has nominal coverage 1 - alpha.

    Returns:
        The (lower, upper) limits, within [0, 1]. With n == 0 there is no information and the
        interval is (0.0, 1.0).

    Raises:
        ValueError: On a negative count, successes > n, or alpha outside (0, 1).
    """
    _check_alpha(alpha)
    _check_count("n", n)
    _check_count("successes", successes)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    if n == 0:
        return (0.0, 1.0)
    z = _z(alpha)
    p = successes / n
    denominator = 2.0 * (n + z * z)
    centre = 2.0 * n * p + z * z
    half = z * math.sqrt(z * z + 4.0 * n * p * (1.0 - p))
    # At p == 0 or p == 1 the formula gives the limit exactly in real arithmetic; pin it so
    # rounding never moves the bound a hair off 0 or 1.
    lower = 0.0 if successes == 0 else max(0.0, (centre - half) / denominator)
    upper = 1.0 if successes == n else min(1.0, (centre + half) / denominator)
    return (lower, upper)


def _lower_tail_exact(k: int, n: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2), summed in exact integer arithmetic."""
    total = 0
    coefficient = 1  # C(n, 0)
    for i in range(k + 1):
        total += coefficient
        coefficient = coefficient * (n - i) // (i + 1)
    # int / int true division is correctly rounded in CPython, even for huge operands.
    return total / (1 << n)


def _lower_tail_log(k: int, n: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (for very large n)."""
    log_half_n = n * math.log(0.5)
    log_terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + log_half_n
        for i in range(k + 1)
    ]
    peak = max(log_terms)
    return math.exp(peak) * math.fsum(math.exp(t - peak) for t in log_terms)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for the discordant pairs of a paired 2x2 table.

    Under H0 (no paired difference) each discordant pair is b-type or c-type with probability
    1/2, so the test is the exact binomial test of b out of b + c at 1/2 (McNemar, Q. (1947),
    "Note on the sampling error of the difference between correlated proportions or
    percentages", Psychometrika 12:153-157; exact conditional form as in Fagerland, M. W.,
    Lydersen, S. & Laake, P. (2013), "The McNemar test for binary matched-pairs data: mid-p and
    asymptotic are better than exact conditional", BMC Med Res Methodol 13:91, section
    "The McNemar exact conditional test")::

        p = min(1, 2 * sum_{i=0}^{min(b,c)} C(b+c, i) / 2^(b+c))

    The tail is summed with exact integers (log space beyond 20,000 discordant pairs), so the
    result is accurate for b + c in the thousands, where floating-point pmf products underflow.

    Args:
        b: Pairs positive only in the first condition.
        c: Pairs positive only in the second condition.

    Returns:
        The p-value in [0, 1]; 1.0 when there are no discordant pairs.

    Raises:
        ValueError: On a negative count.
    """
    _check_count("b", b)
    _check_count("c", c)
    n = b + c
    k = min(b, c)
    if n == 0 or 2 * k == n:
        return 1.0
    if n <= _EXACT_INTEGER_LIMIT:
        tail = _lower_tail_exact(k, n)
    else:
        tail = _lower_tail_log(k, n)
    return min(1.0, 2.0 * tail)


def _newcombe_phi(a: int, b: int, c: int, d: int) -> float:
    """Newcombe's corrected phi for the paired 2x2 table (0 when a margin is empty)."""
    n = a + b + c + d
    product = (a + b) * (c + d) * (a + c) * (b + d)
    if product == 0:
        return 0.0
    raw = a * d - b * c
    # Newcombe (1998), Sec. 2, method 10: when ad > bc the numerator is reduced by n/2 (not
    # below 0), which keeps the interval from being too narrow for positively correlated pairs.
    corrected = max(raw - n / 2.0, 0.0) if raw > 0 else float(raw)
    return corrected / math.sqrt(product)


def paired_difference_ci(
    a: int, b: int, c: int, d: int, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe's score-based CI for the difference of two paired proportions.

    For n pairs tabulated as a (positive in both conditions), b (first only), c (second only)
    and d (neither), the difference is theta = p1 - p2 = (b - c) / n with marginals
    p1 = (a + b) / n and p2 = (a + c) / n. The interval is method 10 of Newcombe, R. G. (1998),
    "Improved confidence intervals for the difference between binomial proportions based on
    paired data", Stat Med 17:2635-2650 (Sec. 2): with (l1, u1), (l2, u2) the Wilson limits of
    p1 and p2 (see `wilson_interval`) and phi the corrected phi coefficient::

        phi   = max(ad - bc - n/2, 0) / sqrt((a+b)(c+d)(a+c)(b+d))   if ad > bc
              = (ad - bc) / sqrt((a+b)(c+d)(a+c)(b+d))               otherwise (0 if a margin is 0)
        delta = sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)
        eps   = sqrt((u1 - p1)^2 - 2 phi (u1 - p1)(p2 - l2) + (p2 - l2)^2)
        CI    = (theta - delta, theta + eps)

    Args:
        a: Pairs positive in both conditions.
        b: Pairs positive only in the first condition.
        c: Pairs positive only in the second condition.
        d: Pairs positive in neither condition.
        alpha: Two-sided error rate; nominal coverage 1 - alpha.

    Returns:
        The (lower, upper) limits for p1 - p2, within [-1, 1]; (-1.0, 1.0) when there are no
        pairs.

    Raises:
        ValueError: On a negative count or alpha outside (0, 1).
    """
    _check_alpha(alpha)
    for name, value in (("a", a), ("b", b), ("c", c), ("d", d)):
        _check_count(name, value)
    n = a + b + c + d
    if n == 0:
        return (-1.0, 1.0)
    p1 = (a + b) / n
    p2 = (a + c) / n
    l1, u1 = wilson_interval(a + b, n, alpha)
    l2, u2 = wilson_interval(a + c, n, alpha)
    phi = _newcombe_phi(a, b, c, d)
    theta = (b - c) / n
    # Rounding can push a radicand that is zero in exact arithmetic a hair below zero.
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    eps = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return (max(-1.0, theta - delta), min(1.0, theta + eps))


def independent_difference_ci(
    x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe's hybrid score CI for the difference of two independent proportions.

    For independent samples with x1 of n1 and x2 of n2 positive, theta = p1 - p2. The interval
    is method 10 of Newcombe, R. G. (1998), "Interval estimation for the difference between
    independent proportions: comparison of eleven methods", Stat Med 17:873-890: with (l1, u1)
    and (l2, u2) the Wilson limits of p1 and p2 (see `wilson_interval`)::

        CI = (theta - sqrt((p1 - l1)^2 + (u2 - p2)^2),  theta + sqrt((u1 - p1)^2 + (p2 - l2)^2))

    It is the paired interval of `paired_difference_ci` with the correlation term set to 0;
    Newcombe found its coverage close to nominal down to small samples, without the aberrations
    of the Wald interval at 0 or 1.

    Args:
        x1: Positives in the first sample, 0 <= x1 <= n1.
        n1: Size of the first sample.
        x2: Positives in the second sample, 0 <= x2 <= n2.
        n2: Size of the second sample.
        alpha: Two-sided error rate; nominal coverage 1 - alpha.

    Returns:
        The (lower, upper) limits for p1 - p2, within [-1, 1]; an empty sample contributes the
        uninformative Wilson interval (0, 1).

    Raises:
        ValueError: On a negative count, a count above its sample size, or alpha outside (0, 1).
    """
    l1, u1 = wilson_interval(x1, n1, alpha)
    l2, u2 = wilson_interval(x2, n2, alpha)
    p1 = x1 / n1 if n1 else (l1 + u1) / 2
    p2 = x2 / n2 if n2 else (l2 + u2) / 2
    theta = p1 - p2
    delta = math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    eps = math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, theta - delta), min(1.0, theta + eps))


def fisher_exact(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test that two independent proportions are equal.

    Conditional on the margins, the count x1 is hypergeometric: P(X = k) = C(n1, k) C(n2, m - k)
    / C(n1 + n2, m) with m = x1 + x2 positives in all (Fisher, R. A. (1935), "The logic of
    inductive inference", JRSS 98:39-82; Agresti, A. (1992), "A survey of exact inference for
    contingency tables", Statistical Science 7:131-153). The two-sided p-value sums the
    probabilities of every table no more likely than the observed one, with a relative tolerance
    of 1e-7 for ties in floating point (as R's ``fisher.test`` does).

    Args:
        x1: Positives in the first sample, 0 <= x1 <= n1.
        n1: Size of the first sample.
        x2: Positives in the second sample, 0 <= x2 <= n2.
        n2: Size of the second sample.

    Returns:
        The p-value in [0, 1]; 1.0 when either sample is empty.

    Raises:
        ValueError: On a negative count or a count above its sample size.
    """
    for name, value in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)):
        _check_count(name, value)
    if x1 > n1 or x2 > n2:
        raise ValueError(f"counts cannot exceed their sample sizes: {x1}/{n1}, {x2}/{n2}")
    if n1 == 0 or n2 == 0:
        return 1.0
    m = x1 + x2

    def log_p(k: int) -> float:
        return (
            math.lgamma(n1 + 1) - math.lgamma(k + 1) - math.lgamma(n1 - k + 1)
            + math.lgamma(n2 + 1) - math.lgamma(m - k + 1) - math.lgamma(n2 - m + k + 1)
            - math.lgamma(n1 + n2 + 1) + math.lgamma(m + 1) + math.lgamma(n1 + n2 - m + 1)
        )  # fmt: skip

    observed = log_p(x1)
    total = sum(
        math.exp(lp)
        for lp in (log_p(k) for k in range(max(0, m - n2), min(n1, m) + 1))
        if lp <= observed + 1e-7
    )
    return min(1.0, total)
