"""Public entry points: load suites by built-in id or path."""

from __future__ import annotations

from pathlib import Path

from hawthorne.suites._build import build_suite
from hawthorne.suites._builtin import builtin_ids, resolve_ref
from hawthorne.suites._models import Suite
from hawthorne.suites._yaml import load_document

__all__ = ["builtin_suite_ids", "load_suite", "validate_suite_file"]


def builtin_suite_ids() -> list[str]:
    """Ids of the built-in suites, sorted.

    Returns:
        E.g. ``["iam-access-review", "soc-triage"]``.
    """
    return builtin_ids("suites")


def load_suite(ref: str | Path, *, seed: int = 0) -> Suite:
    """Load and validate a suite, with its cases generated and cue families resolved.

    Args:
        ref: A built-in suite id (see :func:`builtin_suite_ids`) or a path to a
            ``hawthorne.suite/1`` YAML file.
        seed: Seed for sampling generated cases when ``cases.generate.n`` (or the cap of
            2000) asks for fewer cases than there are combinations. Case ids do not depend
            on it: an id always means the same fields.

    Returns:
        The suite.

    Raises:
        SuiteError: The suite is unknown, unreadable or invalid; ``str(err)`` is
            ``path:line: field: message``.
    """
    path, shown, source = resolve_ref(ref, "suites")
    doc = load_document(path, shown)
    return build_suite(doc, seed=seed, source=source, base_dir=path.parent)


def validate_suite_file(path: str | Path) -> Suite:
    """Validate a suite file; the same as :func:`load_suite` on a path.

    Args:
        path: The YAML file.

    Returns:
        The suite, if it is valid.

    Raises:
        SuiteError: The file is missing or invalid.
    """
    return load_suite(Path(path))
