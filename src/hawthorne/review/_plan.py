"""Review plans: attribute-sampling settings, the period a sample is drawn for, and the draw.

A plan sizes one sample per stratum and period: each stratum of a period's decisions is a
population of its own (N_h), sized by :func:`hawthorne.stats.attribute_sample_size` with the
finite-population correction, and sampled without replacement with a recorded seed. Every
sampled decision carries its inclusion probability π = n_h / N_h, so the estimate
(:func:`hawthorne.stats.stratified_rate`) weighs it by 1/π (Horvitz–Thompson).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hawthorne.stats import attribute_sample_size

__all__ = [
    "PERIODS",
    "STRATA",
    "Draw",
    "Period",
    "ReviewPlan",
    "Sampled",
    "draw_sample",
    "period_bounds",
    "period_end",
    "period_of",
    "stratum_of",
]

Period = Literal["day", "week", "month"]
"""How often a plan draws: each UTC day, ISO week or calendar month."""
PERIODS: tuple[Period, ...] = get_args(Period)
"""Every period."""
STRATA = ("segment", "decision", "version", "monitored", "discriminating")
"""The decision attributes a plan may stratify by (``decision`` is the model's, as read;
``discriminating`` separates the cases whose decision the protocol changed, the cases an
audit measures)."""
ALL = "all"


class ReviewPlan(BaseModel):
    """A sampling plan for one deployment's decisions.

    Attributes:
        id: The plan's id (kebab-case).
        deployment: The deployment reviewed.
        tolerable_rate: The deviation rate that must not go undetected (p_t).
        confidence: The confidence of the upper bound compared with p_t.
        expected_deviations: c, deviations the sample may show and still meet p_t.
        strata: Decision attributes to stratify by (none: one stratum per period).
        period: How often a sample is drawn.
        double_review: The share of sampled items given to a second, blind reviewer.
        lock_seconds: How long ``next`` holds an item for one reviewer.
        seed: The seed of the draws (each period's seed derives from it and the period).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)
    deployment: str = Field(min_length=1, max_length=100)
    tolerable_rate: float = Field(default=0.05, gt=0.0, lt=1.0)
    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)
    expected_deviations: int = Field(default=0, ge=0, le=1000)
    strata: tuple[str, ...] = ()
    period: Period = "day"
    double_review: float = Field(default=0.1, ge=0.0, le=1.0)
    lock_seconds: int = Field(default=1800, ge=10, le=7 * 86400)
    seed: int = Field(default=0, ge=0, lt=2**63)

    @field_validator("strata")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(STRATA))
        if unknown:
            raise ValueError(f"unknown strata {unknown}; use some of {list(STRATA)}")
        if len(set(value)) != len(value):
            raise ValueError("a stratum attribute is named twice")
        return value

    def sample_size(self, population: int | None = None) -> int:
        """N for a population of ``population`` decisions (None: infinite)."""
        return attribute_sample_size(
            self.tolerable_rate, self.confidence, self.expected_deviations, population
        )

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return self.model_dump(mode="json")


def period_of(time: datetime, period: Period) -> str:
    """The period ``time`` falls in: ``2026-12-06``, ``2026-W49`` or ``2026-12`` (UTC)."""
    day = time.astimezone(UTC).date()
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _period_start(key: str, period: Period) -> date:
    if period == "day":
        return date.fromisoformat(key)
    if period == "week":
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def period_end(key: str, period: Period) -> datetime:
    """When period ``key`` ends (exclusive, UTC): a sample is drawn once it has."""
    start = _period_start(key, period)
    if period == "day":
        end = start + timedelta(days=1)
    elif period == "week":
        end = start + timedelta(weeks=1)
    else:
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return datetime(end.year, end.month, end.day, tzinfo=UTC)


def period_bounds(key: str, period: Period) -> tuple[datetime, datetime]:
    """``[start, end)`` of period ``key`` (UTC)."""
    start = _period_start(key, period)
    return datetime(start.year, start.month, start.day, tzinfo=UTC), period_end(key, period)


def stratum_of(values: Mapping[str, object], strata: Sequence[str]) -> str:
    """A decision's stratum: ``segment=eu|decision=escalate``, or ``all`` without strata."""
    if not strata:
        return ALL
    return "|".join(f"{name}={'' if values[name] is None else values[name]}" for name in strata)


@dataclass(frozen=True)
class Sampled:
    """One sampled decision: its stratum, its store sequence number, π, and its reviews."""

    stratum: str
    seq: int
    inclusion: float
    labels_needed: int


@dataclass(frozen=True)
class Draw:
    """A period's draw: each stratum's population and sample size, the seed, the items.

    The items are in a random order, so a queue served in order labels a random subsample of
    each stratum at any time (an estimate taken before the queue is done is still unbiased).
    """

    period: str
    seed: int
    strata: dict[str, dict[str, int]]
    items: list[Sampled]


def period_seed(plan_seed: int, plan_id: str, period: str) -> int:
    """The seed of one period's draw (a hash of the plan's seed, id and period)."""
    digest = hashlib.sha256(f"{plan_seed}:{plan_id}:{period}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def draw_sample(plan: ReviewPlan, period: str, population: Mapping[str, Sequence[int]]) -> Draw:
    """Draw a period's sample: per stratum, n_h of its N_h decisions without replacement.

    Args:
        plan: The plan.
        period: The period's key.
        population: Stratum -> the store sequence numbers of its decisions.

    Returns:
        The draw; a stratum's n_h is the plan's sample size for N_h (all of it when small).
    """
    seed = period_seed(plan.seed, plan.id, period)
    rng = random.Random(seed)
    strata: dict[str, dict[str, int]] = {}
    items: list[Sampled] = []
    for stratum in sorted(population):
        seqs = sorted(population[stratum])
        if not seqs:
            continue
        n = plan.sample_size(len(seqs))
        strata[stratum] = {"population": len(seqs), "sample": n}
        chosen = rng.sample(seqs, n)
        doubled = set(rng.sample(range(n), round(plan.double_review * n)))
        inclusion = n / len(seqs)
        items.extend(
            Sampled(stratum, seq, inclusion, 2 if i in doubled else 1)
            for i, seq in enumerate(chosen)
        )
    rng.shuffle(items)
    return Draw(period, seed, strata, items)
