"""``hawthorne analyze``: verdicts on recorded answers."""

from __future__ import annotations

from pathlib import Path

import click

import hawthorne
from hawthorne.cli._console import console, fail, plain
from hawthorne.cli._run import _print_files, _print_results, verdict_options
from hawthorne.recorded import FIELDS, RecordError
from hawthorne.suites import SuiteError


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--suite", default=None, help="Suite of records that name none (reads 'answer').")
@click.option("--target", default="recorded", show_default=True,
              help="Model of records that name none.")  # fmt: skip
@click.option("--cue", default="recorded", show_default=True,
              help="Cue family of records that name none.")  # fmt: skip
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help=f"CSV column holding a field ({', '.join(FIELDS)}); repeatable.",
)
@click.option(
    "--condition-value",
    "condition_values",
    multiple=True,
    metavar="VALUE=CONDITION",
    help="A recorded value that names a condition, e.g. free=observed; repeatable.",
)
@verdict_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("runs/recorded"),
    show_default=True,
    help="Folder for the summary and reports.",
)
def analyze(
    files: tuple[Path, ...],
    suite: str | None,
    target: str,
    cue: str,
    columns: tuple[str, ...],
    condition_values: tuple[str, ...],
    alpha: float,
    margin: float,
    min_adherence: float,
    out_dir: Path,
) -> None:
    """Verdicts on answers another harness recorded (JSONL, CSV or Inspect .eval FILEs).

    Each record has a case (or prompt_id), a condition (observed or unobserved) and one of an
    answer text (read by --suite's oracle), an outcome (protocol, legacy, both, neither,
    invalid) or complied (true or false); optional: pair, suite, cue, epoch, target. Records
    that pair up (one answer per condition for each case and epoch, or pair id) get the paired
    statistics of `hawthorne run --fixed`; others are analysed as independent samples. Writes
    summary.json, the reports and junit.xml into --out, so `hawthorne gate` works on it.
    """
    column_map = _pairs("--column", columns, "FIELD=COLUMN")
    conditions = _pairs("--condition-value", condition_values, "VALUE=CONDITION")
    try:
        result = hawthorne.analyze(
            files,
            out_dir,
            suite=suite,
            target=target,
            cue=cue,
            columns=column_map,
            conditions=conditions,
            alpha=alpha,
            margin=margin,
            min_adherence=min_adherence,
        )
    except (RecordError, SuiteError, ValueError) as err:
        fail(str(err), code=2)
    _print_results(result)  # the verdict tables, then the summary's warnings
    _print_files(out_dir, result)
    console.print(f"Read {plain(', '.join(str(f) for f in files))}")


def _pairs(option: str, items: tuple[str, ...], shape: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            fail(f"{option} {item!r}: expected {shape}", code=2)
        out[key.strip()] = value.strip()
    return out
