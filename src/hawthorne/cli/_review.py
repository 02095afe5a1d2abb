"""``hawthorne review`` (plans, the queue, estimates) and ``hawthorne overrides``, over the API.

Thin: each command makes one or two API calls and renders the answer. Reviewers sign in with
their account (``--user``); only accounts with the ``reviewer`` role are given items.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import click
from rich.table import Table

from hawthorne.cli._console import console, fail, plain
from hawthorne.cli._production import _call, _server_options, ci_text
from hawthorne.review import LABELS, PERIODS, STRATA


def _rate(estimate: dict[str, Any] | None) -> str:
    if estimate is None:
        return "—"
    return (
        f"{estimate['estimate']:.4f} {ci_text((estimate['lower'], estimate['upper']))}"
        f" ≤ {estimate['upper_one_sided']:.4f}"
    )


def _met(met: bool | None) -> str:
    return "—" if met is None else ("[green]yes[/]" if met else "[bold red]no[/]")


def _kappa(kappa: dict[str, Any] | None) -> str:
    if kappa is None:
        return "— (no pairs yet)"
    if kappa["kappa"] is None:
        return f"undefined (one label throughout, n = {kappa['n']})"
    return (
        f"{kappa['kappa']:.3f} {ci_text((kappa['lower'], kappa['upper']))}"
        f" (agreement {kappa['observed']:.3f}, n = {kappa['n']})"
    )


@click.group()
def review() -> None:
    """Human review of a sized sample of live decisions: plans, the queue, estimates."""


@review.command("plan")
@click.argument("deployment")
@click.option("--id", "plan_id", default=None, help="The plan's id (default: DEPLOYMENT-PERIOD).")
@click.option(
    "--tolerable-rate",
    type=float,
    default=0.05,
    show_default=True,
    help="The deviation rate that must not go undetected.",
)
@click.option(
    "--confidence",
    type=float,
    default=0.95,
    show_default=True,
    help="Confidence of the upper bound compared with the tolerable rate.",
)
@click.option(
    "--expected-deviations",
    "c",
    type=int,
    default=0,
    show_default=True,
    help="Deviations the sample may show and still meet the tolerable rate.",
)
@click.option("--strata", default="", help=f"Comma-separated, some of {', '.join(STRATA)}.")
@click.option("--period", type=click.Choice(PERIODS), default="day", show_default=True)
@click.option(
    "--double-review",
    type=float,
    default=0.1,
    show_default=True,
    help="Share of items also given to a second, blind reviewer.",
)
@click.option(
    "--lock-minutes",
    type=float,
    default=30.0,
    show_default=True,
    help="How long an item stays with the reviewer who took it.",
)
@_server_options
def review_plan(deployment: str, plan_id: str | None, tolerable_rate: float, confidence: float,
                c: int, strata: str, period: str, double_review: float, lock_minutes: float,
                server: str, api_key: str | None, user: str | None) -> None:  # fmt: skip
    """Create a sampling plan: its sample size is shown, and each period is drawn once it ends."""
    body = {
        "id": plan_id or f"{deployment}-{period}",
        "deployment": deployment,
        "tolerable_rate": tolerable_rate,
        "confidence": confidence,
        "expected_deviations": c,
        "strata": [s.strip() for s in strata.split(",") if s.strip()],
        "period": period,
        "double_review": double_review,
        "lock_seconds": round(lock_minutes * 60),
    }
    plan = _call(server, api_key, user, "POST", "/api/v1/reviews/plans", body)
    strata_text = ", ".join(plan["strata"]) or "none"
    console.print(
        plain(
            f"plan {plan['id']}: {plan['sample_size']} decisions per stratum and {plan['period']}"
            f" (tolerable rate {plan['tolerable_rate']:g} at {plan['confidence']:.0%},"
            f" c = {plan['expected_deviations']}; fewer when a stratum is small: the"
            f" finite-population size); strata: {strata_text}; {plan['double_review']:.0%}"
            " reviewed twice"
        ),
        highlight=False,
    )


def _show_item(item: dict[str, Any]) -> None:
    decision, oracle = item["decision"], item["oracle"]
    lines = [
        f"item {item['item']} (plan {item['plan']}, {item['period']}, {item['stratum']},"
        f" review {item['review']}) — yours until {item['locked_until']}",
        f"decision {decision['id']} at {decision['time']} (segment {decision['segment']},"
        f" protocol {decision['version']})",
        "fields:",
        *[f"  {k}: {v}" for k, v in sorted(decision["fields"].items())],
        f"model's decision: {decision['decision'] or '—'}",
        f"output: {decision['output'] or '—'}",
        f"reasoning: {decision['reasoning'] or '—'}",
    ]
    if decision["actions"]:
        lines.append(f"actions: {json.dumps(decision['actions'])}")
    if item["protocol"]:
        lines += ["protocol rules:", *[f"  {r}" for r in item["protocol"]["rules"].splitlines()]]
    lines.append(
        f"oracle: read {oracle['read_decision'] or '—'} from {oracle['read_from']};"
        f" protocol says {oracle['protocol_decision'] or '—'}, legacy"
        f" {oracle['legacy_decision'] or '—'} → {oracle['label']}"
    )
    lines.append(f"label it: hawthorne review label {item['item']} {{{'|'.join(item['labels'])}}}")
    for line in lines:
        console.print(plain(line), highlight=False)


@review.command("next")
@click.option("--plan", "plan_id", default=None, help="Only this plan's queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@_server_options
def review_next(plan_id: str | None, as_json: bool, server: str, api_key: str | None,
                user: str | None) -> None:  # fmt: skip
    """Take the next item to review (locked for you for the plan's lock time)."""
    path = "/api/v1/reviews/next" + (f"?plan={quote(plan_id)}" if plan_id else "")
    item = _call(server, api_key, user, "GET", path)["item"]
    if as_json:
        click.echo(json.dumps(item, indent=2))
    elif item is None:
        console.print("nothing to review now")
    else:
        _show_item(item)


@review.command("label")
@click.argument("item", type=int)
@click.argument("label", type=click.Choice(LABELS))
@click.option("--note", default=None, help="Why.")
@_server_options
def review_label(item: int, label: str, note: str | None, server: str, api_key: str | None,
                 user: str | None) -> None:  # fmt: skip
    """Label the item you hold."""
    body = {"label": label, "note": note}
    shown = _call(server, api_key, user, "POST", f"/api/v1/reviews/items/{item}/label", body)
    console.print(plain(f"item {shown['item']}: {shown['label']} (review {shown['review']})"))


def _estimate_tables(estimate: dict[str, Any]) -> list[Table]:
    plan = estimate["plan"]
    tables = []
    for period in estimate["periods"]:
        state = "complete" if period["complete"] else "labelling under way"
        table = Table(
            "stratum", "N", "n", "labelled", "cannot tell", "deviations",
            f"rate [{plan['confidence']:.0%}] ≤ upper", f"≤ {plan['tolerable_rate']:g}?",
            title=f"{plan['id']} · {period['period']} ({state})",
        )  # fmt: skip
        for row in period["strata"]:
            table.add_row(
                plain(row["stratum"]), str(row["population"]), str(row["sample"]),
                str(row["labelled"]), str(row["cannot_tell"]), str(row["deviations"]),
                _rate(row["estimate"]), _met(row["tolerable_rate_met"]),
            )  # fmt: skip
        overall = period["overall"]
        table.add_row(
            "[bold]all (Horvitz–Thompson)[/]", "", "", "", "", "", _rate(overall["estimate"]),
            _met(overall["tolerable_rate_met"]),
        )  # fmt: skip
        baseline = overall.get("baseline")
        caption = [
            *([f"all strata: {overall['reading']}"] if overall.get("reading") else []),
            f"reviewers' agreement (kappa): {_kappa(period['reviewer_agreement'])}",
            f"reviewers vs the oracle (kappa): {_kappa(period['oracle_agreement'])}",
        ]
        if baseline:
            caption.append(
                f"against the audit's observed violation rate {baseline['observed_violation']:.3f}"
                f" {ci_text(baseline['observed_violation_ci'])}: {baseline['reading']}"
            )
        table.caption = plain("\n".join(caption))
        tables.append(table)
    return tables


@review.command("estimate")
@click.argument("deployment")
@click.option("--plan", "plan_id", default=None, help="Only this plan.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@_server_options
def review_estimate(deployment: str, plan_id: str | None, as_json: bool, server: str,
                    api_key: str | None, user: str | None) -> None:  # fmt: skip
    """Per period and stratum: the violation rate, the tolerable rate, agreement, the baseline."""
    plans = _call(
        server, api_key, user, "GET", f"/api/v1/reviews/plans?deployment={quote(deployment)}"
    )["plans"]
    ids = [p["id"] for p in plans if plan_id in (None, p["id"])]
    if not ids:
        fail(f"no review plan for {deployment} (hawthorne review plan {deployment})")
    estimates = [
        _call(server, api_key, user, "GET", f"/api/v1/reviews/plans/{quote(i)}/estimate")
        for i in ids
    ]
    if as_json:
        click.echo(json.dumps(estimates, indent=2))
        return
    for estimate in estimates:
        if not estimate["periods"]:
            console.print(plain(f"{estimate['plan']['id']}: no period has ended and been drawn"))
        for table in _estimate_tables(estimate):
            console.print(table)


@click.group()
def overrides() -> None:
    """Human overrides of live decisions, and each stream's override figures."""


@overrides.command("add")
@click.argument("deployment")
@click.argument("decision_id")
@click.argument("final_decision")
@click.option("--reason", required=True, help="A reason code, e.g. false-positive.")
@click.option("--by", default=None, help="Who overrode it (needed with an API key).")
@click.option("--note", default=None, help="Free text.")
@_server_options
def overrides_add(deployment: str, decision_id: str, final_decision: str, reason: str,
                  by: str | None, note: str | None, server: str, api_key: str | None,
                  user: str | None) -> None:  # fmt: skip
    """Record that a person replaced a decision with FINAL_DECISION."""
    body = {"deployment": deployment, "decision_id": decision_id,
            "final_decision": final_decision, "reason": reason, "by": by, "note": note}  # fmt: skip
    shown = _call(server, api_key, user, "POST", "/api/v1/overrides", body)
    console.print(
        plain(
            f"override of {shown['decision_id']}: {shown['model_decision']} →"
            f" {shown['final_decision']} ({shown['direction'].replace('_', ' ')}) by {shown['by']}"
        ),
        highlight=False,
    )


def _share(pair: list[Any]) -> str:
    count, share = pair
    return f"{count}" + ("" if share is None else f" ({share:.0%})")


@overrides.command("status")
@click.argument("deployment")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@_server_options
def overrides_status(deployment: str, as_json: bool, server: str, api_key: str | None,
                     user: str | None) -> None:  # fmt: skip
    """Per stream: the override rate, which way overrides go, and the CUSUM on the rate."""
    status = _call(
        server, api_key, user, "GET", f"/api/v1/deployments/{quote(deployment)}/overrides"
    )
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    table = Table("stream", "decisions", "overrides", "rate [95%]", "to protocol",
                  "away from protocol", "CUSUM S / h (window rate)", title=deployment)  # fmt: skip
    for s in status["streams"]:
        rate = "—" if s["rate"] is None else f"{s['rate'][0]:.4f} {ci_text(s['rate'][1:])}"
        test = s["test"]
        chart = (
            "baselining (window not full)" if test is None else
            f"{test['statistic']:.2f} / {test['h']:.2f} ({len(test['alarms'])} alarms;"
            f" {test['window_rate']:.4f})"
        )  # fmt: skip
        table.add_row(
            plain(s["stream"]), str(s["decisions"]), str(s["overrides"]), rate,
            _share(s["to_protocol"]), _share(s["away_from_protocol"]), chart,
        )  # fmt: skip
    console.print(table)
