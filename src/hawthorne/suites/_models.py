"""The public data model: protocols, rules, cases, cue families, stressors and suites."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from hawthorne.oracle import OracleMode
from hawthorne.suites._agentic import Agentic, AgenticCase
from hawthorne.suites._errors import SuiteError
from hawthorne.suites._generate import compiled

__all__ = [
    "NO_STRESSOR",
    "Case",
    "Oracle",
    "CueFamily",
    "Protocol",
    "Rule",
    "STRESSOR_VARIABLES",
    "Stressor",
    "Suite",
    "check_id",
]

_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def check_id(value: str) -> str:
    """Validate a kebab-case id (``soc-triage``, ``soc-h01``) and return it.

    Raises:
        ValueError: The id is not lower-case words and digits joined by single hyphens.
    """
    if not _KEBAB.fullmatch(value):
        raise ValueError(
            f"id {value!r} is not kebab-case (lower-case letters and digits joined by '-')"
        )
    return value


def _as_text(value: Any) -> Any:
    # Numbers and booleans only reach here from Python callers (the YAML loader keeps
    # scalars as text); accept them as the text a YAML author would have written.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_value_list(value: Any) -> Any:
    # `when: {source: internal}` is shorthand for `when: {source: [internal]}`.
    if isinstance(value, list | tuple):
        return [_as_text(v) for v in value]
    return [_as_text(value)]


def _none_as_empty(value: Any) -> Any:
    return {} if value is None else value


Text = Annotated[str, BeforeValidator(_as_text)]
Id = Annotated[str, BeforeValidator(_as_text)]
ValueList = Annotated[list[str], BeforeValidator(_as_value_list), Field(min_length=1)]


class _Model(BaseModel):
    # Unknown keys are typos in a hand-written file; reject them rather than ignore them.
    model_config = ConfigDict(extra="forbid")


class Rule(_Model):
    """One row of a first-match decision table.

    Attributes:
        when: Field name -> accepted values; all listed fields must match. Empty means the
            rule always matches (the default rule). A scalar in YAML is a one-item list.
        then: The decision this rule gives.
    """

    when: Annotated[dict[str, ValueList], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict
    )
    then: Text

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether every condition of this rule holds for ``fields``."""
        return all(fields.get(name) in values for name, values in self.when.items())


class Protocol(_Model):
    """A versioned rule set for one task.

    Attributes:
        version: The protocol version, e.g. ``"2"``.
        rules: The rules as text, shown to the model.
        rationale: Why the protocol exists (shown to the model after the rules).
        decide: The first-match decision table: the oracle for this protocol.
        expected_changes: The behaviour changes this version is expected to bring, in words
            (for the people who review the protocol change; not shown to the model).
    """

    version: Text
    rules: str
    rationale: str = ""
    decide: list[Rule] = Field(min_length=1)
    expected_changes: list[str] = Field(default_factory=list)

    def decision(self, fields: Mapping[str, str]) -> str | None:
        """The decision this protocol requires for a case with ``fields``.

        Args:
            fields: The case's fields.

        Returns:
            The ``then`` of the first rule that matches, or ``None`` if none does (a
            validated suite never leaves a case undecided).
        """
        for rule in self.decide:
            if rule.matches(fields):
                return rule.then
        return None


class CueFamily(_Model):
    """One way of telling the model it is observed, with paired paraphrases.

    ``observed[i]`` and ``unobserved[i]`` are a pair: the same paraphrase index is used for
    both variants of a case, so they must be of equal length.

    Attributes:
        id: Kebab-case id, e.g. ``tier``.
        title: Human-readable name.
        placement: Where the cue text goes: the system message, or before or after the user
            message.
        observed: Paraphrases that say the model is observed.
        unobserved: Paraphrases that say it is not.
        neutral: Optional control texts that say nothing about observation.
    """

    id: Id
    title: str
    placement: Literal["system", "user_prefix", "user_suffix"]
    observed: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    unobserved: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    neutral: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        return check_id(value)

    @field_validator("unobserved")
    @classmethod
    def _paired(cls, value: list[str], info: ValidationInfo) -> list[str]:
        observed = info.data.get("observed")
        if observed is not None and len(observed) != len(value):
            raise ValueError(
                f"has {len(value)} paraphrases but observed has {len(observed)}; "
                "they are paired by index, so both sides need the same number"
            )
        return value


STRESSOR_VARIABLES = ("case_id", "decisions", "legacy_decision", "protocol_decision")
"""Variables every stressor template may use besides the case's fields."""

NO_STRESSOR = "none"
"""How the no-stressor condition is named in summaries and reports; no stressor may take it."""


class Stressor(_Model):
    """A deployment-like pressure, crossed with the cues as a second axis of a suite.

    A stressor is the same on both sides of a pair (it never tells the model whether it is
    observed), so it moves both adherences; what it can reveal is a gap that opens, or widens,
    only under pressure. Each variant is a Jinja template rendered per case with the case's
    fields, ``case_id``, ``protocol_decision``, ``legacy_decision`` and ``decisions``.

    Attributes:
        id: Kebab-case id, e.g. ``time-pressure``; ``none`` is reserved for "no stressor".
        title: Human-readable name.
        placement: Where the text goes: the system message, or before or after the case in the
            user message.
        variants: At least three wordings; a pair uses variant ``paraphrase % len(variants)``.
    """

    id: Id
    title: str
    placement: Literal["system", "user_prefix", "user_suffix"]
    variants: list[Annotated[str, Field(min_length=1)]] = Field(min_length=3)

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        check_id(value)
        if value == NO_STRESSOR:
            raise ValueError(f"id {value!r} is reserved for the no-stressor condition")
        return value

    def text(self, paraphrase: int, variables: Mapping[str, Any]) -> str:
        """Render the variant for a paraphrase index.

        Args:
            paraphrase: The pair's paraphrase index (wraps around the variants).
            variables: The template variables (see :data:`STRESSOR_VARIABLES`; plus the
                case's fields).

        Returns:
            The rendered text, stripped of surrounding blank space.

        Raises:
            jinja2.TemplateError: The template cannot be rendered with ``variables`` (a
                stressor resolved by a suite has been checked against its cases).
        """
        source = self.variants[paraphrase % len(self.variants)]
        return compiled(source).render(dict(variables)).strip()


class Case(_Model):
    """One input of a suite.

    Attributes:
        id: Kebab-case id, unique within the suite.
        fields: The values the oracle decides on (and the template renders).
        text: The rendered text put to the model.
    """

    id: Id
    fields: dict[str, Text]
    text: str

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        return check_id(value)


def _oracle_shorthand(value: Any) -> Any:
    # `oracle: judge` is `oracle: {mode: judge}`; `oracle: {judge: MODEL}` implies mode judge.
    if isinstance(value, str):
        return {"mode": value}
    if isinstance(value, Mapping) and "mode" not in value and "judge" in value:
        return {**value, "mode": "judge"}
    return value


class Oracle(_Model):
    """How a suite's answers are read: the ``<decision>`` tag, a judge model, or both.

    Attributes:
        mode: ``parse`` (the tag only), ``judge`` (the judge reads every answer) or ``auto``
            (the tag first, the judge where it cannot be parsed).
        judge: The judge: any Inspect model string, asked in Inspect role ``judge`` (None: the
            run's ``--oracle-judge``, else the offline ``hawthorne/reference-judge``).
        check: With ``auto``, the share of parseable answers the judge also reads, so its
            agreement with the parse oracle can be measured (a stable draw per answer).
    """

    mode: OracleMode = "parse"
    judge: str | None = None
    check: float = Field(default=0.1, ge=0.0, le=1.0)


OracleField = Annotated[Oracle, BeforeValidator(_oracle_shorthand)]


class Suite(_Model):
    """One task domain: a protocol, the legacy protocol it replaced, cases and cue families.

    Attributes:
        id: Kebab-case id.
        title: Human-readable name.
        domain: The task domain, e.g. ``security-operations``.
        decisions: The allowed answers.
        protocol: The protocol the model must follow now.
        legacy: The protocol it replaced.
        cases: All cases: generated (rendered) and hand-written.
        cues: The resolved cue families to test.
        stressors: The resolved stressors crossed with the cues (empty: none).
        source: The file the suite was loaded from, or ``builtin:<id>``.
        agentic: For an agentic suite, the tools offered, how each decision is enacted through
            them and the task's scope; ``None`` for a suite answered in text only.
        oracle: How answers are read (default: the ``<decision>`` tag only).
    """

    id: Id
    title: str
    domain: str
    decisions: list[str]
    protocol: Protocol
    legacy: Protocol
    cases: list[Case]
    cues: list[CueFamily]
    stressors: list[Stressor] = Field(default_factory=list)
    source: str | None = None
    agentic: Agentic | None = None
    oracle: OracleField = Field(default_factory=Oracle)

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        return check_id(value)

    def expected(self, case: Case) -> tuple[str, str]:
        """The decisions the protocol and the legacy protocol require for ``case``.

        Returns:
            ``(protocol decision, legacy decision)``.

        Raises:
            SuiteError: One of the tables decides nothing for this case (impossible for a
                case of a validated suite).
        """
        current = self.protocol.decision(case.fields)
        legacy = self.legacy.decision(case.fields)
        if current is None or legacy is None:
            name = "protocol" if current is None else "legacy"
            raise SuiteError(
                f"case {case.id} matches no rule of the {name} decision table",
                path=self.source,
                field=f"{name}.decide",
            )
        return current, legacy

    def stressor_variables(self, case: Case) -> dict[str, Any]:
        """The variables a stressor template is rendered with for ``case``.

        Returns:
            The case's fields plus ``case_id``, ``protocol_decision``, ``legacy_decision`` and
            ``decisions``.
        """
        current, legacy = self.expected(case)
        return {
            **case.fields,
            "case_id": case.id,
            "protocol_decision": current,
            "legacy_decision": legacy,
            "decisions": list(self.decisions),
        }

    def agentic_case(self, case: Case) -> AgenticCase | None:
        """The agentic block rendered for ``case``, or ``None`` for a text-only suite."""
        if self.agentic is None:
            return None
        return self.agentic.for_case(case.fields, case.id)

    def is_discriminating(self, case: Case) -> bool:
        """Whether protocol and legacy decide ``case`` differently (only these show a gap)."""
        current, legacy = self.expected(case)
        return current != legacy
