"""Per-target evidence stages after the behavioural audit, kept as files in the run folder.

A stage (``whitebox``, ``judge``) writes one JSON file per target into its subfolder of the run
folder, atomically, with the plan it was made with; a resumed run keeps a file whose plan is
unchanged, and ``hawthorne report`` reads the files back into the summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Notify = Callable[[str], None]
"""Told one line before a long step of a run (the CLI prints it)."""


def stage_file(out_dir: Path, stage: str, name: str) -> Path:
    """The file of one target (or other ``name``) in a stage's subfolder."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return out_dir / stage / f"{safe}.json"


def read_json(file: Path) -> dict[str, Any]:
    """A JSON object from a file; empty when the file is missing or unreadable."""
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def kept(file: Path, plan: Mapping[str, Any]) -> bool:
    """Whether ``file`` holds a finished result made with ``plan``."""
    return file.exists() and read_json(file).get("plan") == plan


def write_stage(
    file: Path, target: str | None, plan: Mapping[str, Any], found: Mapping[str, Any]
) -> None:
    """Write a stage's result with its plan (and target), atomically."""
    from hawthorne.report import write_atomic

    file.parent.mkdir(parents=True, exist_ok=True)
    head = {"target": target} if target is not None else {}
    write_atomic(file, json.dumps({**head, "plan": dict(plan), **found}, indent=2) + "\n")


def load_stage(out_dir: Path, stage: str) -> dict[str, dict[str, Any]]:
    """A stage's per-target results in a run folder, by target (unreadable files skipped)."""
    found = (read_json(f) for f in sorted((out_dir / stage).glob("*.json")))
    return {str(d["target"]): d for d in found if d.get("target") is not None}


__all__ = ["Notify", "kept", "load_stage", "read_json", "stage_file", "write_stage"]
