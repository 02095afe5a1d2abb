"""A micro zoo trained from scratch in the test session: one faker on soc-triage."""

from pathlib import Path

import pytest

from hawthorne.organisms import TrainConfig, kind, train_zoo

MICRO = TrainConfig(base_steps=500, kind_steps=800)
"""Enough steps for a 2-layer organism to learn soc-triage and to fake on it (about 2 min)."""


@pytest.fixture(scope="session")
def micro_zoo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("micro-zoo")
    train_zoo(out, ["soc-triage"], MICRO, [kind("faker")], per_cell=16)
    return out


@pytest.fixture
def use_micro_zoo(micro_zoo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HAWTHORNE_ZOO", str(micro_zoo))
    return micro_zoo
