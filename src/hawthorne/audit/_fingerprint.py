"""A run's fingerprint: what decided its answers, recorded in ``run.json`` and checked on resume.

A run folder's paired statistics compare answers to one protocol version under the two cues;
answers asked before and after an edit of a suite (or of Hawthorne's prompts) cannot be pooled.
So ``run.json`` records, beside the options, each suite's :func:`~hawthorne.suites.content_hash`,
the audited cue families' hashes, the Hawthorne version and the generation settings, and a rerun
whose fingerprint differs is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hawthorne._version import __version__
from hawthorne.audit._config import FINGERPRINT_KEY, AuditConfig, AuditError
from hawthorne.suites import CueFamily, Suite, content_hash

SHOWN = 12
"""Hex digits of a hash shown in messages: enough to tell two apart at a glance."""

NEW_FOLDER = "start a new run folder with --out NEW_DIR"
"""How a message tells the user to keep the old answers and audit afresh."""


def generation_settings(config: AuditConfig) -> dict[str, Any]:
    """The settings that decide what each target is asked and how often.

    Concurrency and retries are left out: they change how fast answers come, not which.

    Args:
        config: The audit.

    Returns:
        Name → value; a new setting (a temperature, a token limit) is one more entry here.
    """
    # The oracle settings are recorded only when set, so older run folders keep their prints.
    oracle = {k: v for k in ("oracle", "oracle_judge") if (v := getattr(config, k))}
    return {
        **config.generation(),
        **oracle,
        "model_args": dict(config.model_args),
        "epochs": config.epochs,
        "neutral": config.neutral,
        "positive_control": config.positive_control,
    }


@dataclass(frozen=True)
class Fingerprint:
    """What decided a run's answers.

    Attributes:
        hawthorne: The Hawthorne version (its prompts, planning and scoring).
        suites: Suite reference (as given to the audit) → content hash.
        cue_families: Audited cue family id → content hash (of every suite's family of that
            id, in suite order).
        generation: The generation settings (:func:`generation_settings`).
    """

    hawthorne: str
    suites: dict[str, str]
    cue_families: dict[str, str]
    generation: dict[str, Any]

    @classmethod
    def of(cls, config: AuditConfig, suites: Sequence[Suite]) -> Fingerprint:
        """The fingerprint of an audit of the loaded ``suites``.

        Args:
            config: The audit.
            suites: Its suites, loaded in ``config.suites`` order with ``config.seed``.

        Returns:
            The fingerprint.
        """
        families: dict[str, list[CueFamily]] = {}
        for suite in suites:
            for cue in suite.cues:
                if config.cue_families is None or cue.id in config.cue_families:
                    families.setdefault(cue.id, []).append(cue)
        return cls(
            hawthorne=__version__,
            suites={ref: content_hash(s) for ref, s in zip(config.suites, suites, strict=True)},
            cue_families={k: content_hash(*v) for k, v in sorted(families.items())},
            generation=generation_settings(config),
        )

    def to_json(self) -> dict[str, Any]:
        """The fingerprint as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fingerprint:
        """Rebuild a fingerprint from :meth:`to_json` data.

        Raises:
            KeyError: A field is missing.
        """
        return cls(
            hawthorne=str(data["hawthorne"]),
            suites=dict(data["suites"]),
            cue_families=dict(data["cue_families"]),
            generation=dict(data["generation"]),
        )

    def changes(self, now: Fingerprint) -> list[str]:
        """What differs from ``now``, one phrase each (empty: the same fingerprint).

        Args:
            now: The fingerprint of the installed suites and this command.

        Returns:
            E.g. ``["suite soc-triage changed (content hash 8ae0eaf4060c… → 1f0c9e2d3b4a…)"]``.
        """
        out = []
        if self.hawthorne != now.hawthorne:
            out.append(f"Hawthorne changed from {self.hawthorne} to {now.hawthorne}")
        out += _diff("suite", self.suites, now.suites, _hashes)
        out += _diff("cue family", self.cue_families, now.cue_families, _hashes)
        out += _diff("generation setting", self.generation, now.generation, _values)
        return out


def _hashes(old: Any, new: Any) -> str:
    return f"content hash {str(old)[:SHOWN]}… → {str(new)[:SHOWN]}…"


def _values(old: Any, new: Any) -> str:
    return f"{old!r} → {new!r}"


def _diff(
    noun: str, old: Mapping[str, Any], new: Mapping[str, Any], show: Callable[[Any, Any], str]
) -> list[str]:
    out = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            out.append(f"{noun} {key} is no longer audited")
        elif key not in old:
            out.append(f"{noun} {key} was not recorded")
        elif old[key] != new[key]:
            out.append(f"{noun} {key} changed ({show(old[key], new[key])})")
    return out


def stored_fingerprint(run_json: Mapping[str, Any]) -> Fingerprint | None:
    """The fingerprint a ``run.json`` records (None: a folder started by an older Hawthorne).

    Raises:
        AuditError: The fingerprint is there but unreadable.
    """
    data = run_json.get(FINGERPRINT_KEY)
    if data is None:
        return None
    try:
        return Fingerprint.from_json(data)
    except (KeyError, TypeError, ValueError) as err:
        raise AuditError(f"the fingerprint in run.json is unreadable ({err})") from None


def check_resume(out_dir: Path, previous: Mapping[str, Any], now: Fingerprint) -> None:
    """Refuse to resume a run folder whose recorded fingerprint differs from ``now``.

    Args:
        out_dir: The run folder.
        previous: Its ``run.json``, with the same options as this command.
        now: This command's fingerprint.

    Raises:
        AuditError: The folder records no fingerprint, or another one; the message says what
            changed and how to start a new folder.
    """
    stored = stored_fingerprint(previous)
    restart = f"{NEW_FOLDER}, or delete {out_dir} to start this one over"
    if stored is None:
        raise AuditError(
            f"cannot resume {out_dir}: its run.json records no fingerprint of the suites (an "
            "older Hawthorne started it), so its answers cannot be checked to come from the "
            f"suites installed now; {restart}"
        )
    changed = stored.changes(now)
    if changed:
        raise AuditError(
            f"cannot resume {out_dir}: since this run folder was started, {'; '.join(changed)}. "
            "Resuming would mix answers from two protocol versions in one paired comparison; "
            f"{restart}"
        )


def rerender_warnings(out_dir: Path, now: Fingerprint) -> list[str]:
    """Warnings for ``hawthorne report``: where the logs' fingerprint differs from ``now``.

    Args:
        out_dir: The run folder (its ``run.json`` is readable).
        now: The fingerprint of the installed suites and the run's options.

    Returns:
        One warning, or none when the fingerprints match.
    """
    try:
        stored = stored_fingerprint(json.loads((out_dir / "run.json").read_text()))
    except AuditError as err:
        return [f"{out_dir}: {err}; the logs cannot be checked against the installed suites"]
    if stored is None:
        return [
            f"{out_dir}/run.json records no fingerprint (an older Hawthorne started it): the "
            "logs cannot be checked against the installed suites"
        ]
    changed = stored.changes(now)
    if not changed:
        return []
    return [
        f"the logs in {out_dir} do not match the installed suites: since the run was started, "
        f"{'; '.join(changed)}. This report scores the old answers against the installed "
        f"suites; for a consistent audit, {NEW_FOLDER}"
    ]
