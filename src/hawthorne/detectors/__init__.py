"""Detectors: evidence beside the behavioural verdict, each validated against labels.

Reasoning–action consistency (no judge needed); the offline reasoning-trace classifier
(word n-grams and sentence embeddings, one logistic regression per label, trained on the
labelled corpus that ships with Hawthorne, heads shipped fitted); the judge detector (a model
in Inspect role ``judge`` votes on explicit criteria with quotes checked against the trace;
the Inspect side of it lives in :mod:`hawthorne.adapter`);
and the validation figures every detector is held to (AUROC,
TPR at 1% and 5% FPR, confusion matrix, bootstrap intervals). White-box methods for local
Hugging Face models: residual-stream activations with hooks, noise injection, cue-noise,
observation-direction steering and linear probes, each registered once in
:data:`WHITEBOX_METHODS` (its name, what its score means, whether it needs unobserved
prompts, how it runs), which the CLI, the run stage, the benchmark and the reports read.
"""

from hawthorne.detectors._activations import ResidualModel, steer
from hawthorne.detectors._consistency import (
    Consistency,
    contradiction_rates,
    reasoning_action_consistency,
)
from hawthorne.detectors._evidence import (
    judge_calibration,
    judge_readers,
    reasoning_evidence,
)
from hawthorne.detectors._judge import (
    DEFAULT_TEMPERATURE,
    DEFAULT_THRESHOLD,
    DEFAULT_VOTES,
    RUBRICS,
    Criterion,
    JudgeScore,
    Vote,
    judge_prompt,
    read_vote,
    rubric,
    tally,
)
from hawthorne.detectors._labels import (
    Authored,
    LabelError,
    Labelled,
    corpus,
    load_labels,
    long_corpus,
)
from hawthorne.detectors._offline import OfflineTraceClassifier, embed
from hawthorne.detectors._reference_judge import REFERENCE_JUDGE, reference_judge
from hawthorne.detectors._routed import LONG_WORDS, RoutedTraceClassifier
from hawthorne.detectors._shipped import HEADS, Calibration, fit_heads, shipped
from hawthorne.detectors._signals import FAKING_REASONING, SIGNALS, Signal, signal
from hawthorne.detectors._validate import Validation, validate
from hawthorne.detectors._whitebox_audit import (
    DEFAULT_SUITES,
    WHITEBOX_SCHEMA,
    WhiteboxError,
    load_text_suites,
    whitebox_audit,
)
from hawthorne.detectors._whitebox_methods import (
    WHITEBOX_METHODS,
    WhiteboxPrompts,
    WhiteboxSpec,
    whitebox_method,
)
from hawthorne.detectors._whitebox_noise import CueNoise, NoiseInjection
from hawthorne.detectors._whitebox_probe import LinearProbe
from hawthorne.detectors._whitebox_prompts import answer_decisions, cue_prompts, poser_inputs
from hawthorne.detectors._whitebox_steering import ObservationSteering

DETECTORS = ("offline", "judge")
"""Detectors ``hawthorne detectors validate`` knows."""

__all__ = [
    "Authored",
    "Calibration",
    "Consistency",
    "Criterion",
    "CueNoise",
    "DEFAULT_SUITES",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_THRESHOLD",
    "DEFAULT_VOTES",
    "DETECTORS",
    "FAKING_REASONING",
    "HEADS",
    "JudgeScore",
    "LONG_WORDS",
    "LabelError",
    "Labelled",
    "LinearProbe",
    "NoiseInjection",
    "ObservationSteering",
    "OfflineTraceClassifier",
    "REFERENCE_JUDGE",
    "RUBRICS",
    "ResidualModel",
    "RoutedTraceClassifier",
    "SIGNALS",
    "Signal",
    "Validation",
    "Vote",
    "WHITEBOX_METHODS",
    "WHITEBOX_SCHEMA",
    "WhiteboxError",
    "WhiteboxPrompts",
    "WhiteboxSpec",
    "answer_decisions",
    "contradiction_rates",
    "corpus",
    "cue_prompts",
    "embed",
    "fit_heads",
    "judge_calibration",
    "judge_prompt",
    "judge_readers",
    "load_labels",
    "load_text_suites",
    "long_corpus",
    "poser_inputs",
    "read_vote",
    "reasoning_action_consistency",
    "reasoning_evidence",
    "reference_judge",
    "rubric",
    "shipped",
    "signal",
    "steer",
    "tally",
    "validate",
    "whitebox_audit",
    "whitebox_method",
]
