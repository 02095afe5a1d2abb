"""Anytime-valid one-sided test that a Bernoulli rate has dropped below a level.

For a live stream of 0/1 outcomes (1: the decision followed the protocol) the null hypothesis is
that the rate is at least p0 given the past, E[x_t | x_1, ..., x_{t-1}] >= p0 for every t. For an
alternative rate q < p0 the likelihood ratio of the outcomes so far::

    L_t(q) = prod_{i<=t} (q / p0)^{x_i} ((1 - q) / (1 - p0))^{1 - x_i}

is a test supermartingale under that composite null: its factor's conditional mean is
p (q / p0) + (1 - p) (1 - q) / (1 - p0), which is 1 at p = p0 and falls as p grows (its slope
q / p0 - (1 - q) / (1 - p0) is negative for q < p0), so it is at most 1 for every p >= p0
(Shafer, G. (2021), "Testing by betting: a strategy for statistical and scientific
communication", JRSS-A 184(2):407-431). A mixture of test supermartingales is one, so with
weights w_j on alternatives q_j the statistic E_t = sum_j w_j L_t(q_j) satisfies Ville's
inequality, P(exists t: E_t >= 1/alpha) <= alpha under the null (Ville, J. (1939), "Etude
critique de la notion de collectif"), and p_t = min(1, 1 / max_{s<=t} E_s) is an anytime-valid
p-value (Ramdas, A., Grunwald, P., Vovk, V. & Shafer, G. (2023), "Game-theoretic statistics and
safe anytime-valid inference", Statistical Science 38(4):576-601, Sec. 3). The stream may be
watched after every outcome and stopped at any time without inflating the error.

E_t depends on the outcomes only through their count n and the count k of ones, so the state is
three numbers. The alternatives are drops of p0 - q on a geometric grid from 0.005 up to nearly
p0 (ratio 1.25), equally weighted: a small drop is found late but found, a large one fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SMALLEST_DROP = 0.005
"""The smallest drop in the mixture: below it the test spends its power on nothing useful."""
DROP_RATIO = 1.25
"""Ratio between consecutive drops of the mixture's grid."""


def drop_alternatives(p0: float) -> FloatArray:
    """The alternative rates q_j < p0 of the mixture (see the module docstring).

    Raises:
        ValueError: p0 outside (SMALLEST_DROP, 1).
    """
    if not SMALLEST_DROP < p0 < 1.0:
        raise ValueError(f"p0 must lie in ({SMALLEST_DROP}, 1), got {p0!r}")
    drops = []
    drop = SMALLEST_DROP
    while drop < p0:
        drops.append(drop)
        drop *= DROP_RATIO
    return np.asarray([p0 - d for d in drops if p0 - d > 1e-6], dtype=float)


def drop_log_e(p0: float, n: npt.ArrayLike, k: npt.ArrayLike) -> FloatArray:
    """Log E for n outcomes with k ones, elementwise over arrays of counts.

    Args:
        p0: The level tested against.
        n: Outcome counts.
        k: Counts of ones (same shape as ``n``).

    Returns:
        log E, shaped like ``n``.
    """
    q = drop_alternatives(p0)
    up, down = np.log(q / p0), np.log((1 - q) / (1 - p0))
    n_, k_ = np.asarray(n, dtype=float)[..., None], np.asarray(k, dtype=float)[..., None]
    terms = k_ * up + (n_ - k_) * down - math.log(len(q))
    top = terms.max(axis=-1)
    return np.asarray(top + np.log(np.exp(terms - top[..., None]).sum(axis=-1)), dtype=float)


@dataclass
class RateDropTest:
    """A running anytime-valid test that a stream's rate of ones is below ``p0``.

    Attributes:
        p0: The level the rate is tested against (e.g. an audited adherence minus a margin).
        alpha: Error rate: under the null the test rejects, ever, with probability <= alpha.
        n: Outcomes seen.
        k: Ones among them.
        best_log_e: The largest log E_s so far (the p-value is exp(-best_log_e), capped at 1).
        rejected_at: The outcome count when the p-value first fell to alpha (None: not yet).
    """

    p0: float
    alpha: float = 0.01
    n: int = 0
    k: int = 0
    best_log_e: float = 0.0
    rejected_at: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be strictly between 0 and 1, got {self.alpha!r}")
        drop_alternatives(self.p0)

    def log_e(self) -> float:
        """Log E_t for the outcomes so far (0 before any)."""
        return float(drop_log_e(self.p0, self.n, self.k))

    def update(self, outcome: bool) -> bool:
        """Add one outcome (True: a one, e.g. the protocol was followed); True once rejected."""
        self.n += 1
        self.k += bool(outcome)
        self.best_log_e = max(self.best_log_e, self.log_e())
        if self.rejected_at is None and self.p_value <= self.alpha:
            self.rejected_at = self.n
        return self.rejected_at is not None

    @property
    def p_value(self) -> float:
        """The anytime-valid p-value for "the rate is at least p0"."""
        return min(1.0, math.exp(-self.best_log_e))
