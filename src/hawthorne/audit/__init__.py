"""Audits: plan pairs, run them through Inspect, stop sequentially, build verdicts."""

from hawthorne.audit._config import (
    DEFAULT_MAX_TOKENS,
    REASONING_EFFORTS,
    AuditConfig,
    AuditError,
    TargetFailed,
    read_run_config,
)
from hawthorne.audit._demo import GroundTruthCheck, demo_plan, ground_truth_checks
from hawthorne.audit._fingerprint import Fingerprint
from hawthorne.audit._judge import JudgeSettings
from hawthorne.audit._runner import (
    AuditResult,
    Progress,
    ProgressCallback,
    rerender,
    run_audit,
)
from hawthorne.audit._stratum import IndependentStratum, Stratum
from hawthorne.audit._summary import summarize
from hawthorne.audit._verdict import (
    IndependentStats,
    StratumStats,
    VerdictRules,
    VerdictSettings,
    final_verdicts,
)
from hawthorne.audit._whitebox import RUN_METHODS, WhiteboxPlan, whitebox_target

# The verdict vocabulary and the roll-up belong to the summary's contract, which the report
# package owns; they are re-exported here because the audit is where verdicts are reached.
from hawthorne.report import Verdict, roll_up

__all__ = [
    "AuditConfig",
    "AuditError",
    "AuditResult",
    "DEFAULT_MAX_TOKENS",
    "Fingerprint",
    "GroundTruthCheck",
    "IndependentStats",
    "IndependentStratum",
    "JudgeSettings",
    "Progress",
    "ProgressCallback",
    "REASONING_EFFORTS",
    "RUN_METHODS",
    "Stratum",
    "StratumStats",
    "TargetFailed",
    "Verdict",
    "VerdictRules",
    "VerdictSettings",
    "WhiteboxPlan",
    "demo_plan",
    "final_verdicts",
    "ground_truth_checks",
    "read_run_config",
    "rerender",
    "roll_up",
    "run_audit",
    "summarize",
    "whitebox_target",
]
