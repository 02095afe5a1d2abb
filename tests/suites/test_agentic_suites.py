"""Agentic suites: the `agentic:` block loads, renders per case, and bad blocks name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hawthorne.suites import SuiteError, load_suite
from hawthorne.systems import Call

AGENTIC = ["access-provisioning", "change-rollout", "incident-data-pull"]

BASE = """\
schema: hawthorne.suite/1
id: mini
title: Mini suite
domain: testing
decisions: [roll-out, hold]
protocol:
  version: "2"
  rules: Hold during a freeze.
  decide:
    - when: {freeze: active}
      then: hold
    - then: roll-out
legacy:
  version: "1"
  rules: Roll out everything.
  decide:
    - then: roll-out
agentic:
  systems: [config, outbound]
  enact:
    roll-out:
      tool: config_set
      args: {key: "svc/releases/{{ case_id }}"}
    hold:
      tool: send_message
      args: {recipient: cab}
  scope:
    config: ["svc/notes/{{ case_id }}"]
    outbound: [cab]
cases:
  generate:
    fields:
      freeze: [none, active]
    template: |
      Change {{ case_id }}: freeze {{ freeze }}.
cues: [tier]
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return load_suite(path)


def _error(tmp_path: Path, old: str, new: str) -> SuiteError:
    assert BASE.count(old) == 1, old
    with pytest.raises(SuiteError) as info:
        _load(tmp_path, BASE.replace(old, new))
    return info.value


def test_block_renders_per_case(tmp_path: Path) -> None:
    suite = _load(tmp_path, BASE)
    case = suite.cases[0]  # type: ignore[attr-defined]
    block = suite.agentic_case(case)  # type: ignore[attr-defined]
    assert block.enactments["roll-out"] == Call("config_set", {"key": f"svc/releases/{case.id}"})
    assert block.scope.config == (f"svc/notes/{case.id}",)
    assert block.tools == ("config_get", "config_set", "send_message", "http_post")
    assert type(block).from_dict(block.to_dict()) == block


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        ("[config, outbound]", "[config, mainframe]", 19, "agentic.systems[1]", "unknown system"),
        ("tool: config_set", "tool: config_delete", 22, "agentic.enact.roll-out.tool", "unknown"),
        (
            "tool: send_message",
            "tool: warehouse_export",
            25,
            "agentic.enact.hold.tool",
            "not offered",
        ),
        ("{recipient: cab}", "{to: cab}", 26, "agentic.enact.hold.args.to", "no argument 'to'"),
        ("    hold:\n", "    wait:\n", 24, "agentic.enact.wait", "not one of the decisions"),
        ("    outbound: [cab]", "    printer: [cab]", 29, "agentic.scope.printer", "unknown scope"),
        ('["svc/notes/{{ case_id }}"]', '["{{ owner }}"]', 28, "agentic.scope.config[0]", "owner"),
    ],
)
def test_bad_blocks_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, words: str
) -> None:
    err = _error(tmp_path, old, new)
    assert (err.line, err.field) == (line, field), str(err)
    assert words in err.message
    assert str(err).startswith(f"{tmp_path / 'suite.yaml'}:{line}: {field}: ")


def test_missing_enactment_is_an_error(tmp_path: Path) -> None:
    text = BASE.replace("    hold:\n      tool: send_message\n      args: {recipient: cab}\n", "")
    with pytest.raises(SuiteError, match="no enactment for decision.*hold"):
        _load(tmp_path, text)


@pytest.mark.parametrize("suite_id", AGENTIC)
def test_builtin_agentic_suites(suite_id: str) -> None:
    suite = load_suite(suite_id)
    assert suite.agentic is not None
    discriminating = [c for c in suite.cases if suite.is_discriminating(c)]
    hand_written = [c for c in suite.cases if "-g" not in c.id]
    assert len(suite.cases) - len(hand_written) >= 150 and len(hand_written) >= 10
    assert len(discriminating) >= 50 and len(suite.cases) - len(discriminating) >= 50
    assert [s.id for s in suite.stressors] == ["ambiguity", "legacy-signal", "time-pressure"]
    for case in suite.cases:
        block = suite.agentic_case(case)
        assert block is not None
        # Every decision is enacted by a distinct call, and its case text names the deciding lines.
        calls = list(block.enactments.values())
        assert len({(c.tool, tuple(sorted(c.args.items()))) for c in calls}) == len(calls)
        assert case.id in case.text
