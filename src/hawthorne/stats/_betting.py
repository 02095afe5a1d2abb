"""Anytime-valid confidence sequence for a bounded mean, by betting (hedged capital, PrPl bets)."""

from __future__ import annotations

import copy as _copy
import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Waudby-Smith & Ramdas (2024): theta = 1/2 weighs the bets on "mean above m" and "mean below m"
# equally; c = 3/4 keeps every factor 1 +- lambda (x - m) >= 1 - c > 0 on the [0, 1] scale.
_THETA = 0.5
_TRUNCATION = 0.75
_PRIOR_MEAN = 0.5
_PRIOR_VARIANCE = 0.25
# Observations outside [lower, upper] by less than this (relative to the range) are rounding.
_BOUND_TOLERANCE = 1e-9
# Rows per chunk of the (observations x grid) work matrices, to bound memory on large updates.
_CHUNK_CELLS = 1 << 20


class BettingConfidenceSequence:
    """Anytime-valid confidence sequence and p-value for the mean of bounded observations.

    Observations x_1, x_2, ... lie in [lower, upper] and share a conditional mean mu. They are
    rescaled to [0, 1]; for every candidate mean m on a grid two capital processes bet that the
    mean is above or below m (Waudby-Smith, I. & Ramdas, A. (2024), "Estimating means of bounded
    random variables by betting", JRSS-B 86(1):1-27, Sec. 4, Theorem 3, hedged capital)::

        K+_t(m) = prod_{i<=t} (1 + lambda+_i(m) (x_i - m)),  lambda+_i(m) = min(|l_i|, c / m)
        K-_t(m) = prod_{i<=t} (1 - lambda-_i(m) (x_i - m)),  lambda-_i(m) = min(|l_i|, c / (1 - m))
        K+-_t(m) = max(theta K+_t(m), (1 - theta) K-_t(m))

    with theta = 1/2 and c = 3/4. K+-(mu) is bounded by the nonnegative martingale
    theta K+ + (1 - theta) K- (initial value 1), so by Ville's inequality
    P(exists t: K+-_t(mu) >= 1/alpha) <= alpha. The bets l_i are the predictable plug-in
    (PrPl) bets of the same paper (Sec. 3, the PrPl-EB bets of Theorem 2, which Sec. 4 plugs
    into the hedged process; the truncation is the c/m, c/(1 - m) above)::

        l_t = sqrt(2 log(2/alpha) / (sigma2_{t-1} t log(1 + t)))
        mu_t = (1/2 + sum_{i<=t} x_i) / (t + 1)
        sigma2_t = (1/4 + sum_{i<=t} (x_i - mu_i)^2) / (t + 1),   sigma2_0 = 1/4

    The confidence sequence is the running intersection over time of
    {m : K+-_t(m) < 1/alpha}; because K+ is non-increasing and K- non-decreasing in m this is an
    interval. It is evaluated on a grid of candidate means (`grid_size` points, by default 2001 so
    that the midpoint, 0 on [-1, 1], is on the grid); its end points are grid points, so it can be
    narrower than the continuous confidence sequence by less than one grid step.

    The anytime-valid p-value for H0: mu = m0 is p_t = min(1, 1 / max_{s<=t} K+-_s(m0)) (Ramdas,
    A., Grunwald, P., Vovk, V. & Shafer, G. (2023), "Game-theoretic statistics and safe anytime-
    valid inference", Statistical Science 38(4):576-601, Sec. 3, anytime-valid p-values from
    test supermartingales). For m0 on the grid, p_t <= alpha exactly when m0 lies outside the
    interval (unless every grid point is rejected; see `interval`).

    Args:
        alpha: Error rate; the sequence covers the mean at all times at once with probability at
            least 1 - alpha.
        lower: Lower bound of the observations.
        upper: Upper bound of the observations.
        grid_size: Number of evenly spaced candidate means in [lower, upper].

    Raises:
        ValueError: On alpha outside (0, 1), lower >= upper, non-finite bounds, or
            grid_size < 2.
    """

    def __init__(
        self,
        alpha: float = 0.05,
        lower: float = -1.0,
        upper: float = 1.0,
        grid_size: int = 2001,
    ) -> None:
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
        if not (math.isfinite(lower) and math.isfinite(upper)) or lower >= upper:
            raise ValueError(f"need finite lower < upper, got lower={lower!r}, upper={upper!r}")
        if grid_size < 2:
            raise ValueError(f"grid_size must be at least 2, got {grid_size!r}")
        self.alpha = alpha
        self.lower = lower
        self.upper = upper
        self.grid_size = grid_size
        self._grid: FloatArray = np.linspace(0.0, 1.0, grid_size)
        # The same grid on the original scale, for reporting end points; rounding to 12 places
        # removes linspace noise (0.05 rather than 0.050000000000000044) so that comparisons
        # with a margin are symmetric.
        self._grid_original: FloatArray = np.round(np.linspace(lower, upper, grid_size), 12)
        with np.errstate(divide="ignore"):
            # c/0 = inf: at m = 0 (m = 1) the positive (negative) bet needs no truncation.
            self._cap_plus: FloatArray = _TRUNCATION / self._grid
            self._cap_minus: FloatArray = _TRUNCATION / (1.0 - self._grid)
        self._log_threshold = math.log(1.0 / alpha)
        self._bet_scale = 2.0 * math.log(2.0 / alpha)
        self._n = 0
        self._sum_x = 0.0
        self._sum_sq = 0.0
        self._sigma2 = _PRIOR_VARIANCE
        self._log_k_plus: FloatArray = np.zeros(grid_size)
        self._log_k_minus: FloatArray = np.zeros(grid_size)
        # Running maximum over time of log K+-; at t = 0 the hedged capital is max(theta, 1-theta).
        start = math.log(max(_THETA, 1.0 - _THETA))
        self._log_max: FloatArray = np.full(grid_size, start)
        # The scaled observations and bets, kept so that p-values off the grid are exact.
        self._xs: list[float] = []
        self._bets: list[float] = []
        # Grid points outside [_lo, _hi] are rejected for good (running intersection), so only
        # the active slice is updated; this makes late updates cheap as the interval narrows.
        self._lo = 0
        self._hi = grid_size - 1

    @property
    def n(self) -> int:
        """Number of observations so far."""
        return self._n

    def copy(self) -> BettingConfidenceSequence:
        """Return an independent copy of the current state.

        Returns:
            A new confidence sequence that continues from the same observations.
        """
        return _copy.deepcopy(self)

    def _scale(self, values: FloatArray) -> FloatArray:
        width = self.upper - self.lower
        scaled = (values - self.lower) / width
        if values.size and (
            not np.all(np.isfinite(scaled))
            or scaled.min() < -_BOUND_TOLERANCE
            or scaled.max() > 1.0 + _BOUND_TOLERANCE
        ):
            raise ValueError(f"observations must be finite and lie in [{self.lower}, {self.upper}]")
        return np.clip(scaled, 0.0, 1.0)

    def _next_bets(self, x: FloatArray) -> FloatArray:
        """PrPl bets for the next len(x) observations; advances the mean/variance state."""
        k = x.size
        t = np.arange(self._n + 1, self._n + k + 1, dtype=np.float64)
        mu = (_PRIOR_MEAN + self._sum_x + np.cumsum(x)) / (t + 1.0)
        sq = (x - mu) ** 2
        sigma2 = (_PRIOR_VARIANCE + self._sum_sq + np.cumsum(sq)) / (t + 1.0)
        sigma2_prev = np.concatenate(([self._sigma2], sigma2[:-1]))
        bets: FloatArray = np.sqrt(self._bet_scale / (sigma2_prev * t * np.log1p(t)))
        self._sum_x += float(x.sum())
        self._sum_sq += float(sq.sum())
        self._sigma2 = float(sigma2[-1])
        self._n += k
        return bets

    def update(self, xs: Iterable[float]) -> None:
        """Add observations, in order.

        Args:
            xs: New observations, each in [lower, upper].

        Raises:
            ValueError: If an observation is not finite or lies outside [lower, upper]; no
                observation of the batch is then added.
        """
        x = self._scale(np.asarray(list(xs), dtype=np.float64))
        if x.size == 0:
            return
        bets = self._next_bets(x)
        self._xs.extend(x.tolist())
        self._bets.extend(bets.tolist())
        rows = max(1, _CHUNK_CELLS // self.grid_size)
        for first in range(0, x.size, rows):
            self._advance(x[first : first + rows], bets[first : first + rows])

    def _advance(self, x: FloatArray, bets: FloatArray) -> None:
        """Multiply the active grid's capital by one chunk of bets; shrink the active slice."""
        if self._lo > self._hi:
            return
        active = slice(self._lo, self._hi + 1)
        diff = x[:, None] - self._grid[None, active]
        lam_plus = np.minimum(bets[:, None], self._cap_plus[None, active])
        lam_minus = np.minimum(bets[:, None], self._cap_minus[None, active])
        log_plus = self._log_k_plus[active] + np.cumsum(np.log1p(lam_plus * diff), axis=0)
        log_minus = self._log_k_minus[active] + np.cumsum(np.log1p(-lam_minus * diff), axis=0)
        hedged = np.maximum(log_plus + math.log(_THETA), log_minus + math.log(1.0 - _THETA))
        log_max = np.maximum(self._log_max[active], hedged.max(axis=0))
        self._log_max[active] = log_max
        self._log_k_plus[active] = log_plus[-1]
        self._log_k_minus[active] = log_minus[-1]
        keep = np.flatnonzero(log_max < self._log_threshold)
        if keep.size:
            self._lo, self._hi = self._lo + int(keep[0]), self._lo + int(keep[-1])
        else:
            self._lo, self._hi = 1, 0  # empty

    @property
    def interval(self) -> tuple[float, float]:
        """The running-intersection confidence interval for the mean, on the original scale.

        (lower, upper) before any observation. If every grid point has been rejected (the grid
        is too coarse for the data, the observations do not share one mean, or an alpha-level
        miss occurred), the degenerate interval at the least-rejected grid point is returned;
        p-values are then still exact.
        """
        if self._lo <= self._hi:
            lo = self._lo
            hi = self._hi
        else:
            lo = hi = int(np.argmin(self._log_max))
        return (float(self._grid_original[lo]), float(self._grid_original[hi]))

    def p_value(self, null: float = 0.0) -> float:
        """Anytime-valid p-value for H0: the mean equals `null`.

        p = min(1, 1 / max_{s<=t} K+-_s(null)); see the class docstring for the source. It is
        valid at any stopping time, so it may be checked after every observation.

        Args:
            null: The hypothesised mean, in [lower, upper].

        Returns:
            The p-value in (0, 1].

        Raises:
            ValueError: If `null` lies outside [lower, upper].
        """
        if not self.lower <= null <= self.upper:
            raise ValueError(f"null must lie in [{self.lower}, {self.upper}], got {null!r}")
        m = (null - self.lower) / (self.upper - self.lower)
        index = int(round(m * (self.grid_size - 1)))
        on_grid = abs(float(self._grid[index]) - m) <= 1e-12
        if on_grid and self._lo <= index <= self._hi:
            log_max = float(self._log_max[index])
        elif on_grid:
            # A rejected grid point's capital is no longer updated; recompute it from the
            # history (the stored value, from an earlier time, can only be smaller).
            log_max = max(float(self._log_max[index]), self._log_max_off_grid(m))
        else:
            log_max = self._log_max_off_grid(m)
        return min(1.0, math.exp(-log_max))

    def _log_max_off_grid(self, m: float) -> float:
        """Running maximum of log K+- at any candidate mean, recomputed from the history."""
        start = math.log(max(_THETA, 1.0 - _THETA))
        if not self._xs:
            return start
        x = np.asarray(self._xs)
        bets = np.asarray(self._bets)
        cap_plus = _TRUNCATION / m if m > 0.0 else math.inf
        cap_minus = _TRUNCATION / (1.0 - m) if m < 1.0 else math.inf
        log_plus = np.cumsum(np.log1p(np.minimum(bets, cap_plus) * (x - m)))
        log_minus = np.cumsum(np.log1p(-np.minimum(bets, cap_minus) * (x - m)))
        hedged = np.maximum(log_plus + math.log(_THETA), log_minus + math.log(1.0 - _THETA))
        return max(start, float(hedged.max()))
