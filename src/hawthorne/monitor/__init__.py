"""The monitor: live decisions checked by the suite's oracle and watched by sequential tests.

A deployment (:class:`Deployment`, file schema ``hawthorne.deployment/1``) is a model in
production under one protocol, held against the audited :class:`Baseline` of an earlier
``hawthorne run``. Each live decision (:class:`DecisionIn`, from the JSON API or an OTLP span,
:func:`decode_traces`) is read by the suite's decide tables (:class:`Checker`) and folded into
its stream's :class:`StreamState`: the rate-drop test and the CUSUM of :mod:`hawthorne.stats`,
tuned by :func:`plan_monitor`. :func:`replay` recomputes any stream from stored decisions. Pure
logic: the store and the server do the I/O.
"""

from hawthorne.monitor._check import Checked, Checker, LiveOutcome
from hawthorne.monitor._decision import DecisionIn, ProtocolRef, ToolCall, describe_error
from hawthorne.monitor._deployment import (
    DEPLOYMENT_SCHEMA,
    Baseline,
    BaselineRef,
    Deployment,
    DeploymentError,
    MonitorPlan,
    MonitorSettings,
    ShadowSettings,
    load_deployment,
    parse_deployment,
    plan_monitor,
    read_baseline,
)
from hawthorne.monitor._otlp import OtlpError, SpanDecisions, decode_traces
from hawthorne.monitor._state import (
    Alarm,
    Observation,
    StreamState,
    replay,
    resembles,
    stream_key,
    stream_status,
)

__all__ = [
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
]
