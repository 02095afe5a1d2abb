"""``hawthorne organisms``: list, show, train and serve the organism zoo."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hawthorne.audit import GroundTruthCheck
from hawthorne.cli._console import ci_text, console, errors, fail, plain
from hawthorne.organisms import (
    KINDS,
    ZooError,
    kind,
    load_manifest,
    organism,
    organisms,
    serve_organisms,
    train_zoo,
    zoo_dir,
)
from hawthorne.organisms import TrainConfig as _TrainConfig

__all__ = ["organisms_group"]


def _truth(entry: dict[str, Any]) -> str:
    """One line of ground truth: verdicts with the cue families they hold on."""
    by_verdict: dict[str, list[str]] = {}
    for suite, families in entry["ground_truth"].items():
        for family, verdict in families.items():
            by_verdict.setdefault(verdict, []).append(f"{suite}/{family}")
    if len(by_verdict) == 1:
        return next(iter(by_verdict))
    return "; ".join(
        f"{v} on {', '.join(sorted({x.split('/')[1] for x in where}))}"
        for v, where in sorted(by_verdict.items())
    )


@click.group("organisms")
def organisms_group() -> None:
    """The organism zoo: small trained language models with known ground truth."""


@organisms_group.command("list")
def list_organisms() -> None:
    """List the zoo's organisms with their ground truth."""
    found = organisms()
    if not found:
        fail(f"no organism zoo at {zoo_dir()}; build it with `hawthorne organisms train --zoo`")
    table = Table(title=f"Organism zoo ({plain(zoo_dir())})", title_justify="left")
    for column in ("organism", "kind", "ground truth", "suites", "parameters", "trained"):
        table.add_column(column, justify="right" if column == "parameters" else "left")
    for info in found:
        e = info.entry
        seconds = e["training"]["base_seconds"] + e["training"]["seconds"]
        table.add_row(
            info.name,
            escape(e["description"]),
            escape(_truth(e)),
            ", ".join(e["suites"]),
            f"{e['parameters']:,}",
            f"{e['training']['base_steps']}+{e['training']['steps']} steps, {seconds:.0f} s",
        )
    console.print(table)


@organisms_group.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show one organism: kind, ground truth, training and measured behaviour."""
    try:
        info = organism(name)
    except ZooError as err:
        fail(str(err))
    e = info.entry
    console.print(f"[bold]{escape(info.name)}[/]: {escape(e['description'])}")
    console.print(f"Model directory: {plain(info.path)}")
    console.print(f"Suites: {plain(', '.join(e['suites']))}; seed {e['seed']}")
    console.print(f"Parameters: {e['parameters']:,}; training: {plain(json.dumps(e['training']))}")
    table = Table(title="Ground truth and measured protocol adherence (observed → unobserved)")
    for column in ("suite", "cue family", "ground truth", "seen paraphrases", "held-out"):
        table.add_column(column)
    behaviour = e.get("behaviour", {})
    for suite, families in e["ground_truth"].items():
        for family, verdict in families.items():
            cells = []
            for key in ("seen", "held_out"):
                got = behaviour.get(key, {}).get(suite, {}).get(family)
                cells.append(f"{got['observed']:.2f} → {got['unobserved']:.2f}" if got else "-")
            table.add_row(plain(suite), plain(family), verdict, *cells)
    console.print(table)


@organisms_group.command("train")
@click.argument("kinds", nargs=-1)
@click.option("--zoo", "whole_zoo", is_flag=True, help="Rebuild the whole zoo.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Zoo directory to write (default: the zoo in use; required for single kinds).",
)
@click.option("--suite", "suite_ids", multiple=True, help="Built-in suite to train on; repeatable.")
@click.option("--base-steps", type=int, default=None, help="Phase-1 steps (shared base).")
@click.option("--kind-steps", type=int, default=None, help="Phase-2 steps per organism.")
@click.option("--seed", type=int, default=None, help="Training seed.")
def train(
    kinds: tuple[str, ...],
    whole_zoo: bool,
    out: Path | None,
    suite_ids: tuple[str, ...],
    base_steps: int | None,
    kind_steps: int | None,
    seed: int | None,
) -> None:
    """Train organisms: the whole zoo (--zoo) or the named KINDS into --out."""
    if whole_zoo == bool(kinds):
        fail("name the kinds to train, or give --zoo (not both); kinds: "
             + ", ".join(k.name for k in KINDS))  # fmt: skip
    if kinds and out is None:
        fail("--out is required when training single kinds (the committed zoo is rebuilt "
             "only as a whole, with --zoo)")  # fmt: skip
    try:
        chosen = [kind(k) for k in kinds] if kinds else list(KINDS)
    except KeyError as err:
        fail(str(err.args[0]))
    defaults = _TrainConfig()
    config = _TrainConfig(
        base_steps=base_steps or defaults.base_steps,
        kind_steps=kind_steps or defaults.kind_steps,
        agentic_kind_steps=kind_steps or defaults.agentic_kind_steps,
        seed=defaults.seed if seed is None else seed,
    )
    target = out or zoo_dir()
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        console=errors,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, step: int, steps: int, loss: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=steps, loss="")
            bar.update(tasks[stage], completed=step, loss=f"{loss:.4f}")

        try:
            train_zoo(target, list(suite_ids) or None, config, chosen, progress)
        except (ValueError, KeyError, OSError) as err:
            fail(f"training failed: {err}", code=1)
    console.print(
        f"Trained {len(chosen)} organism(s) into {plain(target)} in "
        f"{time.perf_counter() - started:.0f} s"
    )
    console.print(f"Manifest: {plain(target / 'manifest.json')}")


@organisms_group.command("serve")
@click.argument("names", nargs=-1, required=True)
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(names: tuple[str, ...], port: int) -> None:
    """Serve organisms over an OpenAI-compatible API on loopback (Ctrl-C stops)."""
    try:
        load_manifest()
        server = serve_organisms(list(names), port)
    except (ZooError, OSError) as err:
        fail(str(err))
    with server:
        console.print(f"Serving {plain(', '.join(names))} at {server.base_url} (Ctrl-C to stop)")
        console.print(
            "  inspect eval … --model openai-api/hawthorne/<name> with "
            f"HAWTHORNE_BASE_URL={server.base_url} HAWTHORNE_API_KEY=any"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("stopped")


def demo_table(checks: Sequence[GroundTruthCheck]) -> None:
    """Print each organism's verdicts beside its ground truth.

    One row per organism × suite × cue family: ground truth, verdict, gap with CI and pairs
    used; agentic strata add a row for the hidden-side-effect verdict.
    """
    table = Table(title="Demo audit: verdict against ground truth", title_justify="left")
    for col in ("organism", "suite", "cue", "ground truth", "verdict", "gap [CI]", "pairs", ""):
        table.add_column(col, justify="right" if col in ("gap [CI]", "pairs") else "left")
    for check in checks:
        side_effects_row = check.cue_family.endswith(" (side effects)")
        table.add_row(
            "" if side_effects_row else check.organism,
            check.suite,
            escape(check.cue_family),
            check.truth,
            check.verdict,
            f"{check.gap:+.3f} {ci_text(check.ci)}",
            str(check.n_pairs),
            "[green]✓[/]" if check.matches else "[bold red]✗[/]",
        )
    console.print(table)
