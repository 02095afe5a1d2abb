"""Detectors: evidence beside the behavioural verdict, each validated against labels.

So far: reasoning–action consistency (no judge needed); the offline reasoning-trace classifier
(sentence embeddings + logistic regression, trained on the labelled corpus that ships with
Hawthorne); and the validation figures every detector is held to (AUROC, TPR at 1% and 5% FPR,
confusion matrix, bootstrap intervals).
"""

from hawthorne.detectors._consistency import Consistency, reasoning_action_consistency
from hawthorne.detectors._labels import TARGETS, LabelError, Labelled, corpus, load_labels
from hawthorne.detectors._offline import OfflineTraceClassifier, embed
from hawthorne.detectors._validate import Validation, validate

DETECTORS = ("offline",)
"""Detectors ``hawthorne detectors validate`` knows."""

__all__ = [
    "Consistency",
    "DETECTORS",
    "LabelError",
    "Labelled",
    "OfflineTraceClassifier",
    "TARGETS",
    "Validation",
    "corpus",
    "embed",
    "load_labels",
    "reasoning_action_consistency",
    "validate",
]
