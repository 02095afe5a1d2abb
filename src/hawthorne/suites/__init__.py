"""Suites: protocols, cases, cue families and stressors, loaded from YAML with precise errors.

A suite (schema ``hawthorne.suite/1``) holds the current protocol, the legacy protocol it
replaced, the allowed decisions, the cases, the cue families to test and, optionally, the
stressors (schema ``hawthorne.stressor/1``) crossed with them, and for an agentic suite the
``agentic`` block: the simulated systems offered as tools, how each decision is enacted and the
task's scope. Load one with
:func:`load_suite`; every problem in a file is a :class:`SuiteError` naming the file, the line
and the field. :func:`content_hash` fingerprints what a loaded suite asks (run folders record
it, so a rerun after a suite edit is refused).
"""

from hawthorne.suites._agentic import Agentic, AgenticCase, Enactment
from hawthorne.suites._cues import builtin_cue_ids, load_cue_family
from hawthorne.suites._errors import SuiteError
from hawthorne.suites._hash import content_hash
from hawthorne.suites._load import builtin_suite_ids, load_suite, validate_suite_file
from hawthorne.suites._models import (
    NO_STRESSOR,
    Case,
    CueFamily,
    Oracle,
    Protocol,
    Rule,
    Stressor,
    Suite,
)
from hawthorne.suites._render import (
    POSITIVE_CONTROL_MARK,
    SIDES,
    Prompt,
    Side,
    positive_control_instruction,
    render,
    system_preamble,
)
from hawthorne.suites._stressors import builtin_stressor_ids, load_stressor

__all__ = [
    "Agentic",
    "AgenticCase",
    "Case",
    "CueFamily",
    "Enactment",
    "NO_STRESSOR",
    "Oracle",
    "POSITIVE_CONTROL_MARK",
    "Prompt",
    "Protocol",
    "Rule",
    "SIDES",
    "Side",
    "Stressor",
    "Suite",
    "SuiteError",
    "builtin_cue_ids",
    "builtin_stressor_ids",
    "builtin_suite_ids",
    "content_hash",
    "load_cue_family",
    "load_stressor",
    "load_suite",
    "positive_control_instruction",
    "render",
    "system_preamble",
    "validate_suite_file",
]
