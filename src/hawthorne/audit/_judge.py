"""A judge model's reading of the reasoning traces in an audit, beside the offline detector's.

With ``--judge MODEL`` each target's reasoning traces (a random sample per condition: a judge
costs votes per trace) are scored by the judge detector for alignment-faking reasoning,
evaluation awareness and nobody-watching talk, and the rates are corrected with the judge's
own sensitivity and specificity, measured once per run on the shipped held-out labelled traces.
Results land in ``judge/`` in the run folder (the calibration in ``judge/calibration.json``),
are kept on resume while the plan and the answers are unchanged, and reach the summary as each
target's ``judge`` entry. Evidence beside the verdict, never a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hawthorne.audit._config import AuditConfig
from hawthorne.audit._stages import Notify, kept, load_stage, read_json, stage_file, write_stage

JUDGE_DIR = "judge"
"""The run folder's subfolder of judge results."""

Answers = Mapping[str, Sequence[tuple[str, str]]]
"""Per condition, ``(pair key, answer text)`` of every answer of one target."""


@dataclass(frozen=True)
class JudgeSettings:
    """How a run asks its judge.

    Attributes:
        model: The judge: any Inspect model string.
        votes: Votes per trace (20 in "Alignment Faking Revisited").
        max_traces: Traces judged per target and condition (a random sample).
    """

    model: str
    votes: int = 20
    max_traces: int = 100


def _calibration(out_dir: Path, settings: JudgeSettings, notify: Notify | None) -> Any:
    """The judge's calibration per signal, measured once and kept in the run folder."""
    from hawthorne.adapter import JudgeDetector
    from hawthorne.detectors import SIGNALS, Calibration, judge_calibration

    file = stage_file(out_dir, JUDGE_DIR, "calibration")
    plan = {"model": settings.model, "votes": settings.votes}
    if kept(file, plan):
        stored = read_json(file)["signals"]
        return {s: Calibration(**stored[s]) for s in SIGNALS}
    if notify:
        notify(f"judge: calibrating {settings.model} on the held-out labelled traces")
    found = {
        name: judge_calibration(JudgeDetector(settings.model, name, settings.votes), name)
        for name in SIGNALS
    }
    write_stage(file, None, plan, {"signals": {s: asdict(c) for s, c in found.items()}})
    return found


def run_judge(
    config: AuditConfig,
    out_dir: Path,
    settings: JudgeSettings,
    answers: Mapping[str, Answers],
    notify: Notify | None = None,
) -> dict[str, dict[str, Any]]:
    """Judge each target's reasoning traces into ``out_dir/judge/``.

    A judge that fails (unreachable, unreadable answers) is recorded per target as
    ``{"status": "failed", "reason"}``; the behavioural results are never lost to it.

    Args:
        config: The run's configuration (seed, alpha).
        out_dir: The run folder.
        settings: The judge and its budget.
        answers: Per target, its answers by condition.
        notify: Told a line before each judged target.

    Returns:
        The judge results per target, as :func:`load_judged` reads them back.
    """
    from hawthorne.adapter import JudgeDetector
    from hawthorne.detectors import SIGNALS, judge_readers, reasoning_evidence

    plan_base = {**asdict(settings), "seed": config.seed}
    failure = ""
    try:
        calibrations = _calibration(out_dir, settings, notify)
    except (RuntimeError, ValueError) as err:
        calibrations, failure = None, f"calibrating the judge failed: {err}"
    for target, mine in answers.items():
        plan = {**plan_base, "n_answers": {c: len(rows) for c, rows in mine.items()}}
        file = stage_file(out_dir, JUDGE_DIR, target)
        if kept(file, plan):
            continue
        if calibrations is None:
            write_stage(file, target, plan, {"status": "failed", "reason": failure})
            continue
        if notify:
            notify(f"judge: {target} ({settings.votes} votes per trace)")
        detectors = {
            name: JudgeDetector(settings.model, name, settings.votes, random_state=config.seed)
            for name in SIGNALS
        }
        try:
            found = reasoning_evidence(
                mine,
                config.settings.alpha,
                judge_readers(detectors, calibrations),
                detector=f"judge {settings.model}",
                max_traces=settings.max_traces,
                random_state=config.seed,
            )
            found = {"status": "ok", **found}
        except (RuntimeError, ValueError) as err:
            found = {"status": "failed", "reason": f"the judge failed: {err}"}
        write_stage(file, target, plan, found)
    return load_judged(out_dir)


def load_judged(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The judge results in a run folder, by target."""
    return load_stage(out_dir, JUDGE_DIR)


__all__ = ["JUDGE_DIR", "JudgeSettings", "load_judged", "run_judge"]
