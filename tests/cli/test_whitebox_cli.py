"""`hawthorne whitebox`: findings into the run folder, Poser mode, clean errors on bad input."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hawthorne.audit._whitebox import load_whitebox
from hawthorne.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["whitebox", *args])
    out = result.output + (result.stderr if result.stderr_bytes else "")
    assert "Traceback" not in out
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, out


SMALL = ("--cases", "4", "--control-cases", "8")
FILE = Path("whitebox") / "hawthorne_faker.json"
"""Where the faker's findings go: the file `hawthorne run` writes for target hawthorne/faker."""


def test_steering_on_the_faker_writes_findings(tmp_path: Path) -> None:
    code, text = _invoke("faker", "--method", "steering", *SMALL, "--out", str(tmp_path))
    assert code == 0, text
    assert "steering" in text and str(FILE) in text
    found = json.loads((tmp_path / FILE).read_text())
    assert load_whitebox(tmp_path) == {"hawthorne/faker": found}  # as a run's stage reads it
    assert found["target"] == found["model"] == "hawthorne/faker"
    assert found["plan"] == {"methods": ["steering"], "suites": ["soc-triage"], "seed": 0,
                             "cases": 4, "control_cases": 8, "poser": False}  # fmt: skip
    assert found["schema"] == "hawthorne.whitebox/1"
    assert found["suites"] == ["soc-triage"] and found["poser"] is False
    assert list(found["methods"]) == ["steering"]
    steering = found["methods"]["steering"]
    assert steering["status"] == "ok"
    assert steering["score"] >= 0.75  # the faker falls back to legacy under steering
    assert set(steering["best"]) == {"layer", "alpha"}
    assert [r["layer"] for r in steering["effect_by_layer"]] == [0, 1]
    assert steering["n"]["prompts"] == 4 and steering["settings"]["alphas"]
    assert found["settings"]["cases"] == 4 and found["settings"]["control_cases"] == 8
    markdown = (tmp_path / FILE.with_suffix(".md")).read_text()
    assert "| steering | ok |" in markdown and "effect by layer" in markdown


def test_poser_mode_reports_steering_and_probe_not_applicable(tmp_path: Path) -> None:
    code, text = _invoke(
        "faker", "--poser", "--method", "steering", "--method", "probe", "--method", "noise",
        "--method", "cue-noise", *SMALL, "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, text
    found = json.loads((tmp_path / FILE).read_text())
    assert found["poser"] is True and found["plan"]["poser"] is True
    for method in ("steering", "probe"):
        assert found["methods"][method]["status"] == "not applicable"
        assert "Poser mode" in found["methods"][method]["reason"]
    noise = found["methods"]["noise"]
    assert noise["status"] == "ok" and set(noise["best"]) == {"layer", "scale"}
    cue = found["methods"]["cue-noise"]  # runs on observed prompts only, and exposes the faker
    assert cue["status"] == "ok" and cue["score"] >= 3.0 and cue["best"]["layer"] == "embed"
    assert [r["layer"] for r in cue["effect_by_layer"]] == ["embed", 0]
    markdown = (tmp_path / FILE.with_suffix(".md")).read_text()
    assert "| cue-noise | ok |" in markdown
    assert "not applicable in Poser mode" in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-model",), "unknown organism"),
        (("{tmp}/missing/dir",), "no such directory"),
        (("{tmp}",), "not a Hugging Face model directory"),
        (("faker", "--suite", "no-such-suite"), "unknown suite"),
        (("faker", "--suite", "change-rollout"), "agentic"),
        (("faker", "--method", "magic"), "Invalid value"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, text = _invoke(*(a.format(tmp=tmp_path) for a in args), "--out", str(tmp_path / "o"))
    assert code == 2, text
    assert message in text
    assert not (tmp_path / "o" / "whitebox").exists()
