"""Reading and checking ``summary.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from hawthorne.report._errors import ReportError
from hawthorne.report._schema import SCHEMA, VERDICTS, Summary

SUMMARY_FILE = "summary.json"


def load_summary(run_dir: Path) -> Summary:
    """Read and check the ``summary.json`` of a run folder.

    Args:
        run_dir: A run folder written by ``hawthorne run`` (a path to the ``summary.json`` file
            itself is accepted too).

    Returns:
        The summary as parsed from JSON (checked by :func:`check_summary`).

    Raises:
        ReportError: The folder or file is missing or unreadable, the file is not JSON, its
            schema is not ``hawthorne.summary/1``, or its results lack the fields a verdict
            needs. The message is one line.
    """
    run_dir = Path(run_dir)
    if run_dir.is_file():
        path = run_dir
    elif not run_dir.exists():
        raise ReportError(f"run folder not found: {run_dir}")
    else:
        path = run_dir / SUMMARY_FILE
        if not path.is_file():
            raise ReportError(f"no {SUMMARY_FILE} in {run_dir} (is it a hawthorne run folder?)")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: cannot read: {_one_line(e)}") from e
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        msg = f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        raise ReportError(f"{path}: {msg}") from e
    return check_summary(data, where=str(path))


def check_summary(data: object, *, where: str = "summary") -> Summary:
    """Check that a summary has the schema and the fields a verdict needs.

    Only what the gate and a verdict rely on is checked (the schema, the lists, each item's
    names and verdict); the renderers read every other field defensively, so a summary that
    passes is rendered whatever else it holds or lacks.

    Args:
        data: A parsed summary.
        where: How to name the summary in error messages (usually its path).

    Returns:
        ``data``, typed as the summary it was checked to be.

    Raises:
        ReportError: Something the gate and the renderers rely on is missing or malformed.
    """
    if not isinstance(data, Mapping):
        raise ReportError(f"{where}: expected a JSON object, got {type(data).__name__}")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ReportError(f"{where}: schema is {schema!r}, expected {SCHEMA!r}")
    for list_key in ("results", "targets"):
        items = data.get(list_key)
        if not isinstance(items, Sequence) or isinstance(items, str):
            raise ReportError(f"{where}: '{list_key}' must be a list")
        for i, item in enumerate(items):
            _check_item(item, f"{where}: {list_key}[{i}]", list_key == "results")
    return cast(Summary, data)


def _check_item(item: object, where: str, is_result: bool) -> None:
    if not isinstance(item, Mapping):
        raise ReportError(f"{where} must be an object")
    names = ("target", "suite", "cue_family") if is_result else ("target",)
    for name in names:
        if not isinstance(item.get(name), str):
            raise ReportError(f"{where} has no string '{name}'")
    verdict = item.get("verdict")
    if verdict not in VERDICTS:
        raise ReportError(f"{where} has verdict {verdict!r}, expected one of {', '.join(VERDICTS)}")


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
