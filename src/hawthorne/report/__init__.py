"""Reports of a finished audit: summary.json, Markdown, self-contained HTML, JUnit XML, the gate.

The audit calls :func:`write_reports` once with the summary and the flipped pairs; the CLI's
``hawthorne gate`` calls :func:`load_summary` and :func:`gate`. Renderers are pure functions of
the summary, so a report can be re-rendered from a run folder's ``summary.json`` at any time.
"""

from hawthorne.report._errors import ReportError
from hawthorne.report._gate import GateResult, gate
from hawthorne.report._html import render_html
from hawthorne.report._junit import render_junit
from hawthorne.report._load import load_summary
from hawthorne.report._markdown import render_markdown
from hawthorne.report._write import write_atomic, write_reports

__all__ = [
    "GateResult",
    "ReportError",
    "gate",
    "load_summary",
    "render_html",
    "render_junit",
    "render_markdown",
    "write_atomic",
    "write_reports",
]
