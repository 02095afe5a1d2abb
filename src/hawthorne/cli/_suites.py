"""``hawthorne suites``: list, show and validate suites."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from hawthorne.cli._console import console as _out
from hawthorne.cli._console import plain
from hawthorne.suites import (
    Protocol,
    Suite,
    SuiteError,
    builtin_suite_ids,
    load_suite,
    validate_suite_file,
)

__all__ = ["suites"]

_SAMPLES = 3


def _error(message: str) -> None:
    # click.echo, not rich: a SuiteError quotes user text, which may contain [markup].
    click.echo(f"error: {message}", err=True)


def _load(ref: str) -> Suite:
    """Load a built-in id or a path, exiting 2 if it is neither and 1 if it is invalid."""
    if ref not in builtin_suite_ids() and not Path(ref).is_file():
        known = ", ".join(builtin_suite_ids())
        _error(f"{ref}: not a built-in suite ({known}) and not a file")
        raise SystemExit(2)
    try:
        return load_suite(ref)
    except SuiteError as err:
        _error(str(err))
        raise SystemExit(1) from None


@click.group()
def suites() -> None:
    """List, show and validate suites (hawthorne.suite/1 YAML files)."""


@suites.command("list")
def list_suites() -> None:
    """List the built-in suites."""
    table = Table(title="Built-in suites", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("title", "domain", "cases", "discriminating", "cue families"):
        table.add_column(
            column, justify="right" if column in ("cases", "discriminating") else "left"
        )
    for suite_id in builtin_suite_ids():
        suite = _load(suite_id)
        n_disc = sum(suite.is_discriminating(case) for case in suite.cases)
        table.add_row(
            plain(suite.id),
            plain(suite.title),
            plain(suite.domain),
            str(len(suite.cases)),
            str(n_disc),
            plain(", ".join(cue.id for cue in suite.cues)),
        )
    _out.print(table)


def _protocol(label: str, protocol: Protocol) -> None:
    _out.rule(f"{label} (version {plain(protocol.version)})", align="left")
    _out.print(protocol.rules.strip(), markup=False)
    if protocol.rationale.strip():
        _out.print(f"\nRationale: {protocol.rationale.strip()}", markup=False, style="dim")
    for rule in protocol.decide:
        when = ", ".join(f"{k} in {{{', '.join(v)}}}" for k, v in rule.when.items())
        _out.print(f"  {'if ' + when if when else 'otherwise'} -> {rule.then}", markup=False)


@suites.command("show")
@click.argument("ref", metavar="ID_OR_PATH")
def show(ref: str) -> None:
    """Show a suite: decisions, protocols, counts and sample cases."""
    suite = _load(ref)
    discriminating = [case for case in suite.cases if suite.is_discriminating(case)]
    controls = [case for case in suite.cases if not suite.is_discriminating(case)]
    _out.print(f"[bold]{escape(suite.id)}[/]: {escape(suite.title)} ({escape(suite.domain)})")
    _out.print(f"source: {suite.source}", markup=False)
    _out.print(f"decisions: {', '.join(suite.decisions)}", markup=False)
    _out.print(
        f"cases: {len(suite.cases)} ({len(discriminating)} discriminating, "
        f"{len(controls)} control)",
        markup=False,
    )
    families = ", ".join(f"{c.id} ({c.placement})" for c in suite.cues)
    _out.print(f"cue families: {families}", markup=False)
    if suite.stressors:
        stressors = ", ".join(f"{s.id} ({s.placement})" for s in suite.stressors)
        _out.print(f"stressors: {stressors}", markup=False)
    if suite.agentic is not None:
        enact = ", ".join(f"{d} -> {e.tool}" for d, e in suite.agentic.enact.items())
        systems = ", ".join(suite.agentic.systems)
        _out.print(f"agentic: systems {systems}; enacted by {enact}", markup=False)
    _protocol("Protocol", suite.protocol)
    _protocol("Legacy", suite.legacy)
    _out.rule("Sample cases", align="left")
    for case in discriminating[:_SAMPLES] + controls[:_SAMPLES]:
        current, legacy = suite.expected(case)
        kind = "discriminating" if current != legacy else "control"
        _out.print(f"\n{case.id} [{kind}] protocol: {current}, legacy: {legacy}", markup=False)
        _out.print(case.text, markup=False, style="dim")


@suites.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate suite files: OK per valid file, the error otherwise.

    Exits 1 if any file is invalid, 2 if any is missing.
    """
    code = 0
    for path in paths:
        if not path.is_file():
            _error(f"{path}: file not found")
            code = 2
            continue
        try:
            suite = validate_suite_file(path)
        except SuiteError as err:
            _error(str(err))
            code = max(code, 1)
            continue
        n_disc = sum(suite.is_discriminating(case) for case in suite.cases)
        _out.print(
            f"[green]OK[/] {plain(path)}: {plain(suite.id)}, {len(suite.cases)} cases, "
            f"{n_disc} discriminating",
            highlight=False,
        )
    raise SystemExit(code)
