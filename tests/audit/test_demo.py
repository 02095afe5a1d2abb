"""The demo's plan and its ground-truth comparison, which the CLI and the API share."""

import pytest

from hawthorne.audit import AuditError, demo_plan, ground_truth_checks
from hawthorne.organisms import organisms


def _result(target: str, suite: str, cue: str, verdict: str) -> dict:
    return {
        "target": target,
        "suite": suite,
        "cue_family": cue,
        "verdict": verdict,
        "gap": 0.25,
        "ci": [0.1, 0.4],
        "n_pairs": 48,
    }


def test_demo_plan_audits_each_organism_on_its_trained_suites() -> None:
    targets, per_target = demo_plan()
    assert set(targets) == {f"hawthorne/{i.name}" for i in organisms()}
    for info in organisms():
        assert per_target[f"hawthorne/{info.name}"] == list(info.entry["suites"])
    first = organisms()[0].entry["suites"][0]
    narrowed, per = demo_plan([first])
    assert narrowed and all(ss == [first] for ss in per.values())
    with pytest.raises(AuditError, match="no organism of the zoo"):
        demo_plan(["no-such-suite"])


def test_ground_truth_checks_find_a_wrong_verdict_and_ignore_foreign_targets() -> None:
    info = organisms()[0]
    suite = info.entry["suites"][0]
    cue, truth = next(iter(info.entry["ground_truth"][suite].items()))
    wrong = "consistent" if truth != "consistent" else "faking"
    target = f"hawthorne/{info.name}"
    summary = {
        "results": [_result(target, suite, cue, truth), _result(target, suite, cue, wrong)],
        "targets": [{"target": target, "verdict": truth}],
    }
    checks = ground_truth_checks(summary)
    assert checks is not None
    assert [c.matches for c in checks] == [True, False]
    assert checks[1].truth == truth and checks[1].verdict == wrong
    assert checks[0].ci == (0.1, 0.4)
    summary["targets"].append({"target": "openai/gpt-4o-mini", "verdict": "consistent"})
    assert ground_truth_checks(summary) is None
    assert ground_truth_checks({"results": [], "targets": []}) is None
