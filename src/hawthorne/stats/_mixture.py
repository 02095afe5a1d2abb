"""One-sided sequential McNemar test: a Jeffreys mixture of constant bets on paired differences.

Not used by the verdict rules, which test for faking with the betting confidence sequence's
p-value at 0: at the same one-sided level (alpha/2 in the faking direction) this test built for
detection reaches ``faking`` only about 1.0-1.3x sooner on the simulated targets of
``bench/sequential.py``, which keeps it as a reference point; most of its apparent advantage at
p <= alpha comes from spending the whole alpha on one side.
"""

from __future__ import annotations

import copy as _copy
import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Rows per chunk of the (discordant pairs x mixture components) work matrix, to bound memory.
_CHUNK_CELLS = 1 << 20


class SequentialMcNemar:
    """Anytime-valid one-sided test that paired differences have mean <= 0 (McNemar, sequential).

    Each pair contributes D_i = observed_i - unobserved_i in {-1, 0, 1}: +1 for a b pair
    (adherent only when observed), -1 for a c pair (only when unobserved), 0 for a concordant
    pair. The null hypothesis is that no pair favours b given the past,
    E[D_t | D_1, ..., D_{t-1}] <= 0 for every t; for independent pairs this is gap = p_b - p_c
    <= 0, equivalently P(b | discordant) <= 1/2, the one-sided null of McNemar's test
    (McNemar, Q. (1947), Psychometrika 12:153-157).

    For a constant bet lambda in [0, 1], M_t(lambda) = prod_{i<=t} (1 + lambda D_i) is a
    nonnegative supermartingale under the null (E[1 + lambda D_t | past] = 1 + lambda E[D_t | past]
    <= 1), i.e. a test supermartingale (Shafer, G. (2021), "Testing by betting: a strategy for
    statistical and scientific communication", JRSS-A 184(2):407-431). Written with
    q = (1 + lambda) / 2 it is the likelihood ratio of the discordant pairs, Bernoulli(q) against
    Bernoulli(1/2) on "b given discordant"::

        M_t(lambda) = (2q)^b_t (2(1 - q))^c_t

    The test statistic is the mixture of these over a prior on q in [1/2, 1] (the one-sided
    method of mixtures: Robbins, H. (1970), "Statistical methods related to the law of the
    iterated logarithm", Ann Math Statist 41(5):1397-1409; Lai, T. L. (1976), "On
    confidence sequences", Ann Statist 4(2):265-280)::

        E_t = sum_j w_j (2 q_j)^b_t (2 (1 - q_j))^c_t

    A mixture of test supermartingales is one (Fubini), so by Ville's inequality (Ville, J.
    (1939), "Etude critique de la notion de collectif", Gauthier-Villars)
    P(exists t: E_t >= 1/alpha) <= alpha under the null, at every alpha at once. The anytime-
    valid p-value is p_t = min(1, 1 / max_{s<=t} E_s) (Ramdas, A., Grunwald, P., Vovk, V. &
    Shafer, G. (2023), "Game-theoretic statistics and safe anytime-valid inference", Statistical
    Science 38(4):576-601, Sec. 3): P(exists t: p_t <= alpha) <= alpha.

    The prior is Jeffreys' Beta(1/2, 1/2) restricted to [1/2, 1], whose mixture is the
    Krichevsky-Trofimov estimator with the smallest worst-case regret against the best constant
    bet in hindsight, about (1/2) log(b + c) (Krichevsky, R. E. & Trofimov, V. K. (1981), "The
    performance of universal encoding", IEEE Trans Inf Theory 27(2):199-207; Xie, Q. & Barron,
    A. R. (1997), "Minimax redundancy for the class of memoryless sources", IEEE Trans Inf Theory
    43(2):646-657); unlike a uniform prior it keeps that regret near q = 1, where blatant fakers
    are. With q = sin^2(theta), Jeffreys' prior is uniform in theta on [pi/4, pi/2]; the mixture
    uses the `components` midpoints theta_j of equal-width cells with equal weights 1/components.
    A discrete mixture is itself a valid mixture, so the discretisation costs no validity (it
    is also the midpoint rule for the continuous Jeffreys mixture, accurate for smooth
    integrands). Concordant pairs multiply every component by 1: only b and c matter, as in
    McNemar's test, and E_t depends on the data only through (b_t, c_t); the running maximum
    depends on their order.

    Args:
        components: Number of mixture components (points of the prior).

    Raises:
        ValueError: If components < 1.
    """

    def __init__(self, components: int = 256) -> None:
        if components < 1:
            raise ValueError(f"components must be at least 1, got {components!r}")
        self.components = components
        theta = math.pi / 4 + (np.arange(components) + 0.5) * (math.pi / 4) / components
        q: FloatArray = np.sin(theta) ** 2
        self._log_win: FloatArray = np.log(2.0 * q)
        # 2 (1 - q) = 2 cos^2(theta), computed without cancellation near q = 1.
        self._log_lose: FloatArray = np.log(2.0 * np.cos(theta) ** 2)
        self._log_weight = -math.log(components)
        self._n = 0
        self._b = 0
        self._c = 0
        self._log_e = 0.0
        self._log_max = 0.0  # log max_{s<=t} E_s; E_0 = 1

    @property
    def n(self) -> int:
        """Number of pairs so far, concordant ones included."""
        return self._n

    @property
    def b(self) -> int:
        """Pairs with D = +1."""
        return self._b

    @property
    def c(self) -> int:
        """Pairs with D = -1."""
        return self._c

    @property
    def e_value(self) -> float:
        """The current mixture e-value E_t (1.0 before any discordant pair)."""
        return math.exp(self._log_e)

    @property
    def p_value(self) -> float:
        """Anytime-valid p-value min(1, 1 / max_{s<=t} E_s), in (0, 1]; see the class docstring."""
        return min(1.0, math.exp(-self._log_max))

    def copy(self) -> SequentialMcNemar:
        """Return an independent copy of the current state.

        Returns:
            A new test that continues from the same pairs.
        """
        return _copy.deepcopy(self)

    def _log_mixture(self, b: FloatArray, c: FloatArray) -> FloatArray:
        """The log mixture E at each (b, c) of the arrays (log-sum-exp over the components)."""
        terms = b[:, None] * self._log_win[None, :] + c[:, None] * self._log_lose[None, :]
        peak = terms.max(axis=1)
        total = np.exp(terms - peak[:, None]).sum(axis=1)
        result: FloatArray = peak + np.log(total) + self._log_weight
        return result

    def update(self, diffs: Iterable[float]) -> None:
        """Add paired differences, in order.

        Args:
            diffs: New differences D_i, each -1, 0 or 1.

        Raises:
            ValueError: If a difference is not -1, 0 or 1; no difference of the batch is then
                added.
        """
        d = np.asarray(list(diffs), dtype=np.float64)
        if d.size and not np.all(np.isin(d, (-1.0, 0.0, 1.0))):
            raise ValueError("paired differences must be -1, 0 or 1")
        self._n += int(d.size)
        steps = d[d != 0.0]
        if steps.size == 0:
            return
        b = self._b + np.cumsum(steps > 0).astype(np.float64)
        c = self._c + np.cumsum(steps < 0).astype(np.float64)
        rows = max(1, _CHUNK_CELLS // self.components)
        for first in range(0, steps.size, rows):
            log_e = self._log_mixture(b[first : first + rows], c[first : first + rows])
            self._log_max = max(self._log_max, float(log_e.max()))
            self._log_e = float(log_e[-1])
        self._b, self._c = int(b[-1]), int(c[-1])
