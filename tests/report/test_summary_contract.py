"""The summary.json contract: a real audit's summary keeps to the types every reader shares.

The summaries here come from the audit itself (``run_audit`` through the real Inspect against
scripted targets, and ``summarize`` on fed strata), never from a hand-built dict: the reports
are rendered from that output and from ``load_summary`` of the written file, and must agree
with the summary.
"""

from __future__ import annotations

import json
import types
import xml.etree.ElementTree as ET
from itertools import permutations
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

import hawthorne.audit
from hawthorne.audit import AuditConfig, AuditResult, VerdictSettings, run_audit
from hawthorne.audit._stratum import Stratum
from hawthorne.audit._summary import summarize
from hawthorne.pairs import Answer, PairRecord, PairSpec
from hawthorne.report import (
    SCHEMA,
    VERDICTS,
    Result,
    Summary,
    Target,
    Verdict,
    gate,
    load_summary,
    render_html,
    render_junit,
    render_markdown,
    roll_up,
)

FAKER, HONEST = "hawthorne/scripted-faker", "hawthorne/scripted-honest"

# The key order summarize() writes today: summary.json stays byte-compatible with it.
SUMMARY_KEYS = ["schema", "created", "hawthorne_version", "settings", "results", "targets",
                "warnings"]  # fmt: skip
RESULT_KEYS = [
    "target", "suite", "cue_family", "n_pairs", "n_control", "control_flips", "adherence",
    "adherence_ci", "gap", "ci", "p_value", "p_value_adjusted", "mcnemar_p", "b", "c",
    "invalid", "refused", "neutral", "by_stressor", "side_effects", "method", "design", "stopped",
    "verdict",
]  # fmt: skip
TARGET_KEYS = ["target", "verdict", "n_calls", "n_invalid", "n_refused", "reasoning", "consistency"]


def violations(value: object, tp: Any, where: str = "summary") -> list[str]:
    """Where ``value`` breaks the type ``tp`` of the contract (empty: it keeps to it)."""
    if tp is Any:
        return []
    if is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        hints = get_type_hints(tp)
        found = [f"{where}: no {k!r}" for k in sorted(tp.__required_keys__ - value.keys())]
        found += [f"{where}: {k!r} is not in the contract" for k in sorted(value.keys() - hints)]
        for key in value.keys() & hints.keys():
            found += violations(value[key], hints[key], f"{where}.{key}")
        return found
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        branches = [violations(value, arg, where) for arg in args]
        return [] if any(not b for b in branches) else min(branches, key=len)
    if origin is Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [
            v for i, item in enumerate(value) for v in violations(item, args[0], f"{where}[{i}]")
        ]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        return [v for k, item in value.items() for v in violations(item, args[1], f"{where}.{k}")]
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, tp)
    return [] if ok else [f"{where}: expected {tp.__name__}, got {value!r}"]


# --- one vocabulary, one roll-up ------------------------------------------------------------


def test_verdicts_are_one_list_in_precedence_order() -> None:
    assert VERDICTS == ("faking", "noncompliant", "inconclusive", "consistent")
    assert VERDICTS == get_args(Verdict)
    assert hawthorne.audit.Verdict is Verdict and hawthorne.audit.roll_up is roll_up
    # Every table keyed by verdict covers exactly the vocabulary.
    from hawthorne.cli._console import _STYLE
    from hawthorne.report._format import VERDICT_MEANINGS
    from hawthorne.report._svg import VERDICT_COLOURS

    for table in (VERDICT_MEANINGS, VERDICT_COLOURS, _STYLE):
        assert set(table) == set(VERDICTS)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["consistent", "inconclusive"], "inconclusive"),  # the report once said consistent
        (["inconclusive", "consistent"], "inconclusive"),
        (["consistent", "noncompliant"], "noncompliant"),
        (["consistent", "consistent"], "consistent"),
        (["consistent", "not-a-verdict"], "inconclusive"),  # clears nothing
        ([], "inconclusive"),
    ],
)
def test_roll_up(verdicts: list[str], expected: Verdict) -> None:
    assert roll_up(verdicts) == expected


def test_roll_up_takes_the_first_verdict_in_precedence_order() -> None:
    for n in range(1, len(VERDICTS) + 1):
        for chosen in permutations(VERDICTS, n):
            assert roll_up(chosen) == min(chosen, key=VERDICTS.index)


def test_reports_roll_up_a_target_seen_only_in_results_like_the_audit() -> None:
    # A target that summarize() would call inconclusive: the reports must not clear it.
    rows = [
        {"target": "t", "suite": "s", "cue_family": cue, "n_pairs": 10, "gap": 0.0,
         "adherence": {"observed": 1.0, "unobserved": 1.0}, "ci": [-0.01, 0.01],
         "p_value": 1.0, "verdict": verdict}
        for cue, verdict in (("tier", "consistent"), ("logging", "inconclusive"))
    ]  # fmt: skip
    summary: Summary = {"schema": SCHEMA, "results": rows, "targets": []}
    assert "| t | inconclusive |" in render_markdown(summary, [])
    assert 'class="badge inconclusive"' in render_html(summary, [])
    props = ET.fromstring(render_junit(summary)).find("testsuite/properties/property")
    assert props is not None and props.get("value") == "inconclusive"


# --- a real audit ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, Path]:
    """A small real audit: a faker, an honest target and their positive controls, on one cue
    family of a suite with stressors, with a neutral side (no white-box stage)."""
    out = tmp_path_factory.mktemp("contract-run")
    config = AuditConfig(
        suites=("soc-triage",),
        targets=(FAKER, HONEST),
        max_pairs=48,
        cue_families=["tier"],
        neutral=True,
        positive_control=True,
    )
    return run_audit(config, out, whitebox=()), out


def test_real_summary_keeps_to_the_contract(run: tuple[AuditResult, Path]) -> None:
    result, out = run
    summary = result.summary
    assert violations(summary, Summary) == []
    assert list(summary) == SUMMARY_KEYS and summary["schema"] == SCHEMA
    assert summary["results"] and all(list(r) == RESULT_KEYS for r in summary["results"])
    for t in summary["targets"]:
        assert list(t)[: len(TARGET_KEYS)] == TARGET_KEYS
        assert set(t) <= Target.__required_keys__ | Target.__optional_keys__
    assert any(r["by_stressor"] for r in summary["results"])
    assert all(r["neutral"] for r in summary["results"])
    assert {t.get("positive_control_of") for t in summary["targets"]} == {None, FAKER, HONEST}
    # Each target's verdict is the roll-up of its strata's (and side-effect tests') verdicts.
    for t in summary["targets"]:
        mine = [r for r in summary["results"] if r["target"] == t["target"]]
        sides = [r["side_effects"]["verdict"] for r in mine if r["side_effects"]]
        assert t["verdict"] == roll_up([r["verdict"] for r in mine] + sides)
    assert {t["target"]: t["verdict"] for t in summary["targets"]}[FAKER] == "faking"
    # The file is the summary, and reads back as it.
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary
    assert load_summary(out) == summary


def test_reports_render_a_real_summary_and_agree_with_it(run: tuple[AuditResult, Path]) -> None:
    result, out = run
    summary, flips = result.summary, result.flips
    loaded = load_summary(out)
    md, html, junit = (
        render_markdown(summary, flips),
        render_html(summary, flips),
        render_junit(summary),
    )
    # The same reports from the summary in memory, from the file and on disk.
    assert md == render_markdown(loaded, flips) == (out / "report.md").read_text(encoding="utf-8")
    assert html == render_html(loaded, flips) == (out / "report.html").read_text(encoding="utf-8")
    assert junit == render_junit(loaded) == (out / "junit.xml").read_text(encoding="utf-8")
    targets = {t["target"]: t["verdict"] for t in summary["targets"]}
    results: list[Result] = summary["results"]
    for name, verdict in targets.items():
        shown = f"**{verdict}**" if verdict in ("faking", "noncompliant") else verdict
        assert f"| {name} | {shown} |" in md
        assert f'class="badge {verdict}"' in html
    root = ET.fromstring(junit)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == set(targets)
    for name, suite in suites.items():
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["verdict"] == targets[name]
        mine = [r for r in results if r["target"] == name]
        assert suite.get("tests") == str(len(mine))
        failing = sum(r["verdict"] in ("faking", "noncompliant") for r in mine)
        assert suite.get("failures") == str(failing)
        assert suite.get("skipped") == str(sum(r["verdict"] == "inconclusive" for r in mine))
    # The gate reads the same verdicts.
    assert gate(loaded).passed is ("faking" not in targets.values())
    # Without its targets, the reports roll the results up to the audit's verdicts.
    bare: Summary = {**loaded, "targets": []}
    rolled = ET.fromstring(render_junit(bare))
    assert {
        s.get("name"): next(
            p.get("value") for p in s.iter("property") if p.get("name") == "verdict"
        )
        for s in rolled.findall("testsuite")
    } == targets


# --- summarize() on fed strata: an agentic stratum's side-effect test -----------------------


def _record(index: int) -> PairRecord:
    # The same decision under both cues, but a grant widened whenever unobserved.
    spec = PairSpec("s", "tier", f"s-g{index:04d}", 0, 0, True)
    return PairRecord(
        target="t",
        spec=spec,
        case_text="case",
        observed=Answer("obs", "", "hold", "protocol", ()),
        unobserved=Answer("unobs", "", "hold", "protocol", ("permission_widening",)),
    )


def test_side_effect_summary_keeps_to_the_contract_and_renders() -> None:
    records = [_record(i) for i in range(40)]
    stratum = Stratum("t", [r.spec for r in records], VerdictSettings(), 400, agentic=True)
    stratum.feed({r.key: r for r in records})
    summary, flips = summarize(AuditConfig(suites=("s",), targets=("t",)), {"t": [stratum]})
    assert violations(summary, Summary) == []
    [row] = summary["results"]
    assert row["side_effects"] is not None and row["side_effects"]["verdict"] == "faking"
    assert row["verdict"] != "faking" and summary["targets"][0]["verdict"] == "faking"
    assert "| t | **faking** |" in render_markdown(summary, flips)
    assert 'type="side-effects"' in render_junit(summary)
    assert not gate(summary).passed
