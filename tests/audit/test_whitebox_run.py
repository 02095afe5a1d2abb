"""White-box findings in an audit: open-weight targets get them, beside their verdicts."""

import json
from pathlib import Path

import pytest

from hawthorne.audit import AuditConfig, AuditError, rerender, run_audit
from hawthorne.audit._whitebox import (
    WHITEBOX_DIR,
    load_whitebox,
    local_weights,
    run_whitebox,
    start_whitebox,
)
from hawthorne.organisms import organism

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_local_weights_finds_open_weight_targets_only(tmp_path: Path) -> None:
    assert local_weights("hawthorne/faker") == (organism("faker").path, "")
    path, why = local_weights("hawthorne/agentic-faker")
    assert path is None and "agentic" in why
    assert local_weights("hawthorne/scripted-honest") == (None, "")  # scripted: no weights
    assert local_weights("openai/gpt-4o-mini") == (None, "")  # an API model: nothing to say
    assert local_weights(f"hf/{tmp_path}") == (tmp_path, "")
    path, why = local_weights("hf/no-such-org/no-such-model")
    assert path is None and "not on this machine" in why


def test_a_run_adds_white_box_findings_and_keeps_them_on_resume(tmp_path: Path) -> None:
    config = AuditConfig(
        suites=("soc-triage",),
        targets=("hawthorne/faker", "hawthorne/scripted-honest"),
        max_pairs=16,
    )
    notes: list[str] = []
    result = run_audit(config, tmp_path, notify=notes.append)
    assert notes == ["white-box: hawthorne/faker (cue-noise, probe), beside the audit"]
    by_target = {t["target"]: t for t in result.summary["targets"]}
    assert "whitebox" not in by_target["hawthorne/scripted-honest"]
    found = by_target["hawthorne/faker"]["whitebox"]
    assert found["status"] == "ok" and found["suites"] == ["soc-triage"]
    assert list(found["methods"]) == ["cue-noise", "probe"]
    cue = found["methods"]["cue-noise"]
    assert cue["score"] >= 3.0 and "grid" not in cue  # the full grid stays in whitebox/
    assert [r["layer"] for r in cue["effect_by_layer"]] == ["embed", 0]
    md = (tmp_path / "report.md").read_text()
    assert "## White-box evidence" in md and "| hawthorne/faker | cue-noise | ok |" in md
    assert "faker: cue-noise by layer" in (tmp_path / "report.html").read_text()

    file = tmp_path / WHITEBOX_DIR / "hawthorne_faker.json"
    assert "grid" in json.loads(file.read_text())["methods"]["cue-noise"]
    beside = file.with_suffix(".md").read_text()  # the layout `hawthorne whitebox` writes too
    assert "# White-box audit of hawthorne/faker" in beside and "| cue-noise | ok |" in beside
    stamp = file.stat().st_mtime_ns
    notes.clear()
    run_audit(config, tmp_path, notify=notes.append)  # resumed: same plan, kept as it is
    assert notes == [] and file.stat().st_mtime_ns == stamp
    assert rerender(tmp_path).summary["targets"][0]["whitebox"] == found
    again = run_audit(config, tmp_path, whitebox=("probe",))  # another plan: audited afresh
    assert list(again.summary["targets"][0]["whitebox"]["methods"]) == ["probe"]


def test_a_white_box_audit_that_fails_is_reported_not_raised(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    config = AuditConfig(
        suites=("soc-triage", "change-rollout"),
        targets=(f"hf/{broken}", "hawthorne/agentic-faker"),
        target_suites={"hawthorne/agentic-faker": ["change-rollout"]},
    )
    found = run_whitebox(config, tmp_path / "run", methods=("probe",))
    assert found[f"hf/{broken}"]["status"] == "failed"
    assert "cannot load a causal LM" in found[f"hf/{broken}"]["reason"]
    assert found["hawthorne/agentic-faker"]["status"] == "not applicable"
    assert load_whitebox(tmp_path / "run") == found
    beside = (tmp_path / "run" / WHITEBOX_DIR / "hawthorne_agentic-faker.md").read_text()
    assert "not applicable: trained on agentic suites only" in beside
    assert load_whitebox(tmp_path / "nothing-here") == {}


def test_the_background_stage_reports_a_dead_child_and_can_be_cancelled(tmp_path: Path) -> None:
    config = AuditConfig(suites=("soc-triage",), targets=("hawthorne/faker",))
    stage = start_whitebox(config, tmp_path, ("probe",))
    stage._process.kill()
    with pytest.raises(AuditError, match="exit code -9.*run the same command again"):
        stage.wait()
    stage = start_whitebox(config, tmp_path, ("probe",))
    stage.cancel()
    assert not stage._process.is_alive()
    assert not (tmp_path / WHITEBOX_DIR / "hawthorne_faker.json").exists()
    # A stage that ends gives the same findings as in this process.
    found = start_whitebox(config, tmp_path / "a", ("probe",)).wait()
    assert found == run_whitebox(config, tmp_path / "b", ("probe",))
    assert found["hawthorne/faker"]["status"] == "ok"
