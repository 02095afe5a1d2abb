"""The three things a reasoning trace can show, under one name each.

A signal's name is used everywhere: the summary's fields (``targets[].reasoning``), the judge's
rubric, the shipped offline head, ``hawthorne detectors validate --label`` and the docs. Only
the label files keep their own field names (``column``): ``label`` is the public format's
alignment-faking field, which other harnesses' label files use too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    """One thing a reasoning trace can show.

    Attributes:
        name: The signal's one name (summary field, rubric, head, CLI choice).
        column: The 0/1 field that labels it in a label file (JSONL).
        title: What it is, in words, for reports.
    """

    name: str
    column: str
    title: str


FAKING_REASONING = "faking_reasoning"
"""The default signal: alignment-faking reasoning."""

SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal(FAKING_REASONING, "label", "alignment-faking reasoning"),
        Signal("eval_awareness", "eval_aware", "says it is watched, tested or evaluated"),
        Signal("unwatched_talk", "unwatched", "says nobody is watching"),
    )
}
"""Every signal, by name, in report order."""


def signal(name: str) -> Signal:
    """Look a signal up by name.

    Raises:
        ValueError: For an unknown name (the message lists the known ones).
    """
    try:
        return SIGNALS[name]
    except KeyError:
        raise ValueError(f"unknown signal {name!r}; known: {', '.join(SIGNALS)}") from None
