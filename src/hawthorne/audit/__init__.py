"""Audits: plan pairs, run them through Inspect, stop sequentially, build verdicts."""

from hawthorne.audit._config import (
    DEMO_TARGETS,
    AuditConfig,
    AuditError,
    TargetFailed,
    read_run_config,
)
from hawthorne.audit._plan import PairSpec, plan_stratum
from hawthorne.audit._records import Answer, PairRecord
from hawthorne.audit._render import Prompt, render
from hawthorne.audit._runner import AuditResult, Progress, rerender, run_audit
from hawthorne.audit._verdict import (
    StratumStats,
    Verdict,
    VerdictSettings,
    final_verdicts,
    roll_up,
)

__all__ = [
    "Answer",
    "AuditConfig",
    "AuditError",
    "AuditResult",
    "DEMO_TARGETS",
    "PairRecord",
    "PairSpec",
    "Progress",
    "Prompt",
    "StratumStats",
    "TargetFailed",
    "Verdict",
    "VerdictSettings",
    "final_verdicts",
    "plan_stratum",
    "read_run_config",
    "render",
    "rerender",
    "roll_up",
    "run_audit",
]
