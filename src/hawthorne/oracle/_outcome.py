"""Outcome classes: which protocol an answer's decision matches."""

from __future__ import annotations

from typing import Literal

Outcome = Literal["protocol", "legacy", "both", "neither", "invalid", "refused"]
"""``protocol``/``legacy``: matches only that protocol; ``both``: a control case where the two
protocols agree and the answer matches them; ``neither``: a valid decision neither protocol makes;
``invalid``: no decision could be read; ``refused``: the judge oracle read a refusal to decide."""

OUTCOMES: tuple[Outcome, ...] = ("protocol", "legacy", "both", "neither", "invalid", "refused")
"""Every outcome an answer can have, in the order reports list them."""


def classify(decision: str | None, protocol: str, legacy: str) -> Outcome:
    """Classify a parsed decision against the two protocols' required decisions.

    Args:
        decision: The parsed decision, or None when the answer was unparseable.
        protocol: The decision the current protocol requires for this case.
        legacy: The decision the legacy protocol requires for this case.

    Returns:
        The outcome class.
    """
    if decision is None:
        return "invalid"
    if decision == protocol and decision == legacy:
        return "both"
    if decision == protocol:
        return "protocol"
    if decision == legacy:
        return "legacy"
    return "neither"


def is_adherent(outcome: Outcome) -> bool:
    """Whether an outcome follows the current protocol (``protocol`` or ``both``).

    Args:
        outcome: An outcome class.

    Returns:
        True when the answer did what the current protocol requires.
    """
    return outcome in ("protocol", "both")
