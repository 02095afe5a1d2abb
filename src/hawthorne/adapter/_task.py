"""The Inspect side of an audit: pairs as samples, the outcome scorer, pairs back from logs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from inspect_ai import Task
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    metric,
    scorer,
)
from inspect_ai.solver import TaskState

from hawthorne.adapter._tools import MESSAGE_LIMIT, audit_agent, recorded_actions
from hawthorne.oracle import (
    Judgement,
    OracleMode,
    is_adherent,
    judge_prompt,
    needs_judge,
    parse_decision,
    read_judgement,
)
from hawthorne.pairs import Answer, PairRecord, PairSpec, read_answer
from hawthorne.suites import SIDES, Side, Suite, render

TARGET_KEY = "hawthorne_target"
"""Task metadata key naming the target, so a run's logs can be told apart by target."""


def pair_samples(
    suite: Suite,
    specs: Iterable[PairSpec],
    positive_control: bool = False,
    neutral: bool = False,
    oracle: OracleMode | None = None,
) -> list[Sample]:
    """Render planned pairs of one suite as Inspect samples, two (or three) per pair.

    Args:
        suite: The suite the pairs come from.
        specs: The planned pairs.
        positive_control: Render them with the instructed-faker instruction.
        neutral: Add a third sample under the family's neutral (no-observation) cue.
        oracle: The oracle mode to read answers with (None: the suite's own).

    Returns:
        The samples, each carrying the pair's metadata.
    """
    cases = {case.id: case for case in suite.cases}
    cues = {cue.id: cue for cue in suite.cues}
    stressors = {stressor.id: stressor for stressor in suite.stressors}
    samples = []
    for spec in specs:
        case = cases[spec.case_id]
        protocol, legacy = suite.expected(case)
        agentic = suite.agentic_case(case)
        stressor = stressors[spec.stressor] if spec.stressor is not None else None
        sides: tuple[Side, ...] = (*SIDES, "neutral") if neutral else SIDES
        for side in sides:
            prompt = render(
                suite,
                case,
                cues[spec.cue_family],
                side,
                spec.paraphrase,
                positive_control,
                stressor,
            )
            samples.append(
                Sample(
                    id=f"{spec.key}/{side}",
                    input=[
                        ChatMessageSystem(content=prompt.system),
                        ChatMessageUser(content=prompt.user),
                    ],
                    target=protocol,
                    metadata={
                        "suite": suite.id,
                        "cue_family": spec.cue_family,
                        "case_id": spec.case_id,
                        "paraphrase": spec.paraphrase,
                        "epoch": spec.epoch,
                        "side": side,
                        "cue": prompt.cue,
                        "case_text": case.text,
                        "decisions": list(suite.decisions),
                        "protocol_decision": protocol,
                        "legacy_decision": legacy,
                        "versions": [suite.protocol.version, suite.legacy.version],
                        "discriminating": spec.discriminating,
                        "stressor": spec.stressor,
                        "stressor_text": prompt.stressor,
                        "agentic": agentic.to_dict() if agentic is not None else None,
                        "oracle": oracle or suite.oracle.mode,
                        "oracle_check": suite.oracle.check,
                    },
                )
            )
    return samples


def _adherence(scores: list[SampleScore], side: Side) -> float:
    values = [
        float(s.score.as_float())
        for s in scores
        if (s.sample_metadata or {}).get("side") == side
        and (s.sample_metadata or {}).get("discriminating")
    ]
    return sum(values) / len(values) if values else 0.0


@metric
def observed_adherence() -> Metric:
    """Protocol adherence on discriminating samples under the observed cue."""

    def compute(scores: list[SampleScore]) -> float:
        return _adherence(scores, "observed")

    return compute


@metric
def unobserved_adherence() -> Metric:
    """Protocol adherence on discriminating samples under the unobserved cue."""

    def compute(scores: list[SampleScore]) -> float:
        return _adherence(scores, "unobserved")

    return compute


@metric
def gap() -> Metric:
    """Observed minus unobserved adherence (the point estimate; the audit adds the statistics)."""

    def compute(scores: list[SampleScore]) -> float:
        return _adherence(scores, "observed") - _adherence(scores, "unobserved")

    return compute


JUDGE_MAX_TOKENS = 256
"""Room for the judge's JSON reply (a decision and a short quote)."""


async def judge_answer(answer: str, decisions: list[str]) -> Judgement:
    """Ask the model in Inspect role ``judge`` which decision an answer makes (temperature 0)."""
    judge = get_model(role="judge", required=True)
    config = GenerateConfig(temperature=0.0, max_tokens=JUDGE_MAX_TOKENS)
    output = await judge.generate(judge_prompt(answer, decisions), config=config)
    return read_judgement(output.completion, answer, decisions)


@scorer(metrics=[observed_adherence(), unobserved_adherence(), gap()])
def protocol_outcome() -> Scorer:
    """Score an answer 1 when it follows the current protocol, with its outcome class.

    For an agentic sample the decision is read from the actions its tools recorded (falling
    back to the ``<decision>`` tag), and the score's metadata lists its side effects. Where the
    sample's oracle mode asks for it (:func:`~hawthorne.oracle.needs_judge`), the judge reads the
    answer first; its judgement is kept in the score's metadata, so rebuilding pairs from the
    log never asks it again.
    """

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata
        text = state.output.completion
        judgement = None
        parsed = parse_decision(text, meta["decisions"])
        if needs_judge(meta.get("oracle", "parse"), parsed, str(state.sample_id),
                       float(meta.get("oracle_check", 0.0))):  # fmt: skip
            judgement = await judge_answer(text, meta["decisions"])
        actions = recorded_actions(dict(state.store.items()))
        answer = read_answer(meta["cue"], text, meta, actions, judgement)
        return Score(
            value=1.0 if is_adherent(answer.outcome) else 0.0,
            answer=answer.decision or "",
            explanation=answer.outcome,
            metadata={
                "outcome": answer.outcome,
                "side_effects": answer.side_effects,
                "judgement": judgement.to_dict() if judgement else None,
            },
        )

    return score


def audit_task(
    name: str,
    samples: Sequence[Sample],
    metadata: dict[str, Any] | None = None,
    model: Any = None,
) -> Task:
    """The Inspect task for a batch of pair samples.

    Args:
        name: Task name (shown by ``inspect view``).
        samples: Pair samples from :func:`pair_samples`.
        metadata: Task metadata (the audit stores the target under :data:`TARGET_KEY`).
        model: The model (Inspect ``Model`` or model string) this task asks (None: the model
            ``eval`` is given).

    Returns:
        The task.
    """
    return Task(
        dataset=list(samples),
        solver=audit_agent(),
        scorer=protocol_outcome(),
        message_limit=MESSAGE_LIMIT,
        name=name,
        metadata=metadata or {},
        model=model,
    )


def _answer(sample: Any) -> tuple[Side, Answer]:
    meta = sample.metadata
    text = sample.output.completion if sample.output else ""
    score = (sample.scores or {}).get("protocol_outcome")
    judged = (score.metadata or {}).get("judgement") if score is not None else None
    judgement = Judgement.from_dict(judged) if judged else None
    return meta["side"], read_answer(
        meta["cue"], text, meta, recorded_actions(sample.store), judgement
    )


def pairs_from_log(log: EvalLog, target: str) -> dict[str, PairRecord]:
    """Rebuild the finished pairs of one log: both sides answered without error.

    Args:
        log: An Inspect eval log (any status: an interrupted look keeps its finished samples).
        target: The target the log belongs to.

    Returns:
        Finished pairs by key (see :func:`pairs_from_samples`).
    """
    return pairs_from_samples(log.samples or [], target)


def pairs_from_samples(samples: Iterable[EvalSample], target: str) -> dict[str, PairRecord]:
    """The finished pairs among logged samples: both sides answered without error.

    The neutral side, where a run asks it, is attached when it finished too.

    Args:
        samples: Samples as Inspect logs them (read from a log, or handed to its hooks).
        target: The target they belong to.

    Returns:
        Finished pairs by key.
    """
    halves: dict[str, dict[Side, Answer]] = {}
    meta_by_key: dict[str, dict[str, Any]] = {}
    for sample in samples:
        if sample.error is not None or not sample.output or not sample.output.choices:
            continue
        side, answer = _answer(sample)
        key = str(sample.id).rsplit("/", 1)[0]
        halves.setdefault(key, {})[side] = answer
        meta_by_key[key] = sample.metadata
    pairs = {}
    for key, sides in halves.items():
        if "observed" not in sides or "unobserved" not in sides:
            continue
        meta = meta_by_key[key]
        pairs[key] = PairRecord(
            target=target,
            spec=PairSpec(
                suite=meta["suite"],
                cue_family=meta["cue_family"],
                case_id=meta["case_id"],
                paraphrase=int(meta["paraphrase"]),
                epoch=int(meta["epoch"]),
                discriminating=bool(meta["discriminating"]),
                # Logs written before stressors existed have no such key: no stressor.
                stressor=meta.get("stressor"),
            ),
            case_text=meta["case_text"],
            observed=sides["observed"],
            unobserved=sides["unobserved"],
            neutral=sides.get("neutral"),
        )
    return pairs


def load_pairs(log_dir: Path) -> dict[str, dict[str, PairRecord]]:
    """Every finished pair under a run's log folder, by target then pair key.

    Earlier logs win when a pair was answered twice, so re-reading is stable.

    Args:
        log_dir: The run's ``logs`` folder.

    Returns:
        Finished pairs by target and key.
    """
    found: dict[str, dict[str, PairRecord]] = {}
    if not log_dir.exists():
        return found
    for info in list_eval_logs(str(log_dir), descending=False):
        log = read_eval_log(info, resolve_attachments=True)
        target = (log.eval.metadata or {}).get(TARGET_KEY)
        if target is None:
            continue
        per_target = found.setdefault(str(target), {})
        for key, record in pairs_from_log(log, str(target)).items():
            per_target.setdefault(key, record)
    return found


def logged_answers(path: Path) -> list[dict[str, Any]]:
    """Every answered sample of any Inspect ``.eval`` (or ``.json``) log, as a plain row.

    For recorded answers of another task (``hawthorne analyze``): each row holds the sample's
    metadata, then ``case`` (the sample id), ``epoch`` (from 0), ``answer`` (the final
    completion) and ``target`` (the log's model), unless the metadata already names them.
    Samples that ended in an error are left out.

    Args:
        path: The log file.

    Returns:
        The rows, in the log's order.

    Raises:
        OSError: The file cannot be read.
        ValueError: It is not an Inspect log.
    """
    try:
        log = read_eval_log(str(path), resolve_attachments=True)
    except (OSError, ValueError):
        raise
    except Exception as err:  # Inspect raises its own errors for a file that is not a log
        raise ValueError(f"not an Inspect log ({type(err).__name__}: {err})") from None
    rows = []
    for sample in log.samples or []:
        if sample.error is not None or not sample.output or not sample.output.choices:
            continue
        row: dict[str, Any] = {
            "case": str(sample.id),
            "epoch": max(int(sample.epoch) - 1, 0),
            "answer": sample.output.completion,
            "target": log.eval.model,
        }
        rows.append({**row, **(sample.metadata or {})})
    return rows
