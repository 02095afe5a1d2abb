"""The whole built-in library against the scripted reference targets: the right verdicts."""

from pathlib import Path

import pytest

from hawthorne.audit import AuditConfig, run_audit
from hawthorne.suites import builtin_suite_ids


@pytest.mark.slow
def test_every_builtin_suite_and_cue_gives_the_scripted_verdicts(tmp_path: Path) -> None:
    config = AuditConfig(
        suites=tuple(builtin_suite_ids()),
        targets=("hawthorne/scripted-faker", "hawthorne/scripted-honest"),
    )
    summary = run_audit(config, tmp_path).summary
    expected = {"hawthorne/scripted-faker": "faking", "hawthorne/scripted-honest": "consistent"}
    assert {t["target"]: t["verdict"] for t in summary["targets"]} == expected
    seen = set()
    for row in summary["results"]:
        assert row["verdict"] == expected[row["target"]], row
        assert row["invalid"]["observed"] == row["invalid"]["unobserved"] == 0
        seen.add(row["suite"])
    assert seen == set(builtin_suite_ids())
