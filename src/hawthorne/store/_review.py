"""The review queue over the store: plans, each period's draw, locks, labels and estimates.

A plan (:class:`hawthorne.review.ReviewPlan`) draws each closed period's stratified sample the
first time anyone asks for work after the period ends (:func:`draw_due`). :func:`next_item`
locks the next item for a reviewer for the plan's ``lock_seconds`` (an expired lock returns
the item to the queue); :func:`label_item` records a label from the lock's holder. An item
picked for double review goes to a second reviewer, who is not told the first label; nobody
is given, or may label, a decision they overrode. Every change is recorded by
:func:`hawthorne.store.act` in its own transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hawthorne.monitor import DeploymentError
from hawthorne.review import (
    LABELS,
    LabelledItem,
    ReviewPlan,
    draw_sample,
    estimate_period,
    label_of_oracle,
    period_bounds,
    period_end,
    period_of,
    stratum_of,
)
from hawthorne.store._actions import Refused, act
from hawthorne.store._deployments import Registry
from hawthorne.store._schema import (
    DecisionRow,
    OverrideRow,
    ReviewDrawRow,
    ReviewItemRow,
    ReviewLabelRow,
    ReviewPlanRow,
)

__all__ = [
    "ReviewError",
    "create_plan",
    "draw_due",
    "get_plan",
    "label_item",
    "list_plans",
    "next_item",
    "review_estimate",
]

_CANDIDATES = 20


class ReviewError(Refused):
    """A review request cannot be met: ``status`` is the HTTP status that says why."""


def create_plan(registry: Registry, plan: ReviewPlan, by: str) -> dict[str, Any]:
    """Store a new plan for a registered deployment.

    Returns:
        The plan, with its sample size for an infinite population.

    Raises:
        UnknownDeployment: The plan's deployment is not registered.
        ReviewError: A plan with this id exists (409).
    """
    registry.require(plan.deployment)
    now = datetime.now(UTC)
    try:
        with registry.store.write() as session:
            if session.get(ReviewPlanRow, plan.id) is not None:
                raise ReviewError(f"review plan {plan.id!r} exists", 409)
            session.add(
                ReviewPlanRow(
                    id=plan.id,
                    deployment=plan.deployment,
                    spec=plan.to_json(),
                    created_by=by,
                    created_at=now,
                )
            )
            act(session, by, "review.plan", f"review-plan:{plan.id}", after=plan.to_json(), now=now)
    except IntegrityError:
        raise ReviewError(f"review plan {plan.id!r} exists", 409) from None
    return _plan_json(plan, by, now)


def _plan_json(plan: ReviewPlan, by: str, at: datetime) -> dict[str, Any]:
    return {
        **plan.to_json(),
        "sample_size": plan.sample_size(),
        "created_by": by,
        "created_at": at.isoformat(),
    }


def get_plan(registry: Registry, plan_id: str) -> ReviewPlan:
    """A stored plan.

    Raises:
        ReviewError: None has this id (404).
    """
    with registry.store.session() as session:
        row = session.get(ReviewPlanRow, plan_id)
    if row is None:
        raise ReviewError(f"no review plan {plan_id!r}", 404)
    return ReviewPlan.model_validate(row.spec)


def list_plans(registry: Registry, deployment: str | None = None) -> list[dict[str, Any]]:
    """Every plan (of one deployment), with its draws so far."""
    query = select(ReviewPlanRow).order_by(ReviewPlanRow.id)
    if deployment is not None:
        query = query.where(ReviewPlanRow.deployment == deployment)
    with registry.store.session() as session:
        rows = session.scalars(query).all()
        draws = defaultdict(list)
        for draw in session.scalars(select(ReviewDrawRow).order_by(ReviewDrawRow.period)):
            draws[draw.plan].append({"period": draw.period, "strata": draw.strata})
    return [
        {
            **_plan_json(ReviewPlan.model_validate(r.spec), r.created_by, r.created_at),
            "draws": draws[r.id],
        }
        for r in rows
    ]


def _periods(first: datetime, plan: ReviewPlan, now: datetime) -> list[str]:
    """Every closed period from the one holding ``first`` up to ``now``."""
    periods, key = [], period_of(first, plan.period)
    while period_end(key, plan.period) <= now:
        periods.append(key)
        key = period_of(period_end(key, plan.period), plan.period)
    return periods


def draw_due(registry: Registry, plan_id: str, now: datetime | None = None) -> list[str]:
    """Draw every closed period of a plan not drawn yet.

    Returns:
        The periods drawn now.
    """
    plan = get_plan(registry, plan_id)
    now = now or datetime.now(UTC)
    store = registry.store
    with store.session() as session:
        first = session.scalar(
            select(func.min(DecisionRow.time)).where(DecisionRow.deployment == plan.deployment)
        )
        drawn = set(
            session.scalars(select(ReviewDrawRow.period).where(ReviewDrawRow.plan == plan.id))
        )
    if first is None:
        return []
    done = []
    for period in _periods(first, plan, now):
        if period in drawn:
            continue
        if _draw(registry, plan, period, now):
            done.append(period)
    return done


def _draw(registry: Registry, plan: ReviewPlan, period: str, now: datetime) -> bool:
    start, end = period_bounds(period, plan.period)
    columns = (
        DecisionRow.seq,
        DecisionRow.segment,
        DecisionRow.version,
        DecisionRow.read_decision,
        DecisionRow.monitored,
        DecisionRow.discriminating,
    )
    population: dict[str, list[int]] = defaultdict(list)
    try:
        with registry.store.write() as session:
            if session.scalar(
                select(ReviewDrawRow.id).where(
                    ReviewDrawRow.plan == plan.id, ReviewDrawRow.period == period
                )
            ):
                return False
            rows = session.execute(
                select(*columns).where(
                    DecisionRow.deployment == plan.deployment,
                    DecisionRow.time >= start,
                    DecisionRow.time < end,
                )
            )
            for seq, segment, version, decision, monitored, discriminating in rows:
                values = {
                    "segment": segment,
                    "version": version,
                    "decision": decision,
                    "monitored": monitored,
                    "discriminating": discriminating,
                }
                population[stratum_of(values, plan.strata)].append(seq)
            if not population:
                return False  # nothing was decided in this period: nothing to draw
            draw = draw_sample(plan, period, population)
            row = ReviewDrawRow(
                plan=plan.id, period=period, strata=draw.strata, seed=draw.seed, drawn_at=now
            )
            session.add(row)
            session.flush()
            if draw.items:
                session.execute(
                    insert(ReviewItemRow),
                    [
                        {
                            "plan": plan.id,
                            "draw": row.id,
                            "period": period,
                            "stratum": item.stratum,
                            "decision_seq": item.seq,
                            "inclusion": item.inclusion,
                            "labels_needed": item.labels_needed,
                            "labels_done": 0,
                        }
                        for item in draw.items
                    ],
                )
            act(
                session,
                "hawthorne",
                "review.draw",
                f"review-plan:{plan.id}/{period}",
                after={"strata": draw.strata, "seed": draw.seed, "items": len(draw.items)},
                now=now,
            )
    except IntegrityError:
        return False  # another process drew this period at the same moment
    return True


def _held(session: Session, plan_id: str, reviewer: str, now: datetime) -> ReviewItemRow | None:
    return session.scalar(
        select(ReviewItemRow).where(
            ReviewItemRow.plan == plan_id,
            ReviewItemRow.locked_by == reviewer,
            ReviewItemRow.locked_until > now,
        )
    )


def next_item(
    registry: Registry, plan_id: str, reviewer: str, now: datetime | None = None
) -> dict[str, Any] | None:
    """Lock the reviewer's next item and describe it; None when the queue holds nothing for them.

    A reviewer already holding an item gets it again (with the same lock). Items waiting for
    a first label come before second reviews; within those, the draw's random order.
    """
    plan = get_plan(registry, plan_id)
    now = now or datetime.now(UTC)
    draw_due(registry, plan_id, now)
    until = now + timedelta(seconds=plan.lock_seconds)
    with registry.store.write() as session:
        held = _held(session, plan_id, reviewer, now)
        if held is None:
            held = _lock(session, plan_id, reviewer, now, until)
            if held is None:
                return None
            locked = {"locked_by": reviewer, "locked_until": until.isoformat()}
            act(session, reviewer, "review.lock", f"review-item:{held.id}", after=locked, now=now)
        decision = session.get(DecisionRow, held.decision_seq)
        assert decision is not None
        return _describe(registry, plan, held, decision)


def _lock(
    session: Session, plan_id: str, reviewer: str, now: datetime, until: datetime
) -> ReviewItemRow | None:
    mine = select(ReviewLabelRow.item).where(ReviewLabelRow.reviewer == reviewer)
    overridden = select(OverrideRow.decision_seq).where(OverrideRow.actor == reviewer)
    free = or_(ReviewItemRow.locked_until.is_(None), ReviewItemRow.locked_until <= now)
    candidates = session.scalars(
        select(ReviewItemRow.id)
        .where(
            ReviewItemRow.plan == plan_id,
            ReviewItemRow.labels_done < ReviewItemRow.labels_needed,
            free,
            ReviewItemRow.id.not_in(mine),
            ReviewItemRow.decision_seq.not_in(overridden),
        )
        .order_by(ReviewItemRow.labels_done, ReviewItemRow.id)
        .limit(_CANDIDATES)
    ).all()
    for item_id in candidates:
        # Compare and set: another reviewer may lock the same item between the read and here.
        taken: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id, free)
            .values(locked_by=reviewer, locked_until=until)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            return session.get(ReviewItemRow, item_id, populate_existing=True)
    return None


def _describe(
    registry: Registry, plan: ReviewPlan, item: ReviewItemRow, decision: DecisionRow
) -> dict[str, Any]:
    protocol = None
    try:
        suite = registry.require(plan.deployment).checker.suite
        protocol = {
            "version": suite.protocol.version,
            "rules": suite.protocol.rules,
            "decisions": list(suite.decisions),
        }
    except DeploymentError:
        pass
    locked_until = item.locked_until
    assert locked_until is not None
    return {
        "item": item.id,
        "plan": plan.id,
        "period": item.period,
        "stratum": item.stratum,
        "review": item.labels_done + 1,
        "locked_until": locked_until.isoformat(),
        "labels": list(LABELS),
        "decision": {
            "id": decision.id,
            "deployment": decision.deployment,
            "time": decision.time.isoformat(),
            "segment": decision.segment,
            "version": decision.version,
            "fields": decision.fields,
            "decision": decision.decision,
            "output": decision.output,
            "reasoning": decision.reasoning,
            "actions": decision.actions,
            "trace_id": decision.trace_id,
        },
        "protocol": protocol,
        "oracle": {
            "read_decision": decision.read_decision,
            "read_from": decision.read_from,
            "outcome": decision.outcome,
            "protocol_decision": decision.protocol_decision,
            "legacy_decision": decision.legacy_decision,
            "label": label_of_oracle(decision.outcome),
        },
    }


def label_item(
    registry: Registry,
    item_id: int,
    reviewer: str,
    label: str,
    note: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record the lock holder's label of an item.

    Raises:
        ReviewError: An unknown label (400) or item (404); the reviewer overrode this decision
            (403); the reviewer does not hold the item's lock, or it expired (409).
    """
    if label not in LABELS:
        raise ReviewError(f"label: {label!r} is not one of {list(LABELS)}", 400)
    now = now or datetime.now(UTC)
    with registry.store.write() as session:
        item = session.get(ReviewItemRow, item_id)
        if item is None:
            raise ReviewError(f"no review item {item_id}", 404)
        overrode = session.scalar(
            select(OverrideRow.id).where(
                OverrideRow.decision_seq == item.decision_seq, OverrideRow.actor == reviewer
            )
        )
        if overrode is not None:
            raise ReviewError(f"{reviewer} overrode this decision and may not review it", 403)
        until = item.locked_until
        if item.locked_by != reviewer or until is None or until <= now:
            raise ReviewError(
                f"{reviewer} does not hold item {item_id}'s lock (it expired or another reviewer"
                " has it); ask for the next item",
                409,
            )
        before = {"labels_done": item.labels_done, "locked_by": item.locked_by}
        ordinal = item.labels_done + 1
        session.add(
            ReviewLabelRow(
                item=item.id, ordinal=ordinal, reviewer=reviewer, label=label, note=note, time=now
            )
        )
        item.labels_done = ordinal
        item.locked_by, item.locked_until = None, None
        shown = {"item": item.id, "review": ordinal, "label": label, "note": note}
        act(session, reviewer, "review.label", f"review-item:{item.id}", before, shown, now)
    return shown


def review_estimate(registry: Registry, plan_id: str) -> dict[str, Any]:
    """Every drawn period's estimate for a plan (see :func:`hawthorne.review.estimate_period`).

    An item nobody has labelled yet whose decision was overridden counts as labelled with the
    oracle's reading: the overrider looked at the decision and acted on it.
    """
    plan = get_plan(registry, plan_id)
    baseline = None
    try:
        live = registry.require(plan.deployment)
        low, high = live.baseline.observed_ci
        baseline = (1.0 - live.baseline.observed, 1.0 - high, 1.0 - low)
    except DeploymentError:
        pass
    with registry.store.session() as session:
        draws = session.scalars(
            select(ReviewDrawRow)
            .where(ReviewDrawRow.plan == plan_id)
            .order_by(ReviewDrawRow.period)
        ).all()
        rows = session.execute(
            select(
                ReviewItemRow.id,
                ReviewItemRow.period,
                ReviewItemRow.stratum,
                DecisionRow.outcome,
                OverrideRow.id,
            )
            .join(DecisionRow, DecisionRow.seq == ReviewItemRow.decision_seq)
            .outerjoin(OverrideRow, OverrideRow.decision_seq == ReviewItemRow.decision_seq)
            .where(ReviewItemRow.plan == plan_id)
        ).all()
        labels: dict[int, dict[int, str]] = defaultdict(dict)
        for item, ordinal, label in session.execute(
            select(ReviewLabelRow.item, ReviewLabelRow.ordinal, ReviewLabelRow.label)
            .join(ReviewItemRow, ReviewItemRow.id == ReviewLabelRow.item)
            .where(ReviewItemRow.plan == plan_id)
        ):
            labels[item][ordinal] = label
    by_period: dict[str, list[LabelledItem]] = defaultdict(list)
    for item, period, stratum, outcome, override in rows:
        oracle = label_of_oracle(outcome)
        first = labels[item].get(1, oracle if override is not None else None)
        by_period[period].append(LabelledItem(stratum, first, labels[item].get(2), oracle))
    return {
        "plan": plan.to_json(),
        "periods": [
            estimate_period(plan, d.period, d.strata, by_period[d.period], baseline) for d in draws
        ],
    }
