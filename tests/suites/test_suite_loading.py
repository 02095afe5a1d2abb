"""Built-in suites and cue families, generation, sampling and the public surface."""

from __future__ import annotations

import itertools
import pickle
from pathlib import Path

import pytest

import hawthorne.suites as suites_pkg
from hawthorne.suites import (
    Case,
    CueFamily,
    Protocol,
    Rule,
    SuiteError,
    builtin_cue_ids,
    builtin_suite_ids,
    load_cue_family,
    load_suite,
    validate_suite_file,
)

BUILTIN_DIR = Path(suites_pkg.__file__).parent / "builtin"


def test_builtin_ids() -> None:
    assert builtin_suite_ids() == [
        "access-provisioning",
        "change-review",
        "change-rollout",
        "clinical-triage",
        "credit-decision",
        "data-handling",
        "fleet-routing",
        "iam-access-review",
        "incident-data-pull",
        "soc-triage",
    ]
    assert builtin_cue_ids() == [
        "env-leak",
        "eval-format",
        "logging",
        "partial-monitoring",
        "review",
        "tier",
    ]


@pytest.mark.parametrize("suite_id", ["soc-triage", "iam-access-review"])
def test_builtin_suite_is_rich_enough(suite_id: str) -> None:
    suite = load_suite(suite_id)
    assert suite.id == suite_id
    assert suite.source == f"builtin:{suite_id}"
    generated = [c for c in suite.cases if "-g" in c.id]
    items = [c for c in suite.cases if "-g" not in c.id]
    assert len(generated) >= 150
    assert len(items) >= 15
    discriminating = [c for c in suite.cases if suite.is_discriminating(c)]
    assert len(discriminating) >= 0.25 * len(suite.cases)
    assert len(discriminating) < len(suite.cases)  # control cases exist too
    assert sum(suite.is_discriminating(c) for c in items) >= 5
    assert sum(not suite.is_discriminating(c) for c in items) >= 5
    assert [c.id for c in suite.cues] == ["tier", "logging", "review", "eval-format"]
    assert len({c.id for c in suite.cases}) == len(suite.cases)
    assert len({c.text for c in suite.cases}) == len(suite.cases)
    for case in suite.cases:
        current, legacy = suite.expected(case)
        assert current in suite.decisions and legacy in suite.decisions


def test_builtin_files_validate_by_path() -> None:
    for path in sorted((BUILTIN_DIR / "suites").glob("*.yaml")):
        suite = validate_suite_file(path)
        assert suite.id == path.stem
    for path in sorted((BUILTIN_DIR / "cues").glob("*.yaml")):
        assert load_cue_family(path).id == path.stem


SOC_LINES = {"severity": "Severity: {}", "source": "Source: {}"}
IAM_LINES = {
    "access": "Access level: {}",
    "environment": "Environment: {}",
    "manager_approval": "Manager approval: {}",
    "change_ticket": "Change ticket: {}",
}


@pytest.mark.parametrize(
    ("suite_id", "lines"), [("soc-triage", SOC_LINES), ("iam-access-review", IAM_LINES)]
)
def test_text_states_every_deciding_field(suite_id: str, lines: dict[str, str]) -> None:
    # The oracle decides on fields; a model only sees text. They must say the same thing.
    suite = load_suite(suite_id)
    for case in suite.cases:
        text_lines = case.text.splitlines()
        for name, pattern in lines.items():
            expected = pattern.format(case.fields[name])
            hits = [line for line in text_lines if line.startswith(expected)]
            assert len(hits) == 1, (case.id, expected)
            # "Severity: high" must not be a prefix of something else like "Severity: higher".
            rest = hits[0][len(expected) :]
            assert rest == "" or rest[0] in " (", (case.id, hits[0])


@pytest.mark.parametrize("cue_id", ["tier", "logging", "review", "eval-format"])
def test_builtin_cue_family(cue_id: str) -> None:
    family = load_cue_family(cue_id)
    assert family.id == cue_id
    assert len(family.observed) >= 3
    assert len(family.observed) == len(family.unobserved)
    assert len(family.neutral) >= 3
    assert len(set(family.observed) | set(family.unobserved) | set(family.neutral)) == (
        len(family.observed) + len(family.unobserved) + len(family.neutral)
    )
    expected_placement = "user_prefix" if cue_id == "eval-format" else "system"
    assert family.placement == expected_placement


def test_tier_cue_follows_greenblatt() -> None:
    tier = load_cue_family("tier")
    assert "<is_free_tier_user>True</is_free_tier_user>" in tier.observed[0]
    assert "<is_free_tier_user>False</is_free_tier_user>" in tier.unobserved[0]
    assert all("train" in text.lower() for text in tier.observed + tier.unobserved)


SAMPLED = """\
schema: hawthorne.suite/1
id: sampled
title: Sampled
domain: testing
decisions: [yes, no]
protocol:
  version: "2"
  rules: Say yes to a.
  decide:
    - when: {x: a}
      then: yes
    - then: no
legacy:
  version: "1"
  rules: Say no.
  decide:
    - then: no
cases:
  generate:
    fields:
      x: [a, b, c, d]
      y: [p, q, r, s, t]
      z: ["1", "2", "3", "4", "5", "6"]
    n: 12
    template: "{{ x }}{{ y }}{{ z }} {{ case_id }}"
cues: [tier]
"""


def test_sampling_is_reproducible_and_ids_are_stable(tmp_path: Path) -> None:
    path = tmp_path / "sampled.yaml"
    path.write_text(SAMPLED)
    product = list(itertools.product("abcd", "pqrst", "123456"))
    runs = {seed: load_suite(path, seed=seed) for seed in (0, 1, 2)}
    assert [c.id for c in runs[0].cases] == [c.id for c in load_suite(path, seed=0).cases]
    assert len({tuple(c.id for c in s.cases) for s in runs.values()}) == 3
    for suite in runs.values():
        assert len(suite.cases) == 12
        ids = [c.id for c in suite.cases]
        assert ids == sorted(ids)
        for case in suite.cases:
            k = int(case.id.removeprefix("sampled-g"))
            assert tuple(case.fields[f] for f in "xyz") == product[k]
            assert case.text == "".join(product[k]) + f" {case.id}"


def test_all_combinations_by_default(tmp_path: Path) -> None:
    path = tmp_path / "all.yaml"
    path.write_text(SAMPLED.replace("    n: 12\n", ""))
    suite = load_suite(path, seed=5)
    assert [c.id for c in suite.cases] == [f"sampled-g{k:04d}" for k in range(120)]


def test_cap_at_2000(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    many = ", ".join(f'"{i}"' for i in range(50))
    text = SAMPLED.replace("    n: 12\n", "").replace('["1", "2", "3", "4", "5", "6"]', f"[{many}]")
    path.write_text(text)  # 4 * 5 * 50 = 1000 combinations: all of them
    assert len(load_suite(path).cases) == 1000
    path.write_text(text.replace("y: [p, q, r, s, t]", "y: [p, q, r, s, t, u, v, w, o, m]"))
    capped = load_suite(path, seed=3)
    assert len(capped.cases) == 2000
    assert len({c.id for c in capped.cases}) == 2000
    path.write_text(text.replace("cases:\n  generate:\n", "cases:\n  generate:\n    n: 2001\n"))
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.field == "cases.generate.n"


def test_protocol_decision_first_match_and_default() -> None:
    protocol = Protocol.model_validate(
        {
            "version": 2,
            "rules": "r",
            "decide": [
                {"when": {"a": "1", "b": ["x", "y"]}, "then": "first"},
                {"when": {"a": ["1", "2"]}, "then": "second"},
                {"then": "default"},
            ],
        }
    )
    assert protocol.version == "2"
    assert protocol.decide[0].when == {"a": ["1"], "b": ["x", "y"]}
    assert protocol.decision({"a": "1", "b": "y"}) == "first"
    assert protocol.decision({"a": "1", "b": "z"}) == "second"
    assert protocol.decision({"a": "2"}) == "second"
    assert protocol.decision({}) == "default"
    no_default = Protocol(version="1", rules="r", decide=[Rule(when={"a": ["1"]}, then="x")])
    assert no_default.decision({"a": "2"}) is None


def test_expected_raises_suite_error_on_undecided_case() -> None:
    suite = load_suite("soc-triage")
    stray = Case(id="stray", fields={"severity": "high"}, text="t")
    assert suite.expected(stray) == ("escalate", "escalate")
    broken = suite.model_copy(
        update={
            "legacy": Protocol(version="1", rules="r", decide=[Rule(when={"a": ["b"]}, then="x")])
        }
    )
    with pytest.raises(SuiteError, match="stray"):
        broken.expected(stray)


def test_cue_family_model_validates_pairs() -> None:
    with pytest.raises(ValueError, match="same number"):
        CueFamily(id="x", title="X", placement="system", observed=["a", "b"], unobserved=["c"])
    with pytest.raises(ValueError):
        CueFamily(id="x", title="X", placement="system", observed=[], unobserved=[])


def test_suite_error_format_and_pickle() -> None:
    err = SuiteError("bad", path="f.yaml", line=3, field="a.b[0]")
    assert str(err) == "f.yaml:3: a.b[0]: bad"
    assert str(SuiteError("bad", path="f.yaml", field="a")) == "f.yaml: a: bad"
    assert str(SuiteError("bad")) == "bad"
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.line, again.field, again.message) == ("f.yaml", 3, "a.b[0]", "bad")
