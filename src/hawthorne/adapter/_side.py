"""Asking one side of planned pairs through Inspect: the observed half of a shadow pair.

A shadow pair's other half is a live answer the model already gave, so only one side is asked.
The samples are the audit's (:func:`pair_samples`: the same rendering, metadata and agent
solver, :func:`audit_task`), the model is built with the audit's generation settings
(:func:`model_settings`), and the eval runs as a look does, except that one sample's failure
does not stop the others: each failed request comes back with its error, so the caller can
store it and ask nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hawthorne.adapter._inspect import TargetUnavailable, _plain, model_settings
from hawthorne.adapter._task import audit_task, pair_samples
from hawthorne.adapter._tools import recorded_actions
from hawthorne.pairs import PairSpec
from hawthorne.suites import Side, Suite
from hawthorne.systems import Action

SIDE_KEY = "hawthorne_side"
"""Task metadata key naming the side a one-sided eval asked (its logs are no audit's looks)."""


@dataclass(frozen=True)
class SideAnswer:
    """One planned pair's prompt under one side, as the model answered it.

    Attributes:
        key: The pair's key (:attr:`PairSpec.key`).
        text: The final answer text (empty when the request failed).
        actions: The actions its tools recorded (agentic suites; empty otherwise).
        error: Why no answer came back (None: it was answered).
    """

    key: str
    text: str
    actions: tuple[Action, ...] = ()
    error: str | None = None


_RAISED = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b.*$")


def error_text(error: Any) -> str:
    """What an Inspect sample error says, in one line.

    A request that failed after its retries is a ``tenacity.RetryError`` whose message names no
    cause (``RetryError(<Future at 0x… raised APIConnectionError>)``); its traceback's last
    exception line that is not tenacity's says what happened (``openai.APIConnectionError:
    Connection error.``).
    """
    message = _plain(str(getattr(error, "message", error))) or "failed"
    if not message.startswith("RetryError"):
        return message
    raised = [
        line.strip()
        for line in str(getattr(error, "traceback", "") or "").splitlines()
        if _RAISED.match(line.strip()) and not line.startswith("tenacity.")
    ]
    return f"{raised[-1]} (after retries)" if raised else message


def _answers(samples: Iterable[Any], side: Side) -> dict[str, SideAnswer]:
    out: dict[str, SideAnswer] = {}
    for sample in samples:
        key = str(sample.id).removesuffix(f"/{side}")
        if sample.error is not None:
            out[key] = SideAnswer(key, "", (), error_text(sample.error))
        elif not sample.output or not sample.output.choices:
            out[key] = SideAnswer(key, "", (), "the model returned no answer")
        else:
            actions = tuple(recorded_actions(sample.store))
            out[key] = SideAnswer(key, sample.output.completion, actions)
    return out


def ask_side(
    model: str,
    suite: Suite,
    specs: Sequence[PairSpec],
    side: Side,
    log_dir: Path,
    *,
    max_connections: int | None,
    max_retries: int | None,
    generation: Mapping[str, Any] | None = None,
    model_args: Mapping[str, Any] | None = None,
) -> dict[str, SideAnswer]:
    """Ask one model one side of planned pairs, in one Inspect eval.

    Every sample is rendered as an audit renders it (:func:`pair_samples`) and answered by the
    audit's solver; the answers are returned for the caller's oracle to read (the outcome
    scorer runs too, reading with the ``<decision>`` tag only, so no judge is asked). A request
    that fails after its retries comes back with its error instead of stopping the eval.

    Args:
        model: The Inspect model string.
        suite: The suite the pairs come from (every spec's case among its cases).
        specs: The planned pairs.
        side: Which side to ask.
        log_dir: Where the Inspect log goes.
        max_connections: Concurrent requests to the model.
        max_retries: Retries per request (None: Inspect's default, which retries for ever).
        generation: ``GenerateConfig`` fields (see :func:`model_settings`).
        model_args: Extra model arguments for the provider.

    Returns:
        One answer per spec, by its key.

    Raises:
        TargetUnavailable: The model cannot be built (unknown provider, missing key or
            dependency); nothing was asked.
    """
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig, get_model

    if not specs:
        return {}
    samples = [
        sample
        for sample in pair_samples(suite, specs, neutral=side == "neutral", oracle="parse")
        if sample.metadata and sample.metadata["side"] == side
    ]
    config, args = model_settings(model, generation or {}, model_args or {})
    try:
        target = get_model(model, config=GenerateConfig(**config), memoize=False, **args)
    except Exception as err:  # unknown provider, missing key: nothing was asked
        raise TargetUnavailable(f"target {model!r}: {_plain(str(err))}") from None
    task = audit_task("hawthorne_side", samples, {SIDE_KEY: side}, target)
    from hawthorne.adapter._capture import capture

    with capture() as take:
        try:
            (log,) = inspect_eval(
                task,
                log_dir=str(log_dir),
                display="none",
                max_connections=max_connections,
                max_retries=max_retries,
                fail_on_error=False,
                retry_on_error=0,
                log_level="error",
                log_realtime=False,
                score_display=False,
            )
        except Exception as err:
            reason = f"the eval failed: {_plain(str(err))}"
            return {spec.key: SideAnswer(spec.key, "", (), reason) for spec in specs}
        captured = take(log.eval.eval_id)
    done = captured if len(captured) == len(samples) else (log.samples or [])
    answers = _answers(done, side)
    reason = _plain(log.error.message) if log.error else f"the eval ended {log.status}"
    missing = {s.key: SideAnswer(s.key, "", (), reason) for s in specs if s.key not in answers}
    return {**answers, **missing}
