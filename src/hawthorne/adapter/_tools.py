"""The simulated systems as Inspect tools, recording every action in the sample's store.

This module imports Inspect; the systems and the trace oracle themselves are plain Python
(:mod:`hawthorne.systems`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import Tool, ToolDef, ToolParam, ToolParams
from inspect_ai.util import store

from hawthorne.systems import OPERATIONS, Action, Operation, World

TRACE_KEY = "hawthorne_trace"
"""Store key under which a sample's tools record its actions (a list of ``Action.to_dict()``)."""

MESSAGE_LIMIT = 24
"""Messages per sample at most: an agent that loops on its tools is cut off here."""


def recorded_actions(data: dict[str, Any] | None) -> list[Action]:
    """The actions recorded in a sample's store (a live store's items or a log's ``store``)."""
    return [Action.from_dict(d) for d in (data or {}).get(TRACE_KEY, [])]


def _tool(op: Operation) -> Tool:
    async def execute(**kwargs: Any) -> str:
        action = Action(op.name, {k: str(kwargs.get(k, "")) for k in op.params})
        current = store()
        world = World.replay(recorded_actions(dict(current.items())))
        result = world.apply(action)
        current.set(TRACE_KEY, [a.to_dict() for a in world.trace])
        return result

    params = ToolParams(
        properties={k: ToolParam(type="string", description=d) for k, d in op.params.items()},
        required=list(op.params),
    )
    return ToolDef(execute, name=op.name, description=op.description, parameters=params).as_tool()


def system_tools(names: Sequence[str]) -> list[Tool]:
    """Inspect tools for the named operations of the simulated systems.

    Args:
        names: Tool names (keys of :data:`hawthorne.systems.OPERATIONS`).

    Returns:
        The tools, each recording its actions under :data:`TRACE_KEY` in the sample's store.
    """
    return [_tool(OPERATIONS[name]) for name in names]


@solver
def audit_agent() -> Solver:
    """Answer a pair sample: with the suite's tools in a loop when it is agentic, else once."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        agentic = state.metadata.get("agentic")
        if agentic:
            state.tools = system_tools(agentic["tools"])
            state.tool_choice = "auto"
            return await generate(state, tool_calls="loop")
        return await generate(state, tool_calls="none")

    return solve
