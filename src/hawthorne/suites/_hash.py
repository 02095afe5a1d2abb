"""Content hashes: one fingerprint of what a suite asks, for run folders, zoos and baselines."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel

from hawthorne.suites._models import Suite

__all__ = ["content_hash"]


def content_hash(*parts: BaseModel) -> str:
    """SHA-256 over the resolved content of suites, cue families or stressors.

    What is hashed is each part as loaded, not its file: a suite's id, title, decisions,
    protocol, legacy protocol, cases (generated cases as sampled for the seed the suite was
    loaded with), resolved cue families, stressors and agentic block, written as canonical JSON
    (sorted keys, no blank space). So editing a suite's YAML layout, comments or quoting, moving
    the file, or inlining a built-in cue family leaves the hash as it is; any change to what a
    model is shown or how an answer is scored (a word of a rule, a case, a cue paraphrase, a
    decision table row) changes it. A suite's ``source`` (where it was loaded from) is left out,
    and so are fields at their default value, so a new optional field in the suite schema does
    not change the hash of suites that do not use it. List order counts: decision tables are
    first-match and case order feeds the sampling.

    Args:
        *parts: The models to hash, in order (e.g. a :class:`Suite`, or several suites followed
            by cue families).

    Returns:
        The hex digest (64 characters).
    """
    digest = hashlib.sha256()
    for part in parts:
        exclude = {"source"} if isinstance(part, Suite) else None
        data = part.model_dump(mode="json", exclude=exclude, exclude_defaults=True)
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        # The type name keeps a suite and a cue family with equal fields apart.
        digest.update(f"{type(part).__name__}\0{text}\0".encode())
    return digest.hexdigest()
