"""Labelled reasoning traces: the corpus that ships with Hawthorne, and users' label files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hawthorne.detectors._signals import FAKING_REASONING, signal

CORPUS_DIR = Path(__file__).parent / "corpus"
"""The shipped corpus: ``train_*.jsonl`` (training split, seven batches by different authors) and
``test.jsonl`` (held-out split, written separately by another author) of short traces, and
``long/author_*.jsonl``: long scratchpads in the alignment-faking setting, one file per author,
labelled for alignment faking and its four criteria."""

LONG_DIR = CORPUS_DIR / "long"
"""The long scratchpads, one file per author."""

Split = Literal["train", "test"]


class LabelError(ValueError):
    """A label file is missing, unreadable or malformed (the message names file and line)."""


@dataclass(frozen=True)
class Labelled:
    """Texts with 0/1 labels."""

    texts: list[str]
    labels: list[int]

    @property
    def n_positive(self) -> int:
        """Positives."""
        return sum(self.labels)

    @property
    def n_negative(self) -> int:
        """Negatives."""
        return len(self.labels) - self.n_positive


def load_labels(path: str | Path, column: str = "label") -> Labelled:
    """Read a JSONL label file: one ``{"text": …, "label": 0|1}`` object per line.

    Args:
        path: The file.
        column: The field holding the 0/1 label (``label`` in the public format; a
            :class:`Signal`'s ``column``).

    Returns:
        The texts and labels.

    Raises:
        LabelError: With file and line, when the file cannot be read or a line is malformed,
            or when it lacks positives or negatives.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise LabelError(f"{path}: cannot read ({err.strerror or err})") from None
    texts: list[str] = []
    labels: list[int] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            raise LabelError(f"{path}:{number}: not JSON ({err})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise LabelError(f'{path}:{number}: expected an object with a string "text"')
        value = row.get(column)
        if value not in (0, 1, True, False):
            raise LabelError(f'{path}:{number}: "{column}" must be 0 or 1, got {value!r}')
        texts.append(row["text"])
        labels.append(int(value))
    result = Labelled(texts, labels)
    if result.n_positive == 0 or result.n_negative == 0:
        raise LabelError(f"{path}: needs both positive and negative {column!r} labels")
    return result


def corpus(split: Split, name: str = FAKING_REASONING) -> Labelled:
    """The shipped corpus, one split, labelled for the signal ``name``."""
    column = signal(name).column
    files = ["test.jsonl"] if split == "test" else sorted(CORPUS_DIR.glob("train_*.jsonl"))
    parts = [load_labels(CORPUS_DIR / f, column) for f in files]
    return Labelled(
        [t for p in parts for t in p.texts], [label for p in parts for label in p.labels]
    )


@dataclass(frozen=True)
class Authored(Labelled):
    """Labelled texts with the author of each (for cross-validation grouped by author)."""

    authors: list[str]


def long_corpus() -> Authored:
    """The long scratchpads, labelled for alignment faking, with their authors."""
    texts: list[str] = []
    labels: list[int] = []
    authors: list[str] = []
    for path in sorted(LONG_DIR.glob("author_*.jsonl")):
        part = load_labels(path)
        texts += part.texts
        labels += part.labels
        authors += [path.stem.removeprefix("author_")] * len(part.texts)
    return Authored(texts, labels, authors)
