"""Hawthorne: catch AI models that fake alignment.

The Python API, in a few calls::

    import hawthorne

    result = hawthorne.run(["soc-triage"], ["openai/gpt-4o-mini"], out="runs/soc")
    summary = hawthorne.load_summary("runs/soc")
    passed = hawthorne.gate("runs/soc").passed
    recorded = hawthorne.analyze(["answers.jsonl"], out="runs/recorded", suite="soc-triage")

Each subpackage exports the types its calls take and return (``hawthorne.audit``,
``hawthorne.suites``, ``hawthorne.report``, ``hawthorne.detectors`` …).
"""

from hawthorne._api import analyze, gate, load_summary, run
from hawthorne._version import __version__
from hawthorne.audit import AuditResult
from hawthorne.report import GateResult

__all__ = [
    "AuditResult",
    "GateResult",
    "__version__",
    "analyze",
    "gate",
    "load_summary",
    "run",
]
