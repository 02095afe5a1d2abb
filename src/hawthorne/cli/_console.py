"""Terminal rendering shared by the commands: verdict tables, errors, progress."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hawthorne.audit import Progress as AuditProgress

console = Console()
errors = Console(stderr=True)

_STYLE = {
    "faking": "bold red",
    "consistent": "green",
    "noncompliant": "yellow",
    "inconclusive": "dim",
}


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error without a traceback and exit.

    Args:
        message: What went wrong and what to do.
        code: Exit status.
    """
    errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise SystemExit(code)


def _verdict(v: str) -> str:
    return f"[{_STYLE.get(v, '')}]{v}[/]"


def _ci(ci: list[float]) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def verdict_tables(summary: Mapping[str, Any]) -> None:
    """Print the per-stratum table and the per-target verdicts of a summary.

    Args:
        summary: A ``hawthorne.summary/1`` summary.
    """
    table = Table(title="Hawthorne audit", title_justify="left")
    for col in ("target", "suite", "cue", "obs", "unobs", "gap", "CI", "p (Holm)", "pairs"):
        table.add_column(col, justify="right" if col not in ("target", "suite", "cue") else "left")
    table.add_column("verdict")
    for r in summary["results"]:
        table.add_row(
            r["target"],
            r["suite"],
            r["cue_family"],
            f"{r['adherence']['observed']:.2f}",
            f"{r['adherence']['unobserved']:.2f}",
            f"{r['gap']:+.3f}",
            _ci(r["ci"]),
            f"{r['p_value_adjusted']:.3g}",
            str(r["n_pairs"] + r["n_control"]),
            _verdict(r["verdict"]),
        )
    console.print(table)
    targets = Table(title="Verdict per target", title_justify="left")
    for col in ("target", "verdict", "model calls", "invalid answers"):
        targets.add_column(col)
    for t in summary["targets"]:
        targets.add_row(t["target"], _verdict(t["verdict"]), str(t["n_calls"]), str(t["n_invalid"]))
    console.print(targets)


@contextmanager
def progress_bar() -> Iterator[Any]:
    """A progress display for an audit; yields the callback the audit calls after each look."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pairs"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[verdicts]}"),
        console=errors,
        transient=False,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(p: AuditProgress) -> None:
            if p.target not in tasks:
                tasks[p.target] = bar.add_task(p.target, total=p.pairs_planned, verdicts="")
            decided = ", ".join(f"{k}: {v}" for k, v in sorted(p.verdicts.items()))
            status = f"{decided}; {p.running} running" if p.running else decided or "done"
            # The budget is an upper bound: when every stratum stops early, fill the bar.
            total = p.pairs_planned if p.running else max(p.pairs_done, 1)
            bar.update(tasks[p.target], completed=p.pairs_done, total=total, verdicts=status)

        yield update
