"""Asking a target through Inspect: checking it can be reached, and running one look."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from hawthorne.audit._config import AuditConfig, Audited, AuditError, TargetFailed
from hawthorne.audit._plan import PairSpec
from hawthorne.audit._records import PairRecord
from hawthorne.audit._task import TARGET_KEY, audit_task, pair_samples, pairs_from_log
from hawthorne.suites import Suite

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
        AuditError: Unknown provider (lists the known ones), missing API key or base URL (names
            the variable), missing optional dependency.
    """
    from inspect_ai.model import get_model

    if "/" not in target:
        raise AuditError(
            f"target {target!r} is not a model string like 'openai/gpt-4o-mini'; "
            f"providers: {', '.join(known_providers())}"
        )
    try:
        get_model(target)
    except ValueError as err:
        if "not recognized" in str(err):
            provider = target.split("/")[0]
            raise AuditError(
                f"unknown provider {provider!r} in target {target!r}; "
                f"providers: {', '.join(known_providers())}"
            ) from None
        raise AuditError(f"target {target!r}: {_plain(str(err))}") from None
    except Exception as err:  # PrerequisiteError and provider-specific start-up errors
        raise AuditError(f"target {target!r}: {_plain(str(err))}") from None


def run_looks(
    looks: Sequence[tuple[Audited, Sequence[PairSpec]]],
    suites: Mapping[str, Suite],
    log_dir: Path,
    config: AuditConfig,
) -> dict[str, dict[str, PairRecord]]:
    """Ask several targets one look's pairs each, in a single Inspect eval run in parallel.

    One task per target (the task carries its model), all in one ``eval`` call, so the targets
    are asked at the same time and the per-eval start-up is paid once per look, not per target.

    Args:
        looks: Each target with the pairs to ask it.
        suites: Suites by id.
        log_dir: Where the Inspect logs go.
        config: The audit (concurrency, retries, neutral side).

    Returns:
        The finished pairs by key, per target label.

    Raises:
        TargetFailed: If a target's eval failed; every finished pair is in the logs and counts
            on resume.
    """
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    tasks = []
    for target, specs in looks:
        samples = [
            sample
            for suite_id in dict.fromkeys(spec.suite for spec in specs)
            for sample in pair_samples(
                suites[suite_id],
                [s for s in specs if s.suite == suite_id],
                target.positive_control,
                config.neutral,
            )
        ]
        # A fresh model per look, as `eval(model=...)` would make: a memoized one keeps the
        # client (and base URL) of the first look in the process.
        model = get_model(target.model, memoize=False)
        tasks.append(audit_task("hawthorne_audit", samples, {TARGET_KEY: target.label}, model))
    labels = ", ".join(repr(t.label) for t, _ in looks)
    try:
        logs = inspect_eval(
            tasks,
            log_dir=str(log_dir),
            display="none",
            max_connections=config.max_connections,
            max_retries=config.max_retries,
            max_tasks=len(tasks),
            fail_on_error=True,
            log_level="error",
            log_realtime=False,
        )
    except Exception as err:
        raise TargetFailed(
            f"target {labels} failed: {_plain(str(err))}. Finished pairs are saved under "
            f"{log_dir}; run the same command again to resume."
        ) from None
    out: dict[str, dict[str, PairRecord]] = {}
    for (target, specs), log in zip(looks, logs, strict=True):
        finished = pairs_from_log(log, target.label)
        if log.status != "success":
            reason = _plain(log.error.message) if log.error else f"the eval was {log.status}"
            raise TargetFailed(
                f"target {target.label!r} failed mid-run: {reason}. {len(finished)} pairs of "
                f"this look finished and are saved under {log_dir}; run the same command again "
                "to resume."
            )
        missing = len(specs) - len(finished)
        if missing:
            raise TargetFailed(
                f"target {target.label!r}: {missing} pairs came back without an answer"
            )
        out[target.label] = finished
    return out
