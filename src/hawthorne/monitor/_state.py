"""Per-stream sequential state: a small fold over checked decisions, and its replay.

A stream is deployment × protocol version × segment. Its state is a handful of counts and the
two tests' statistics (the rate-drop test's best log E and the CUSUM's S_t), updated one
decision at a time in the order the store committed them. It is derivable: :func:`replay` folds
the stored decisions again and must give the same state (the decisions are the truth, the state
a cache of them). Only scorable discriminating decisions feed the tests: on the other cases the
two protocols agree, so following one says nothing about which the model follows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from hawthorne.monitor._deployment import Baseline, MonitorPlan
from hawthorne.stats import cusum_weights, drop_log_e, rate_confidence_sequence

__all__ = [
    "Alarm",
    "Observation",
    "StreamState",
    "replay",
    "resembles",
    "stream_key",
    "stream_status",
]

AlarmKind = Literal["cusum", "drop"]


def stream_key(deployment: str, version: str, segment: str) -> str:
    """The stream's key: ``deployment/version/segment``."""
    return f"{deployment}/{version}/{segment}"


@dataclass(frozen=True)
class Observation:
    """What the fold needs of one checked decision.

    Attributes:
        outcome: The oracle's outcome.
        discriminating: Scorable, and the protocols decide the case differently.
        adherent: It follows the current protocol.
        monitored: Whether the model was told it was watched (None: unknown).
    """

    outcome: str
    discriminating: bool
    adherent: bool
    monitored: bool | None = None


@dataclass(frozen=True)
class Alarm:
    """A test alarmed during a fold.

    Attributes:
        kind: ``drop`` (the anytime-valid test rejected "adherence is at least p0") or
            ``cusum`` (the chart crossed h; it then restarts at 0).
        at: The stream's count of discriminating decisions when it happened.
        statistic: The test's statistic then (log E, or S_t).
        threshold: What it crossed (log(1/alpha), or h).
    """

    kind: AlarmKind
    at: int
    statistic: float
    threshold: float


def _monitored_key(value: bool | None) -> str:
    return "unknown" if value is None else ("told_watched" if value else "told_unwatched")


@dataclass
class StreamState:
    """One stream's counts and test statistics.

    Attributes:
        seen: Decisions folded.
        outcomes: Outcome -> count.
        discriminating: Scorable discriminating decisions (the tests' inputs).
        adherent: Of those, how many followed the current protocol.
        by_monitored: Whether the model was told it was watched -> ``[discriminating,
            adherent]``.
        cusum: The CUSUM statistic S_t on the violation rate.
        cusum_alarms: Times the CUSUM crossed h (it restarts at 0 each time).
        cusum_last_alarm: ``discriminating`` at the last crossing.
        drop_best_log_e: The largest log E of the rate-drop test so far.
        drop_rejected_at: ``discriminating`` when the test first rejected (None: not yet).
    """

    seen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    discriminating: int = 0
    adherent: int = 0
    by_monitored: dict[str, list[int]] = field(default_factory=dict)
    cusum: float = 0.0
    cusum_alarms: int = 0
    cusum_last_alarm: int | None = None
    drop_best_log_e: float = 0.0
    drop_rejected_at: int | None = None

    @property
    def scorable(self) -> int:
        """Decisions with a valid decision and both tables deciding the case."""
        return self.seen - self.outcomes.get("invalid", 0) - self.outcomes.get("unscorable", 0)

    def fold(self, batch: Sequence[Observation], plan: MonitorPlan) -> list[Alarm]:
        """Add a batch of decisions, in order.

        Args:
            batch: The decisions' observations, in commit order.
            plan: The stream's tuned tests.

        Returns:
            The alarms raised, in order.
        """
        xs: list[bool] = []
        for obs in batch:
            self.seen += 1
            self.outcomes[obs.outcome] = self.outcomes.get(obs.outcome, 0) + 1
            if obs.discriminating:
                xs.append(obs.adherent)
                cell = self.by_monitored.setdefault(_monitored_key(obs.monitored), [0, 0])
                cell[0] += 1
                cell[1] += int(obs.adherent)
        if not xs:
            return []
        alarms = self._fold_drop(xs, plan)
        alarms.extend(self._fold_cusum(xs, plan))
        self.discriminating += len(xs)
        self.adherent += sum(xs)
        alarms.sort(key=lambda a: a.at)
        return alarms

    def _fold_drop(self, xs: list[bool], plan: MonitorPlan) -> list[Alarm]:
        # Vectorised over the batch: E_t depends on (n, k) only.
        ns = self.discriminating + np.arange(1, len(xs) + 1)
        ks = self.adherent + np.cumsum(np.asarray(xs, dtype=np.int64))
        log_e = drop_log_e(plan.drop_p0, ns, ks)
        self.drop_best_log_e = max(self.drop_best_log_e, float(log_e.max()))
        if self.drop_rejected_at is not None:
            return []
        level = math.log(1.0 / plan.alpha)
        over = np.flatnonzero(log_e >= level)
        if not len(over):
            return []
        first = int(over[0])
        self.drop_rejected_at = int(ns[first])
        return [Alarm("drop", self.drop_rejected_at, float(log_e[first]), level)]

    def _fold_cusum(self, xs: list[bool], plan: MonitorPlan) -> list[Alarm]:
        # The chart watches the violation rate: a non-adherent decision is the event.
        up, down = cusum_weights(plan.cusum_p0, plan.cusum_p1)
        s, h, alarms = self.cusum, plan.cusum_h, []
        for i, adherent in enumerate(xs, start=self.discriminating + 1):
            s = max(0.0, s + (down if adherent else up))
            if s >= h:
                alarms.append(Alarm("cusum", i, s, h))
                self.cusum_alarms += 1
                self.cusum_last_alarm = i
                s = 0.0
        self.cusum = s
        return alarms

    @property
    def drop_p_value(self) -> float:
        """The rate-drop test's anytime-valid p-value."""
        return min(1.0, math.exp(-self.drop_best_log_e))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (what the store keeps)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StreamState:
        """Rebuild from :meth:`to_json` data."""
        return cls(**dict(data))


def replay(
    decisions: Iterable[tuple[str, Observation]], plans: Mapping[str, MonitorPlan]
) -> dict[str, StreamState]:
    """Recompute every stream's state from its decisions, in commit order.

    Args:
        decisions: ``(stream key, observation)`` pairs in the order they were committed.
        plans: Stream key -> its tuned tests.

    Returns:
        Stream key -> state (equal to the live state folded batch by batch).
    """
    states: dict[str, StreamState] = {}
    pending: dict[str, list[Observation]] = {}
    for key, obs in decisions:
        pending.setdefault(key, []).append(obs)
    for key, batch in pending.items():
        states[key] = StreamState()
        states[key].fold(batch, plans[key])
    return states


Resemblance = Literal["observed", "unobserved", "undetermined"]


def resembles(state: StreamState, baseline: Baseline, interval: tuple[float, float]) -> Resemblance:
    """Which arm of the audit the live adherence resembles (descriptive, not a test).

    The nearer of the audited observed and unobserved adherence, once the live interval
    excludes one of them; ``undetermined`` while it holds both (or when the audit's arms
    coincide).

    Args:
        state: The stream's state.
        baseline: The audited baseline.
        interval: Live adherence's anytime-valid interval (:func:`rate_confidence_sequence`).
    """
    low, high = interval
    observed, unobserved = baseline.observed, baseline.unobserved
    if observed == unobserved or (low <= observed <= high and low <= unobserved <= high):
        return "undetermined"
    live = state.adherent / state.discriminating if state.discriminating else 0.0
    return "observed" if abs(live - observed) <= abs(live - unobserved) else "unobserved"


def stream_status(state: StreamState, plan: MonitorPlan, baseline: Baseline) -> dict[str, Any]:
    """A stream's status: counts, live adherence with its interval, the baseline, the tests.

    Args:
        state: The stream's state.
        plan: Its tuned tests.
        baseline: The deployment's audited baseline.

    Returns:
        JSON-ready data (``hawthorne monitor status`` and the API show it).
    """
    n, k = state.discriminating, state.adherent
    low, high = rate_confidence_sequence(n, k, plan.alpha)
    return {
        "seen": state.seen,
        "scorable": state.scorable,
        "discriminating": n,
        "outcomes": dict(state.outcomes),
        "adherence": {
            "live": round(k / n, 6) if n else None,
            "interval": [round(low, 6), round(high, 6)],
            "observed": baseline.observed,
            "observed_interval": list(baseline.observed_ci),
            "unobserved": baseline.unobserved,
            "unobserved_interval": list(baseline.unobserved_ci),
            "resembles": resembles(state, baseline, (low, high)),
        },
        "by_monitored": {
            key: {"n": v[0], "adherent": v[1]} for key, v in state.by_monitored.items()
        },
        "cusum": {
            "statistic": round(state.cusum, 6),
            "threshold": plan.cusum_h,
            "p0": plan.cusum_p0,
            "p1": plan.cusum_p1,
            "arl0": plan.arl0,
            "alarms": state.cusum_alarms,
            "last_alarm_at": state.cusum_last_alarm,
        },
        "drop": {
            "level": plan.drop_p0,
            "alpha": plan.alpha,
            "p_value": round(state.drop_p_value, 8),
            "rejected_at": state.drop_rejected_at,
        },
    }
