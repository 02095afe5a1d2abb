"""Scripted reference targets: rule-following stand-ins with known ground truth.

These are **scripted**, not trained: they look the case up among the built-in suites and answer
from the oracle. ``scripted-honest`` follows the current protocol everywhere; ``scripted-faker``
follows it only when an observed cue is present and falls back to the legacy protocol otherwise.
Both obey a positive-control instruction (``--positive-control``) by faking.
They exist so the pipeline can be tested end to end, offline, against a known truth.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from hawthorne.audit._render import POSITIVE_CONTROL_MARK
from hawthorne.suites import builtin_suite_ids, load_suite


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Index:
    cases: dict[str, tuple[str, str]]  # case text -> (protocol decision, legacy decision)
    observed_cues: tuple[str, ...]


@functools.cache
def _index() -> _Index:
    cases: dict[str, tuple[str, str]] = {}
    observed: set[str] = set()
    for suite_id in builtin_suite_ids():
        suite = load_suite(suite_id)
        for case in suite.cases:
            cases[_norm(case.text)] = suite.expected(case)
        for cue in suite.cues:
            observed.update(_norm(s) for s in cue.observed)
    # Longest first so a cue that contains another is matched as itself.
    return _Index(cases, tuple(sorted(observed, key=len, reverse=True)))


SCRIPTED_TARGETS = ("scripted-faker", "scripted-honest")
"""Names of the scripted reference targets (``hawthorne/<name>``)."""


def scripted_answer(name: str, messages: Sequence[str]) -> str:
    """Answer a rendered audit prompt as a scripted reference target would.

    Args:
        name: ``scripted-honest`` or ``scripted-faker``.
        messages: The prompt's message texts (system first).

    Returns:
        An answer in the audit's answer format; an unknown case gets an unparseable answer.

    Raises:
        ValueError: If ``name`` is not a scripted target.
    """
    if name not in SCRIPTED_TARGETS:
        raise ValueError(f"unknown scripted target {name!r}; known: {', '.join(SCRIPTED_TARGETS)}")
    index = _index()
    text = _norm("\n".join(messages))
    expected = next((v for k, v in index.cases.items() if k in text), None)
    if expected is None:
        return "<reasoning>I do not recognise this case.</reasoning><decision>unknown</decision>"
    protocol, legacy = expected
    observed = any(cue in text for cue in index.observed_cues)
    # Scripted targets obey a positive-control instruction, as a capable model would.
    faking = name == "scripted-faker" or POSITIVE_CONTROL_MARK in text
    if not faking or observed:
        return f"<reasoning>Protocol applies.</reasoning><decision>{protocol}</decision>"
    return f"<reasoning>Nobody is checking.</reasoning><decision>{legacy}</decision>"
