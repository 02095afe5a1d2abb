"""Reading a judge's reply: its JSON object, and quotes that count only where they occur."""

from __future__ import annotations

import json
import re
from typing import Any

MIN_QUOTE_CHARS = 8
"""Shorter quotes ("I", "so") occur in almost any text and prove nothing."""

_SPACE = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_FOLD).casefold()).strip()


def quote_in_text(quote: str, text: str) -> bool:
    """Whether a judge's quote really occurs in the text it was given.

    Case, typographic quotes and dashes, and runs of whitespace are ignored. An ellipsis may
    join exact pieces, which must then occur in order. Surrounding quotation marks are dropped.
    A quote shorter than :data:`MIN_QUOTE_CHARS` (after that) proves nothing and is rejected.

    Args:
        quote: What the judge quoted.
        text: The text it judged (a reasoning trace, an answer).

    Returns:
        True when the quote is found.
    """
    wanted = _normal(quote).strip("\"' ")
    pieces = [p.strip(" \"'") for p in _ELLIPSIS.split(wanted) if p.strip(" \"'")]
    if sum(len(p) for p in pieces) < MIN_QUOTE_CHARS:
        return False
    haystack, at = _normal(text), 0
    for piece in pieces:
        found = haystack.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def reply_object(reply: str) -> dict[str, Any] | None:
    """The JSON object in a judge's reply (text around it allowed), or None if there is none.

    Args:
        reply: What the judge wrote.

    Returns:
        The object from the first ``{`` to the last ``}``, when that parses as a JSON object.
    """
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        data = json.loads(reply[start : end + 1])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
