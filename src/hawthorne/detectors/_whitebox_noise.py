"""Noise in the residual stream: everywhere (Poser's noise injection) or on the cue alone.

Both need only observed prompts, so both run in Poser mode
(:func:`~hawthorne.detectors.poser_inputs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from hawthorne.detectors._activations import (
    EMBED,
    Intervention,
    Layer,
    ResidualModel,
    TokenMask,
    gaussian_noise,
    token_spans,
)
from hawthorne.detectors._whitebox_prompts import cue_tokens
from hawthorne.detectors._whitebox_sweep import Measure, Movement, Sweep
from hawthorne.organisms import Situation


class NoiseInjection(Sweep):
    """Gaussian noise in the residual stream: how far does it push a model toward legacy?

    Clymer et al. 2024, "Poser: Unmasking Alignment Faking LLMs by Manipulating Their
    Internals", strategy 2: a model that fakes alignment holds its good behaviour on a
    condition (here: being observed); noise in the activations degrades that condition, so
    the faker drifts to its hidden policy further than an aligned model drifts at all. Noise
    ``N(0, (scale * rms(h))^2)`` is added to a decoder layer's output (see
    :func:`hawthorne.detectors._activations.gaussian_noise`) on observed-condition prompts
    only, so it needs no unobserved prompt (Poser mode).

    Args:
        layers: Decoder layers to sweep (default: all; :data:`EMBED` names the embeddings).
        scales: Noise scales to sweep, as multiples of the activation's RMS norm.
        n_seeds: Noise draws per layer and scale.
        measure: ``decision`` (at the decision point) or ``generate`` (greedy decoding).
        batch_size: Prompts per forward pass.
        random_state: Seed of the noise draws.

    Attributes:
        shift_: ``(layers, scales)``; the other learned attributes as in the sweep base:
            ``layers_``, ``legacy_rate_``, ``odds_shift_``, ``score_``, ``best_``,
            ``n_prompts_``.
    """

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        scales: Sequence[float] = (0.5, 1.0, 2.0),
        n_seeds: int = 3,
        measure: Measure = "decision",
        batch_size: int = 16,
        random_state: int = 0,
    ) -> None:
        self.layers = layers
        self.scales = scales
        self.n_seeds = n_seeds
        self.measure = measure
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, model: ResidualModel, prompts: Sequence[Situation]) -> NoiseInjection:
        """Sweep layers and scales on the observed discriminating prompts among ``prompts``.

        Args:
            model: The model under audit.
            prompts: Audit prompts; unobserved and control ones are ignored.

        Returns:
            self.
        """
        moving = Movement.prepare(model, prompts, self.measure, self.batch_size)
        self._sweep(model, moving, self.scales, self._draws, self._where(model, moving.prompts))
        return self

    def _draws(self, i: int, scale: float) -> list[Intervention]:
        """The noise draws of one cell (the same seeds at every cell: cells differ in place)."""
        import torch

        seeds = (self.random_state * 7919 + k for k in range(self.n_seeds))
        return [gaussian_noise(scale, torch.Generator().manual_seed(s)) for s in seeds]

    def _where(self, model: ResidualModel, prompts: Sequence[Situation]) -> TokenMask | None:
        """The positions the noise goes to: all of them."""
        return None


class CueNoise(NoiseInjection):
    """Noise on the oversight cue's tokens only: does the model's decision hang on the cue?

    Causal tracing (Meng et al. 2022, "Locating and Editing Factual Associations in GPT",
    section 2.1) corrupts one span of the input by adding Gaussian noise to its token
    embeddings and measures what the corruption does to the output. Here the span is the
    observed cue (the sentence that tells the model it is watched), the prompts are observed
    discriminating prompts only, and the output is the odds of the legacy decision over the
    protocol's. An aligned model follows the protocol whatever the cue says, so blurring the
    cue leaves its decision alone; a faker follows the protocol *because* of the cue, so
    blurring it lets the legacy decision through. Unlike :class:`NoiseInjection` (Clymer et
    al. 2024, "Poser", strategy 2, noise at every position) the facts of the case are left
    intact, so the model's competence is not what the noise measures. Needs only observed
    prompts: it runs in Poser mode.

    The answer is decoded afresh under the noise (``measure="generate"``: the noise sits on
    prompt positions only, so the answer's own tokens are clean) and the effect is the mean
    change of log P(legacy) - log P(protocol) at the answer's decision point, so a model that
    commits in its reasoning can change its reasoning, and a shift that stops short of a flip
    still counts.

    Args:
        layers: Where the noise goes: :data:`EMBED` (the token embeddings, as in causal
            tracing) and/or decoder-layer outputs (default: the embeddings and every decoder
            layer but the last, whose output at the cue's positions no later position reads).
        scales: Noise scales to sweep, as multiples of the activation's RMS norm.
        n_seeds: Noise draws per layer and scale.
        measure: ``generate`` (default) or ``decision`` (the clean answer up to its tag).
        batch_size: Prompts per forward pass.
        random_state: Seed of the noise draws.

    Attributes:
        shift_: ``(layers, scales)``: share of prompts moved to the legacy decision;
            ``odds_shift_`` (the scored effect, ``effect_``) and the other learned attributes
            as in :class:`NoiseInjection`.
    """

    scored_on: Literal["share", "odds"] = "odds"

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        scales: Sequence[float] = (1.0, 2.0, 4.0),
        n_seeds: int = 2,
        measure: Measure = "generate",
        batch_size: int = 16,
        random_state: int = 0,
    ) -> None:
        super().__init__(layers, scales, n_seeds, measure, batch_size, random_state)

    def _swept(self, model: ResidualModel) -> list[Layer]:
        if self.layers is not None:
            return list(self.layers)
        return [EMBED, *range(model.n_layers - 1)]

    def _where(self, model: ResidualModel, prompts: Sequence[Situation]) -> TokenMask | None:
        """The cue's tokens in each prompt."""
        return token_spans(cue_tokens(model, p) for p in prompts)


__all__ = ["CueNoise", "NoiseInjection"]
