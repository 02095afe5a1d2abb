"""Audits: plan pairs, run them through Inspect, stop sequentially, build verdicts."""

from hawthorne.audit._config import (
    DEMO_TARGETS,
    AuditConfig,
    AuditError,
    TargetFailed,
    read_run_config,
)
from hawthorne.audit._judge import JudgeSettings
from hawthorne.audit._runner import AuditResult, Progress, rerender, run_audit
from hawthorne.audit._verdict import (
    StratumStats,
    Verdict,
    VerdictSettings,
    final_verdicts,
    roll_up,
)
from hawthorne.audit._whitebox import RUN_METHODS

__all__ = [
    "AuditConfig",
    "AuditError",
    "AuditResult",
    "DEMO_TARGETS",
    "JudgeSettings",
    "Progress",
    "RUN_METHODS",
    "StratumStats",
    "TargetFailed",
    "Verdict",
    "VerdictSettings",
    "final_verdicts",
    "read_run_config",
    "rerender",
    "roll_up",
    "run_audit",
]
