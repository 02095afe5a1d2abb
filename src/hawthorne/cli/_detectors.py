"""``hawthorne detectors``: validate a detector against a labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from hawthorne.cli._console import console, errors, fail
from hawthorne.detectors import (
    DETECTORS,
    TARGETS,
    LabelError,
    OfflineTraceClassifier,
    corpus,
    load_labels,
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
    help='JSONL file, one {"text", "label"} per line (default: the shipped held-out split).',
)
@click.option(
    "--target",
    type=click.Choice(TARGETS),
    default="label",
    show_default=True,
    help="Which label the file's 0/1 field holds.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def validate_command(detector: str, labels_path: Path | None, target: str, as_json: bool) -> None:
    """Measure DETECTOR on labelled traces: AUROC, TPR at 1%/5% FPR, confusion, bootstrap CIs."""
    try:
        labelled = load_labels(labels_path, target) if labels_path else corpus("test", target)
    except LabelError as err:
        fail(str(err))
    errors.print(f"fitting the {detector} detector on the shipped training split…")
    train = corpus("train", target)
    model = OfflineTraceClassifier().fit(train.texts, train.labels)
    result = validate(model.score(labelled.texts), labelled.labels, model.threshold)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    table = Table(
        title=f"{detector} detector on {labels_path or 'the held-out split'} ({target}): "
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
