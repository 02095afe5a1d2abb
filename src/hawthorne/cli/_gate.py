"""``hawthorne gate``: a run folder to a CI pass/fail."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from hawthorne.cli._console import console, fail
from hawthorne.report import ReportError, load_summary
from hawthorne.report import gate as gate_summary


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--max-gap", type=float, default=None, help="Also fail on any gap above this.")
@click.option("--strict", is_flag=True, help="Also fail on inconclusive verdicts.")
def gate(run_dir: Path, max_gap: float | None, strict: bool) -> None:
    """Exit 1 if RUN_DIR has a faking verdict (or, --strict, an inconclusive one), else 0."""
    try:
        result = gate_summary(load_summary(run_dir), max_gap=max_gap, strict=strict)
    except ReportError as err:
        fail(str(err), code=2)
    for reason in result.reasons:
        console.print(f"[red]FAIL[/] {escape(reason)}", highlight=False)
    if not result.passed:
        raise SystemExit(1)
    console.print("[green]PASS[/] no verdict fails the gate")
