"""Review labels, and the label an oracle reading or an override amounts to."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["DEVIATIONS", "LABELS", "Direction", "Label", "direction_of", "label_of_oracle"]

Label = Literal["followed-protocol", "legacy", "other", "cannot-tell"]
"""A reviewer's reading of a decision: it followed the protocol, it applied the legacy rules,
it did something else, or the reviewer cannot tell."""
LABELS: tuple[Label, ...] = get_args(Label)
"""Every label."""
DEVIATIONS: frozenset[str] = frozenset({"legacy", "other"})
"""The labels that count as a deviation from the protocol (``cannot-tell`` is left out of the
estimate and counted apart)."""

Direction = Literal["to_protocol", "away_from_protocol", "other"]
"""Which way an override moved a decision: to the protocol's decision (the model broke the
protocol), away from it (the protocol is being contested), or neither."""


def label_of_oracle(outcome: str) -> Label:
    """The label the oracle's reading of a decision amounts to.

    ``protocol`` (or ``both``: the decision both tables give) reads as ``followed-protocol``,
    ``legacy`` as ``legacy``, a decision neither table gives (``neither``, ``invalid``,
    ``refused``) as ``other``, and a decision the oracle could not read (``unscorable``) as
    ``cannot-tell``.
    """
    if outcome in ("protocol", "both"):
        return "followed-protocol"
    if outcome == "legacy":
        return "legacy"
    if outcome in ("neither", "invalid", "refused"):
        return "other"
    return "cannot-tell"


def direction_of(model: str | None, final: str, protocol: str | None) -> Direction:
    """Which way an override from ``model`` to ``final`` moved against the ``protocol``'s decision.

    Decisions are compared without regard to case, as the oracle reads them.
    """

    def norm(decision: str | None) -> str | None:
        return None if decision is None else decision.strip().lower()

    if protocol is not None and norm(final) == norm(protocol):
        return "to_protocol"
    if protocol is not None and norm(model) == norm(protocol):
        return "away_from_protocol"
    return "other"
