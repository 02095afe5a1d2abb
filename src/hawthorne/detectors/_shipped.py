"""The offline classifier's shipped heads and their held-out calibration.

Fitting the heads means embedding the whole labelled corpus (about a minute on two CPU cores),
so the fitted heads ship in ``detectors/heads.json`` with, for each label, the confusion counts
on the held-out split at the configured threshold: the sensitivity and specificity an audit
uses to correct its flag rates (Rogan–Gladen), with the sample sizes behind them. A test
refits them and fails when the corpus changed since (``corpus_sha256``) or the refit differs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hawthorne.detectors._labels import CORPUS_DIR, LONG_DIR, corpus, long_corpus
from hawthorne.detectors._offline import OfflineTraceClassifier
from hawthorne.detectors._routed import LONG_WORDS, RoutedTraceClassifier, plain
from hawthorne.detectors._signals import FAKING_REASONING, SIGNALS
from hawthorne.detectors._validate import validate
from hawthorne.stats import auroc

HEADS = Path(__file__).parent / "heads.json"
SCHEMA = "hawthorne.heads/2"
"""Version 2: heads carry a word n-gram vocabulary beside the embedding weights."""


def corpus_sha256() -> str:
    """SHA-256 over the shipped corpus files (the short traces and the long scratchpads)."""
    digest = hashlib.sha256()
    for path in [*sorted(CORPUS_DIR.glob("*.jsonl")), *sorted(LONG_DIR.glob("*.jsonl"))]:
        name = path.relative_to(CORPUS_DIR).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Calibration:
    """A detector's measured accuracy at its threshold on the held-out split.

    Attributes:
        sensitivity: TP / positives.
        specificity: TN / negatives.
        n_positive: Positives behind the sensitivity.
        n_negative: Negatives behind the specificity.
        auroc: Held-out AUROC.
    """

    sensitivity: float
    specificity: float
    n_positive: int
    n_negative: int
    auroc: float


C_GRID = (1.0, 4.0, 16.0, 64.0, 256.0)
"""The n-gram heads choose larger C than the embedding-only ones did (16, 64 and 64 for the
faking, eval-awareness and nobody-watching labels; from C = 16 up, out-of-fold AUROC moves by
under 0.004)."""


def cross_validate(
    texts: list[str], labels: list[int], folds: int = 5, groups: Sequence[str] | None = None
) -> tuple[float, float]:
    """Pick C and the flag threshold by stratified k-fold cross-validation (training split only).

    With ``groups`` (the long scratchpads' authors) the folds leave one group out each instead,
    so a head is always scored on an author it was not fitted on.

    C: the value of :data:`C_GRID` with the best mean out-of-fold AUROC (ties: the smaller C,
    i.e. stronger regularisation). Threshold: the one maximising Youden's J = Se + Sp − 1 on
    that C's out-of-fold scores (Youden 1950, "Index for rating diagnostic tests", Cancer
    3:32-35) — the threshold that leaves the Rogan–Gladen correction of an audit's flag rates
    the smallest variance, since that divides by J.

    Returns:
        ``(C, threshold)``.
    """
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    y = np.asarray(labels)
    if groups is not None:
        splits = list(LeaveOneGroupOut().split(texts, y, list(groups)))
    else:
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, y))

    def out_of_fold(c: float) -> tuple[float, np.ndarray]:
        scores, aucs = np.empty(len(y)), []
        for train, test in splits:
            model = OfflineTraceClassifier(C=c).fit([texts[i] for i in train], y[train].tolist())
            scores[test] = model.score([texts[i] for i in test])
            aucs.append(auroc(scores[test], y[test]))
        return float(np.mean(aucs)), scores

    runs = {c: out_of_fold(c) for c in C_GRID}
    best = max(C_GRID, key=lambda c: (round(runs[c][0], 4), -c))
    scores = runs[best][1]
    candidates = np.unique(scores)
    youden = [np.mean(scores[y == 1] >= t) + np.mean(scores[y == 0] < t) - 1 for t in candidates]
    return best, round(float(candidates[int(np.argmax(youden))]), 6)


def fit_heads(path: Path = HEADS) -> dict[str, Any]:
    """Fit one head per signal on the training split, measure it on the held-out split, save.

    Returns:
        What was written.
    """
    heads: dict[str, Any] = {}
    for name in SIGNALS:
        train, test = corpus("train", name), corpus("test", name)
        c, threshold = cross_validate(train.texts, train.labels)
        model = OfflineTraceClassifier(C=c, threshold=threshold).fit(train.texts, train.labels)
        figures = validate(model.score(test.texts), test.labels, model.threshold, n_boot=200)
        heads[name] = {
            "model": model.to_json(),
            "held_out": {
                "sensitivity": round(figures.sensitivity, 6),
                "specificity": round(figures.specificity, 6),
                "n_positive": figures.n_positive,
                "n_negative": figures.n_negative,
                "auroc": round(figures.auroc[0], 6),
            },
        }
    data = {"schema": SCHEMA, "corpus_sha256": corpus_sha256(), "heads": heads}
    path.write_text(json.dumps(data, indent=1) + "\n")
    return fit_long_head(path)


LONG_HEAD = "faking_reasoning_long"
"""The heads file's entry of the long-scratchpad head of :data:`FAKING_REASONING`."""


def out_of_author(c: float, texts: list[str], labels: list[int], authors: Sequence[str]) -> Any:
    """Each long scratchpad scored by a head fitted on the other authors' (C = ``c``)."""
    from sklearn.model_selection import LeaveOneGroupOut

    y, scores = np.asarray(labels), np.empty(len(labels))
    for train, test in LeaveOneGroupOut().split(texts, y, list(authors)):
        model = OfflineTraceClassifier(C=c).fit([texts[i] for i in train], y[train].tolist())
        scores[test] = model.score([texts[i] for i in test])
    return scores


def fit_long_head(path: Path = HEADS) -> dict[str, Any]:
    """Fit the long-scratchpad head on every author's scratchpads and record how it generalises.

    C and the threshold come from leave-one-author-out cross-validation
    (:func:`cross_validate` with the authors as groups); the recorded figures are that
    cross-validation's out-of-author scores at the chosen C: each scratchpad scored by a head
    that never saw its author. The short heads in ``path`` are left as they are.

    Returns:
        What was written.
    """
    long = long_corpus()
    texts = [plain(t) for t in long.texts]
    c, threshold = cross_validate(texts, long.labels, groups=long.authors)
    figures = validate(
        out_of_author(c, texts, long.labels, long.authors), long.labels, threshold, n_boot=1000
    )
    model = OfflineTraceClassifier(C=c, threshold=threshold).fit(texts, long.labels)
    data: dict[str, Any] = json.loads(path.read_text())
    data["heads"][LONG_HEAD] = {
        "model": model.to_json(),
        "long_words": LONG_WORDS,
        "out_of_author": {
            "authors": len(set(long.authors)),
            "sensitivity": round(figures.sensitivity, 6),
            "specificity": round(figures.specificity, 6),
            "n_positive": figures.n_positive,
            "n_negative": figures.n_negative,
            "auroc": round(figures.auroc[0], 6),
            "auroc_ci": [round(v, 6) for v in figures.auroc[1]],
        },
    }
    data["corpus_sha256"] = corpus_sha256()
    path.write_text(json.dumps(data, indent=1) + "\n")
    shipped.cache_clear()
    return data


TraceHead = OfflineTraceClassifier | RoutedTraceClassifier
"""A shipped detector: one head, or (alignment-faking reasoning) the two routed by length."""


@functools.cache
def shipped(name: str = FAKING_REASONING) -> tuple[TraceHead, Calibration]:
    """The shipped detector for the signal ``name`` and its held-out calibration.

    For alignment-faking reasoning it is the :class:`RoutedTraceClassifier` of the short-trace
    head and the long-scratchpad head; the calibration is the short head's on the held-out
    split (the traces an audit reads).

    Raises:
        ValueError: For an unknown signal or an unreadable heads file.
    """
    try:
        data = json.loads(HEADS.read_text())
        head = data["heads"][name]
        long = data["heads"].get(LONG_HEAD) if name == FAKING_REASONING else None
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f"no shipped head for {name!r} in {HEADS}: {err}") from err
    short = OfflineTraceClassifier.from_json(head["model"])
    model: TraceHead = short
    if long is not None:
        model = RoutedTraceClassifier(
            short, OfflineTraceClassifier.from_json(long["model"]), long["long_words"]
        )
    return model, Calibration(**head["held_out"])
