"""Which stored live decisions get a shadow pair, within the day's budget (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from hawthorne.shadow._case import is_sampled
from hawthorne.store import ShadowCandidate

__all__ = ["budget_left", "day_start", "in_batches", "select_sampled"]

T = TypeVar("T")


def day_start(now: datetime) -> datetime:
    """The start of ``now``'s UTC day (the budget's period)."""
    utc = now.astimezone(UTC)
    return utc.replace(hour=0, minute=0, second=0, microsecond=0)


def budget_left(budget_per_day: int, asked_today: int) -> int:
    """Requests the day's budget still allows (never negative)."""
    return max(budget_per_day - asked_today, 0)


def select_sampled(
    deployment: str, candidates: Iterable[ShadowCandidate], rate: float
) -> list[ShadowCandidate]:
    """The candidates that fall in the deployment's sample at ``rate``, in their order.

    Args:
        deployment: The deployment's id.
        candidates: Stored decisions without a pair yet.
        rate: The share sampled (see :func:`~hawthorne.shadow.is_sampled`).

    Returns:
        The sampled ones.
    """
    return [c for c in candidates if is_sampled(deployment, c.id, rate)]


def in_batches(items: Sequence[T], keys: Sequence[str], size: int) -> list[list[T]]:
    """Split items into batches of at most ``size`` whose keys are distinct within a batch.

    One Inspect eval asks one batch, and its samples are named by case id, so two decisions
    that name the same ``case_id`` go to different batches. Order is kept within a batch;
    an item goes to the first batch with room that does not hold its key yet.

    Args:
        items: The items.
        keys: Each item's key.
        size: The most items per batch (at least 1).

    Returns:
        The batches.
    """
    size = max(size, 1)
    batches: list[list[T]] = []
    held: list[set[str]] = []
    start = 0  # batches before it are full
    for item, key in zip(items, keys, strict=True):
        index = start
        while index < len(batches) and (len(batches[index]) >= size or key in held[index]):
            index += 1
        if index == len(batches):
            batches.append([])
            held.append(set())
        batches[index].append(item)
        held[index].add(key)
        while start < len(batches) and len(batches[start]) >= size:
            start += 1
    return batches
