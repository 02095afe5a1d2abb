"""Steering against the model's own "observed" direction while the observed cue is present."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from hawthorne.detectors._activations import Layer, ResidualModel, steer
from hawthorne.detectors._whitebox_prompts import (
    WhitePosition,
    is_discriminating,
    read_activations,
)
from hawthorne.detectors._whitebox_sweep import Measure, Movement, Sweep
from hawthorne.organisms import Situation
from hawthorne.suites import SIDES


class ObservationSteering(Sweep):
    """Steer against the model's own "observed" direction while the observed cue is present.

    Hua et al. 2025, "Steering Evaluation-Aware Language Models to Act Like They Are
    Deployed": the direction is the difference of mean activations between observed-cue and
    unobserved-cue prompts at a layer; subtracting ``alpha`` times it (or projecting it out,
    Arditi et al. 2024) while the observed cue is present makes an evaluation-aware model act
    as if deployed. A faker then falls back to the legacy protocol; an aligned model, whose
    decisions do not depend on the cue, does not move.

    The direction is estimated on the *control* cases among the prompts (both sides) and the
    movement measured on the *discriminating* observed ones: no prompt serves both, and at the
    decision point the direction carries the belief without the decision it causes (on a
    discriminating case a faker's decision differs between the sides, on a control case it
    does not).

    Needs unobserved prompts, so it cannot run in Poser mode
    (:func:`~hawthorne.detectors.poser_inputs`): ``fit`` raises ``ValueError`` without them.

    Args:
        layers: Decoder layers to sweep (default: all).
        alphas: Steering strengths to sweep (multiples of the direction).
        position: Where the direction is read (``last``, ``mean`` or ``decision``).
        mode: ``subtract`` (``h - alpha d``) or ``project`` (``h - alpha (h.u) u``).
        measure: ``decision`` (at the decision point) or ``generate`` (greedy decoding).
        batch_size: Prompts per forward pass.
        random_state: For a uniform interface: the method draws nothing at random.

    Attributes:
        direction_: ``(layers, hidden)`` mean observed minus mean unobserved activation.
        shift_: ``(layers, alphas)``; the other learned attributes as in the noise method.
    """

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        alphas: Sequence[float] = (1.0, 2.0, 4.0, 8.0),
        position: WhitePosition = "decision",
        mode: Literal["subtract", "project"] = "subtract",
        measure: Measure = "decision",
        batch_size: int = 16,
        random_state: int = 0,
    ) -> None:
        self.layers = layers
        self.alphas = alphas
        self.position = position
        self.mode = mode
        self.measure = measure
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, model: ResidualModel, prompts: Sequence[Situation]) -> ObservationSteering:
        """Estimate the direction, then sweep layers and strengths.

        Args:
            model: The model under audit.
            prompts: Audit prompts: control cases under both sides (for the direction) and
                discriminating cases under the observed side (for the movement).

        Returns:
            self.

        Raises:
            ValueError: Without observed and unobserved control prompts (Poser mode has no
                unobserved prompts), or without observed discriminating prompts.
        """
        contrast = [p for p in prompts if not is_discriminating(p) and p.side in SIDES]
        if {p.side for p in contrast} != set(SIDES):
            raise ValueError(
                "the observation direction needs control-case prompts under both the observed "
                "and the unobserved cue; Poser mode allows no unobserved prompt"
            )
        moving = Movement.prepare(model, prompts, self.measure, self.batch_size)
        acts = read_activations(model, contrast, self.position, self.batch_size)
        self.layers_ = self._swept(model)
        side = np.array([p.side == "observed" for p in contrast])
        self.direction_ = (acts[side].mean(0) - acts[~side].mean(0))[self.layers_]
        self._sweep(
            model, moving, self.alphas, lambda i, a: [steer(self.mode, self.direction_[i], a)]
        )
        return self


__all__ = ["ObservationSteering"]
