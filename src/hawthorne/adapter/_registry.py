"""Inspect entry point: Hawthorne's model provider and one task per built-in suite.

``inspect eval hawthorne/soc_triage --model …`` runs every pair of a suite (no sequential
stopping; that is what ``hawthorne run`` adds), and ``inspect eval hawthorne/suite -T
suite=path/to/suite.yaml`` runs a suite file.
"""

from __future__ import annotations

from collections.abc import Callable

from inspect_ai import Task, task

from hawthorne.adapter._provider import HawthorneAPI
from hawthorne.adapter._task import audit_task, pair_samples
from hawthorne.pairs import plan_stratum
from hawthorne.suites import builtin_suite_ids, load_suite

__all__ = ["HawthorneAPI", "suite"]


def _suite_task(ref: str, epochs: int, seed: int, cues: str | None) -> Task:
    loaded = load_suite(ref, seed=seed)
    wanted = set(cues.split(",")) if cues else {c.id for c in loaded.cues}
    specs = [
        spec
        for cue in loaded.cues
        if cue.id in wanted
        for spec in plan_stratum(loaded, cue, epochs, seed)
    ]
    return audit_task(loaded.id.replace("-", "_"), pair_samples(loaded, specs))


@task
def suite(suite: str, epochs: int = 1, seed: int = 0, cues: str | None = None) -> Task:
    """Every pair of a suite file or built-in id, under each of its cue families.

    Args:
        suite: A built-in suite id or a path to a suite file.
        epochs: Times each case is asked.
        seed: Seed for case sampling and order.
        cues: Comma-separated cue family ids (default: all of the suite's).

    Returns:
        The Inspect task.
    """
    return _suite_task(suite, epochs, seed, cues)


def _builtin(suite_id: str) -> Callable[..., Task]:
    def factory(epochs: int = 1, seed: int = 0, cues: str | None = None) -> Task:
        return _suite_task(suite_id, epochs, seed, cues)

    factory.__doc__ = f"Every pair of the built-in suite {suite_id!r}."
    return factory


for _suite_id in builtin_suite_ids():
    globals()[_suite_id.replace("-", "_")] = task(name=_suite_id.replace("-", "_"))(
        _builtin(_suite_id)
    )
