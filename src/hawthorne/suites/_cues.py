"""Loading cue families: built-in files, user files, and families inlined in a suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hawthorne.suites._builtin import builtin_ids, resolve_ref
from hawthorne.suites._models import CueFamily
from hawthorne.suites._refs import resolve_entries
from hawthorne.suites._yaml import Document, Loc, load_document

__all__ = [
    "CUE_SCHEMA",
    "builtin_cue_ids",
    "cue_from_mapping",
    "load_cue_family",
    "resolve_cues",
]

CUE_SCHEMA = "hawthorne.cue/1"


def builtin_cue_ids() -> list[str]:
    """Ids of the built-in cue families, sorted.

    Returns:
        E.g. ``["eval-format", "logging", "review", "tier"]``.
    """
    return builtin_ids("cues")


def load_cue_family(ref: str | Path) -> CueFamily:
    """Load a cue family by built-in id or from a ``hawthorne.cue/1`` YAML file.

    Args:
        ref: A built-in id (see :func:`builtin_cue_ids`) or a path.

    Returns:
        The validated cue family.

    Raises:
        SuiteError: Unknown id, missing file, invalid YAML or an invalid cue family; the
            message names the file, the line and the field.
    """
    path, shown, _ = resolve_ref(ref, "cues")
    doc = load_document(path, shown)
    data = doc.require_schema(CUE_SCHEMA)
    return cue_from_mapping(doc, (), data)


def cue_from_mapping(doc: Document, loc: Loc, data: dict[str, Any]) -> CueFamily:
    """Validate a cue family given as a mapping at ``loc`` of ``doc``.

    An inline family in a suite may carry ``schema: hawthorne.cue/1``; nothing else.

    Raises:
        SuiteError: The mapping is not a valid cue family.
    """
    body = dict(data)
    tag = body.pop("schema", CUE_SCHEMA)
    if tag != CUE_SCHEMA:
        raise doc.error((*loc, "schema"), f"expected {CUE_SCHEMA}, got {tag!r}")
    try:
        return CueFamily.model_validate(body)
    except ValidationError as exc:
        raise doc.validation_error(exc, loc) from None


def resolve_cues(doc: Document, entries: list[Any], base_dir: Path | None) -> list[CueFamily]:
    """Resolve a suite's ``cues`` list: built-in ids, relative paths, inline mappings.

    Raises:
        SuiteError: An entry is unknown or invalid, or two entries share an id.
    """
    return resolve_entries(
        doc,
        "cues",
        entries,
        base_dir,
        noun="cue family",
        known=builtin_cue_ids(),
        inline=cue_from_mapping,
        load=load_cue_family,
        ident=lambda family: family.id,
    )
