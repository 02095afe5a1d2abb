"""Loading stressors: built-in files, user files, and stressors inlined in a suite.

A stressor's variants are Jinja templates. Their syntax is checked when the stressor is loaded;
the variables they use can only be checked against a suite (which fixes the case fields), so
:func:`check_stressors` does that once the suite is built, pointing at the variant's line in
whichever file holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from pydantic import ValidationError

from hawthorne.suites._builtin import builtin_ids, resolve_ref
from hawthorne.suites._generate import environment, line_of_name
from hawthorne.suites._models import STRESSOR_VARIABLES, Case, Stressor, Suite
from hawthorne.suites._refs import resolve_entries
from hawthorne.suites._yaml import Document, Loc, load_document

__all__ = [
    "STRESSOR_SCHEMA",
    "Resolved",
    "builtin_stressor_ids",
    "check_stressors",
    "load_stressor",
    "resolve_stressors",
    "stressor_from_mapping",
]

STRESSOR_SCHEMA = "hawthorne.stressor/1"


@dataclass(frozen=True)
class Resolved:
    """A stressor and where it was written, so later checks can point at its lines.

    Attributes:
        stressor: The validated stressor.
        doc: The document holding it (the suite for an inline stressor, else its own file).
        loc: Where in ``doc`` the stressor's mapping sits.
    """

    stressor: Stressor
    doc: Document
    loc: Loc


def builtin_stressor_ids() -> list[str]:
    """Ids of the built-in stressors, sorted.

    Returns:
        E.g. ``["ambiguity", "legacy-signal", "time-pressure"]``.
    """
    return builtin_ids("stressors")


def load_stressor(ref: str | Path) -> Stressor:
    """Load a stressor by built-in id or from a ``hawthorne.stressor/1`` YAML file.

    The variants' template syntax is checked here; the variables they use are checked when a
    suite uses the stressor (only a suite knows its cases' fields).

    Args:
        ref: A built-in id (see :func:`builtin_stressor_ids`) or a path.

    Returns:
        The validated stressor.

    Raises:
        SuiteError: Unknown id, missing file, invalid YAML, an invalid stressor or a template
            syntax error; the message names the file, the line and the field.
    """
    return _load(ref).stressor


def _load(ref: str | Path) -> Resolved:
    path, shown, _ = resolve_ref(ref, "stressors")
    doc = load_document(path, shown)
    data = doc.require_schema(STRESSOR_SCHEMA)
    return Resolved(stressor_from_mapping(doc, (), data), doc, ())


def stressor_from_mapping(doc: Document, loc: Loc, data: dict[str, Any]) -> Stressor:
    """Validate a stressor given as a mapping at ``loc`` of ``doc``.

    An inline stressor in a suite may carry ``schema: hawthorne.stressor/1``; nothing else.

    Raises:
        SuiteError: The mapping is not a valid stressor, or a variant is not a valid template.
    """
    body = dict(data)
    tag = body.pop("schema", STRESSOR_SCHEMA)
    if tag != STRESSOR_SCHEMA:
        raise doc.error((*loc, "schema"), f"expected {STRESSOR_SCHEMA}, got {tag!r}")
    try:
        stressor = Stressor.model_validate(body)
    except ValidationError as exc:
        raise doc.validation_error(exc, loc) from None
    env = environment()
    for index, variant in enumerate(stressor.variants):
        at: Loc = (*loc, "variants", index)
        try:
            env.parse(variant)
        except jinja2.TemplateSyntaxError as exc:
            line = doc.value_line(at, exc.lineno)
            raise doc.error(at, f"template syntax error: {exc.message}", line=line) from None
    return stressor


def resolve_stressors(doc: Document, entries: list[Any], base_dir: Path | None) -> list[Resolved]:
    """Resolve a suite's ``stressors`` list: built-in ids, relative paths, inline mappings.

    Raises:
        SuiteError: An entry is unknown or invalid, or two entries share an id.
    """
    return resolve_entries(
        doc,
        "stressors",
        entries,
        base_dir,
        noun="stressor",
        known=builtin_stressor_ids(),
        inline=lambda d, loc, data: Resolved(stressor_from_mapping(d, loc, data), d, loc),
        load=_load,
        ident=lambda found: found.stressor.id,
    )


def check_stressors(resolved: Sequence[Resolved], suite: Suite) -> None:
    """Check that every variant of every stressor renders for the suite's cases.

    A variant may use :data:`STRESSOR_VARIABLES` and the fields that every case has. Variants
    that use no case field render the same way for every case, so they are rendered once;
    the others are rendered for every case.

    Raises:
        SuiteError: A variant uses an undefined variable, or fails to render for a case; the
            error points at the variant's line in the file that holds it.
    """
    if not resolved or not suite.cases:
        return
    common = set.intersection(*(set(case.fields) for case in suite.cases))
    some = set().union(*(case.fields for case in suite.cases))
    allowed = common | set(STRESSOR_VARIABLES)
    env = environment()
    for item in resolved:
        for index, variant in enumerate(item.stressor.variants):
            at: Loc = (*item.loc, "variants", index)
            used = meta.find_undeclared_variables(env.parse(variant))
            for name in sorted(used - allowed):
                line = item.doc.value_line(at, line_of_name(variant, name))
                if name in some:
                    lacking = next(c.id for c in suite.cases if name not in c.fields)
                    message = (
                        f"template uses field {name!r}, which not every case of suite "
                        f"{suite.id!r} has (case {lacking} lacks it)"
                    )
                else:
                    message = (
                        f"template uses undefined variable {name!r} "
                        f"(available: {', '.join(sorted(allowed))})"
                    )
                raise item.doc.error(at, message, line=line)
            cases = suite.cases if used & common else suite.cases[:1]
            for case in cases:
                _render_one(item, at, index, suite, case)


def _render_one(item: Resolved, at: Loc, index: int, suite: Suite, case: Case) -> None:
    try:
        item.stressor.text(index, suite.stressor_variables(case))
    except jinja2.UndefinedError as exc:
        raise item.doc.error(at, f"cannot render for case {case.id}: {exc.message}") from None
    except Exception as exc:  # a user template can fail in any way; never a traceback
        raise item.doc.error(at, f"cannot render for case {case.id}: {exc}") from None
