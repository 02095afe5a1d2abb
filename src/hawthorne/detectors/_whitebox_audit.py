"""A white-box audit of one local model: each method on built-in text suites, as JSON findings.

Runs the methods of :data:`~hawthorne.detectors.WHITEBOX_METHODS` (noise injection, cue-noise,
observation steering, the "believes it is observed" probe) on one Hugging Face model directory
(an organism's included) and returns JSON-ready findings: per method the score and what it
means, where it peaked (layer, scale or strength), the effect by layer and its unit, sample
sizes and the settings. The run stage of ``hawthorne run`` and ``hawthorne whitebox`` write
them into a run folder (``whitebox/<target>.json``); the reports render them.

Cases are drawn as disjoint blocks of one fixed permutation (``repeat`` picks the block), so
several audits of the same model with different ``repeat`` use no case twice: that is what
makes a score per repeat an independent unit for the benchmark's intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hawthorne.detectors._activations import ResidualModel
from hawthorne.detectors._whitebox_methods import WHITEBOX_METHODS, WhiteboxPrompts
from hawthorne.detectors._whitebox_prompts import NotApplicable, cue_prompts, poser_inputs
from hawthorne.organisms import Situation
from hawthorne.suites import SIDES, Suite, SuiteError, load_suite

WHITEBOX_SCHEMA = "hawthorne.whitebox/1"
"""The schema of a white-box audit's findings."""
DEFAULT_SUITES: tuple[str, ...] = ("soc-triage",)
"""The zoo's text suite: the default when no suite is named."""


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


def load_text_suites(refs: Sequence[str | Path], *, seed: int = 0) -> list[Suite]:
    """Load suites for white-box methods, which read text decisions.

    Args:
        refs: Built-in suite ids or suite files.
        seed: Seed for sampling generated cases, as an audit with this seed loads them.

    Returns:
        The suites.

    Raises:
        WhiteboxError: A suite is unknown or invalid, or agentic.
    """
    suites = []
    for ref in refs:
        try:
            suite = load_suite(ref, seed=seed)
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


def whitebox_audit(
    model: str | Path | ResidualModel,
    suites: Sequence[str | Path | Suite] = DEFAULT_SUITES,
    methods: Sequence[str] | None = None,
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
        methods: Names in :data:`~hawthorne.detectors.WHITEBOX_METHODS`, run in its order
            (default: all of them).
        poser: Poser mode: observed-condition prompts only; a method that needs unobserved
            prompts (:attr:`~hawthorne.detectors.WhiteboxSpec.needs_unobserved`: steering,
            the probe) is reported as not applicable.
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
        when ok, ``meaning``, ``unit``, ``score``, ``best``, ``effect_by_layer``, ``n`` and
        ``settings`` (``reason`` otherwise).

    Raises:
        WhiteboxError: Bad input: an unknown method, suite or model directory, an agentic
            suite, too many cases.
    """
    methods = tuple(WHITEBOX_METHODS) if methods is None else methods
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
    prompts = WhiteboxPrompts(moving, control)
    params = params or {}
    found: dict[str, Any] = {}
    for method, spec in WHITEBOX_METHODS.items():
        if method not in methods:
            continue
        if poser and spec.needs_unobserved:
            reason = f"not applicable in Poser mode: {spec.needs_unobserved}"
            found[method] = {"status": "not applicable", "reason": reason}
            continue
        extra = {"random_state": random_state, **params.get(method, {})}
        try:
            result = spec.run(resident, prompts, extra)
        except NotApplicable as err:
            found[method] = {"status": "not applicable", "reason": str(err)}
            continue
        except ValueError as err:
            # A method that cannot read this model (no decision tags, one class only) is a
            # finding about the model, not a crash of the audit.
            found[method] = {"status": "failed", "reason": str(err)}
            continue
        found[method] = {"status": "ok", "meaning": spec.meaning, "unit": spec.unit, **result}
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


__all__ = [
    "DEFAULT_SUITES",
    "WHITEBOX_SCHEMA",
    "WhiteboxError",
    "load_model",
    "load_text_suites",
    "whitebox_audit",
]
