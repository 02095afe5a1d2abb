"""Resolving a suite's list of references: built-in ids, relative ``.yaml`` paths, inline maps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hawthorne.suites._yaml import Document, Loc

T = TypeVar("T")


def resolve_entries(
    doc: Document,
    key: str,
    entries: Sequence[Any],
    base_dir: Path | None,
    *,
    noun: str,
    known: Sequence[str],
    inline: Callable[[Document, Loc, dict[str, Any]], T],
    load: Callable[[str | Path], T],
    ident: Callable[[T], str],
) -> list[T]:
    """Resolve each entry of the suite's ``key`` list (``cues``, ``stressors``) in order.

    Args:
        doc: The suite document (for errors with file and line).
        key: The suite field holding the list.
        entries: The list's entries.
        base_dir: The suite file's folder, for relative paths (None for built-ins).
        noun: What an entry is, for messages (``cue family``, ``stressor``).
        known: The built-in ids.
        inline: Validates an inline mapping at a location.
        load: Loads a built-in id or a file.
        ident: An entry's id, for the duplicate check.

    Returns:
        The resolved entries.

    Raises:
        SuiteError: An entry is unknown, missing or invalid, or two entries share an id.
    """
    resolved: list[T] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        loc: Loc = (key, index)
        if isinstance(entry, dict):
            item = inline(doc, loc, entry)
        elif isinstance(entry, str) and entry in known:
            item = load(entry)
        elif isinstance(entry, str) and entry.endswith((".yaml", ".yml")):
            path = Path(entry)
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
            if not path.is_file():
                where = f"{noun.replace(' ', '-')} file {entry!r}"
                raise doc.error(loc, f"{where} not found (looked at {path})")
            item = load(path)
        elif isinstance(entry, str):
            raise doc.error(
                loc,
                f"unknown {noun} {entry!r}; built-in ones: {', '.join(known) or 'none'} "
                "(or a path to a .yaml file, or an inline mapping)",
            )
        else:
            raise doc.error(loc, f"expected a {noun} id, a .yaml path or an inline mapping")
        if ident(item) in seen:
            raise doc.error(loc, f"duplicate {noun} id {ident(item)!r}")
        seen.add(ident(item))
        resolved.append(item)
    return resolved
