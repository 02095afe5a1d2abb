"""The ``hawthorne`` command: thin, each command parses, calls one library function, renders."""

from __future__ import annotations

import os

import click

from hawthorne._version import __version__
from hawthorne.cli._analyze import analyze
from hawthorne.cli._detectors import detectors_group
from hawthorne.cli._gate import gate
from hawthorne.cli._models import models_group
from hawthorne.cli._organisms import organisms_group
from hawthorne.cli._production import accounts, db, deployments, keys, monitor, serve
from hawthorne.cli._review import overrides, review
from hawthorne.cli._run import report, run
from hawthorne.cli._shadow import shadow
from hawthorne.cli._suites import suites
from hawthorne.cli._whitebox import whitebox


@click.group(
    context_settings={
        "help_option_names": ["-h", "--help"],
        # Every option also reads HAWTHORNE_<COMMAND>_<OPTION>, as Inspect's read INSPECT_…
        "auto_envvar_prefix": "HAWTHORNE",
    }
)
@click.version_option(__version__, prog_name="hawthorne")
def main() -> None:
    """Hawthorne: catch AI models that fake alignment."""
    # Models load from local directories only; their per-file loading bars are noise between
    # the command's own progress lines (the engine processes inherit this).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


main.add_command(run)
main.add_command(report)
main.add_command(analyze)
main.add_command(gate)
main.add_command(suites)
main.add_command(organisms_group)
main.add_command(models_group)
main.add_command(detectors_group)
main.add_command(whitebox)
main.add_command(shadow)
for command in (serve, db, keys, accounts, deployments, monitor, review, overrides):
    main.add_command(command)

__all__ = [
    "main",
]
