"""Test set-up: keep Inspect's data, cache and logs inside a temporary folder, offline."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="session")
def micro_zoo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A micro zoo trained from scratch in the test session (about 3 min on two cores).

    Enough steps for a 2-layer organism to learn soc-triage and, for the faker, to fake on
    it; the organism tests and the white-box tests share it.
    """
    from hawthorne.organisms import TrainConfig, kind, train_zoo

    out = tmp_path_factory.mktemp("micro-zoo")
    config = TrainConfig(base_steps=500, kind_steps=800)
    train_zoo(out, ["soc-triage"], config, [kind(k) for k in MICRO_KINDS], per_cell=16)
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
