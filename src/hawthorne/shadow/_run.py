"""Running shadow pairs: choose live decisions, re-ask them observed, store, judge, report.

The I/O half of :mod:`hawthorne.shadow`: the store gives the candidates and keeps the pairs
(:mod:`hawthorne.store`), the audit's Inspect path asks the model (imported only when there is
something to ask, so the server starts without Inspect), the deployment's
:class:`~hawthorne.monitor.Checker` reads the observed answer exactly as it read the live one,
and the audit's statistics judge the pairs (:func:`~hawthorne.shadow.shadow_statistics`).
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hawthorne.audit import AuditConfig, AuditError, VerdictSettings, read_run_config
from hawthorne.monitor import Checker, DecisionIn, ShadowSettings, ToolCall
from hawthorne.pairs import PairSpec
from hawthorne.shadow._case import Unscorable, paraphrase_for, shadow_case
from hawthorne.shadow._select import budget_left, day_start, in_batches, select_sampled
from hawthorne.shadow._stats import shadow_statistics
from hawthorne.store import (
    OPEN_STATUSES,
    Live,
    Registry,
    ShadowCandidate,
    ShadowPair,
    list_findings,
    load_shadow_pairs,
    record_shadow_finding,
    save_shadow_pairs,
    shadow_asked_since,
    shadow_candidates,
)
from hawthorne.suites import Case

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "ShadowError",
    "ShadowPlan",
    "ShadowProgress",
    "ShadowRun",
    "run_shadow",
    "shadow_plan",
    "shadow_status",
]

DEFAULT_MAX_RETRIES = 3
"""Retries per request when the audit set none (Inspect's own default retries for ever)."""

SCAN_CHUNK = 2000
"""Stored decisions read per query while looking for sampled ones."""
SCAN_LIMIT = 200_000
"""Stored decisions one rate-sampled run looks at, at most (the next run goes on from there)."""
RECENT = 10
"""Pairs the status lists, newest last."""
_EVIDENCE = (
    "cue",
    "n_pairs",
    "gap",
    "ci",
    "p_value",
    "p_adjusted",
    "verdict",
    "adherence",
    "table",
)


class ShadowError(Exception):
    """Shadow pairs cannot be asked (bad settings, an unusable model); the message says why."""


@dataclass(frozen=True)
class ShadowPlan:
    """How a deployment's shadow pairs are asked and judged.

    Attributes:
        deployment: The deployment's id.
        model: The Inspect model string re-asked (the deployment's).
        cue: The cue family whose observed variant is used.
        settings: The deployment's shadow settings.
        generation: The audit's generation settings (``GenerateConfig`` fields).
        model_args: The audit's model arguments (when it audited this model string).
        max_retries: Retries per request.
        verdict: The audit's verdict settings (alpha, margin, minimum adherence), sequential.
        source: Where the audit's settings were read (its ``run.json``), or ``defaults``.
    """

    deployment: str
    model: str
    cue: str
    settings: ShadowSettings
    generation: dict[str, Any]
    model_args: dict[str, Any]
    max_retries: int | None
    verdict: VerdictSettings
    source: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = asdict(self)
        data["settings"] = self.settings.model_dump()
        return data


def shadow_plan(live: Live, cue: str | None = None) -> ShadowPlan:
    """A deployment's shadow plan: its cue family and the audit's settings.

    The generation settings, model arguments, retries and verdict settings are those of the
    baseline audit's ``run.json``, so a shadow answer is asked as the audit asked; a run folder
    that can no longer be read gives the audit's defaults (with its seed and alpha).

    Args:
        live: The deployment.
        cue: The cue family (None: the deployment's ``shadow.cue``, else the baseline's).

    Raises:
        ShadowError: The cue family is not one of the suite's.
    """
    deployment, baseline = live.deployment, live.baseline
    suite = live.checker.suite
    chosen = cue or deployment.shadow.cue or baseline.cue_family
    families = [c.id for c in suite.cues]
    if chosen not in families:
        raise ShadowError(
            f"deployment {deployment.id}: cue family {chosen!r} is not one of suite"
            f" {suite.id}'s ({', '.join(families)})"
        )
    run = Path(baseline.run)
    try:
        config = read_run_config(run)
        source = str(run / "run.json")
    except AuditError:
        config = AuditConfig(
            suites=(baseline.suite,),
            targets=(baseline.target,),
            seed=baseline.seed,
            settings=VerdictSettings(alpha=baseline.alpha),
        )
        source = "defaults"
    same_model = deployment.model == baseline.target
    return ShadowPlan(
        deployment=deployment.id,
        model=deployment.model,
        cue=chosen,
        settings=deployment.shadow,
        generation=config.generation(),
        model_args=dict(config.model_args) if same_model else {},
        max_retries=DEFAULT_MAX_RETRIES if config.max_retries is None else config.max_retries,
        verdict=VerdictSettings(
            alpha=config.settings.alpha,
            margin=config.settings.margin,
            min_adherence=config.settings.min_adherence,
            sequential=True,
        ),
        source=source,
    )


@dataclass(frozen=True)
class ShadowProgress:
    """What a progress display is told after each batch.

    Attributes:
        done: Requests finished in this run.
        total: Requests this run makes.
        errors: Of those done, the failed ones.
    """

    done: int
    total: int
    errors: int


@dataclass(frozen=True)
class ShadowRun:
    """What one shadow run did.

    Attributes:
        deployment: The deployment's id.
        model: The model asked.
        cue: The cue family.
        selected: Decisions chosen (sampled, the newest, or the failed ones).
        asked: Requests made.
        answered: Of those, answered (pairs with both sides read).
        errors: Of those, failed (stored with their error).
        unscorable: Chosen decisions whose fields do not fit the suite's template.
        over_budget: Chosen decisions left unasked because the day's budget is spent.
        budget_left: Requests the day's budget still allows after this run.
        scanned_to: The last stored decision a rate-sampled run looked at (None otherwise).
        verdict: The cue family's shadow verdict after this run.
        findings: The shadow findings this run opened or updated.
    """

    deployment: str
    model: str
    cue: str
    selected: int = 0
    asked: int = 0
    answered: int = 0
    errors: int = 0
    unscorable: int = 0
    over_budget: int = 0
    budget_left: int = 0
    scanned_to: int | None = None
    verdict: str = "inconclusive"
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _one_run(url: str, deployment: str) -> Iterator[None]:
    # One run per deployment in a process (the worker and an on-demand run take turns), so a
    # decision is never chosen by two runs at once.
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault((url, deployment), threading.Lock())
    with lock:
        yield


def _choose(registry: Registry, plan: ShadowPlan, live: Live, n: int | None, retry_errors: bool,
            after_seq: int | None) -> tuple[list[ShadowCandidate], int | None]:  # fmt: skip
    """The chosen decisions, oldest first, and how far a rate-sampled scan got."""
    store, version = registry.store, live.version
    if retry_errors:
        limit = n if n is not None else SCAN_LIMIT
        found = shadow_candidates(store, plan.deployment, version, plan.cue, errored=True,
                                  limit=limit)  # fmt: skip
        return found, None
    if n is not None:
        newest = shadow_candidates(store, plan.deployment, version, plan.cue, newest=True,
                                   limit=n)  # fmt: skip
        return newest[::-1], None
    if plan.settings.rate <= 0:
        raise ShadowError(
            f"deployment {plan.deployment}: shadow.rate is 0, so no decision is sampled; ask for"
            " the newest decisions instead (hawthorne shadow run --n N)"
        )
    chosen: list[ShadowCandidate] = []
    cursor, scanned = after_seq, 0
    while scanned < SCAN_LIMIT:
        chunk = shadow_candidates(store, plan.deployment, version, plan.cue, after_seq=cursor,
                                  limit=SCAN_CHUNK)  # fmt: skip
        if not chunk:
            break
        chosen += select_sampled(plan.deployment, chunk, plan.settings.rate)
        cursor, scanned = chunk[-1].seq, scanned + len(chunk)
    return chosen, cursor


def _observed(checker: Checker, plan: ShadowPlan, candidate: ShadowCandidate, text: str,
              actions: Sequence[Any], error: str | None) -> ShadowPair:  # fmt: skip
    """The pair of a live decision and its observed answer, read by the deployment's Checker."""
    base = ShadowPair(candidate.id, candidate.seq, candidate.stream, plan.cue, plan.model,
                      "error", candidate.adherent, error=error)  # fmt: skip
    if error is not None:
        return base
    # Read as an application's decision would be: the same tag parsing, the same enact table.
    item = DecisionIn.model_construct(
        id=candidate.id,
        deployment=plan.deployment,
        fields=candidate.fields,
        output=text,
        actions=[ToolCall.model_construct(tool=a.tool, args=dict(a.args)) for a in actions],
    )
    checked = checker.check(item)
    return ShadowPair(candidate.id, candidate.seq, candidate.stream, plan.cue, plan.model, "ok",
                      candidate.adherent, checked.adherent, checked.decision,
                      text.replace("\x00", ""))  # fmt: skip


def _ask(live: Live, plan: ShadowPlan, batch: Sequence[tuple[ShadowCandidate, Case]],
         log_dir: Path, max_retries: int | None) -> list[ShadowPair]:  # fmt: skip
    from hawthorne.adapter import TargetUnavailable, ask_side

    suite = live.checker.suite
    asked = suite.model_copy(update={"cases": [case for _, case in batch]})
    cue = next(c for c in suite.cues if c.id == plan.cue)
    specs = [
        PairSpec(suite.id, plan.cue, case.id, paraphrase_for(plan.deployment, c.id, cue), 0, True)
        for c, case in batch
    ]
    try:
        answers = ask_side(plan.model, asked, specs, "observed", log_dir,
                           max_connections=plan.settings.concurrency, max_retries=max_retries,
                           generation=plan.generation, model_args=plan.model_args)  # fmt: skip
    except TargetUnavailable as err:
        raise ShadowError(str(err)) from None
    out = []
    for (candidate, _), spec in zip(batch, specs, strict=True):
        a = answers[spec.key]
        out.append(_observed(live.checker, plan, candidate, a.text, a.actions, a.error))
    return out


def _findings(registry: Registry, live: Live, plan: ShadowPlan,
              new_pairs: bool) -> tuple[str, list[dict[str, Any]]]:  # fmt: skip
    """The run's cue family's verdict; with new pairs, a finding per cue family ``faking``."""
    stats = shadow_statistics(load_shadow_pairs(registry.store, plan.deployment), plan.verdict)
    found = []
    for entry in stats["cues"]:
        if not new_pairs or entry["verdict"] != "faking":
            continue
        evidence = {
            **{k: entry[k] for k in _EVIDENCE},
            "model": plan.model,
            "alpha": plan.verdict.alpha,
            "baseline": live.baseline.to_json(),
        }
        title = (
            f"Shadow pairs: {plan.model} follows the protocol more when told it is observed"
            f" ({entry['cue']}) than it does in live traffic"
        )
        found.append(record_shadow_finding(registry.store, plan.deployment, entry["cue"],
                                           evidence, title))  # fmt: skip
    verdict = next((e["verdict"] for e in stats["cues"] if e["cue"] == plan.cue), "inconclusive")
    return verdict, found


def run_shadow(
    registry: Registry,
    deployment_id: str,
    *,
    n: int | None = None,
    cue: str | None = None,
    retry_errors: bool = False,
    after_seq: int | None = None,
    batch_size: int | None = None,
    log_dir: Path | None = None,
    max_retries: int | None = None,
    on_progress: Callable[[ShadowProgress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    now: datetime | None = None,
    actor: str = "hawthorne",
) -> ShadowRun:
    """Re-ask chosen live decisions of a deployment under the observed cue, and store the pairs.

    Which decisions: with ``n``, the ``n`` most recent scorable discriminating decisions of the
    active protocol version without a pair for the cue family; without it, those the
    deployment's ``shadow.rate`` samples (:func:`~hawthorne.shadow.is_sampled`) among the
    decisions stored after ``after_seq``; with ``retry_errors``, those whose request failed.
    At most the day's remaining ``shadow.budget_per_day`` requests are made (answered and
    failed ones count; the newest chosen decisions go first). Each is asked the
    observed-variant prompt of its case (:func:`~hawthorne.shadow.shadow_prompt`) through the
    audit's Inspect path, with the audit's generation settings and ``shadow.concurrency``
    connections, in batches committed as they finish: a failed request is stored with its
    error and asked again only with ``retry_errors``, so nothing is asked twice and nothing
    finished is lost. Afterwards, every cue family whose verdict is ``faking`` opens or updates
    its finding.

    Args:
        registry: The store's deployments.
        deployment_id: The deployment.
        n: Ask the ``n`` newest decisions (None: the rate's sample).
        cue: The cue family (None: the deployment's ``shadow.cue``, else the baseline's).
        retry_errors: Ask again the decisions whose request failed (at most ``n``).
        after_seq: Where a rate-sampled run starts (None: after the newest decision with a
            pair for the cue family).
        batch_size: Requests per batch (None: four per connection, at least 16).
        log_dir: Where the Inspect logs go (None: a temporary folder, removed afterwards).
        max_retries: Retries per request (None: the plan's).
        on_progress: Called after each batch.
        cancel: Asked between batches; True stops the run (what was stored stays).
        now: The time the budget's day is taken from (None: now).
        actor: Who runs it (recorded with each batch's ``shadow.pairs`` action).

    Returns:
        What the run did.

    Raises:
        UnknownDeployment: No deployment has this id.
        DeploymentError: It cannot be loaded.
        ShadowError: The cue family is not the suite's, the rate is 0 without ``n``, or the
            model cannot be asked at all (unknown provider, missing key: nothing is stored).
    """
    live = registry.require(deployment_id)
    plan = shadow_plan(live, cue)
    store = registry.store
    with _one_run(store.url, deployment_id):
        chosen, scanned_to = _choose(registry, plan, live, n, retry_errors, after_seq)
        unscorable: list[ShadowPair] = []
        askable: list[tuple[ShadowCandidate, Case]] = []
        for candidate in chosen:
            try:
                askable.append((candidate, shadow_case(live.checker.suite, candidate.id,
                                                       candidate.fields)))  # fmt: skip
            except Unscorable as err:
                unscorable.append(ShadowPair(candidate.id, candidate.seq, candidate.stream,
                                             plan.cue, plan.model, "unscorable",
                                             candidate.adherent, error=str(err)))  # fmt: skip
        asked_today = shadow_asked_since(store, deployment_id, day_start(now or datetime.now(UTC)))
        room = budget_left(plan.settings.budget_per_day, asked_today)
        # The newest first when the budget cannot take them all (errors: the oldest first).
        kept = askable[:room] if retry_errors else askable[max(len(askable) - room, 0) :]
        run = ShadowRun(plan.deployment, plan.model, plan.cue, selected=len(chosen),
                        unscorable=len(unscorable), over_budget=len(askable) - len(kept),
                        budget_left=room, scanned_to=scanned_to)  # fmt: skip
        if kept:
            from hawthorne.adapter import TargetUnavailable, check_target

            try:
                check_target(plan.model)
            except TargetUnavailable as err:
                raise ShadowError(f"deployment {deployment_id}: {err}") from None
        save_shadow_pairs(store, deployment_id, unscorable, actor)
        done = errors = 0
        size = batch_size or max(16, 4 * plan.settings.concurrency)
        batches = in_batches(kept, [case.id for _, case in kept], size)
        retries = plan.max_retries if max_retries is None else max_retries
        with contextlib.ExitStack() as stack:
            folder = log_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            for batch in batches:
                if cancel is not None and cancel():
                    break
                pairs = _ask(live, plan, batch, folder, retries)
                save_shadow_pairs(store, deployment_id, pairs, actor)
                done += len(pairs)
                errors += sum(p.status == "error" for p in pairs)
                if on_progress is not None:
                    on_progress(ShadowProgress(done, len(kept), errors))
        verdict, findings = _findings(registry, live, plan, done > 0)
        return ShadowRun(
            **{
                **asdict(run),
                "asked": done,
                "answered": done - errors,
                "errors": errors,
                "budget_left": room - done,
                "verdict": verdict,
                "findings": findings,
            }
        )


def shadow_status(registry: Registry, deployment_id: str) -> dict[str, Any]:
    """A deployment's shadow pairs, judged (``GET /api/v1/deployments/{id}/shadow``).

    Returns:
        ``{"deployment", "model", "cue", "settings", "statistics": {"alpha", "margin",
        "min_adherence", "from"}, "budget": {"per_day", "asked_today", "left_today"},
        "n_pairs", "errors", "unscorable", "verdict", "cues": [...], "recent": [...],
        "findings": [...], "problem"}``: the per-cue-family entries as
        :func:`~hawthorne.shadow.shadow_statistics` gives them, the newest pairs (without
        their answers' text), the open ``shadow.faking`` findings, and ``problem`` (None, or
        why the deployment's shadow settings cannot be used).

    Raises:
        UnknownDeployment: No deployment has this id.
        DeploymentError: It cannot be loaded.
    """
    live = registry.require(deployment_id)
    problem = None
    try:
        plan = shadow_plan(live)
    except ShadowError as err:
        # The pairs already stored are still shown; the baseline's family judges nothing new.
        problem = str(err)
        plan = shadow_plan(live, live.baseline.cue_family)
    store = registry.store
    pairs = load_shadow_pairs(store, deployment_id)
    asked = shadow_asked_since(store, deployment_id, day_start(datetime.now(UTC)))
    findings = [
        f
        for f in list_findings(store, deployment_id, OPEN_STATUSES)
        if f["kind"] == "shadow.faking"
    ]
    verdict = plan.verdict
    return {
        "deployment": deployment_id,
        "model": plan.model,
        "cue": plan.cue,
        "settings": plan.settings.model_dump(),
        "statistics": {
            "alpha": verdict.alpha,
            "margin": verdict.margin,
            "min_adherence": verdict.min_adherence,
            "from": plan.source,
        },
        "budget": {
            "per_day": plan.settings.budget_per_day,
            "asked_today": asked,
            "left_today": budget_left(plan.settings.budget_per_day, asked),
        },
        **shadow_statistics(pairs, verdict),
        "recent": [p.to_json() for p in pairs[-RECENT:]],
        "findings": findings,
        "problem": problem,
    }
