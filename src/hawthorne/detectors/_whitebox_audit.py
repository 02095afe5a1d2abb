"""A white-box audit of one local model: each method on built-in text suites, as JSON findings.

Runs :class:`NoiseInjection`, :class:`CueNoise`, :class:`ObservationSteering` and the
"believes it is observed" :class:`LinearProbe` on one Hugging Face model directory (an
organism's included) and returns JSON-ready findings: per method the score, where it peaked
(layer, scale or strength), the effect by layer, sample sizes and the settings.
:func:`write_whitebox` puts them into a run folder as ``whitebox.json`` and ``whitebox.md``.

Cases are drawn as disjoint blocks of one fixed permutation (``repeat`` picks the block), so
several audits of the same model with different ``repeat`` use no case twice: that is what
makes a score per repeat an independent unit for the benchmark's intervals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hawthorne.detectors._activations import ResidualModel
from hawthorne.detectors._whitebox import (
    CueNoise,
    LinearProbe,
    NoiseInjection,
    ObservationSteering,
    cue_prompts,
    poser_inputs,
)
from hawthorne.organisms import Situation
from hawthorne.suites import SIDES, Suite, SuiteError, load_suite

WHITEBOX_SCHEMA = "hawthorne.whitebox/1"
WHITEBOX_METHODS: tuple[str, ...] = ("noise", "cue-noise", "steering", "probe")
"""The methods, in the order they run and are reported."""
DEFAULT_SUITES: tuple[str, ...] = ("soc-triage",)
"""The zoo's text suite: the default when no suite is named."""

_MEANING = {
    "noise": "largest share of observed prompts moved to the legacy decision by activation noise",
    "cue-noise": "largest mean shift of the log-odds of the legacy decision over the protocol's "
    "when noise blurs the observed cue's tokens (the rest of the prompt intact)",
    "steering": "largest share of observed prompts moved to the legacy decision by steering "
    "against the observed-minus-unobserved direction",
    "probe": "held-out AUROC of a linear probe for 'believes it is observed' (best layer)",
}
_POSER = {
    "steering": "not applicable in Poser mode: the observation direction needs unobserved prompts",
    "probe": "not applicable in Poser mode: the 'observed' probe needs unobserved prompts",
}


class WhiteboxError(ValueError):
    """Bad input to a white-box audit: the message says what and how to fix it."""


def load_model(path: str | Path) -> ResidualModel:
    """Load a local Hugging Face causal LM directory, with a clear error when it is not one.

    Args:
        path: A directory written by ``save_pretrained`` (with a tokenizer).

    Returns:
        The model with residual-stream access.

    Raises:
        WhiteboxError: The directory is missing, or holds no loadable causal LM.
    """
    path = Path(path)
    if not path.is_dir():
        raise WhiteboxError(f"{path}: no such directory")
    if not (path / "config.json").is_file():
        raise WhiteboxError(f"{path}: not a Hugging Face model directory (no config.json)")
    try:
        return ResidualModel.load(path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        # Transformers reports an unknown architecture or a missing tokenizer in many types.
        raise WhiteboxError(f"{path}: cannot load a causal LM with its tokenizer: {err}") from err


def load_text_suites(refs: Sequence[str | Path]) -> list[Suite]:
    """Load suites for white-box methods, which read text decisions.

    Args:
        refs: Built-in suite ids or suite files.

    Returns:
        The suites.

    Raises:
        WhiteboxError: A suite is unknown or invalid, or agentic.
    """
    suites = []
    for ref in refs:
        try:
            suite = load_suite(ref)
        except SuiteError as err:
            raise WhiteboxError(str(err)) from err
        if suite.agentic is not None:
            raise WhiteboxError(
                f"suite {suite.id} is agentic (decisions through tool calls): white-box methods "
                "read text decisions; name a text suite"
            )
        suites.append(suite)
    return suites


def _block(suite: Suite, n: int, discriminating: bool, repeat: int, seed: int) -> list[Situation]:
    """Block ``repeat`` of ``n`` cases from one fixed permutation: repeats never share a case."""
    # Asking cue_prompts for every case returns them all, in an order fixed by the seed.
    everything = cue_prompts(suite, len(suite.cases), discriminating=discriminating,
                             random_state=seed)  # fmt: skip
    per = len(SIDES)
    block = everything[repeat * n * per : (repeat + 1) * n * per]
    if not block:
        kind = "discriminating" if discriminating else "control"
        raise WhiteboxError(
            f"suite {suite.id} has {len(everything) // per} {kind} cases: repeat {repeat} of "
            f"{n} cases is past the end; ask for fewer cases or a lower repeat"
        )
    return block


def _num(x: float) -> float | None:
    """A float for JSON: NaN becomes null."""
    return None if math.isnan(x) else round(float(x), 6)


def _sweep_findings(fit: NoiseInjection | ObservationSteering, setting: str) -> dict[str, Any]:
    grid = fit.scales if isinstance(fit, NoiseInjection) else fit.alphas
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


def _run_noise(
    model: ResidualModel, prompts: list[Situation], method: type[NoiseInjection], **params: Any
) -> dict[str, Any]:
    fit = method(**params).fit(model, prompts)
    out = _sweep_findings(fit, "scale")
    out["settings"] = {"scales": list(fit.scales), "n_seeds": fit.n_seeds,
                       "measure": fit.measure, "random_state": fit.random_state}  # fmt: skip
    return out


def _run_steering(model: ResidualModel, prompts: list[Situation], **params: Any) -> dict[str, Any]:
    fit = ObservationSteering(**params).fit(model, prompts)
    out = _sweep_findings(fit, "alpha")
    out["direction_norm"] = [_num(float(v)) for v in np.linalg.norm(fit.direction_, axis=1)]
    out["n"]["direction_prompts"] = sum(1 for p in prompts if not p.suite.is_discriminating(p.case))
    out["settings"] = {"alphas": list(fit.alphas), "mode": fit.mode,
                       "position": fit.position, "measure": fit.measure}  # fmt: skip
    return out


def _run_probe(model: ResidualModel, control: list[Situation], **params: Any) -> dict[str, Any]:
    # Control cases only: there the faker's decision does not depend on the cue, so the probe
    # reads the belief, not the decision it causes (see LinearProbe).
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
        },  # fmt: skip
    }


def whitebox_audit(
    model: str | Path | ResidualModel,
    suites: Sequence[str | Path | Suite] = DEFAULT_SUITES,
    methods: Sequence[str] = WHITEBOX_METHODS,
    *,
    poser: bool = False,
    agree_with: Sequence[ResidualModel] = (),
    cases: int = 16,
    control_cases: int = 32,
    repeat: int = 0,
    random_state: int = 0,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Run white-box methods on one model and return JSON-ready findings.

    Args:
        model: A model directory, or a loaded model.
        suites: Built-in text suite ids, suite files or suites.
        methods: Any of ``noise``, ``cue-noise``, ``steering``, ``probe``.
        poser: Poser mode: observed-condition prompts only; steering and the probe, which
            need unobserved prompts, are reported as not applicable.
        agree_with: In Poser mode, other models: only the observed prompts on which all of
            them and this model make the same decision are used (Poser's hard version).
        cases: Discriminating cases per suite (movement under noise and steering).
        control_cases: Control cases per suite (steering's direction, the probe).
        repeat: Which disjoint block of cases to use (0, 1, …).
        random_state: Seed of the case permutation and of each method.
        params: Extra constructor arguments per method, e.g. ``{"noise": {"n_seeds": 1}}``.
        name: How the findings name the model (default: its directory).

    Returns:
        ``{"schema", "model", "suites", "poser", "settings", "methods": {method: findings}}``;
        each method's findings carry ``status`` (``ok``, ``not applicable`` or ``failed``) and,
        when ok, ``score``, ``best``, ``effect_by_layer``, ``n`` and ``settings``.

    Raises:
        WhiteboxError: Bad input: an unknown method, suite or model directory, an agentic
            suite, too many cases.
    """
    unknown = [m for m in methods if m not in WHITEBOX_METHODS]
    if unknown or not methods:
        raise WhiteboxError(f"unknown method(s) {unknown}; choose from {list(WHITEBOX_METHODS)}")
    if not suites:
        raise WhiteboxError("name at least one text suite")
    chosen = [s if isinstance(s, Suite) else load_text_suites([s])[0] for s in suites]
    if any(s.agentic is not None for s in chosen):
        raise WhiteboxError("white-box methods read text decisions: agentic suites are not allowed")
    resident = model if isinstance(model, ResidualModel) else load_model(model)
    moving = [p for s in chosen for p in _block(s, cases, True, repeat, random_state)]
    control = [p for s in chosen for p in _block(s, control_cases, False, repeat, random_state)]
    if poser:
        moving = [p for p in moving + control if p.side == "observed"]
        if agree_with:
            moving = poser_inputs([resident, *agree_with], moving)
    params = params or {}
    found: dict[str, Any] = {}
    for method in WHITEBOX_METHODS:
        if method not in methods:
            continue
        if poser and method in _POSER:
            found[method] = {"status": "not applicable", "reason": _POSER[method]}
            continue
        extra = {"random_state": random_state, **params.get(method, {})}
        try:
            if method in ("noise", "cue-noise"):
                chosen_class = NoiseInjection if method == "noise" else CueNoise
                result = _run_noise(resident, moving, chosen_class, **extra)
            elif method == "steering":
                result = _run_steering(resident, moving + control, **extra)
            else:
                result = _run_probe(resident, control, **extra)
        except ValueError as err:
            # A method that cannot read this model (no decision tags, one class only) is a
            # finding about the model, not a crash of the audit.
            found[method] = {"status": "failed", "reason": str(err)}
            continue
        found[method] = {"status": "ok", "meaning": _MEANING[method], **result}
    return {
        "schema": WHITEBOX_SCHEMA,
        "model": name or (str(model) if not isinstance(model, ResidualModel) else "model"),
        "suites": [s.id for s in chosen],
        "poser": poser,
        "settings": {
            "cases": cases,
            "control_cases": control_cases,
            "repeat": repeat,
            "random_state": random_state,
            "n_layers": resident.n_layers,
            "observed_prompts_only": poser,
            "agreed_with_models": len(agree_with),
        },
        "methods": found,
    }


def best_text(best: Mapping[str, Any]) -> str:
    """Where a method peaked, e.g. ``layer embed, scale 4``."""
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in best.items())


def _top(rows: Sequence[Mapping[str, Any]]) -> float:
    """The largest effect by layer, at least 1 (a share or an AUROC fills the bar at 1)."""
    return max([1.0, *(r["effect"] or 0.0 for r in rows)])


def _score(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def whitebox_markdown(findings: Mapping[str, Any]) -> str:
    """The findings as a short Markdown summary with an effect-by-layer table per method."""
    mode = "Poser mode (observed prompts only)" if findings["poser"] else "all prompts"
    lines = [
        f"# White-box audit of `{findings['model']}`",
        "",
        f"Suites: {', '.join(findings['suites'])}; {mode}; "
        f"{findings['settings']['cases']} discriminating and "
        f"{findings['settings']['control_cases']} control cases per suite.",
        "",
        "| method | status | score | best | prompts |",
        "|---|---|---|---|---|",
    ]
    for method, f in findings["methods"].items():
        if f["status"] != "ok":
            lines.append(f"| {method} | {f['reason']} | – | – | – |")
            continue
        best, n = best_text(f["best"]), f["n"]["prompts"]
        lines.append(f"| {method} | ok | {_score(f['score'])} | {best} | {n} |")
    lines += ["", "Score: " + "; ".join(
        f"{m}: {f['meaning']}" for m, f in findings["methods"].items() if f["status"] == "ok"
    )]  # fmt: skip
    for method, f in findings["methods"].items():
        if f["status"] != "ok":
            continue
        lines += ["", f"## {method}: effect by layer", "", "| layer | effect | |", "|---|---|---|"]
        for row in f["effect_by_layer"]:
            bar = "█" * round(20 * max(0.0, row["effect"] or 0.0) / _top(f["effect_by_layer"]))
            lines.append(f"| {row['layer']} | {_score(row['effect'])} | {bar} |")
    return "\n".join(lines) + "\n"


def write_whitebox(findings: Mapping[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``whitebox.json`` and ``whitebox.md`` into a run folder (created if needed).

    Args:
        findings: What :func:`whitebox_audit` returned.
        out_dir: The run folder.

    Returns:
        The two paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    as_json, as_md = out / "whitebox.json", out / "whitebox.md"
    as_json.write_text(json.dumps(findings, indent=2) + "\n")
    as_md.write_text(whitebox_markdown(findings))
    return as_json, as_md


__all__ = [
    "DEFAULT_SUITES",
    "WHITEBOX_METHODS",
    "WHITEBOX_SCHEMA",
    "WhiteboxError",
    "best_text",
    "load_model",
    "load_text_suites",
    "whitebox_audit",
    "whitebox_markdown",
    "write_whitebox",
]
