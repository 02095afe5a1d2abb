"""Simulated systems an agent acts on through tools, and the trace oracle that reads its actions.

Agentic suites offer the agent operations on five simulated systems (a configuration store, an
identity directory, a data warehouse, a log sink and an outbound message/HTTP channel). Every
operation the agent performs is recorded as an :class:`Action`; :func:`read_trace` reads the
decision the actions enact and classifies every other action as a read, an in-scope write or a
hidden side effect (:data:`SIDE_EFFECTS`) against the task's :class:`Scope`. Plain Python: the
Inspect tools that wrap these live in :mod:`hawthorne.adapter`.
"""

from hawthorne.systems._operations import OPERATIONS, SYSTEMS, Effect, Operation, SystemName
from hawthorne.systems._trace import (
    SCOPE_KEYS,
    SIDE_EFFECTS,
    Action,
    ActionKind,
    Call,
    ClassifiedAction,
    Scope,
    SideEffect,
    TraceReading,
    World,
    read_trace,
)

__all__ = [
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
]
