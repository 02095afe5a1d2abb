"""The Inspect adapter: every piece of Hawthorne that imports ``inspect_ai`` lives here.

The audit task and its scorer (:func:`audit_task`, :func:`pair_samples`), the agent solver with
the simulated systems as tools, reading pairs back from ``.eval`` logs, running one look of
several targets in one eval (:func:`run_looks`), one side of pairs for shadow pairs
(:func:`ask_side`), the ``hawthorne/<name>`` model provider
(registered when this package is imported), the detectors as scorers, and the judge detector
whose votes go through Inspect role ``judge``. The entry point ``hawthorne.adapter._registry``
registers the provider and one task per built-in suite, so ``inspect eval hawthorne/<suite>``
works.
"""

from hawthorne.adapter import _provider  # noqa: F401 - registers the hawthorne/ provider
from hawthorne.adapter._inspect import (
    Asked,
    EvalFailed,
    TargetUnavailable,
    check_log_dir,
    check_target,
    known_providers,
    run_looks,
)
from hawthorne.adapter._scorers import JudgeDetector, action_consistency, offline_trace, trace_judge
from hawthorne.adapter._side import SideAnswer, ask_side
from hawthorne.adapter._task import (
    audit_task,
    load_pairs,
    logged_answers,
    pair_samples,
    pairs_from_log,
)

__all__ = [
    "Asked",
    "EvalFailed",
    "JudgeDetector",
    "SideAnswer",
    "TargetUnavailable",
    "action_consistency",
    "ask_side",
    "audit_task",
    "check_log_dir",
    "check_target",
    "known_providers",
    "load_pairs",
    "logged_answers",
    "offline_trace",
    "pair_samples",
    "pairs_from_log",
    "run_looks",
    "trace_judge",
]
