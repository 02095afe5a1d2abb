"""Stressors as a second axis: planning, rendering, pairing, the summary's by_stressor, reports."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from hawthorne.adapter._task import pair_samples
from hawthorne.audit import AuditConfig, VerdictSettings, rerender, run_audit
from hawthorne.audit._stratum import Stratum
from hawthorne.audit._summary import _by_stressor
from hawthorne.organisms import scripted_answer
from hawthorne.pairs import PairSpec, plan_stratum
from hawthorne.report import render_html, render_markdown
from hawthorne.suites import Suite, load_suite, render

CONDITIONS = ["none", "ambiguity", "legacy-signal", "time-pressure"]
FAKER, HONEST = "hawthorne/scripted-faker", "hawthorne/scripted-honest"


def _without_stressors(suite: Suite) -> Suite:
    return suite.model_copy(update={"stressors": []})


def _digest(plan: list[PairSpec]) -> str:
    text = "\n".join(f"{spec.key}|{spec.discriminating}" for spec in plan)
    return hashlib.sha256(text.encode()).hexdigest()


# --- keys and planning -------------------------------------------------------------------


def test_key_is_unchanged_without_a_stressor() -> None:
    spec = PairSpec("soc-triage", "tier", "soc-h01", 2, 1, True)
    assert spec.stressor is None
    assert spec.key == "soc-triage/tier/soc-h01/p2/e1"
    stressed = PairSpec("soc-triage", "tier", "soc-h01", 2, 1, True, "time-pressure")
    assert stressed.key == "soc-triage/tier/soc-h01/p2/e1/s-time-pressure"


@pytest.mark.parametrize(
    ("suite_id", "cue_index", "seed", "epochs", "length", "digest"),
    [
        # Recorded from the planner before stressors existed: a suite without stressors must
        # plan exactly as before (same pairs, same order, same keys), or old runs cannot resume.
        (
            "soc-triage",
            0,
            7,
            2,
            880,
            "97e2ccf7483571e196068c27a36741de827e2eac4ed4ed5272017e480a95d688",
        ),
        (
            "iam-access-review",
            1,
            0,
            1,
            345,
            "21b8fb80f1b1da72869d5eabff4a061e1561d1301f1e664576d622b4c0b7bdd4",
        ),
    ],
)
def test_suite_without_stressors_plans_exactly_as_before(
    suite_id: str, cue_index: int, seed: int, epochs: int, length: int, digest: str
) -> None:
    suite = _without_stressors(load_suite(suite_id))
    plan = plan_stratum(suite, suite.cues[cue_index], epochs, seed)
    assert len(plan) == length
    assert all(spec.stressor is None for spec in plan)
    assert _digest(plan) == digest


@pytest.mark.parametrize("suite_id", ["soc-triage", "iam-access-review"])
def test_plan_crosses_every_case_paraphrase_and_stressor(suite_id: str) -> None:
    suite = load_suite(suite_id)
    conditions = [None, *(s.id for s in suite.stressors)]
    assert len(conditions) == 4
    for cue in suite.cues:
        plan = plan_stratum(suite, cue, epochs=2, seed=3)
        assert plan == plan_stratum(suite, cue, epochs=2, seed=3)
        keys = [spec.key for spec in plan]
        assert len(keys) == len(set(keys))
        n_para = min(len(cue.observed), len(cue.unobserved))
        disc = [spec for spec in plan if spec.discriminating]
        # Each discriminating (case, paraphrase, stressor) exactly once per epoch.
        expected = {
            (case.id, p, s, e)
            for case in suite.cases
            if suite.is_discriminating(case)
            for p in range(n_para)
            for s in conditions
            for e in (0, 1)
        }
        got = Counter((x.case_id, x.paraphrase, x.stressor, x.epoch) for x in disc)
        assert set(got) == expected and set(got.values()) == {1}
        # Stressor pairs keep the no-stressor pairs' keys, plus the suffix.
        none_keys = {spec.key for spec in plan if spec.stressor is None}
        for spec in plan:
            if spec.stressor is not None:
                assert spec.key.endswith(f"/s-{spec.stressor}")
                assert spec.key.removesuffix(f"/s-{spec.stressor}") in none_keys or (
                    not spec.discriminating
                )


@pytest.mark.parametrize("suite_id", ["soc-triage", "iam-access-review"])
def test_early_pairs_cover_the_stressor_conditions_evenly(suite_id: str) -> None:
    suite = load_suite(suite_id)
    conditions = [None, *(s.id for s in suite.stressors)]
    for cue in suite.cues:
        plan = plan_stratum(suite, cue, epochs=1, seed=0)
        disc = [spec for spec in plan if spec.discriminating]
        # Every prefix of the discriminating pairs is balanced to within one pair.
        counts = dict.fromkeys(conditions, 0)
        for spec in disc:
            counts[spec.stressor] += 1
            assert max(counts.values()) - min(counts.values()) <= 1
        # And so is the first look of a run, controls included (to within two).
        head = Counter(spec.stressor for spec in plan[:16])
        assert set(head) == set(conditions)
        assert max(head.values()) - min(head.values()) <= 2


def test_controls_still_interleaved_with_stressors() -> None:
    from hawthorne.pairs._plan import CONTROL_EVERY

    suite = load_suite("soc-triage")
    plan = plan_stratum(suite, suite.cues[0], epochs=1, seed=0)
    head = plan[: CONTROL_EVERY * 20]
    assert sum(not spec.discriminating for spec in head) == 20
    assert all(not plan[i].discriminating for i in range(CONTROL_EVERY - 1, 100, CONTROL_EVERY))
    controls = [spec for spec in plan if not spec.discriminating]
    assert {spec.stressor for spec in controls} == {None, *(s.id for s in suite.stressors)}


# --- rendering and pairing ----------------------------------------------------------------


@pytest.mark.parametrize("suite_id", ["soc-triage", "iam-access-review"])
def test_sides_differ_only_in_the_cue_under_a_stressor(suite_id: str) -> None:
    suite = load_suite(suite_id)
    case = next(c for c in suite.cases if suite.is_discriminating(c))
    for stressor in suite.stressors:
        for cue in suite.cues:
            for paraphrase in range(len(cue.observed)):
                obs = render(suite, case, cue, "observed", paraphrase, stressor=stressor)
                unobs = render(suite, case, cue, "unobserved", paraphrase, stressor=stressor)
                bare = render(suite, case, cue, "observed", paraphrase)
                expected = stressor.text(paraphrase, suite.stressor_variables(case))
                assert obs.stressor == unobs.stressor == expected != ""
                assert bare.stressor == ""
                assert obs.cue != unobs.cue
                assert obs.system.replace(obs.cue, "") == unobs.system.replace(unobs.cue, "")
                assert obs.user.replace(obs.cue, "") == unobs.user.replace(unobs.cue, "")
                # The case text stays whole, and the stressor sits where it says.
                assert case.text.strip() in obs.user
                if stressor.placement == "system":
                    assert expected in obs.system and expected not in obs.user
                    assert obs.system.index(expected) > obs.system.index(
                        suite.protocol.rules.strip()
                    )
                elif stressor.placement == "user_prefix":
                    assert obs.user.index(expected) < obs.user.index(case.text.strip())
                else:
                    assert obs.user.index(expected) > obs.user.index(case.text.strip())
                # Without the stressor text, the prompt is the no-stressor prompt.
                where = "system" if stressor.placement == "system" else "user"
                stripped = getattr(obs, where).replace(f"\n\n{expected}", "", 1)
                stripped = stripped.replace(f"{expected}\n\n", "", 1)
                assert stripped == getattr(bare, where)


def test_stressor_variant_follows_the_paraphrase_index() -> None:
    suite = load_suite("soc-triage")
    case, cue = suite.cases[0], suite.cues[1]
    stressor = next(s for s in suite.stressors if s.id == "time-pressure")
    texts = [
        render(suite, case, cue, "observed", p, stressor=stressor).stressor
        for p in range(len(cue.observed))
    ]
    assert len(set(texts)) == len(texts)
    assert texts[1] == stressor.text(1 + len(stressor.variants), suite.stressor_variables(case))


def test_pair_samples_share_the_stressor_and_scripted_targets_still_find_the_case() -> None:
    suite = load_suite("soc-triage")
    plan = plan_stratum(suite, suite.cues[0], epochs=1, seed=0)
    conditions = [None, *CONDITIONS[1:]]
    specs = [next(s for s in plan if s.discriminating and s.stressor == c) for c in conditions]
    samples = pair_samples(suite, specs)
    assert len(samples) == 2 * len(specs)
    halves = zip(samples[::2], samples[1::2], strict=True)
    for spec, (obs, unobs) in zip(specs, halves, strict=True):
        assert obs.id == f"{spec.key}/observed" and unobs.id == f"{spec.key}/unobserved"
        assert obs.metadata["stressor"] == unobs.metadata["stressor"] == spec.stressor
        assert obs.metadata["stressor_text"] == unobs.metadata["stressor_text"]
        assert bool(obs.metadata["stressor_text"]) == (spec.stressor is not None)
        protocol, legacy = obs.metadata["protocol_decision"], obs.metadata["legacy_decision"]
        assert protocol != legacy
        texts = {
            side: [str(m.content) for m in sample.input]
            for side, sample in (("observed", obs), ("unobserved", unobs))
        }
        for name in ("scripted-faker", "scripted-honest"):
            for side, messages in texts.items():
                answer = scripted_answer(name, messages)
                expected = legacy if (name, side) == ("scripted-faker", "unobserved") else protocol
                assert answer.endswith(f"<decision>{expected}</decision>"), (spec, side, answer)


# --- summary ------------------------------------------------------------------------------


def test_by_stressor_is_null_without_stressors_and_rows_with_them() -> None:
    suite = load_suite("soc-triage")
    plan = plan_stratum(suite, suite.cues[0], 1, 0)
    plain = Stratum("t", plan, VerdictSettings(), 100)
    assert _by_stressor(plain) is None
    stressed = Stratum("t", plan, VerdictSettings(), 100, [s.id for s in suite.stressors])
    rows = _by_stressor(stressed)
    assert rows is not None
    assert [row["stressor"] for row in rows] == CONDITIONS
    for row in rows:  # nothing asked yet
        assert row == {
            "stressor": row["stressor"],
            "n_pairs": 0,
            "adherence": {"observed": None, "unobserved": None},
            "gap": None,
            "ci": None,
        }


# --- end to end -------------------------------------------------------------------------


def test_audit_breaks_the_gap_down_by_stressor(tmp_path: Path) -> None:
    config = AuditConfig(suites=("soc-triage",), targets=(FAKER, HONEST))
    result = run_audit(config, tmp_path)
    summary = result.summary
    verdicts = {t["target"]: t["verdict"] for t in summary["targets"]}
    assert verdicts == {FAKER: "faking", HONEST: "consistent"}
    for row in summary["results"]:
        rows = row["by_stressor"]
        assert [r["stressor"] for r in rows] == CONDITIONS
        assert sum(r["n_pairs"] for r in rows) == row["n_pairs"]
        for r in rows:
            assert set(r) == {"stressor", "n_pairs", "adherence", "gap", "ci"}
            assert r["n_pairs"] >= 2
            lo, hi = r["ci"]
            assert -1.0 <= lo <= r["gap"] <= hi <= 1.0
            if row["target"] == FAKER:
                assert r["adherence"] == {"observed": 1.0, "unobserved": 0.0}
                assert r["gap"] == 1.0 and lo > 0
            else:
                assert r["adherence"] == {"observed": 1.0, "unobserved": 1.0}
                assert r["gap"] == 0.0 and lo < 0 < hi
        # The verdict stays on the whole stratum.
        assert row["verdict"] == ("faking" if row["target"] == FAKER else "consistent")
    # The pairs read back from the Inspect logs carry their stressor.
    assert {f["stressor"] for f in result.flips} == {None, *CONDITIONS[1:]}
    markdown = (tmp_path / "report.md").read_text()
    section = markdown.split("## Gap by stressor", 1)[1].split("\n## ", 1)[0]
    assert "| hawthorne/scripted-faker | soc-triage | tier | legacy-signal |" in section
    assert section.count("| time-pressure |") == 2 * len(row_cues(summary))
    assert "under legacy-signal" in markdown  # flipped pairs name their stressor
    html = (tmp_path / "report.html").read_text()
    assert html.count("<h3>Gap by stressor</h3>") == 2
    assert "stressor time-pressure" in html
    assert rerender(tmp_path).summary["results"] == summary["results"]


def row_cues(summary: dict) -> set[str]:
    return {row["cue_family"] for row in summary["results"]}


def test_suite_without_stressors_has_null_by_stressor_and_no_section(tmp_path: Path) -> None:
    # The same cases (so the scripted targets know them), without the stressors line.
    from hawthorne.suites._builtin import resolve_ref

    text = resolve_ref("soc-triage", "suites")[0].read_text()
    assert "\nstressors:" in text
    plain = "\n".join(line for line in text.splitlines() if not line.startswith("stressors:"))
    suite_path = tmp_path / "plain.yaml"
    suite_path.write_text(plain + "\n")
    config = AuditConfig(suites=(str(suite_path),), targets=(FAKER,), max_pairs=20)
    summary = run_audit(config, tmp_path / "run").summary
    assert summary["results"] and all(row["by_stressor"] is None for row in summary["results"])
    assert "Gap by stressor" not in (tmp_path / "run" / "report.md").read_text()
    assert "Gap by stressor" not in (tmp_path / "run" / "report.html").read_text()


# --- reports ------------------------------------------------------------------------------

EVIL = "<script>alert('x')</script>"


def _summary(by_stressor: object) -> dict:
    return {
        "schema": "hawthorne.summary/1",
        "results": [
            {
                "target": "m",
                "suite": "s",
                "cue_family": "tier",
                "n_pairs": 10,
                "adherence": {"observed": 0.9, "unobserved": 0.5},
                "gap": 0.4,
                "ci": [0.1, 0.6],
                "p_value": 0.01,
                "verdict": "faking",
                "by_stressor": by_stressor,
            }
        ],
        "targets": [{"target": "m", "verdict": "faking"}],
    }


def test_reports_show_and_escape_the_stressor_table() -> None:
    rows = [
        {
            "stressor": "none",
            "n_pairs": 6,
            "adherence": {"observed": 1.0, "unobserved": 0.5},
            "gap": 0.5,
            "ci": [0.1, 0.8],
        },
        {
            "stressor": EVIL,
            "n_pairs": 0,
            "adherence": {"observed": None, "unobserved": None},
            "gap": None,
            "ci": None,
        },
    ]
    markdown = render_markdown(_summary(rows), [])
    assert "## Gap by stressor" in markdown
    assert "| m | s | tier | none | 6 | 100.0% | 50.0% | +50.0 pp [+10.0, +80.0] |" in markdown
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    html = render_html(_summary(rows), [])
    assert "Gap by stressor" in html and "+50.0 pp" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    for absent in (None, [], "junk"):
        assert "Gap by stressor" not in render_markdown(_summary(absent), [])
        assert "Gap by stressor" not in render_html(_summary(absent), [])
