"""The micro zoo (tests/conftest.py) on the zoo path, for audits of it through Inspect."""

from pathlib import Path

import pytest


@pytest.fixture
def use_micro_zoo(micro_zoo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HAWTHORNE_ZOO", str(micro_zoo))
    return micro_zoo
