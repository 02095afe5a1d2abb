"""Anytime-valid interval for a Bernoulli rate from its counts alone: the beta-binomial mixture.

For 0/1 outcomes with conditional mean m (E[x_t | past] = m), and any prior density on the rate,
the mixture of likelihood ratios against m::

    M_t(m) = ∫ prod_{i<=t} p^{x_i} (1 - p)^{1 - x_i} / (m^{x_i} (1 - m)^{1 - x_i}) dBeta(p; a, b)
           = B(a + k, b + n - k) / (B(a, b) m^k (1 - m)^(n - k))

(n outcomes, k ones) is a nonnegative martingale with M_0 = 1, so by Ville's inequality
P(exists t: M_t(m) >= 1/alpha) <= alpha, and {m : M_t(m) < 1/alpha} is a confidence sequence:
it holds the true rate at every t at once, with probability at least 1 - alpha, however often it
is looked at (Robbins, H. (1970), "Statistical methods related to the law of the iterated
logarithm", Ann Math Statist 41(5):1397-1409; Howard, S. R., Ramdas, A., McAuliffe, J. &
Sekhon, J. (2021), "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann
Statist 49(2):1055-1080, Sec. 3.2, the conjugate beta-binomial mixture). log M_t is convex in m
with its minimum at k/n, so the set is an interval whose ends are the two roots of
log M_t(m) = log(1/alpha), found by Brent's method. The prior is Jeffreys' Beta(1/2, 1/2).

Unlike the betting sequence (:class:`~hawthorne.stats.BettingConfidenceSequence`) it needs no
state beyond (n, k), so a monitor can show it for any stream at any time from its counts.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq  # type: ignore[import-untyped]
from scipy.special import betaln  # type: ignore[import-untyped]

JEFFREYS = (0.5, 0.5)
"""The mixture's prior Beta(a, b): Jeffreys' prior for a Bernoulli rate."""


def rate_confidence_sequence(
    n: int, k: int, alpha: float = 0.05, prior: tuple[float, float] = JEFFREYS
) -> tuple[float, float]:
    """The beta-binomial mixture confidence sequence for a Bernoulli rate, at (n, k).

    Args:
        n: Outcomes seen.
        k: Ones among them.
        alpha: Error rate, over all times together.
        prior: The mixing prior Beta(a, b).

    Returns:
        ``(lower, upper)``, inside [0, 1]; ``(0.0, 1.0)`` before any outcome.

    Raises:
        ValueError: ``k`` outside 0..n, or ``alpha`` outside (0, 1).
    """
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    if n == 0:
        return 0.0, 1.0
    a, b = prior
    log_mix = float(betaln(a + k, b + n - k) - betaln(a, b))
    level = math.log(1.0 / alpha)

    def excess(m: float) -> float:
        # log M_t(m) - log(1/alpha): negative inside the interval.
        return log_mix - k * math.log(m) - (n - k) * math.log1p(-m) - level

    centre = k / n
    eps = 1e-15
    lower = 0.0
    if k > 0 and excess(eps) > 0:
        inside = min(max(centre, eps), 1 - eps)
        lower = float(brentq(excess, eps, inside)) if excess(inside) < 0 else centre
    upper = 1.0
    if k < n and excess(1 - eps) > 0:
        inside = min(max(centre, eps), 1 - eps)
        upper = float(brentq(excess, inside, 1 - eps)) if excess(inside) < 0 else centre
    return lower, upper
