"""The ``shadow`` commands: re-ask live decisions under an observed cue, and judge the pairs.

Both work on the store directly (``--db``, default :func:`hawthorne.store.default_url`), as
``keys create --db`` does: whoever can open the database may run them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from hawthorne.cli._console import ci_text, console, fail, plain


def rate_text(interval: Any) -> str:
    """A rate's interval, e.g. ``[0.696, 1.000]`` (no signs: rates are never negative)."""
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _registry(db: str | None) -> Any:
    from hawthorne.store import Registry, Store, StoreError

    try:
        store = Store(db)
        store.upgrade()
    except StoreError as err:
        fail(str(err))
    return Registry(store)


def _db_option(func: Any) -> Any:
    return click.option(
        "--db",
        envvar="HAWTHORNE_DB",
        default=None,
        help="Database URL (default: SQLite in the user data folder; postgresql+psycopg://… "
        "for PostgreSQL).",
    )(func)


@click.group()
def shadow() -> None:
    """Shadow pairs: live decisions re-asked under an observed cue, paired with the live answer."""


@shadow.command("run")
@click.argument("deployment")
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=None,
    help="Ask the N newest decisions without a pair (default: those shadow.rate samples).",
)
@click.option("--cue", default=None, help="The cue family (default: the deployment's).")
@click.option("--retry-errors", is_flag=True, help="Ask again the decisions whose request failed.")
@click.option(
    "--log-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep the Inspect logs here (default: a temporary folder, removed).",
)
@_db_option
def shadow_run(deployment: str, n: int | None, cue: str | None, retry_errors: bool,
               log_dir: Path | None, db: str | None) -> None:  # fmt: skip
    """Re-ask live decisions of DEPLOYMENT under the observed cue; store and judge the pairs.

    The model is the deployment's, asked with its audit's generation settings, at most
    shadow.concurrency requests at once and shadow.budget_per_day a day. A failed request is
    stored with its error and asked again only with --retry-errors.
    """
    from hawthorne.monitor import DeploymentError
    from hawthorne.shadow import ShadowError, ShadowProgress, run_shadow
    from hawthorne.store import StoreError

    registry = _registry(db)

    def progress(p: ShadowProgress) -> None:
        failed = f" ({p.errors} failed)" if p.errors else ""
        console.print(f"asked {p.done}/{p.total}{failed}", highlight=False)

    try:
        run = run_shadow(registry, deployment, n=n, cue=cue, retry_errors=retry_errors,
                         log_dir=log_dir, on_progress=progress, actor="cli")  # fmt: skip
    except (ShadowError, DeploymentError, StoreError) as err:
        fail(str(err))
    finally:
        registry.store.close()
    parts = [f"{run.selected} chosen", f"{run.asked} asked", f"{run.answered} answered"]
    if run.errors:
        parts.append(f"[yellow]{run.errors} failed[/] (--retry-errors asks them again)")
    if run.unscorable:
        parts.append(f"{run.unscorable} unscorable")
    if run.over_budget:
        parts.append(f"[yellow]{run.over_budget} left for the day's budget[/]")
    console.print(
        f"{plain(run.deployment)} ({plain(run.model)}, cue {plain(run.cue)}): {', '.join(parts)};"
        f" {run.budget_left} requests left today",
        highlight=False,
    )
    console.print(f"shadow verdict: {_verdict(run.verdict)}", highlight=False)
    for finding in run.findings:
        verb = "opened" if finding["opened"] else "updated"
        console.print(
            f"finding {finding['id']} {verb} ({plain(finding['key'])}, {plain(finding['status'])})",
            highlight=False,
        )


_STYLE = {"faking": "bold red", "consistent": "green", "noncompliant": "yellow"}


def _verdict(verdict: str) -> str:
    style = _STYLE.get(verdict, "dim")
    return f"[{style}]{plain(verdict)}[/]"


def _table(status: dict[str, Any]) -> Table:
    table = Table(
        "cue", "pairs", "observed adherence", "live adherence", "gap (observed − live)",
        "p (anytime)", "verdict", "failed", "unscorable",
        title=f"{status['deployment']} ({status['model']}): shadow pairs",
    )  # fmt: skip
    for c in status["cues"]:
        a = c["adherence"]
        table.add_row(
            plain(c["cue"]), str(c["n_pairs"]),
            f"{a['observed']:.3f} {rate_text(a['observed_interval'])}",
            f"{a['live']:.3f} {rate_text(a['live_interval'])}",
            f"{c['gap']:+.3f} {ci_text(c['ci'])}", f"{c['p_adjusted']:.2g}",
            _verdict(c["verdict"]), str(c["errors"]), str(c["unscorable"]),
        )  # fmt: skip
    return table


@shadow.command("status")
@click.argument("deployment")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@_db_option
def shadow_status(deployment: str, as_json: bool, db: str | None) -> None:
    """DEPLOYMENT's shadow pairs per cue family: adherence, the paired gap, the verdict."""
    from hawthorne.monitor import DeploymentError
    from hawthorne.shadow import shadow_status as status_of
    from hawthorne.store import StoreError

    registry = _registry(db)
    try:
        status = status_of(registry, deployment)
    except (DeploymentError, StoreError) as err:
        fail(str(err))
    finally:
        registry.store.close()
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    if status["problem"]:
        console.print(f"[yellow]warning:[/] {plain(status['problem'])}", highlight=False)
    if not status["cues"]:
        console.print(
            f"{plain(deployment)}: no shadow pairs yet (hawthorne shadow run {plain(deployment)}"
            " --n N)",
            highlight=False,
        )
    else:
        console.print(_table(status))
    budget, stats = status["budget"], status["statistics"]
    console.print(
        f"verdict {_verdict(status['verdict'])}; budget: {budget['asked_today']} of"
        f" {budget['per_day']} asked today; statistics: alpha {stats['alpha']}, margin"
        f" {stats['margin']}, minimum adherence {stats['min_adherence']}"
        f" (from {plain(stats['from'])})",
        highlight=False,
    )
    for f in status["findings"]:
        console.print(
            f"[bold red]finding {f['id']}[/] ({plain(f['status'])}): {plain(f['title'])}",
            highlight=False,
        )
