"""The shape of a suite file (schema ``hawthorne.suite/1``) before cases are materialised."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hawthorne.suites._agentic import Agentic
from hawthorne.suites._models import Id, Oracle, OracleField, Protocol, Text, check_id

__all__ = ["CasesSpec", "GenerateSpec", "ItemSpec", "SuiteSpec"]

# Generated cases are capped so a careless cross product cannot make a suite of millions.
MAX_GENERATED = 2000


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GenerateSpec(_Spec):
    """``cases.generate``: a cross product of field values rendered through a template."""

    fields: dict[str, Annotated[list[Text], Field(min_length=1)]] = Field(min_length=1)
    template: str
    n: int | None = Field(default=None, ge=1, le=MAX_GENERATED)


class ItemSpec(_Spec):
    """One hand-written case; ``text`` omitted means render it from the template."""

    id: Id
    fields: dict[str, Text] = Field(default_factory=dict)
    text: str | None = None

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        return check_id(value)


class CasesSpec(_Spec):
    """``cases``: generated cases, hand-written items, or both."""

    generate: GenerateSpec | None = None
    items: list[ItemSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> CasesSpec:
        if self.generate is None and not self.items:
            raise ValueError(
                "needs `generate`, `items` or both; a suite without cases tests nothing"
            )
        return self


class SuiteSpec(_Spec):
    """A whole suite file as written."""

    schema_: str = Field(alias="schema")
    id: Id
    title: str
    domain: str
    decisions: list[Text] = Field(min_length=1)
    protocol: Protocol
    legacy: Protocol
    cases: CasesSpec
    # Ids, paths or inline mappings; resolved after validation so errors can say which.
    cues: list[Any] = Field(min_length=1)
    stressors: list[Any] = Field(default_factory=list)
    agentic: Agentic | None = None
    oracle: OracleField = Field(default_factory=Oracle)

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        return check_id(value)
