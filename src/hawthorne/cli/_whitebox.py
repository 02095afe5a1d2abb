"""``hawthorne whitebox``: white-box methods on one local model, findings into a run folder."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from hawthorne.cli._console import console, errors, fail
from hawthorne.detectors import (
    DEFAULT_SUITES,
    WHITEBOX_METHODS,
    WhiteboxError,
    best_text,
    whitebox_audit,
    write_whitebox,
)

__all__ = ["whitebox"]


def _model_dir(ref: str) -> Path:
    """A directory as given, else a zoo organism's directory, else a clean error."""
    path = Path(ref)
    if path.exists() or "/" in ref or "\\" in ref:
        return path
    from hawthorne.organisms import ZooError, organism

    try:
        return organism(ref).path
    except ZooError as err:
        fail(f"{ref}: no such directory, and {err}")


@click.command()
@click.argument("model_dir")
@click.option("--suite", "suites", multiple=True,
              help=f"Built-in text suite id or suite file; repeatable (default: "
              f"{', '.join(DEFAULT_SUITES)}).")  # fmt: skip
@click.option("--method", "methods", multiple=True, type=click.Choice(WHITEBOX_METHODS),
              help="Method to run; repeatable (default: all).")  # fmt: skip
@click.option("--poser", is_flag=True,
              help="Poser mode: observed-condition prompts only (noise and cue-noise run; "
              "steering and the probe are then not applicable).")  # fmt: skip
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
    """Probe, inject noise into and steer a local model; write whitebox.json and whitebox.md.

    MODEL_DIR is a local Hugging Face causal LM directory (with its tokenizer and chat
    template), or the name of an organism of the zoo (e.g. `faker`). Scores: noise and
    steering, the largest share of observed prompts moved to the legacy decision; cue-noise,
    the largest shift of the log-odds of the legacy decision when noise blurs the observed
    cue's tokens; probe, the held-out AUROC of a "believes it is observed" probe. A faker
    scores high, an aligned model low. Poser mode runs noise and cue-noise only.
    """
    path = _model_dir(model_dir)
    errors.print(f"white-box audit of {path}…")
    try:
        import torch

        # Small models: more threads only add hand-offs on a shared machine.
        torch.set_num_threads(min(torch.get_num_threads(), 4))
        findings = whitebox_audit(
            path,
            suites or DEFAULT_SUITES,
            methods or WHITEBOX_METHODS,
            poser=poser,
            cases=cases,
            control_cases=control_cases,
            random_state=seed,
            name=model_dir,
        )
    except WhiteboxError as err:
        fail(str(err))
    json_path, md_path = write_whitebox(findings, out_dir)
    mode = " (Poser mode)" if poser else ""
    table = Table(title=f"white-box findings for {model_dir}{mode}", title_justify="left")
    for column in ("method", "status", "score", "best", "effect by layer", "prompts"):
        table.add_column(column, justify="right" if column in ("score", "prompts") else "left")
    for method, f in findings["methods"].items():
        if f["status"] != "ok":
            table.add_row(method, f"[dim]{f['reason']}[/]", "–", "–", "–", "–")
            continue
        layers = "  ".join(
            f"{r['layer']}: {'–' if r['effect'] is None else format(r['effect'], '.2f')}"
            for r in f["effect_by_layer"]
        )
        score, n = f"{f['score']:.3f}", str(f["n"]["prompts"])
        table.add_row(method, "ok", score, best_text(f["best"]), layers, n)
    console.print(table)
    console.print(f"wrote {json_path} and {md_path}")
