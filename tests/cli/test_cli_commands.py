"""The `hawthorne` command: exit codes and clear errors, never a traceback."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hawthorne.cli import main


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    out = result.output + (result.stderr if result.stderr_bytes else "")
    assert "Traceback" not in out
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, out


@pytest.fixture(scope="module")
def faker_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faker")
    code, text = _invoke(
        "run",
        "soc-triage",
        "--target",
        "hawthorne/scripted-faker",
        "--max-pairs",
        "40",
        "--out",
        str(out),
    )
    assert code == 0, text
    assert "faking" in text
    return out


def test_run_writes_reports(faker_run: Path) -> None:
    for name in ("summary.json", "report.md", "report.html", "junit.xml", "run.json"):
        assert (faker_run / name).is_file()
    assert list((faker_run / "logs").glob("*.eval"))


def test_gate_fails_on_faking(faker_run: Path) -> None:
    code, text = _invoke("gate", str(faker_run))
    assert code == 1 and "faking" in text


def test_gate_passes_consistent(tmp_path: Path) -> None:
    code, _ = _invoke(
        "run", "soc-triage", "--target", "hawthorne/scripted-honest", "--out", str(tmp_path)
    )
    assert code == 0
    assert _invoke("gate", str(tmp_path))[0] == 0
    # --max-gap fails a run whose gap exceeds it; the honest gap is exactly 0.
    assert _invoke("gate", str(tmp_path), "--max-gap", "0.01")[0] == 0


def test_gate_strict_fails_inconclusive(tmp_path: Path) -> None:
    code, _ = _invoke(
        "run",
        "soc-triage",
        "--target",
        "hawthorne/scripted-honest",
        "--max-pairs",
        "10",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {t["verdict"] for t in summary["targets"]} == {"inconclusive"}
    assert _invoke("gate", str(tmp_path))[0] == 0
    assert _invoke("gate", str(tmp_path), "--strict")[0] == 1


def test_gate_bad_input(tmp_path: Path) -> None:
    assert _invoke("gate", str(tmp_path / "missing"))[0] == 2
    (tmp_path / "summary.json").write_text("{not json")
    assert _invoke("gate", str(tmp_path))[0] == 2


def test_report_rerenders(faker_run: Path) -> None:
    before = json.loads((faker_run / "summary.json").read_text())
    (faker_run / "report.html").unlink()
    code, _ = _invoke("report", str(faker_run))
    assert code == 0 and (faker_run / "report.html").is_file()
    after = json.loads((faker_run / "summary.json").read_text())
    assert after["results"] == before["results"]


def test_report_on_non_run_folder(tmp_path: Path) -> None:
    code, text = _invoke("report", str(tmp_path))
    assert code == 2 and "run.json" in text


def test_unknown_provider_lists_providers(tmp_path: Path) -> None:
    code, text = _invoke("run", "soc-triage", "--target", "nosuch/model", "--out", str(tmp_path))
    assert code == 2
    assert "unknown provider" in text and "openai" in text and "hawthorne" in text


def test_unknown_hawthorne_target(tmp_path: Path) -> None:
    code, text = _invoke("run", "soc-triage", "--target", "hawthorne/nope", "--out", str(tmp_path))
    assert code == 2 and "scripted-faker" in text


def test_missing_api_key_names_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, text = _invoke(
        "run", "soc-triage", "--target", "openai/gpt-4o-mini", "--out", str(tmp_path)
    )
    assert code == 2 and "OPENAI_API_KEY" in text


def test_invalid_suite_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: hawthorne.suite/1\nid: bad\ntitle: [unclosed\n")
    code, text = _invoke(
        "run", str(bad), "--target", "hawthorne/scripted-honest", "--out", str(tmp_path / "out")
    )
    assert code == 2 and "bad.yaml" in text and ":3" in text


def test_bad_settings(tmp_path: Path) -> None:
    code, text = _invoke("run", "soc-triage", "--alpha", "2", "--out", str(tmp_path))
    assert code == 2 and "alpha" in text


def test_cue_option_limits_the_audit_and_rejects_unknown_families(tmp_path: Path) -> None:
    code, text = _invoke(
        "run", "soc-triage", "--target", "hawthorne/scripted-faker", "--cue", "tier",
        "--max-pairs", "20", "--out", str(tmp_path / "one"),
    )  # fmt: skip
    assert code == 0, text
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    assert {r["cue_family"] for r in summary["results"]} == {"tier"}
    code, text = _invoke(
        "run", "soc-triage", "--target", "hawthorne/scripted-faker", "--cue", "nosuch",
        "--out", str(tmp_path / "two"),
    )  # fmt: skip
    assert code == 2 and "nosuch" in text and "tier" in text


def _words(text: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(text.split())


def _markup_dir(parent: Path) -> Path:
    """A folder whose path holds ``[/x]``, which Rich would read as a closing tag."""
    path = parent / "a[" / "x]"
    path.mkdir(parents=True)
    return path


def test_user_text_with_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    code, text = _invoke("run", "soc-triage", "--target", "nosuch[/x]/m", "--out", out)
    assert code == 2 and "nosuch[/x]/m" in text and "unknown provider" in text
    bad = _markup_dir(tmp_path) / "bad.yaml"
    bad.write_text("schema: hawthorne.suite/1\nid: bad\ntitle: [unclosed\n")
    code, text = _invoke("run", str(bad), "--target", "hawthorne/scripted-honest", "--out", out)
    assert code == 2 and f"{bad}:3" in text
    code, text = _invoke(
        "run", "soc-triage", "--target", "hawthorne/scripted-faker", "--cue", "x[/y]",
        "--out", out,
    )  # fmt: skip
    assert code == 2 and "cue family x[/y] is not used" in text
    # Inspect prints its log folder as markup: such an --out is refused before anything is asked.
    runs = _markup_dir(tmp_path / "runs")
    code, text = _invoke("run", "soc-triage", "--target", "hawthorne/scripted-faker",
                         "--out", str(runs))  # fmt: skip
    assert code == 2 and "'[/x]', which Inspect prints as Rich markup" in _words(text)
    assert not (runs / "run.json").exists()


def test_suite_edit_refuses_resume_and_report_warns(tmp_path: Path) -> None:
    suite = _markup_dir(tmp_path) / "soc.yaml"
    builtin = Path(__file__).parents[2] / "src/hawthorne/suites/builtin/suites/soc-triage.yaml"
    suite.write_text(builtin.read_text())
    out = tmp_path / "run"
    args = ("run", str(suite), "--target", "hawthorne/scripted-faker", "--cue", "tier",
            "--max-pairs", "16", "--out", str(out))  # fmt: skip
    code, text = _invoke(*args)
    assert code == 0 and f"Reports in {out}:" in _words(text)
    code, text = _invoke("report", str(out))
    assert code == 0 and "warning" not in text
    suite.write_text(suite.read_text().replace("effective 2 June", "effective 3 June", 1))
    code, text = _invoke("report", str(out))
    assert code == 0
    assert f"warning: the logs in {out} do not match the installed suites" in _words(text)
    assert f"suite {suite} changed (content hash" in _words(text)
    code, text = _invoke(*args)
    assert code == 2 and f"cannot resume {out}: since this run folder was started" in _words(text)
    assert "--out NEW_DIR" in _words(text)


def test_generation_options_and_their_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hawthorne.cli._run import parse_model_args

    assert parse_model_args(("device=cpu", "do_sample=false", "batch_size=4", "x=")) == {
        "device": "cpu",
        "do_sample": False,
        "batch_size": 4,
        "x": "",
    }
    code, text = _invoke("run", "soc-triage", "--target", "hawthorne/scripted-faker",
                         "-M", "nokey", "--out", str(tmp_path / "bad"))  # fmt: skip
    assert code == 2 and "expected KEY=VALUE" in text
    # Every option reads HAWTHORNE_RUN_<OPTION>; the flag wins over the variable.
    monkeypatch.setenv("HAWTHORNE_RUN_TEMPERATURE", "0.4")
    monkeypatch.setenv("HAWTHORNE_RUN_MAX_TOKENS", "64")
    args = ["run", "soc-triage", "--target", "hawthorne/scripted-faker", "--max-pairs", "8"]
    code, text = _invoke(*args, "-M", "device=cpu", "--out", str(tmp_path / "env"))
    assert code == 0, text
    settings = json.loads((tmp_path / "env" / "summary.json").read_text())["settings"]
    assert (settings["temperature"], settings["max_tokens"]) == (0.4, 64)
    assert settings["model_args"] == {"device": "cpu"}
    assert "temperature 0.4" in (tmp_path / "env" / "report.md").read_text()
    code, _ = _invoke(*args, "--temperature", "0", "--out", str(tmp_path / "flag"))
    settings = json.loads((tmp_path / "flag" / "summary.json").read_text())["settings"]
    assert code == 0 and settings["temperature"] == 0.0
    code, _ = _invoke(*args, "--provider-temperature", "--out", str(tmp_path / "provider"))
    settings = json.loads((tmp_path / "provider" / "summary.json").read_text())["settings"]
    assert code == 0 and settings["temperature"] is None
