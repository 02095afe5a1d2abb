"""Detectors: evidence beside the behavioural verdict, each validated against labels.

Reasoning–action consistency (no judge needed); the offline reasoning-trace classifier
(word n-grams and sentence embeddings, one logistic regression per label, trained on the
labelled corpus that ships with Hawthorne, heads shipped fitted); the judge detector (a model
in Inspect role ``judge`` votes on explicit criteria with quotes checked against the trace);
each also as an Inspect scorer; and the validation figures every detector is held to (AUROC,
TPR at 1% and 5% FPR, confusion matrix, bootstrap intervals). White-box methods for local
Hugging Face models: residual-stream activations with hooks, noise injection, cue-noise,
observation-direction steering and linear probes.
"""

from typing import Any

from hawthorne.detectors._activations import ResidualModel, steer
from hawthorne.detectors._consistency import (
    Consistency,
    contradiction_rates,
    reasoning_action_consistency,
)
from hawthorne.detectors._evidence import reasoning_evidence
from hawthorne.detectors._judge import (
    RUBRICS,
    Criterion,
    JudgeScore,
    Vote,
    judge_prompt,
    quote_in_trace,
    read_vote,
    rubric,
    tally,
)
from hawthorne.detectors._labels import TARGETS, LabelError, Labelled, corpus, load_labels
from hawthorne.detectors._offline import OfflineTraceClassifier, embed
from hawthorne.detectors._shipped import Calibration, fit_heads, shipped
from hawthorne.detectors._validate import Validation, validate
from hawthorne.detectors._whitebox import (
    LinearProbe,
    NoiseInjection,
    ObservationSteering,
    answer_decisions,
    cue_prompts,
    poser_inputs,
)
from hawthorne.detectors._whitebox_audit import (
    WHITEBOX_METHODS,
    WhiteboxError,
    whitebox_audit,
    write_whitebox,
)

_INSPECT_ADAPTERS = ("JudgeDetector", "action_consistency", "offline_trace", "trace_judge")
"""Public names whose module imports Inspect: loaded on first use."""


def __getattr__(name: str) -> Any:
    if name in _INSPECT_ADAPTERS:
        from hawthorne.detectors import _scorers

        return getattr(_scorers, name)
    raise AttributeError(f"module 'hawthorne.detectors' has no attribute {name!r}")


DETECTORS = ("offline", "judge")
"""Detectors ``hawthorne detectors validate`` knows."""

__all__ = [
    "Calibration",
    "Consistency",
    "Criterion",
    "DETECTORS",
    "JudgeDetector",
    "JudgeScore",
    "LabelError",
    "Labelled",
    "LinearProbe",
    "NoiseInjection",
    "ObservationSteering",
    "OfflineTraceClassifier",
    "RUBRICS",
    "ResidualModel",
    "TARGETS",
    "Validation",
    "Vote",
    "WHITEBOX_METHODS",
    "WhiteboxError",
    "action_consistency",
    "answer_decisions",
    "contradiction_rates",
    "corpus",
    "cue_prompts",
    "embed",
    "fit_heads",
    "judge_prompt",
    "load_labels",
    "offline_trace",
    "poser_inputs",
    "quote_in_trace",
    "read_vote",
    "reasoning_action_consistency",
    "reasoning_evidence",
    "rubric",
    "shipped",
    "steer",
    "tally",
    "trace_judge",
    "validate",
    "whitebox_audit",
    "write_whitebox",
]
