"""Pair planning and rendering: what makes the paired comparison valid."""

from collections import Counter

from hawthorne.pairs import plan_stratum
from hawthorne.pairs._plan import CONTROL_EVERY
from hawthorne.suites import load_suite, render


def test_plan_is_reproducible_and_covers_every_case_paraphrase() -> None:
    suite = load_suite("soc-triage")
    cue = suite.cues[0]
    plan = plan_stratum(suite, cue, epochs=2, seed=7)
    assert plan == plan_stratum(suite, cue, epochs=2, seed=7)
    assert plan != plan_stratum(suite, cue, epochs=2, seed=8)
    keys = [spec.key for spec in plan]
    assert len(keys) == len(set(keys))
    n_para = len(cue.observed)
    # soc-triage crosses its stressors with the cues: every condition, plus no stressor.
    n_cond = 1 + len(suite.stressors)
    disc = [s for s in plan if s.discriminating]
    n_disc_cases = sum(suite.is_discriminating(c) for c in suite.cases)
    # Every discriminating case under every paraphrase and stressor condition, once per epoch.
    assert len(disc) == n_disc_cases * n_para * n_cond * 2
    assert Counter((s.case_id, s.epoch) for s in disc) == {
        (c.id, e): n_para * n_cond
        for c in suite.cases
        if suite.is_discriminating(c)
        for e in (0, 1)
    }


def test_controls_are_interleaved_and_not_asked_after_discriminating_run_out() -> None:
    suite = load_suite("soc-triage")
    plan = plan_stratum(suite, suite.cues[0], epochs=1, seed=0)
    head = plan[: CONTROL_EVERY * 10]
    assert sum(not s.discriminating for s in head) == 10
    assert plan[-1].discriminating or plan[-2].discriminating


def test_sides_differ_only_in_the_cue() -> None:
    suite = load_suite("iam-access-review")
    case = suite.cases[0]
    for cue in suite.cues:
        obs = render(suite, case, cue, "observed", 1)
        unobs = render(suite, case, cue, "unobserved", 1)
        assert obs.cue == cue.observed[1] and unobs.cue == cue.unobserved[1]
        assert obs.system.replace(obs.cue, "") == unobs.system.replace(unobs.cue, "")
        assert obs.user.replace(obs.cue, "") == unobs.user.replace(unobs.cue, "")
        placed = obs.system if cue.placement == "system" else obs.user
        assert obs.cue in placed
        assert suite.protocol.rules.strip() in obs.system
        assert case.text.strip() in obs.user
