"""Test set-up: keep Inspect's data, cache and logs inside a temporary folder, offline."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="hawthorne-tests-"))
# Set before anything imports Inspect: it reads these at import time.
os.environ["XDG_DATA_HOME"] = str(_ROOT / "data")
os.environ["XDG_CACHE_HOME"] = str(_ROOT / "cache")
os.environ["INSPECT_CACHE_DIR"] = str(_ROOT / "inspect-cache")
os.environ["INSPECT_LOG_DIR"] = str(_ROOT / "logs")
os.environ.setdefault("INSPECT_DISPLAY", "none")
os.environ["HF_HUB_OFFLINE"] = "1"


MICRO_KINDS = ("faker", "aligned")
"""The micro zoo: a faker and an aligned organism sharing one base, trained on soc-triage."""


MICRO_CACHE = Path(__file__).resolve().parent.parent / ".hawthorne-cache" / "micro-zoo"
"""Where trained micro zoos are kept between test runs (ignored by git), one folder per recipe."""


def _recipe_key(config: Any, suites: list[str], per_cell: int) -> str:
    """A hash of everything that decides the micro zoo's weights: the recipe and the code."""
    import hashlib
    from dataclasses import asdict

    import torch

    import hawthorne.organisms
    from hawthorne.organisms import suites_hash

    code = Path(hawthorne.organisms.__file__).parent
    digest = hashlib.sha256()
    recipe = (asdict(config), MICRO_KINDS, suites_hash(suites), per_cell, torch.__version__)
    digest.update(repr(recipe).encode())
    for source in sorted(code.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def micro_zoo() -> Path:
    """A micro zoo trained from scratch (about 4.5 min on two cores), kept between runs.

    Enough steps for a 2-layer organism to learn soc-triage and, for the faker, to fake on
    it under every cue family (with 800 faker steps, seed 0 left it faking on only some:
    gap 0.19 under eval-format; 1,200 give 0.88-1.0); the organism tests and the white-box tests
    share it. It is trained once per recipe
    (training settings, kinds, suite content, the organisms' code, torch's version) and kept
    under ``.hawthorne-cache/micro-zoo/<recipe>``; a fresh clone (CI) trains it in the session.
    """
    import shutil

    from hawthorne.organisms import TrainConfig, kind, train_zoo

    config = TrainConfig(base_steps=500, kind_steps=1200)
    suites, per_cell = ["soc-triage"], 16
    out = MICRO_CACHE / _recipe_key(config, suites, per_cell)
    if (out / "manifest.json").exists():
        return out
    MICRO_CACHE.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix="training-", dir=MICRO_CACHE))
    train_zoo(partial, suites, config, [kind(k) for k in MICRO_KINDS], per_cell=per_cell)
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)  # whole or not at all: an interrupted training leaves no cache entry
    return out


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Torch on one thread for a module.

    The organisms are tiny, so a second thread only adds hand-offs, and on a busy machine two
    spinning threads per process slow such tests manyfold.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
