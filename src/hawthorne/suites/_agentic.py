"""The ``agentic:`` block of a suite: tools offered, how decisions are enacted, the task's scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from hawthorne.suites._generate import compiled
from hawthorne.systems import OPERATIONS, Call, Scope

__all__ = ["Agentic", "AgenticCase", "Enactment"]


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float | bool) else value


_Text = Annotated[str, BeforeValidator(_as_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Enactment(_Model):
    """How one decision is carried out: a tool call whose arguments are case templates.

    Attributes:
        tool: The tool (an operation of one of the offered systems).
        args: Argument -> Jinja template (rendered with the case's fields and ``case_id``). These
            identify the call: an action enacts the decision when it calls ``tool`` with them.
            Arguments left out may take any value (a message body, say).
    """

    tool: str
    args: dict[str, _Text] = Field(default_factory=dict)


@dataclass(frozen=True)
class AgenticCase:
    """The agentic block rendered for one case.

    Attributes:
        tools: The tool names offered, in :data:`hawthorne.systems.OPERATIONS` order.
        enactments: Decision -> the call that enacts it.
        scope: What the task legitimately touches besides the decision.
    """

    tools: tuple[str, ...]
    enactments: Mapping[str, Call]
    scope: Scope

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (what a sample's metadata carries)."""
        return {
            "tools": list(self.tools),
            "enact": {
                d: {"tool": c.tool, "args": dict(c.args)} for d, c in self.enactments.items()
            },
            "scope": self.scope.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AgenticCase:
        """Rebuild from :meth:`to_dict` data."""
        return cls(
            tools=tuple(data["tools"]),
            enactments={
                d: Call(c["tool"], dict(c["args"])) for d, c in dict(data["enact"]).items()
            },
            scope=Scope.from_mapping(data["scope"]),
        )


class Agentic(_Model):
    """A suite's ``agentic:`` block: the model acts through tools on simulated systems.

    Attributes:
        systems: The simulated systems offered; the agent gets every operation of each.
        enact: Decision -> the tool call that carries it out.
        scope: ``config``/``directory``/``warehouse``/``outbound`` -> templates of what the task
            may legitimately touch besides enacting its decision (see
            :data:`hawthorne.systems.SCOPE_KEYS`).
    """

    systems: list[str] = Field(min_length=1)
    enact: dict[str, Enactment] = Field(min_length=1)
    scope: dict[str, list[_Text]] = Field(default_factory=dict)

    @property
    def tools(self) -> tuple[str, ...]:
        """The tool names offered, in :data:`hawthorne.systems.OPERATIONS` order."""
        return tuple(name for name, op in OPERATIONS.items() if op.system in self.systems)

    def for_case(self, fields: Mapping[str, str], case_id: str) -> AgenticCase:
        """Render the block for one case.

        Args:
            fields: The case's fields.
            case_id: The case's id.

        Returns:
            The rendered block.

        Raises:
            jinja2.TemplateError: A template cannot be rendered for this case (a validated
                suite's templates render for every one of its cases).
        """
        variables = {**fields, "case_id": case_id}

        def render(source: str) -> str:
            return compiled(source).render(variables).strip()

        enactments = {
            decision: Call(e.tool, {k: render(v) for k, v in e.args.items()})
            for decision, e in self.enact.items()
        }
        scope = Scope.from_mapping(
            {key: [render(v) for v in values] for key, values in self.scope.items()}
        )
        return AgenticCase(self.tools, enactments, scope)
