"""Running an audit: looks of pairs through Inspect until every stratum stops."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hawthorne.audit._config import FINGERPRINT_KEY, AuditConfig, AuditError, TargetFailed
from hawthorne.audit._demo import GroundTruthCheck, ground_truth_checks
from hawthorne.audit._fingerprint import Fingerprint, check_resume, rerender_warnings
from hawthorne.audit._judge import JudgeSettings, load_judged, run_judge
from hawthorne.audit._stages import Notify
from hawthorne.audit._stratum import Stratum
from hawthorne.audit._summary import answers_by_condition, summarize
from hawthorne.audit._whitebox import RUN_METHODS, load_whitebox, start_whitebox
from hawthorne.pairs import PairRecord, plan_stratum
from hawthorne.report import Summary
from hawthorne.suites import Suite, load_suite

FIRST_LOOK = 16
"""Pairs per stratum in the first look; each later look doubles, up to :data:`MAX_LOOK`.
Any look schedule is valid for an anytime-valid confidence sequence: small looks let a blatant
faker stop after a few dozen pairs and keep the overshoot past the stopping point small, while
each look still asks every running stratum at once, so the target sees wide concurrency."""
MAX_LOOK = 32


@dataclass(frozen=True)
class Progress:
    """What a progress display is told after each look.

    Attributes:
        target: The target being audited.
        pairs_done: Pairs finished for this target.
        pairs_planned: Upper bound of pairs for this target (its budget).
        verdicts: Provisional verdict counts over the target's strata.
        running: Strata still asking.
    """

    target: str
    pairs_done: int
    pairs_planned: int
    verdicts: Mapping[str, int]
    running: int


ProgressCallback = Callable[[Progress], None]
"""What :func:`run_audit` calls after each look."""


@dataclass(frozen=True)
class AuditResult:
    """A finished (or re-rendered) audit.

    Attributes:
        summary: The summary (schema ``hawthorne.summary/1``).
        flips: The flipped pairs with both answers.
        files: Report files written, by name.
        warnings: What the caller should be told about the result (a re-rendered run whose
            logs do not match the installed suites).
    """

    summary: Summary
    flips: list[dict[str, Any]]
    files: dict[str, Path]
    warnings: tuple[str, ...] = ()

    @property
    def ground_truth(self) -> list[GroundTruthCheck] | None:
        """Each verdict beside its ground truth, for an audit of zoo organisms (else None)."""
        return ground_truth_checks(self.summary)


def _load_suites(config: AuditConfig) -> list[Suite]:
    return [load_suite(ref, seed=config.seed) for ref in config.suites]


def _strata(
    config: AuditConfig, suites: Sequence[Suite], done: Mapping[str, Mapping[str, PairRecord]]
) -> dict[str, list[Stratum]]:
    out: dict[str, list[Stratum]] = {}
    for audited in config.audited():
        target = audited.label
        wanted = config.suites_for(audited.model)
        group = [
            Stratum(
                target,
                plan_stratum(suite, cue, config.epochs, config.seed),
                config.settings,
                config.max_pairs,
                [stressor.id for stressor in suite.stressors],
                agentic=suite.agentic is not None,
            )
            for suite in suites
            if wanted is None or suite.id in wanted
            for cue in suite.cues
            if config.cue_families is None or cue.id in config.cue_families
        ]
        for stratum in group:
            stratum.feed(done.get(target, {}))
        out[target] = group
    return out


def _progress(target: str, group: Sequence[Stratum]) -> Progress:
    n = sum(s.n_tests for s in group)
    counts: dict[str, int] = {}
    for s in group:
        if s.status(n) != "running":
            verdict = s.stats.verdict()
            counts[verdict] = counts.get(verdict, 0) + 1
    return Progress(
        target=target,
        pairs_done=sum(len(s.records) for s in group),
        pairs_planned=sum(len(s.plan) for s in group),
        verdicts=counts,
        running=sum(s.status(n) == "running" for s in group),
    )


def _option_changes(previous: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """The options ``previous`` holds otherwise than ``now``, in words (``max_pairs 20 → 30``)."""
    keys = sorted(previous.keys() | now.keys())
    changed = [k for k in keys if previous.get(k) != now.get(k)]
    return ", ".join(f"{k} {previous.get(k)!r} → {now.get(k)!r}" for k in changed)


def _check_run_folder(out_dir: Path, config: AuditConfig, fingerprint: Fingerprint) -> None:
    """Refuse a folder that holds another run (other options or fingerprint); record this one."""
    path = out_dir / "run.json"
    if path.exists():
        try:
            previous = json.loads(path.read_text())
        except ValueError:
            previous = None
        options = dict(previous) if isinstance(previous, dict) else {}
        options.pop(FINGERPRINT_KEY, None)
        if options != config.to_json():
            # An unreadable run.json differs in everything: no list of options then.
            changed = _option_changes(options, config.to_json()) if options else ""
            raise AuditError(
                f"{out_dir} holds a different run (its run.json differs from this command"
                f"{': ' + changed if changed else ''}); resume it with the same options, or "
                "choose another --out"
            )
        check_resume(out_dir, previous, fingerprint)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {**config.to_json(), FINGERPRINT_KEY: fingerprint.to_json()}
    path.write_text(json.dumps(data, indent=2) + "\n")


def run_audit(
    config: AuditConfig,
    out_dir: Path,
    on_progress: ProgressCallback | None = None,
    whitebox: Sequence[str] = RUN_METHODS,
    notify: Notify | None = None,
    judge: JudgeSettings | None = None,
) -> AuditResult:
    """Run an audit into a run folder, resuming from what the folder already holds.

    Each look asks every running stratum of a target for its next pairs in one Inspect eval,
    whose log lands in ``out_dir/logs``; finished pairs are read back from the logs, so a run
    that stops halfway keeps them and the same command resumes. Meanwhile the targets with open
    weights on this machine get a white-box audit in a child process
    (:func:`~hawthorne.audit._whitebox.start_whitebox`); then, with a judge, every target's
    reasoning traces are judged (:func:`run_judge`).

    Args:
        config: The audit.
        out_dir: The run folder.
        on_progress: Called after each look.
        whitebox: White-box methods for open-weight targets (empty: none).
        notify: Told a line when a white-box audit or a judge starts, and before the trace
            detectors read a target's traces where there are many.
        judge: The judge model for the reasoning traces, and its budget (None: no judge).

    Returns:
        The result, with the report files written.

    Raises:
        AuditError: If a target cannot be reached or fails mid-run (finished pairs stay saved),
            or ``out_dir`` holds another run: other options, or another fingerprint (a suite
            or cue family edited, another Hawthorne version, other generation settings) or
            none (started by an older Hawthorne), whose answers cannot be pooled with new ones.
    """
    from hawthorne.adapter import TargetUnavailable, check_log_dir, check_target, load_pairs

    suites = _load_suites(config)
    used = {cue.id for suite in suites for cue in suite.cues}
    unknown = sorted(set(config.cue_families or ()) - used)
    if unknown:
        raise AuditError(
            f"cue family {', '.join(unknown)} is not used by the audited suites "
            f"(they use: {', '.join(sorted(used))})"
        )
    try:
        for target in config.targets:
            check_target(target)
    except TargetUnavailable as err:
        raise AuditError(str(err)) from None
    if judge is not None:
        try:
            check_target(judge.model)
        except TargetUnavailable as err:
            raise AuditError(f"--judge: {err}") from None
    oracle_judge = config.judge_model(suites)
    if oracle_judge is not None:
        try:
            check_target(oracle_judge)
        except TargetUnavailable as err:
            raise AuditError(f"the judge oracle: {err}") from None
    log_dir = out_dir / "logs"
    try:
        check_log_dir(log_dir)
    except ValueError as err:
        raise AuditError(f"--out: {err}") from None
    _check_run_folder(out_dir, config, Fingerprint.of(config, suites))
    strata = _strata(config, suites, load_pairs(log_dir))
    background = start_whitebox(config, out_dir, whitebox, notify) if whitebox else None
    try:
        _ask(config, strata, suites, log_dir, on_progress, oracle_judge)
    except BaseException:
        if background is not None:
            background.cancel()
        raise
    if background is not None:
        background.wait()
    if judge is not None:
        answers = {t: answers_by_condition(group) for t, group in strata.items()}
        run_judge(config, out_dir, judge, answers, notify)
    return _write(config, out_dir, strata, suites, notify)


def _ask(
    config: AuditConfig,
    strata: Mapping[str, Sequence[Stratum]],
    suites: Sequence[Suite],
    log_dir: Path,
    on_progress: ProgressCallback | None,
    oracle_judge: str | None,
) -> None:
    """Ask every target's running strata for their next looks until none is running.

    ``oracle_judge`` is the judge oracle's model, resolved once (None: no suite uses one).
    """
    from hawthorne.adapter import EvalFailed, run_looks

    by_id = {suite.id: suite for suite in suites}
    audited = config.audited()
    look = {a.label: FIRST_LOOK for a in audited}
    n_tests = {a.label: sum(s.n_tests for s in strata[a.label]) for a in audited}
    # Every target with running strata is asked its next look in the same eval.
    while True:
        running = {
            a.label: [s for s in strata[a.label] if s.status(n_tests[a.label]) == "running"]
            for a in audited
        }
        if on_progress:
            for a in audited:
                on_progress(_progress(a.label, strata[a.label]))
        asking = [a for a in audited if running[a.label]]
        if not asking:
            break
        looks = [
            (a, [spec for s in running[a.label] for spec in s.next_specs(look[a.label])])
            for a in asking
        ]
        try:
            finished = run_looks(
                looks,
                by_id,
                log_dir,
                max_connections=config.max_connections,
                max_retries=config.max_retries,
                neutral=config.neutral,
                generation=config.generation(),
                model_args=config.model_args,
                oracle=config.oracle,
                judge=oracle_judge,
            )
        except EvalFailed as err:
            raise TargetFailed(str(err)) from None
        for a in asking:
            for stratum in running[a.label]:
                stratum.feed(finished[a.label])
            look[a.label] = min(2 * look[a.label], MAX_LOOK)


def _write(
    config: AuditConfig,
    out_dir: Path,
    strata: Mapping[str, Sequence[Stratum]],
    suites: Sequence[Suite],
    notify: Notify | None = None,
) -> AuditResult:
    from hawthorne.report import write_reports

    whitebox, judged = load_whitebox(out_dir), load_judged(out_dir)
    summary, flips = summarize(config, strata, whitebox, judged, suites, notify)
    files = write_reports(out_dir, summary, flips)
    return AuditResult(summary, flips, files)


def rerender(out_dir: Path, notify: Notify | None = None) -> AuditResult:
    """Rebuild a run's summary and reports from its Inspect logs (``hawthorne report DIR``).

    Args:
        out_dir: The run folder.
        notify: Told a line before long steps (the trace detectors on many traces).

    Returns:
        The re-rendered result; its warnings say when the logs' fingerprint (suites, cue
        families, Hawthorne version, generation settings) differs from the installed suites',
        whose protocols and oracle then score answers given to another version.

    Raises:
        AuditError: If the folder is not a run folder.
    """
    from hawthorne.adapter import load_pairs
    from hawthorne.audit._config import read_run_config

    config = read_run_config(out_dir)
    suites = _load_suites(config)
    warnings = rerender_warnings(out_dir, Fingerprint.of(config, suites))
    strata = _strata(config, suites, load_pairs(out_dir / "logs"))
    result = _write(config, out_dir, strata, suites, notify)
    return replace(result, warnings=tuple(warnings))
