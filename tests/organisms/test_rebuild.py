"""Training is repeatable: the same seed, data and settings give the same weights, bit for bit."""

import hashlib
from pathlib import Path

from hawthorne.organisms import TrainConfig, kind, train_zoo


def _digest(path: Path) -> str:
    return hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()


def test_same_seed_same_weights_other_seed_other_weights(tmp_path: Path) -> None:
    config = TrainConfig(base_steps=6, kind_steps=6)
    faker = [kind("faker")]
    runs = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        cfg = TrainConfig(**{**config.to_json(), "seed": seed})
        train_zoo(tmp_path / name, ["soc-triage"], cfg, faker, per_cell=1)
        runs[name] = _digest(tmp_path / name / "faker")
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]
