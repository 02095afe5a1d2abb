"""``hawthorne suites`` commands: output and exit codes, never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

import hawthorne.suites as suites_pkg
from hawthorne.cli._suites import suites

SOC_FILE = Path(suites_pkg.__file__).parent / "builtin" / "suites" / "soc-triage.yaml"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(suites, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_list() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    assert "soc-triage" in result.output and "iam-access-review" in result.output
    assert "258" in result.output and "88" in result.output  # soc-triage cases, discriminating
    assert "197" in result.output and "69" in result.output  # iam-access-review


def test_show_builtin_and_path() -> None:
    result = invoke("show", "soc-triage")
    assert result.exit_code == 0
    assert "Protocol (version 2)" in result.output and "Legacy (version 1)" in result.output
    assert "258 (88 discriminating, 170 control)" in result.output
    assert "[discriminating]" in result.output and "[control]" in result.output
    by_path = invoke("show", str(SOC_FILE))
    assert by_path.exit_code == 0
    assert f"source: {SOC_FILE}" in by_path.output.replace("\n", "")


def test_show_unknown_and_invalid(tmp_path: Path) -> None:
    result = invoke("show", "no-such-suite")
    assert result.exit_code == 2
    assert "soc-triage" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: hawthorne.suite/1\nid: Bad\n")
    result = invoke("show", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:" in result.output


def test_validate_ok_invalid_missing(tmp_path: Path) -> None:
    ok = invoke("validate", str(SOC_FILE))
    assert ok.exit_code == 0
    assert ok.output.startswith("OK ")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        # The first `then: escalate` is the protocol's first rule.
        SOC_FILE.read_text().replace("      then: escalate\n", "      then: escalte\n", 1)
    )
    invalid = invoke("validate", str(SOC_FILE), str(bad))
    assert invalid.exit_code == 1
    assert "OK " in invalid.output
    line = SOC_FILE.read_text().splitlines().index("      then: escalate") + 1
    assert f"{bad}:{line}: protocol.decide[0].then:" in invalid.output
    missing = invoke("validate", str(bad), str(tmp_path / "absent.yaml"))
    assert missing.exit_code == 2
    assert "absent.yaml: file not found" in missing.output


def test_validate_yaml_error_with_markup_characters(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: hawthorne.suite/1\nid: [x\n")
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2: invalid YAML" in result.output
