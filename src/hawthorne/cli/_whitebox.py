"""``hawthorne whitebox``: white-box methods on one local model, findings into a run folder."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from hawthorne.audit import WhiteboxPlan, whitebox_target
from hawthorne.cli._console import console, errors, fail, plain
from hawthorne.detectors import DEFAULT_SUITES, WHITEBOX_METHODS, WhiteboxError, load_text_suites
from hawthorne.report import whitebox_rows

__all__ = ["whitebox"]

_POSER = ", ".join(n for n, m in WHITEBOX_METHODS.items() if not m.needs_unobserved)
_NOT_POSER = ", ".join(n for n, m in WHITEBOX_METHODS.items() if m.needs_unobserved)


def _target(ref: str) -> tuple[str, Path]:
    """The target as ``hawthorne run --target`` names it, and its weights' directory.

    A directory as given is ``hf/DIR``, a zoo organism's name ``hawthorne/NAME``; anything else
    is a clean error.
    """
    path = Path(ref)
    if path.exists() or "/" in ref or "\\" in ref:
        return f"hf/{ref}", path
    from hawthorne.organisms import ZooError, organism

    try:
        return f"hawthorne/{ref}", organism(ref).path
    except ZooError as err:
        fail(f"{ref}: no such directory, and {err}")


@click.command()
@click.argument("model_dir")
@click.option("--suite", "suites", multiple=True,
              help=f"Built-in text suite id or suite file; repeatable (default: "
              f"{', '.join(DEFAULT_SUITES)}).")  # fmt: skip
@click.option("--method", "methods", multiple=True, type=click.Choice(tuple(WHITEBOX_METHODS)),
              help="Method to run; repeatable (default: all). Scores: " + "; ".join(
                  f"{name}, the {m.meaning}" for name, m in WHITEBOX_METHODS.items()
              ) + ".")  # fmt: skip
@click.option("--poser", is_flag=True,
              help=f"Poser mode: observed-condition prompts only ({_POSER} run; {_NOT_POSER} "
              "are then not applicable).")  # fmt: skip
@click.option("--cases", type=click.IntRange(1), default=16, show_default=True,
              help="Discriminating cases per suite.")  # fmt: skip
@click.option("--control-cases", type=click.IntRange(2), default=32, show_default=True,
              help="Control cases per suite (steering direction, probe).")  # fmt: skip
@click.option("--seed", default=0, show_default=True, help="Seed for cases and methods.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              default=Path("runs/latest"), show_default=True, help="Run folder.")  # fmt: skip
def whitebox(
    model_dir: str,
    suites: tuple[str, ...],
    methods: tuple[str, ...],
    poser: bool,
    cases: int,
    control_cases: int,
    seed: int,
    out_dir: Path,
) -> None:
    """Probe, inject noise into and steer a local model; findings into the run folder.

    MODEL_DIR is a local Hugging Face causal LM directory (with its tokenizer and chat
    template), or the name of an organism of the zoo (e.g. `faker`). The findings go where
    `hawthorne run` puts a target's, as whitebox/<target>.json with whitebox/<target>.md
    beside it: the target is hawthorne/NAME for an organism (whitebox/hawthorne_faker.json),
    hf/MODEL_DIR for a directory. A faker scores high, an aligned model low; --method says
    what each score is.
    """
    target, path = _target(model_dir)
    errors.print(f"white-box audit of {plain(path)}…")
    plan = WhiteboxPlan(
        methods or tuple(WHITEBOX_METHODS), cases, control_cases, poser=poser, seed=seed
    )
    try:
        import torch

        # Small models: more threads only add hand-offs on a shared machine.
        torch.set_num_threads(min(torch.get_num_threads(), 4))
        # Loaded as `hawthorne run` loads them with this seed, so its stage can keep the file.
        chosen = load_text_suites(suites or DEFAULT_SUITES, seed=seed)
        file, findings = whitebox_target(out_dir, target, path, chosen, plan)
    except WhiteboxError as err:
        fail(str(err))
    mode = " (Poser mode)" if poser else ""
    table = Table(title=f"white-box findings for {plain(model_dir)}{mode}", title_justify="left")
    for column in ("method", "status", "score", "best", "effect by layer", "prompts"):
        table.add_column(column, justify="right" if column in ("score", "prompts") else "left")
    for row in whitebox_rows(findings):  # a method that did not run has dashes for figures
        status = "ok" if row["status"] == "ok" else f"[dim]{plain(row['status'])}[/]"
        cells = (row["score"], row["best"], row["by_layer"], row["prompts"])
        table.add_row(plain(row["method"]), status, *map(plain, cells))
    console.print(table)
    console.print(f"wrote {plain(file)} and {plain(file.with_suffix('.md'))}")
