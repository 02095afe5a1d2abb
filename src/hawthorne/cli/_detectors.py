"""``hawthorne detectors``: validate a detector against a labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from hawthorne.cli._console import console, errors, fail, plain
from hawthorne.detectors import (
    DETECTORS,
    FAKING_REASONING,
    SIGNALS,
    LabelError,
    RoutedTraceClassifier,
    corpus,
    load_labels,
    shipped,
    validate,
)

__all__ = ["detectors_group"]


@click.group("detectors")
def detectors_group() -> None:
    """Detectors of alignment-faking reasoning, validated against labels."""


@detectors_group.command("validate")
@click.argument("detector", type=click.Choice(DETECTORS))
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path),
    default=None,
    help='JSONL file, one {"text", "label"} per line (default: the shipped held-out split); '
    "for --label eval_awareness the 0/1 field is eval_aware, for unwatched_talk unwatched.",
)
@click.option(
    "--label",
    "label",
    type=click.Choice(list(SIGNALS)),
    default=FAKING_REASONING,
    show_default=True,
    help="The signal the traces are labelled for.",
)
@click.option(
    "--judge",
    "judge_model",
    default="hawthorne/reference-judge",
    show_default=True,
    help="judge detector: the judge model (any Inspect model name).",
)
@click.option("--votes", type=click.IntRange(1), default=20, show_default=True,
              help="judge detector: votes per trace.")  # fmt: skip
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Flag threshold (default: the detector's own).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def validate_command(
    detector: str,
    labels_path: Path | None,
    label: str,
    judge_model: str,
    votes: int,
    threshold: float | None,
    as_json: bool,
) -> None:
    """Measure DETECTOR on labelled traces: AUROC, TPR at 1%/5% FPR, confusion, bootstrap CIs.

    DETECTOR is `offline` (the shipped classifier, fitted on the training split) or `judge`
    (votes of a judge model; the default reference judge runs offline).
    """
    try:
        column = SIGNALS[label].column
        labelled = load_labels(labels_path, column) if labels_path else corpus("test", label)
    except LabelError as err:
        fail(str(err))
    if detector == "judge":
        from hawthorne.adapter import JudgeDetector

        judge = JudgeDetector(judge_model, label, votes)
        errors.print(
            f"asking {plain(judge_model)} for {votes} votes on {len(labelled.texts)} traces…"
        )
        try:
            scores = judge.score(labelled.texts)
        except (RuntimeError, ValueError) as err:
            fail(str(err))
        cut = judge.threshold
    else:
        model, _ = shipped(label)
        scores, cut = model.score(labelled.texts), model.threshold
        if isinstance(model, RoutedTraceClassifier):
            n_long = sum(model.is_long(t) for t in labelled.texts)
            errors.print(
                f"{n_long} of {len(labelled.texts)} traces read by the long-scratchpad head "
                f"(at least {model.long_words} words), the rest by the short-trace head"
            )
    result = validate(scores, labelled.labels, cut if threshold is None else threshold)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    table = Table(
        title=f"{detector} detector on {plain(labels_path or 'the held-out split')} ({label}): "
        f"{result.n_positive} positive, {result.n_negative} negative",
        title_justify="left",
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("95% CI", justify="right")
    value, (lo, hi) = result.auroc
    table.add_row("AUROC", f"{value:.3f}", f"[{lo:.3f}, {hi:.3f}]")
    for fpr, (tpr, (lo, hi)) in result.tpr_at_fpr.items():
        table.add_row(f"TPR at {fpr} FPR", f"{tpr:.3f}", f"[{lo:.3f}, {hi:.3f}]")
    c = result.confusion
    table.add_row(
        f"confusion at threshold {result.threshold}",
        f"TP {c['tp']}  FP {c['fp']}  TN {c['tn']}  FN {c['fn']}",
        "",
    )
    table.add_row("sensitivity / specificity", f"{result.sensitivity:.3f} / "
                  f"{result.specificity:.3f}", "")  # fmt: skip
    console.print(table)


@detectors_group.command("fit")
def fit_command() -> None:
    """Refit the shipped offline heads on the training split and re-measure them held out.

    For maintainers after the labelled corpus changes; writes the package's heads.json.
    """
    from hawthorne.detectors import HEADS, fit_heads

    errors.print("embedding the labelled corpus and fitting one head per signal…")
    data = fit_heads()
    for name, head in data["heads"].items():
        held = head["held_out"]
        console.print(
            f"{name}: C {head['model']['C']:g}, held-out AUROC {held['auroc']:.3f}, "
            f"sensitivity {held['sensitivity']:.3f}, specificity {held['specificity']:.3f}"
        )
    console.print(f"wrote {plain(HEADS)}")
