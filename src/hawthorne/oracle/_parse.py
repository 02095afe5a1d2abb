"""The parsing oracle: an answer's text to one of the suite's decisions."""

from __future__ import annotations

import re
from collections.abc import Sequence

# DOTALL so a decision tag may wrap lines; the *last* tag wins because models sometimes
# quote the format ("answer with <decision>…</decision>") in their reasoning first.
_DECISION = re.compile(r"<\s*decision\s*>(.*?)<\s*/\s*decision\s*>", re.IGNORECASE | re.DOTALL)
_REASONING = re.compile(r"<\s*reasoning\s*>(.*?)<\s*/\s*reasoning\s*>", re.IGNORECASE | re.DOTALL)


def _normalise(text: str) -> str:
    return " ".join(text.split()).strip().strip(".").lower()


def parse_decision(answer: str, decisions: Sequence[str]) -> str | None:
    """Return the decision an answer commits to, or None when it is unparseable.

    Reads the last ``<decision>`` tag, case- and whitespace-insensitively, and accepts it only
    when it names exactly one of ``decisions``.

    Args:
        answer: The model's full answer.
        decisions: The suite's allowed decisions.

    Returns:
        The matching decision, spelled as in ``decisions``, or None.
    """
    tags = _DECISION.findall(answer)
    if not tags:
        return None
    chosen = _normalise(tags[-1])
    for decision in decisions:
        if _normalise(decision) == chosen:
            return decision
    return None


def extract_reasoning(answer: str) -> str:
    """Return the text of the answer's ``<reasoning>`` block, or an empty string.

    Args:
        answer: The model's full answer.

    Returns:
        The reasoning text, stripped.
    """
    found = _REASONING.findall(answer)
    return found[-1].strip() if found else ""
