"""Analysing recorded answers: pairs where they pair up, independent samples where not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hawthorne.audit import (
    AuditConfig,
    AuditResult,
    IndependentStratum,
    Stratum,
    VerdictSettings,
    summarize,
)
from hawthorne.oracle import OUTCOMES, Outcome
from hawthorne.pairs import Answer, PairRecord, PairSpec, read_answer
from hawthorne.recorded._read import Recorded, RecordError
from hawthorne.report import write_atomic, write_reports
from hawthorne.suites import Suite, SuiteError, load_suite

NO_SUITE = "recorded"
"""The suite (and cue family) name of answers recorded without one."""

GENERATION_KEYS = ("temperature", "top_p", "max_tokens", "reasoning_effort", "model_args")
"""Summary settings that describe how Hawthorne asks; recorded answers were asked elsewhere."""


@dataclass(frozen=True)
class _Read:
    record: Recorded
    target: str
    suite: str
    cue: str
    answer: Answer
    discriminating: bool


def analyze(
    records: Sequence[Recorded],
    out_dir: Path,
    *,
    suite: str | None = None,
    target: str = "recorded",
    cue: str = NO_SUITE,
    settings: VerdictSettings | None = None,
    sources: Sequence[str] = (),
) -> AuditResult:
    """Verdicts on answers another harness collected, into a run folder's reports.

    Records are grouped into strata (target × suite × cue family). Within a stratum they pair
    up when every case (or ``pair`` id) and epoch has exactly one answer under each condition;
    then the paired statistics of ``hawthorne run --fixed`` apply, on the same code. Otherwise
    the stratum's answers are two independent samples
    (:class:`~hawthorne.audit.IndependentStats`: Newcombe's hybrid score interval, Fisher's
    exact test), and the summary says so. The verdict rules, Holm's correction and the reports
    are the audit's.

    Args:
        records: The recorded answers (:func:`~hawthorne.recorded.read_records`).
        out_dir: The folder for ``summary.json``, the reports and ``recorded.json``.
        suite: The suite of records that name none (its oracle reads ``answer`` texts and
            knows which cases are discriminating).
        target: The model of records that name none.
        cue: The cue family of records that name none.
        settings: Verdict settings (fixed-sample; default: the audit's defaults).
        sources: The files read, for ``recorded.json``.

    Returns:
        The result, with the report files written.

    Raises:
        RecordError: A record that cannot be read against its suite (an unknown case, an
            ``answer`` without a suite, an unknown outcome).
        SuiteError: A suite that does not load.
    """
    base = settings or VerdictSettings()
    settings = VerdictSettings(base.alpha, base.margin, base.min_adherence, sequential=False)
    suites: dict[str, Suite] = {}
    read = [_read(r, target, suite, cue, suites) for r in records]
    strata: dict[str, list[Stratum | IndependentStratum]] = {}
    warnings: list[str] = []
    groups: dict[tuple[str, str, str], list[_Read]] = {}
    for item in read:
        groups.setdefault((item.target, item.suite, item.cue), []).append(item)
    for (who, suite_id, family), items in groups.items():
        stratum, note = _stratum(who, suite_id, family, items, settings)
        strata.setdefault(who, []).append(stratum)
        if note:
            warnings.append(note)
    config = AuditConfig(
        suites=tuple(dict.fromkeys(k[1] for k in groups)),
        targets=tuple(strata),
        epochs=max(r.epoch for r in records) + 1,
        settings=settings,
    )
    summary, flips = summarize(config, strata, suites=list(suites.values()))
    for key in GENERATION_KEYS:
        summary["settings"].pop(key, None)  # type: ignore[misc]
    summary["warnings"] = [*warnings, *summary.get("warnings", [])]
    out_dir.mkdir(parents=True, exist_ok=True)
    files = write_reports(out_dir, summary, flips)
    files["recorded.json"] = out_dir / "recorded.json"
    write_atomic(files["recorded.json"], _describe(sources, records, suite, target, cue))
    return AuditResult(summary, flips, files)


def _read(
    record: Recorded, target: str, suite: str | None, cue: str, suites: dict[str, Suite]
) -> _Read:
    suite_id = record.suite or suite
    loaded = None
    if suite_id is not None:
        if suite_id not in suites:
            try:
                suites[suite_id] = load_suite(suite_id)
            except SuiteError as err:
                raise SuiteError(f"{record.where}: {err}") from None
        loaded = suites[suite_id]
    case = None
    if loaded is not None:
        case = next((c for c in loaded.cases if c.id == record.case), None)
        if case is None and record.answer is not None:
            raise RecordError(
                f"{record.where}: suite {loaded.id} has no case {record.case!r}; its answer "
                "cannot be read (give 'outcome' or 'complied' instead)"
            )
    if record.answer is not None:
        if loaded is None or case is None:
            raise RecordError(
                f"{record.where}: an 'answer' is read by a suite's oracle: name the suite "
                "(--suite ID or a 'suite' field), or record 'outcome' or 'complied'"
            )
        if loaded.agentic is not None:
            raise RecordError(
                f"{record.where}: {loaded.id} is agentic (its oracle reads actions, not "
                "text): record 'outcome' or 'complied'"
            )
        protocol, legacy = loaded.expected(case)
        meta = {"decisions": loaded.decisions, "protocol_decision": protocol,
                "legacy_decision": legacy}  # fmt: skip
        answer = read_answer("", record.answer, meta)
    else:
        answer = Answer("", "", None, _outcome(record))
    if record.discriminating is not None:
        discriminating = record.discriminating
    else:
        discriminating = case is None or loaded is None or loaded.is_discriminating(case)
    return _Read(
        record,
        record.target or target,
        loaded.id if loaded is not None else NO_SUITE,
        record.cue or cue,
        answer,
        discriminating,
    )


def _outcome(record: Recorded) -> Outcome:
    if record.complied is not None:
        # A boolean says only whether the protocol was followed; not following it is read as
        # falling back to the legacy behaviour (the faking the audit looks for).
        return "protocol" if record.complied else "legacy"
    outcome = record.outcome or ""
    if outcome not in OUTCOMES:
        raise RecordError(
            f"{record.where}: outcome {record.outcome!r} is not one of {', '.join(OUTCOMES)}"
        )
    return outcome


def _stratum(
    target: str, suite: str, family: str, items: Sequence[_Read], settings: VerdictSettings
) -> tuple[Stratum | IndependentStratum, str]:
    """The stratum of one target × suite × cue family, and a note when it is not paired."""
    by_key: dict[tuple[Any, ...], dict[str, list[_Read]]] = {}
    for item in items:
        r = item.record
        key = ("pair", r.pair) if r.pair is not None else ("case", r.case, r.epoch)
        by_key.setdefault(key, {"observed": [], "unobserved": []})[r.condition].append(item)
    if all(len(v["observed"]) == 1 and len(v["unobserved"]) == 1 for v in by_key.values()):
        return _paired(target, suite, family, by_key, settings), ""
    independent = IndependentStratum(target, suite, family, settings)
    for item in items:
        independent.add(item.record.condition, item.answer, item.discriminating)
    matched = sum(1 for v in by_key.values() if v["observed"] and v["unobserved"])
    counts = {c: sum(len(v[c]) for v in by_key.values()) for c in ("observed", "unobserved")}
    note = (
        f"{target} {suite}/{family}: the recorded answers do not pair up ({counts['observed']} "
        f"observed and {counts['unobserved']} unobserved answers; {matched} of {len(by_key)} "
        "cases have answers under both conditions, not exactly one each), so they are analysed "
        "as independent samples (Newcombe's hybrid score interval, Fisher's exact test), "
        "which cannot cancel case-to-case variation as pairs do"
    )
    return independent, note


def _paired(
    target: str,
    suite: str,
    family: str,
    by_key: Mapping[tuple[Any, ...], Mapping[str, Sequence[_Read]]],
    settings: VerdictSettings,
) -> Stratum:
    specs: list[PairSpec] = []
    done: dict[str, PairRecord] = {}
    for index, sides in enumerate(by_key.values()):
        observed, unobserved = sides["observed"][0], sides["unobserved"][0]
        spec = PairSpec(
            suite=suite,
            cue_family=family,
            case_id=observed.record.case,
            # A pair id may repeat a case: the index keeps every pair's key its own.
            paraphrase=index if observed.record.pair is not None else 0,
            epoch=observed.record.epoch,
            discriminating=observed.discriminating and unobserved.discriminating,
        )
        specs.append(spec)
        done[spec.key] = PairRecord(target, spec, "", observed.answer, unobserved.answer)
    stratum = Stratum(target, specs, settings, max_pairs=len(specs))
    stratum.feed(done)
    return stratum


def _describe(
    sources: Sequence[str],
    records: Sequence[Recorded],
    suite: str | None,
    target: str,
    cue: str,
) -> str:
    import json

    data = {
        "schema": "hawthorne.recorded/1",
        "sources": list(sources),
        "records": len(records),
        "defaults": {"suite": suite, "target": target, "cue": cue},
    }
    return json.dumps(data, indent=2) + "\n"
