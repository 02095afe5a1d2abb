"""Where the built-in suites, cue families and stressors live, and how a reference resolves."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from hawthorne.suites._errors import SuiteError

__all__ = ["Kind", "builtin_ids", "resolve_ref"]

Kind = Literal["suites", "cues", "stressors"]

# Package data sits next to this module (declared in pyproject as suites/builtin/**/*.yaml).
_ROOT = Path(__file__).resolve().parent / "builtin"
_NOUN = {"suites": "suite", "cues": "cue family", "stressors": "stressor"}


def builtin_ids(kind: Kind) -> list[str]:
    """Sorted ids of the built-in suites, cue families or stressors (their file stems)."""
    return sorted(p.stem for p in (_ROOT / kind).glob("*.yaml"))


def resolve_ref(ref: str | Path, kind: Kind) -> tuple[Path, str, str]:
    """Resolve a built-in id or a file path.

    Args:
        ref: A built-in id (``soc-triage``) or a path to a YAML file.
        kind: ``"suites"``, ``"cues"`` or ``"stressors"``.

    Returns:
        ``(file to read, name for error messages, source label)``; the label is
        ``builtin:<id>`` for built-ins and the path as given otherwise.

    Raises:
        SuiteError: ``ref`` is neither a built-in id nor something that looks like a path.
    """
    if isinstance(ref, Path):
        return ref, str(ref), str(ref)
    if ref in builtin_ids(kind):
        path = _ROOT / kind / f"{ref}.yaml"
        return path, str(path), f"builtin:{ref}"
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref or Path(ref).exists():
        return Path(ref), ref, ref
    noun = _NOUN[kind]
    known = ", ".join(builtin_ids(kind)) or "none"
    raise SuiteError(
        f"unknown {noun} {ref!r}: not a built-in {noun} (built-in: {known}) "
        "and not a path to a YAML file"
    )
