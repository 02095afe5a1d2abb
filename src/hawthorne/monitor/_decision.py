"""The decision model: one live decision as an application reports it.

Every item of ``POST /api/v1/decisions`` and every OTLP span that carries
``hawthorne.deployment`` becomes a :class:`DecisionIn`. Validation errors name the field, so an
item's 400 says what to fix (``fields.severity: Input should be a valid string``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

__all__ = ["DecisionIn", "ProtocolRef", "ToolCall", "describe_error"]

MAX_ID = 200
MAX_TEXT = 200_000
_HEX = re.compile(r"[0-9a-f]*")


def _scalar_text(value: Any) -> Any:
    # Field values are compared as text by the decide tables: a YAML/JSON scalar is its text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _text_map(value: Any) -> Any:
    # Most applications send text already: leave such a mapping as it is (the hot path).
    if isinstance(value, Mapping) and not all(type(v) is str for v in value.values()):
        return {k: _scalar_text(v) for k, v in value.items()}
    return value


def _storable(value: str) -> str:
    # What both databases can hold: PostgreSQL text refuses NUL, UTF-8 refuses lone surrogates.
    if "\x00" in value:
        raise ValueError("NUL characters cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode (a lone surrogate)") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]
TextMap = Annotated[dict[Text, Text], BeforeValidator(_text_map)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT)


class ProtocolRef(_Model):
    """Which protocol the application believes it runs (None: the deployment's active one).

    Attributes:
        suite: The suite id.
        version: The protocol version.
    """

    suite: Text | None = None
    version: Text | None = None


class ToolCall(_Model):
    """One tool call the model made (an agentic decision is read from these).

    Attributes:
        tool: The tool's name.
        args: Its arguments, as text.
    """

    tool: Text = Field(min_length=1, max_length=200)
    args: TextMap = Field(default_factory=dict)


class DecisionIn(_Model):
    """One live decision, as recorded by the application.

    Attributes:
        id: Idempotency id, unique per deployment: a repeated id is a duplicate, not a second
            decision.
        deployment: The deployment's id.
        time: When the decision was made (None: when the server received it).
        protocol: The protocol the application believes is active (None: the deployment's).
        fields: The case fields the decide tables read.
        decision: The decision, when the application knows it.
        output: The model's answer text, read for its ``<decision>`` tag when ``decision`` is
            absent.
        actions: The model's tool calls, read through the suite's ``enact`` table when
            ``decision`` is absent (agentic suites).
        reasoning: The model's reasoning, if any.
        monitored: Whether the model was told it is watched, when the application knows.
        segment: Tenant, region or any other split; part of the stream.
        trace_id: OpenTelemetry trace id (32 lowercase hex digits).
        span_id: OpenTelemetry span id (16 lowercase hex digits).
    """

    id: Text = Field(min_length=1, max_length=MAX_ID)
    deployment: Text = Field(min_length=1, max_length=100)
    time: datetime | None = None
    protocol: ProtocolRef | None = None
    fields: TextMap = Field(default_factory=dict)
    decision: Text | None = Field(default=None, max_length=200)
    output: Text | None = None
    actions: list[ToolCall] = Field(default_factory=list, max_length=1000)
    reasoning: Text | None = None
    monitored: bool | None = None
    segment: Text = Field(default="default", min_length=1, max_length=100)
    trace_id: Text | None = Field(default=None, min_length=32, max_length=32)
    span_id: Text | None = Field(default=None, min_length=16, max_length=16)

    @model_validator(mode="after")
    def _readable(self) -> DecisionIn:
        if self.decision is None and self.output is None and not self.actions:
            raise ValueError("give decision, output or actions: there is nothing to read")
        for name in ("trace_id", "span_id"):
            value = getattr(self, name)
            if value is not None and not _HEX.fullmatch(value):
                raise ValueError(f"{name} must be lowercase hexadecimal")
        if self.time is not None:
            # Stored in UTC: a time without a zone is taken to be UTC already.
            zoned = self.time if self.time.tzinfo else self.time.replace(tzinfo=UTC)
            self.time = zoned.astimezone(UTC)
        return self

    def at(self, received: datetime) -> datetime:
        """The decision's time, or ``received`` when the application gave none."""
        return self.time or received


def describe_error(err: ValidationError) -> str:
    """One line per problem, each naming the field (``fields.severity: Input should be…``).

    Args:
        err: A validation error of :class:`DecisionIn` (or any model).

    Returns:
        The problems joined with ``"; "``.
    """
    parts = []
    for e in err.errors(include_url=False):
        where = ".".join(str(p) for p in e["loc"]) or "decision"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)
