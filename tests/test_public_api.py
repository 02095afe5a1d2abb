"""The public surface: deliberate, sorted, documented, and Inspect-free where it should be.

Each subpackage's ``__all__`` is pinned here (as httpx does): adding or removing a public name
is a decision, made by editing this list. Every exported name has a docstring: a function's or
class's own, or for a constant or type alias the string literal right after its assignment.
"""

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import hawthorne

SURFACE: dict[str, list[str]] = {
    "": [
        "AuditResult",
        "GateResult",
        "__version__",
        "analyze",
        "gate",
        "load_summary",
        "run",
    ],
    "adapter": [
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
    ],
    "audit": [
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
    ],
    "cli": [
        "main",
    ],
    "client": [
        "AuthError",
        "BufferFull",
        "Client",
        "ServerError",
    ],
    "detectors": [
        "Authored",
        "Calibration",
        "Consistency",
        "Criterion",
        "CueNoise",
        "DEFAULT_SUITES",
        "DEFAULT_TEMPERATURE",
        "DEFAULT_THRESHOLD",
        "DEFAULT_VOTES",
        "DETECTORS",
        "FAKING_REASONING",
        "HEADS",
        "JudgeScore",
        "LONG_WORDS",
        "LabelError",
        "Labelled",
        "LinearProbe",
        "NoiseInjection",
        "ObservationSteering",
        "OfflineTraceClassifier",
        "REFERENCE_JUDGE",
        "RUBRICS",
        "ResidualModel",
        "RoutedTraceClassifier",
        "SIGNALS",
        "Signal",
        "Validation",
        "Vote",
        "WHITEBOX_METHODS",
        "WHITEBOX_SCHEMA",
        "WhiteboxError",
        "WhiteboxPrompts",
        "WhiteboxSpec",
        "answer_decisions",
        "contradiction_rates",
        "corpus",
        "cue_prompts",
        "embed",
        "fit_heads",
        "judge_calibration",
        "judge_prompt",
        "judge_readers",
        "load_labels",
        "load_text_suites",
        "long_corpus",
        "poser_inputs",
        "read_vote",
        "reasoning_action_consistency",
        "reasoning_evidence",
        "reference_judge",
        "rubric",
        "shipped",
        "signal",
        "steer",
        "tally",
        "validate",
        "whitebox_audit",
        "whitebox_method",
    ],
    "models": [
        "MODELS",
        "ModelError",
        "ModelSource",
        "fetch",
        "model_dir",
    ],
    "monitor": [
        "Alarm",
        "Baseline",
        "BaselineRef",
        "Checked",
        "Checker",
        "DEPLOYMENT_SCHEMA",
        "DecisionIn",
        "Deployment",
        "DeploymentError",
        "LiveOutcome",
        "MonitorPlan",
        "MonitorSettings",
        "Observation",
        "OtlpError",
        "ProtocolRef",
        "ShadowSettings",
        "SpanDecisions",
        "StreamState",
        "ToolCall",
        "decode_traces",
        "describe_error",
        "load_deployment",
        "parse_deployment",
        "plan_monitor",
        "read_baseline",
        "replay",
        "resembles",
        "stream_key",
        "stream_status",
    ],
    "oracle": [
        "Judgement",
        "MIN_QUOTE_CHARS",
        "ORACLE_MODES",
        "OUTCOMES",
        "OracleMode",
        "Outcome",
        "REFUSED",
        "UNCLEAR",
        "classify",
        "extract_reasoning",
        "is_adherent",
        "is_judge_prompt",
        "judge_prompt",
        "needs_judge",
        "parse_decision",
        "quote_in_text",
        "read_by",
        "read_judgement",
        "reference_judge",
        "reference_reading",
        "reply_object",
    ],
    "organisms": [
        "Batcher",
        "ChatServer",
        "Decoding",
        "KINDS",
        "Kind",
        "OrganismInfo",
        "SCRIPTED_TARGETS",
        "Situation",
        "TrainConfig",
        "ZOO_SUITES",
        "ZooError",
        "demo_targets",
        "kind",
        "load_manifest",
        "organism",
        "organism_batcher",
        "organisms",
        "parse_tool_calls",
        "scripted_answer",
        "scripted_plan",
        "serve_organisms",
        "situation",
        "suites_hash",
        "tool_text",
        "train_zoo",
        "trained_paraphrases",
        "zoo_dir",
    ],
    "pairs": [
        "Answer",
        "CONTROL_EVERY",
        "PairRecord",
        "PairSpec",
        "plan_stratum",
        "read_answer",
    ],
    "recorded": [
        "CONDITIONS",
        "FIELDS",
        "NO_SUITE",
        "RecordError",
        "Recorded",
        "analyze",
        "read_records",
    ],
    "report": [
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
    ],
    "review": [
        "DEVIATIONS",
        "Direction",
        "Draw",
        "LABELS",
        "Label",
        "LabelledItem",
        "OverrideSummary",
        "OverrideTest",
        "PERIODS",
        "Period",
        "ReviewPlan",
        "STRATA",
        "Sampled",
        "direction_of",
        "draw_sample",
        "estimate_period",
        "label_of_oracle",
        "override_summary",
        "period_bounds",
        "period_end",
        "period_of",
        "stratum_of",
    ],
    "runtime": [
        "Engine",
        "EngineHost",
        "HostError",
        "HostedEngine",
        "MAX_NEW_TOKENS",
        "Message",
        "engine_host",
        "left_pad",
        "prompt_ids",
    ],
    "server": [
        "DEFAULT_HOST",
        "DEFAULT_PORT",
        "MAX_BATCH",
        "MAX_BODY",
        "create_app",
        "is_loopback",
        "serve",
    ],
    "shadow": [
        "ShadowError",
        "ShadowPlan",
        "ShadowProgress",
        "ShadowRun",
        "ShadowWorker",
        "Unscorable",
        "is_sampled",
        "run_shadow",
        "select_sampled",
        "shadow_case",
        "shadow_plan",
        "shadow_prompt",
        "shadow_statistics",
        "shadow_status",
    ],
    "stats": [
        "BernoulliCusum",
        "BettingConfidenceSequence",
        "Kappa",
        "Labels",
        "RateDropTest",
        "RateEstimate",
        "Scores",
        "StratumSample",
        "attribute_sample_size",
        "auroc",
        "bootstrap_ci",
        "cohen_kappa",
        "corrected_prevalence",
        "cusum_arl",
        "cusum_threshold",
        "cusum_weights",
        "deviation_upper_bound",
        "drop_alternatives",
        "drop_log_e",
        "fisher_exact",
        "holm",
        "independent_difference_ci",
        "mcnemar_exact",
        "meets_tolerable_rate",
        "paired_difference_ci",
        "rate_confidence_sequence",
        "stratified_rate",
        "threshold_at_fpr",
        "tpr_at_fpr",
        "wilson_interval",
    ],
    "store": [
        "FINDING_STATUSES",
        "Identity",
        "ItemResult",
        "Live",
        "OPEN_STATUSES",
        "OverrideError",
        "ROLES",
        "Refused",
        "Registry",
        "ReviewError",
        "Role",
        "SCOPES",
        "SHADOW_STATUSES",
        "Scope",
        "ShadowCandidate",
        "ShadowPair",
        "Store",
        "StoreError",
        "UnknownDeployment",
        "act",
        "authenticate_key",
        "authenticate_password",
        "create_account",
        "create_key",
        "create_plan",
        "default_url",
        "draw_due",
        "ensure_admin",
        "get_plan",
        "label_item",
        "list_accounts",
        "list_actions",
        "list_findings",
        "list_keys",
        "list_plans",
        "load_shadow_pairs",
        "monitor_status",
        "next_item",
        "override_status",
        "record",
        "record_override",
        "record_shadow_finding",
        "replay_streams",
        "resolve_url",
        "review_estimate",
        "revoke_key",
        "save_shadow_pairs",
        "shadow_asked_since",
        "shadow_candidates",
    ],
    "suites": [
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
    ],
    "systems": [
        "Action",
        "ActionKind",
        "Call",
        "ClassifiedAction",
        "Effect",
        "OPERATIONS",
        "Operation",
        "SCOPE_KEYS",
        "SIDE_EFFECTS",
        "SYSTEMS",
        "Scope",
        "SideEffect",
        "SystemName",
        "TraceReading",
        "World",
        "read_trace",
    ],
}

SRC = Path(hawthorne.__file__).parent


def _attribute_docstrings() -> set[str]:
    """Names assigned at module level with a string literal right after, anywhere in src."""
    names: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        body = ast.parse(path.read_text()).body
        for node, after in zip(body, body[1:], strict=False):
            targets = (
                node.targets if isinstance(node, ast.Assign)
                else [node.target] if isinstance(node, ast.AnnAssign) else []
            )  # fmt: skip
            documented = (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
            if documented:
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("package", sorted(SURFACE))
def test_public_surface_is_exactly_the_pinned_one(package: str) -> None:
    module = importlib.import_module(f"hawthorne.{package}" if package else "hawthorne")
    assert module.__all__ == sorted(module.__all__)
    assert module.__all__ == SURFACE[package]


@pytest.mark.parametrize("package", sorted(SURFACE))
def test_every_exported_name_has_a_docstring(package: str) -> None:
    module = importlib.import_module(f"hawthorne.{package}" if package else "hawthorne")
    documented = _attribute_docstrings()
    assert [
        n for n in module.__all__ if not _has_docstring(getattr(module, n), n, documented)
    ] == []


def _has_docstring(obj: object, name: str, documented: set[str]) -> bool:
    if name in documented or name == "__version__":
        return True
    doc = (getattr(obj, "__doc__", None) or "").strip()
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and doc:
        return True
    if callable(obj) and doc and doc != (type(obj).__doc__ or "").strip():
        return True  # a wrapped function (functools.cache) keeps its own docstring
    callback = getattr(obj, "callback", None)  # a click command: its function's docstring
    return bool(callback is not None and (callback.__doc__ or "").strip())


def test_every_subpackage_is_pinned() -> None:
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert packages | {""} == set(SURFACE)


def test_own_logic_does_not_import_inspect() -> None:
    # Suites, oracle, statistics, verdicts and reports are plain Python (DESIGN.md).
    code = (
        "import sys, hawthorne.suites, hawthorne.oracle, hawthorne.stats, hawthorne.report, "
        "hawthorne.systems, hawthorne.pairs, hawthorne.runtime, "
        "hawthorne.audit; print('inspect_ai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_production_half_loads_neither_inspect_nor_torch() -> None:
    # An application imports the SDK, and the server starts fast: neither needs the audit's
    # machinery (the monitor reads a run folder as files).
    code = (
        "import sys, hawthorne.client, hawthorne.client.otel, hawthorne.monitor, "
        "hawthorne.review, hawthorne.store, hawthorne.server; "
        "print(sorted(m for m in ('inspect_ai', 'torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
