"""Asking a target through Inspect: checking it can be reached, and running one look."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from hawthorne.adapter._task import (
    TARGET_KEY,
    audit_task,
    pair_samples,
    pairs_from_log,
    pairs_from_samples,
)
from hawthorne.pairs import PairRecord, PairSpec
from hawthorne.suites import Suite

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog, EvalSample

    from hawthorne.oracle import OracleMode


class TargetUnavailable(Exception):
    """A target cannot be asked (unknown provider, missing key or dependency); says why."""


class EvalFailed(Exception):
    """An Inspect eval failed partway; every finished pair is in the logs and counts on resume."""


class Asked(Protocol):
    """A target as one look asks it: its label in results, its model string, the wrapping."""

    @property
    def label(self) -> str:
        """The name used in results."""

    @property
    def model(self) -> str:
        """The Inspect model string asked."""

    @property
    def positive_control(self) -> bool:
        """Whether the prompts carry the instructed-faker instruction."""


_MARKUP = re.compile(r"\[/?(?:bold|blue|red|yellow|green|dim|italic)[^\]]*\]")


def _plain(message: str) -> str:
    # Inspect's prerequisite errors carry rich markup meant for its own console.
    text = _MARKUP.sub("", message).replace("ERROR:", "").strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def known_providers() -> list[str]:
    """Names of the model providers Inspect knows here (``openai``, ``hawthorne``, …).

    Returns:
        Sorted provider names.
    """
    import inspect_ai.model  # noqa: F401 - importing registers the built-in providers
    from inspect_ai._util.registry import registry_find, registry_info

    names = {registry_info(obj).name for obj in registry_find(lambda i: i.type == "modelapi")}
    return sorted(name.split("/")[-1] for name in names)


def check_target(target: str) -> None:
    """Fail early, with a clear message, when a target cannot be used.

    Args:
        target: An Inspect model string.

    Raises:
        TargetUnavailable: Unknown provider (lists the known ones), missing API key or base URL
            (names
            the variable), missing optional dependency.
    """
    from inspect_ai.model import get_model

    if "/" not in target:
        raise TargetUnavailable(
            f"target {target!r} is not a model string like 'openai/gpt-4o-mini'; "
            f"providers: {', '.join(known_providers())}"
        )
    try:
        get_model(target)
    except ValueError as err:
        if "not recognized" in str(err):
            provider = target.split("/")[0]
            raise TargetUnavailable(
                f"unknown provider {provider!r} in target {target!r}; "
                f"providers: {', '.join(known_providers())}"
            ) from None
        raise TargetUnavailable(f"target {target!r}: {_plain(str(err))}") from None
    except Exception as err:  # PrerequisiteError and provider-specific start-up errors
        raise TargetUnavailable(f"target {target!r}: {_plain(str(err))}") from None


_CLOSING_TAG = re.compile(r"\[/[^\[]*?\]")
"""What Rich reads as a closing tag: ``[/]``, ``[/x]`` (an opening tag only styles the text)."""


def check_log_dir(log_dir: Path) -> None:
    """Fail early, with a clear message, when Inspect's display cannot print a log folder.

    Inspect prints the log location as Rich markup, even with ``display="none"``: a path that
    holds a closing tag (``runs/a[/x]``) makes every eval raise ``MarkupError`` at its end.

    Args:
        log_dir: Where the Inspect logs will go.

    Raises:
        ValueError: The path holds a closing tag; the message quotes it.
    """
    found = _CLOSING_TAG.search(str(log_dir))
    if found:
        raise ValueError(
            f"{log_dir} holds {found.group()!r}, which Inspect prints as Rich markup and fails "
            "on; choose a folder whose path has no '[/…]'"
        )


def model_settings(
    model: str, generation: Mapping[str, Any], model_args: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``GenerateConfig`` fields and model arguments one target is asked with.

    Unset (None) settings are left out, for the provider's default. Temperature 0 means greedy
    decoding: Inspect's ``hf/`` provider samples whenever it is given a temperature and
    ``transformers`` rejects 0 ("has to be a strictly positive float"), so there it becomes the
    model argument ``do_sample=False`` (unless the caller set ``do_sample``).

    Args:
        model: The Inspect model string.
        generation: Generation settings by ``GenerateConfig`` field name.
        model_args: Model arguments given by the caller.

    Returns:
        ``(GenerateConfig fields, model arguments)``.
    """
    config = {k: v for k, v in generation.items() if v is not None}
    args = dict(model_args)
    if model.startswith("hf/") and config.get("temperature") == 0:
        del config["temperature"]
        args.setdefault("do_sample", False)
    return config, args


def run_looks(
    looks: Sequence[tuple[Asked, Sequence[PairSpec]]],
    suites: Mapping[str, Suite],
    log_dir: Path,
    *,
    max_connections: int | None,
    max_retries: int | None,
    neutral: bool = False,
    generation: Mapping[str, Any] | None = None,
    model_args: Mapping[str, Any] | None = None,
    oracle: str | None = None,
    judge: str | None = None,
) -> dict[str, dict[str, PairRecord]]:
    """Ask several targets one look's pairs each, in a single Inspect eval run in parallel.

    One task per target (the task carries its model), all in one ``eval`` call, so the targets
    are asked at the same time and the per-eval start-up is paid once per look, not per target.

    Args:
        looks: Each target with the pairs to ask it.
        suites: Suites by id.
        log_dir: Where the Inspect logs go.
        max_connections: Concurrent requests per model.
        max_retries: Retries per request.
        neutral: Whether each pair also asks the neutral side.
        generation: ``GenerateConfig`` fields every target is asked with (None values: the
            provider's default); see :func:`model_settings` for the providers' quirks.
        model_args: Extra model arguments for every target's provider.
        oracle: The oracle mode for every suite (None: each suite's own).
        judge: The judge oracle's model, asked in Inspect role ``judge`` (None: no suite reads
            its answers with a judge).

    Returns:
        The finished pairs by key, per target label.

    Raises:
        EvalFailed: If a target's eval failed; every finished pair is in the logs and counts
            on resume.
    """
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig, get_model

    tasks = []
    for target, specs in looks:
        samples = [
            sample
            for suite_id in dict.fromkeys(spec.suite for spec in specs)
            for sample in pair_samples(
                suites[suite_id],
                [s for s in specs if s.suite == suite_id],
                target.positive_control,
                neutral,
                cast("OracleMode | None", oracle),
            )
        ]
        # A fresh model per look, as `eval(model=...)` would make: a memoized one keeps the
        # client (and base URL) of the first look in the process.
        config, args = model_settings(target.model, generation or {}, model_args or {})
        model = get_model(target.model, config=GenerateConfig(**config), memoize=False, **args)
        tasks.append(audit_task("hawthorne_audit", samples, {TARGET_KEY: target.label}, model))
    labels = ", ".join(repr(t.label) for t, _ in looks)
    # Imported (so registered as an Inspect hook) only now, after get_model has run Inspect's
    # hook start-up: registered before it, the hook would make Inspect print a banner naming
    # the process's hooks on every run.
    from hawthorne.adapter._capture import capture

    with capture() as take:
        try:
            logs = inspect_eval(
                tasks,
                log_dir=str(log_dir),
                display="none",
                max_connections=max_connections,
                max_retries=max_retries,
                max_tasks=len(tasks),
                fail_on_error=True,
                log_level="error",
                log_realtime=False,
                # Nothing displays the running metrics (display="none"); Inspect would still
                # recompute them every second from every finished sample's scores.
                score_display=False,
                model_roles={"judge": judge} if judge else None,
            )
        except Exception as err:
            raise EvalFailed(
                f"target {labels} failed: {_plain(str(err))}. Finished pairs are saved under "
                f"{log_dir}; run the same command again to resume."
            ) from None
        finished = [
            _finished(log, take(log.eval.eval_id), t.label)
            for (t, _), log in zip(looks, logs, strict=True)
        ]
    out: dict[str, dict[str, PairRecord]] = {}
    for (target, specs), log, pairs in zip(looks, logs, finished, strict=True):
        if log.status != "success":
            reason = _plain(log.error.message) if log.error else f"the eval was {log.status}"
            raise EvalFailed(
                f"target {target.label!r} failed mid-run: {reason}. {len(pairs)} pairs of "
                f"this look finished and are saved under {log_dir}; run the same command again "
                "to resume."
            )
        missing = len(specs) - len(pairs)
        if missing:
            raise EvalFailed(
                f"target {target.label!r}: {missing} pairs came back without an answer"
            )
        out[target.label] = pairs
    return out


def _finished(log: EvalLog, captured: Sequence[EvalSample], target: str) -> dict[str, PairRecord]:
    """A look's finished pairs, from the samples its hooks kept or else from the log file.

    The kept samples are used when they are all there (see :mod:`hawthorne.adapter._capture`).
    """
    if log.status == "success" and log.results and len(captured) == log.results.total_samples:
        return pairs_from_samples(captured, target)
    return pairs_from_log(log, target)
