"""Override statistics of one stream: the rate, which way overrides go, and a CUSUM on the rate.

An override is a human replacing the model's decision. Per stream (deployment, protocol
version, segment) the statistics are the override rate with a Wilson interval, the shares of
overrides that move the decision to the protocol's (the model broke the protocol) and away
from it (people contest the protocol), and a Bernoulli CUSUM of the override rate against its
level in the stream's first ``window`` decisions. A new protocol version is a new stream, so
re-baselining restarts the window.

The CUSUM's in-control rate p0 is the Wilson upper bound (95%, two-sided) of the window's
rate, so the window's own noise does not raise alarms; it is tuned (:func:`cusum_threshold`)
to the deployment's ARL0 to detect ``p1 = max(2·p0, p0 + 0.02)``. Between two overrides the
chart only falls, by one ``log((1-p1)/(1-p0))`` per decision, so it is folded override by
override, not decision by decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.stats import cusum_threshold, cusum_weights, wilson_interval

__all__ = ["OverrideSummary", "OverrideTest", "override_summary"]

DEFAULT_WINDOW = 500
_MIN_RATE, _MAX_RATE = 0.001, 0.5


@dataclass(frozen=True)
class OverrideTest:
    """The CUSUM of the override rate after the baseline window.

    Attributes:
        window: Decisions in the baseline window.
        window_rate: The override rate in it.
        p0: In-control rate (the window rate's upper Wilson bound).
        p1: The rate the chart detects.
        h: Its threshold for the ARL0.
        statistic: S after the last decision (restarted after each alarm).
        alarms: Decision indexes (0-based, in the stream) where the chart crossed h.
    """

    window: int
    window_rate: float
    p0: float
    p1: float
    h: float
    statistic: float
    alarms: tuple[int, ...]


@dataclass(frozen=True)
class OverrideSummary:
    """A stream's override statistics (see the module docstring).

    Attributes:
        decisions: Decisions in the stream.
        overrides: How many were overridden.
        rate: overrides / decisions, and its 95% Wilson interval.
        to_protocol: Overrides that moved the decision to the protocol's, and their share.
        away_from_protocol: Overrides that moved it away from the protocol's, and their share.
        test: The CUSUM, once the window is full (None before).
    """

    decisions: int
    overrides: int
    rate: tuple[float, float, float] | None
    to_protocol: tuple[int, float | None]
    away_from_protocol: tuple[int, float | None]
    test: OverrideTest | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def _rate(k: int, n: int) -> tuple[float, float, float] | None:
    if n == 0:
        return None
    low, high = wilson_interval(k, n)
    return (k / n, low, high)


def override_summary(
    decisions: int,
    positions: Sequence[int],
    directions: Sequence[str],
    arl0: float,
    window: int = DEFAULT_WINDOW,
) -> OverrideSummary:
    """Summarise a stream's overrides.

    Args:
        decisions: Decisions in the stream.
        positions: Each overridden decision's 0-based index in the stream, ascending.
        directions: Each override's direction (:data:`hawthorne.review.Direction`).
        arl0: The CUSUM's in-control average run length, in decisions.
        window: Decisions in the baseline window.

    Returns:
        The summary.

    Raises:
        ValueError: Positions outside the stream or out of order, or lengths that differ.
    """
    if len(positions) != len(directions):
        raise ValueError("one direction per override")
    if any(b <= a for a, b in zip(positions, positions[1:], strict=False)) or any(
        not 0 <= p < decisions for p in positions
    ):
        raise ValueError("override positions must be distinct, ascending and inside the stream")
    k = len(positions)
    to = sum(d == "to_protocol" for d in directions)
    away = sum(d == "away_from_protocol" for d in directions)
    test = None
    if window > 0 and decisions >= window:
        test = _cusum(positions, decisions, arl0, window)
    return OverrideSummary(
        decisions=decisions,
        overrides=k,
        rate=_rate(k, decisions),
        to_protocol=(to, to / k if k else None),
        away_from_protocol=(away, away / k if k else None),
        test=test,
    )


def _cusum(positions: Sequence[int], decisions: int, arl0: float, window: int) -> OverrideTest:
    in_window = sum(p < window for p in positions)
    p0 = min(max(wilson_interval(in_window, window)[1], _MIN_RATE), _MAX_RATE)
    p1 = min(max(2 * p0, p0 + 0.02), 0.999)
    h = cusum_threshold(p0, p1, arl0)
    up, down = cusum_weights(p0, p1)
    statistic, last, alarms = 0.0, window - 1, []
    for p in positions:
        if p < window:
            continue
        statistic = max(0.0, statistic + (p - last - 1) * down) + up
        last = p
        if statistic >= h:
            alarms.append(p)
            statistic = 0.0
    statistic = max(0.0, statistic + (decisions - 1 - last) * down)
    return OverrideTest(window, in_window / window, p0, p1, h, statistic, tuple(alarms))
