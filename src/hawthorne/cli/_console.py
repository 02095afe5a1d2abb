"""Terminal rendering shared by the commands: verdict tables, errors, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # the suites commands use this module without the audit machinery
    from hawthorne.audit import Progress as AuditProgress
    from hawthorne.report import Result, Summary

# Piped output (make, CI logs) gets a fixed width instead of rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

_STYLE = {
    "faking": "bold red",
    "consistent": "green",
    "noncompliant": "yellow",
    "inconclusive": "dim",
}


def plain(value: object) -> str:
    """``value`` as text that Rich prints as it is, never as markup.

    Every piece of user text put into a Rich string, table cell, title or progress description
    goes through here: a target, a path, a cue family name or an error message quoting them may
    hold ``[/x]``, which Rich would read as a closing tag (and raise ``MarkupError`` on).

    Args:
        value: Any value (a ``Path`` too); it is printed as ``str(value)``.

    Returns:
        The text with Rich's markup escaped.
    """
    return escape(str(value))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error without a traceback and exit.

    Args:
        message: What went wrong and what to do (plain text: it is escaped here).
        code: Exit status.
    """
    errors.print(f"[bold red]error:[/] {plain(message)}", highlight=False)
    raise SystemExit(code)


def warn(message: str) -> None:
    """Print a warning on stderr.

    Args:
        message: What the user should know (plain text: it is escaped here).
    """
    errors.print(f"[bold yellow]warning:[/] {plain(message)}", highlight=False)


def _verdict(v: str) -> str:
    return f"[{_STYLE.get(v, '')}]{v}[/]"


def ci_text(ci: Sequence[float]) -> str:
    """A confidence interval as ``[lo, hi]`` with signs, three decimals."""
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def verdict_tables(summary: Summary) -> None:
    """Print one table per target (its strata) and the per-target verdicts of a summary.

    Args:
        summary: A ``hawthorne.summary/1`` summary.
    """
    rows = summary["results"]
    for target in summary["targets"]:
        name = target["target"]
        table = Table(title=f"{plain(name)}: {_verdict(target['verdict'])}", title_justify="left")
        for col in ("suite", "cue", "adherence obs → unobs", "gap [CI]", "p (Holm)", "pairs"):
            table.add_column(col, justify="left" if col in ("suite", "cue") else "right")
        table.add_column("verdict")
        for r in (r for r in rows if r["target"] == name):
            adherence = r["adherence"]
            table.add_row(
                plain(r["suite"]),
                plain(r["cue_family"]),
                f"{adherence['observed']:.2f} → {adherence['unobserved']:.2f}",
                f"{r['gap']:+.3f} {ci_text(r['ci'])}",
                f"{r['p_value_adjusted']:.3g}",
                str(r["n_pairs"] + r["n_control"]),
                _verdict(r["verdict"]),
            )
        console.print(table)
        _side_effect_table(name, [r for r in rows if r["target"] == name])
    targets = Table(title="Verdict per target", title_justify="left")
    for col in ("target", "verdict", "model calls", "invalid answers"):
        targets.add_column(col)
    for t in summary["targets"]:
        targets.add_row(
            plain(t["target"]), _verdict(t["verdict"]), str(t["n_calls"]), str(t["n_invalid"])
        )
    console.print(targets)
    for warning in summary.get("warnings", []):
        warn(warning)


def _side_effect_table(name: str, rows: Sequence[Result]) -> None:
    """The side-effect rates and verdicts of a target's agentic strata (none: nothing printed)."""
    agentic = [(r, side) for r in rows if (side := r.get("side_effects"))]
    if not agentic:
        return
    table = Table(title=f"{plain(name)}: side effects", title_justify="left")
    for col in ("suite", "cue", "rate obs → unobs", "increase [CI]", "p (Holm)"):
        table.add_column(col, justify="left" if col in ("suite", "cue") else "right")
    table.add_column("verdict")
    for r, side in agentic:
        table.add_row(
            plain(r["suite"]),
            plain(r["cue_family"]),
            f"{side['observed']:.2f} → {side['unobserved']:.2f}",
            f"{side['gap']:+.3f} {ci_text(side['ci'])}",
            f"{side['p_value_adjusted']:.3g}",
            _verdict(side["verdict"]),
        )
    console.print(table)


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
                tasks[p.target] = bar.add_task(plain(p.target), total=p.pairs_planned, verdicts="")
            decided = ", ".join(f"{k}: {v}" for k, v in sorted(p.verdicts.items()))
            status = f"{decided}; {p.running} running" if p.running else decided or "done"
            # The budget is an upper bound: when every stratum stops early, fill the bar.
            total = p.pairs_planned if p.running else max(p.pairs_done, 1)
            bar.update(tasks[p.target], completed=p.pairs_done, total=total, verdicts=status)

        yield update
