"""From a parsed suite file to a :class:`Suite`: consistency checks and materialisation.

Pydantic checks the shape; this module checks what a shape cannot: that rules refer to real
fields and values and decide every case, that the template only uses known fields, that ids
are unique. Every error points at the line that has to change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from itertools import product
from pathlib import Path

import jinja2
from jinja2 import meta
from pydantic import ValidationError

from hawthorne.oracle import REFUSED, UNCLEAR
from hawthorne.suites._agentic import Agentic
from hawthorne.suites._cues import resolve_cues
from hawthorne.suites._generate import (
    combination,
    combination_count,
    environment,
    index_of,
    line_of_name,
    render,
    sample_indices,
)
from hawthorne.suites._models import Case, Protocol, Suite
from hawthorne.suites._spec import MAX_GENERATED, GenerateSpec, ItemSpec, SuiteSpec
from hawthorne.suites._stressors import check_stressors, resolve_stressors
from hawthorne.suites._yaml import Document, Loc
from hawthorne.systems import OPERATIONS, SCOPE_KEYS, SYSTEMS

__all__ = ["SUITE_SCHEMA", "build_suite"]

SUITE_SCHEMA = "hawthorne.suite/1"

# Above this many combinations of the fields a table refers to, coverage is checked on the
# materialised cases only instead of on every combination.
_COVERAGE_LIMIT = 200_000
_GEN = ("cases", "generate")


def build_suite(doc: Document, *, seed: int, source: str, base_dir: Path | None) -> Suite:
    """Validate a parsed suite document; materialise its cases, cue families and stressors.

    Args:
        doc: The parsed file.
        seed: Seed for sampling generated cases (only used when sampling).
        source: What to record as :attr:`Suite.source`.
        base_dir: Directory that relative cue-family and stressor paths are resolved against.

    Raises:
        SuiteError: The first problem found, with file, line and field.
    """
    data = doc.require_schema(SUITE_SCHEMA)
    try:
        spec = SuiteSpec.model_validate(data)
    except ValidationError as exc:
        raise doc.validation_error(exc) from None
    _check_decisions(doc, spec.decisions)
    gen = spec.cases.generate
    template = _check_generate(doc, gen) if gen is not None else None
    _check_items(doc, spec)
    values = _field_values(spec)
    for name in ("protocol", "legacy"):
        protocol: Protocol = getattr(spec, name)
        _check_rules(doc, name, protocol, spec.decisions, values)
        _check_coverage(doc, name, protocol, spec)
    cases = _materialise(doc, spec, template, seed)
    if spec.agentic is not None:
        _check_agentic(doc, spec.agentic, spec.decisions, cases)
        if spec.oracle.mode != "parse":
            raise doc.error(
                ("oracle",),
                "an agentic suite's decisions are read from its actions; a judge oracle reads "
                "text answers only",
            )
    cues = resolve_cues(doc, spec.cues, base_dir)
    stressors = resolve_stressors(doc, spec.stressors, base_dir)
    suite = Suite(
        id=spec.id,
        title=spec.title,
        domain=spec.domain,
        decisions=spec.decisions,
        protocol=spec.protocol,
        legacy=spec.legacy,
        cases=cases,
        cues=cues,
        stressors=[item.stressor for item in stressors],
        source=source,
        agentic=spec.agentic,
        oracle=spec.oracle,
    )
    check_stressors(stressors, suite)
    return suite


def _check_decisions(doc: Document, decisions: list[str]) -> None:
    seen: set[str] = set()
    for index, decision in enumerate(decisions):
        if not decision.strip() or "<" in decision or ">" in decision:
            raise doc.error(("decisions", index), f"{decision!r} is not a usable decision word")
        if decision.strip().lower() in seen:
            raise doc.error(("decisions", index), f"duplicate decision {decision!r}")
        if decision.strip().lower() in (REFUSED, UNCLEAR):
            raise doc.error(
                ("decisions", index),
                f"{decision!r} is what the judge oracle reads when there is no decision; "
                "name the decision otherwise",
            )
        seen.add(decision.strip().lower())


def _check_field_names(doc: Document, loc: Loc, names: Sequence[str]) -> None:
    for name in names:
        # Field names are Jinja variables in the template, so they must be identifiers.
        if not name.isidentifier() or name == "case_id":
            raise doc.error(
                (*loc, name),
                f"field name {name!r} must be an identifier (letters, digits, _) and not 'case_id'",
            )


def _check_generate(doc: Document, gen: GenerateSpec) -> jinja2.Template:
    _check_field_names(doc, (*_GEN, "fields"), list(gen.fields))
    for name, values in gen.fields.items():
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                raise doc.error((*_GEN, "fields", name, index), f"duplicate value {value!r}")
            seen.add(value)
    total = combination_count(gen.fields)
    if gen.n is not None and gen.n > total:
        raise doc.error(
            (*_GEN, "n"),
            f"asks for {gen.n} cases but the fields only have {total} combinations",
        )
    loc = (*_GEN, "template")
    env = environment()
    try:
        parsed = env.parse(gen.template)
    except jinja2.TemplateSyntaxError as exc:
        line = doc.value_line(loc, exc.lineno)
        raise doc.error(loc, f"template syntax error: {exc.message}", line=line) from None
    allowed = set(gen.fields) | {"case_id"}
    for name in sorted(meta.find_undeclared_variables(parsed) - allowed):
        raise doc.error(
            loc,
            f"template uses undefined field {name!r} (fields: {', '.join(sorted(allowed))})",
            line=doc.value_line(loc, line_of_name(gen.template, name)),
        )
    return env.from_string(gen.template)


def _check_items(doc: Document, spec: SuiteSpec) -> None:
    reserved = re.compile(rf"{re.escape(spec.id)}-g\d+")
    seen: set[str] = set()
    for index, item in enumerate(spec.cases.items):
        loc = ("cases", "items", index)
        _check_field_names(doc, (*loc, "fields"), list(item.fields))
        if reserved.fullmatch(item.id):
            raise doc.error((*loc, "id"), f"id {item.id!r} has the form of a generated case id")
        if item.id in seen:
            raise doc.error((*loc, "id"), f"duplicate case id {item.id!r}")
        seen.add(item.id)
        if item.text is None and spec.cases.generate is None:
            raise doc.error(
                (*loc, "text"),
                "required field is missing (there is no cases.generate.template to render it)",
            )


def _field_values(spec: SuiteSpec) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    if spec.cases.generate is not None:
        for name, options in spec.cases.generate.fields.items():
            values.setdefault(name, set()).update(options)
    for item in spec.cases.items:
        for name, value in item.fields.items():
            values.setdefault(name, set()).add(value)
    return values


def _check_rules(
    doc: Document,
    name: str,
    protocol: Protocol,
    decisions: list[str],
    values: Mapping[str, set[str]],
) -> None:
    for index, rule in enumerate(protocol.decide):
        loc: Loc = (name, "decide", index)
        for field, wanted in rule.when.items():
            if field not in values:
                raise doc.error(
                    (*loc, "when", field),
                    f"no case has a field {field!r} (case fields: {', '.join(sorted(values))})",
                )
            for position, value in enumerate(wanted):
                if value not in values[field]:
                    known = ", ".join(sorted(values[field]))
                    # A scalar `when` value has no list index in the file; do not invent one.
                    at: Loc = (*loc, "when", field, position)
                    raise doc.error(
                        at if at in doc.lines else at[:-1],
                        f"{value!r} is not a value of field {field!r} in any case "
                        f"(values: {known})",
                    )
        if rule.then not in decisions:
            raise doc.error(
                (*loc, "then"),
                f"{rule.then!r} is not one of the decisions ({', '.join(decisions)})",
            )


def _check_coverage(doc: Document, name: str, protocol: Protocol, spec: SuiteSpec) -> None:
    loc: Loc = (name, "decide")
    hint = "and the table has no default rule (a rule without `when`)"
    for item in spec.cases.items:
        if protocol.decision(item.fields) is None:
            raise doc.error(loc, f"case {item.id} ({_show(item.fields)}) matches no rule {hint}")
    gen = spec.cases.generate
    if gen is None or any(not rule.when for rule in protocol.decide):
        return
    # Only fields the table mentions can change its decision, so the product over those
    # covers every generated combination exactly.
    used = {field for rule in protocol.decide for field in rule.when}
    relevant = {field: gen.fields[field] for field in gen.fields if field in used}
    if math.prod(len(v) for v in relevant.values()) > _COVERAGE_LIMIT:
        total = combination_count(gen.fields)
        combos = [
            combination(gen.fields, k)
            for k in sample_indices(total, min(gen.n or MAX_GENERATED, total), 0)
        ]
    else:
        combos = [dict(zip(relevant, c, strict=True)) for c in product(*relevant.values())]
    for chosen in combos:
        if protocol.decision(chosen) is None:
            case_id = f"{spec.id}-g{index_of(gen.fields, chosen):04d}"
            raise doc.error(
                loc, f"generated case {case_id} ({_show(chosen)}) matches no rule {hint}"
            )


def _show(fields: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in fields.items()) or "no fields"


def _materialise(
    doc: Document, spec: SuiteSpec, template: jinja2.Template | None, seed: int
) -> list[Case]:
    cases: list[Case] = []
    gen = spec.cases.generate
    if gen is not None and template is not None:
        total = combination_count(gen.fields)
        for k in sample_indices(total, min(gen.n or MAX_GENERATED, total), seed):
            fields = combination(gen.fields, k)
            case_id = f"{spec.id}-g{k:04d}"
            text = _render(doc, (*_GEN, "template"), template, fields, case_id)
            cases.append(Case(id=case_id, fields=fields, text=text))
    for index, item in enumerate(spec.cases.items):
        cases.append(_item_case(doc, ("cases", "items", index), item, template))
    return cases


def _item_case(doc: Document, loc: Loc, item: ItemSpec, template: jinja2.Template | None) -> Case:
    # _check_items has rejected items with neither a text nor a template to render one.
    if item.text is None and template is not None:
        text = _render(doc, loc, template, item.fields, item.id)
    else:
        text = (item.text or "").strip()
    if not text:
        raise doc.error((*loc, "text"), "the case text is empty")
    return Case(id=item.id, fields=dict(item.fields), text=text)


def _render(
    doc: Document, loc: Loc, template: jinja2.Template, fields: Mapping[str, str], case_id: str
) -> str:
    try:
        return render(template, fields, case_id)
    except jinja2.UndefinedError as exc:
        raise doc.error(loc, f"cannot render case {case_id}: {exc.message}") from None
    except Exception as exc:  # a user template can fail in any way; never a traceback
        raise doc.error(loc, f"cannot render case {case_id}: {exc}") from None


def _check_agentic(
    doc: Document, agentic: Agentic, decisions: list[str], cases: Sequence[Case]
) -> None:
    """Systems and tools exist, every decision is enacted, and every template renders."""
    for index, system in enumerate(agentic.systems):
        if system not in SYSTEMS:
            raise doc.error(
                ("agentic", "systems", index),
                f"unknown system {system!r} (systems: {', '.join(SYSTEMS)})",
            )
    for decision, enactment in agentic.enact.items():
        loc: Loc = ("agentic", "enact", decision)
        if decision not in decisions:
            raise doc.error(
                loc, f"{decision!r} is not one of the decisions ({', '.join(decisions)})"
            )
        op = OPERATIONS.get(enactment.tool)
        if op is None or op.system not in agentic.systems:
            offered = ", ".join(agentic.tools)
            what = "unknown tool" if op is None else "tool of a system not offered"
            raise doc.error((*loc, "tool"), f"{what} {enactment.tool!r} (tools: {offered})")
        for arg in enactment.args:
            if arg not in op.params:
                raise doc.error(
                    (*loc, "args", arg),
                    f"{op.name} has no argument {arg!r} (arguments: {', '.join(op.params)})",
                )
    missing = [d for d in decisions if d not in agentic.enact]
    if missing:
        raise doc.error(("agentic", "enact"), f"no enactment for decision(s) {', '.join(missing)}")
    for key in agentic.scope:
        if key not in SCOPE_KEYS:
            raise doc.error(
                ("agentic", "scope", key),
                f"unknown scope {key!r} (scopes: {', '.join(SCOPE_KEYS)})",
            )
    _check_agentic_templates(doc, agentic, cases)


def _check_agentic_templates(doc: Document, agentic: Agentic, cases: Sequence[Case]) -> None:
    sources: list[tuple[Loc, str]] = [
        (("agentic", "enact", d, "args", k), v)
        for d, e in agentic.enact.items()
        for k, v in e.args.items()
    ]
    sources += [
        (("agentic", "scope", key, i), v)
        for key, values in agentic.scope.items()
        for i, v in enumerate(values)
    ]
    env = environment()
    for loc, source in sources:
        try:
            template = env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise doc.error(loc, f"template syntax error: {exc.message}") from None
        for case in cases:
            try:
                render(template, case.fields, case.id)
            except Exception as exc:  # a user template can fail in any way; never a traceback
                message = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
                raise doc.error(loc, f"cannot render for case {case.id}: {message}") from None
