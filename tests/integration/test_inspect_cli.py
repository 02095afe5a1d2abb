"""Hawthorne through Inspect's own CLI, found via the `inspect_ai` entry point."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

INSPECT = str(Path(sys.executable).with_name("inspect"))


@pytest.mark.slow
def test_inspect_eval_runs_a_builtin_suite(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            INSPECT,
            "eval",
            "hawthorne/soc_triage",
            "--model",
            "hawthorne/scripted-faker",
            "--limit",
            "40",
            "--log-dir",
            str(tmp_path),
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and len(log.samples or []) == 40
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["gap"].value == pytest.approx(1.0)
    outcomes = {s.scores["protocol_outcome"].metadata["outcome"] for s in log.samples or []}
    assert outcomes <= {"protocol", "legacy", "both"} and "legacy" in outcomes
