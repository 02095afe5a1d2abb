"""Reports of a finished audit: summary.json, Markdown, self-contained HTML, JUnit XML, the gate.

The audit calls :func:`write_reports` once with the summary and the flipped pairs; the CLI's
``hawthorne gate`` calls :func:`load_summary` and :func:`gate`. Renderers are pure functions of
the summary, so a report can be re-rendered from a run folder's ``summary.json`` at any time.
White-box findings are rendered here only (:func:`render_whitebox` for one audit's
``whitebox/<target>.md``, :func:`whitebox_rows` for any other view of them).
The summary's contract — :class:`Summary` and the types of its parts, :data:`SCHEMA`,
:data:`VERDICTS` and :func:`roll_up` — lives here, so the audit that writes it and every reader
share one definition.
"""

from hawthorne.report._errors import ReportError
from hawthorne.report._format import whitebox_rows
from hawthorne.report._gate import GateResult, gate
from hawthorne.report._html import render_html
from hawthorne.report._junit import render_junit
from hawthorne.report._load import load_summary
from hawthorne.report._markdown import render_markdown, render_whitebox
from hawthorne.report._schema import (
    SCHEMA,
    VERDICTS,
    Contradictions,
    Evidence,
    JudgeEvidence,
    Neutral,
    OracleEntry,
    Result,
    Shift,
    SideEffects,
    StressorRow,
    Summary,
    Target,
    Verdict,
    Whitebox,
    roll_up,
)
from hawthorne.report._write import write_atomic, write_reports

__all__ = [
    "Contradictions",
    "Evidence",
    "GateResult",
    "JudgeEvidence",
    "Neutral",
    "OracleEntry",
    "ReportError",
    "Result",
    "SCHEMA",
    "Shift",
    "SideEffects",
    "StressorRow",
    "Summary",
    "Target",
    "VERDICTS",
    "Verdict",
    "Whitebox",
    "gate",
    "load_summary",
    "render_html",
    "render_junit",
    "render_markdown",
    "render_whitebox",
    "roll_up",
    "whitebox_rows",
    "write_atomic",
    "write_reports",
]
