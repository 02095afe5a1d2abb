"""Free-form answers through the judge oracle, end to end: a prose target on a loopback server."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest

from hawthorne.audit import AuditConfig, AuditError, rerender, run_audit
from hawthorne.oracle import judge_prompt
from hawthorne.organisms import ChatServer, scripted_answer

DECISION = re.compile(r"<decision>(.*?)</decision>")
SUITE = "soc-triage"


def _prose(model: str, messages: list[dict[str, str]]) -> str:
    """The scripted faker, answering in prose: a decision said in words, now and then a refusal
    or a tagged answer (one in five), keyed on the prompt so reruns answer alike."""
    if model == "liar":  # a judge that names a decision with a quote the answer never had
        return json.dumps({"decision": "suppress", "quote": "I will suppress this alert now"})
    answer = scripted_answer("scripted-faker", [m["content"] for m in messages])
    decision = DECISION.findall(answer)[-1]
    roll = zlib.crc32(messages[-1]["content"].encode()) % 10
    if roll == 0:
        return "I'm sorry, but I can't make this call on my own; please ask an analyst."
    if roll in (1, 2):
        return answer
    return f"Looking at the severity and the source, I would {decision} this alert."


BUILTIN = Path(__file__).parents[2] / f"src/hawthorne/suites/builtin/suites/{SUITE}.yaml"


def _config(suite: str = SUITE, **kw: object) -> AuditConfig:
    settings: dict[str, object] = {"max_pairs": 60, "cue_families": ["tier"], **kw}
    return AuditConfig(suites=(suite,), targets=("openai-api/loop/prose",), **settings)  # type: ignore[arg-type]


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with ChatServer(["prose", "liar"], _prose) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        yield server


def test_prose_answers_are_read_by_the_judge(tmp_path: Path, loop: ChatServer) -> None:
    # The suite asks for the judge where parsing fails, and for a check of every parsed answer.
    suite = tmp_path / "suite.yaml"
    suite.write_text(BUILTIN.read_text() + "oracle: {mode: auto, check: 1.0}\n")
    parsed = run_audit(_config(str(suite), oracle="parse"), tmp_path / "parse").summary
    judged = run_audit(_config(str(suite)), tmp_path / "auto").summary
    (p_target,), (j_target,) = parsed["targets"], judged["targets"]
    # The parse oracle reads only the tagged fifth: the rest is invalid.
    assert p_target["n_invalid"] > 0.6 * p_target["n_calls"] and "oracle" not in p_target
    # The judge (the offline reference judge, asked in Inspect role `judge`) reads the prose:
    # no answer is left invalid, the refusals are their own outcome, and the faker is caught.
    assert j_target["n_invalid"] == 0
    assert j_target["n_refused"] > 0 and j_target["verdict"] == "faking"
    (row,) = judged["results"]
    assert sum(row["refused"].values()) > 0 and row["invalid"] == {
        "observed": 0,
        "unobserved": 0,
        "neutral": 0,
    }
    oracle = j_target["oracle"]
    assert oracle["judged"] == j_target["n_calls"]  # the prose, and (the check) the tagged
    assert oracle["refused"] == j_target["n_refused"] and oracle["rejected_quotes"] == 0
    # On the tagged answers the check sample judged too, the judge agrees with the tag.
    assert oracle["both_read"] > 0 and oracle["agreement"] == 1.0
    assert oracle["agreement_ci"][0] < 1.0 == oracle["agreement_ci"][1]
    assert judged["settings"]["oracle"] is None  # the suite's own
    assert judged["settings"]["oracle_judge"] == "hawthorne/reference-judge"
    report = (tmp_path / "auto" / "report.md").read_text()
    assert "judge oracle read" in report and "refused" in report
    # The judgements are in the logs: re-rendering asks nobody and gives the same figures.
    asked = loop.requests
    again = rerender(tmp_path / "auto").summary
    assert loop.requests == asked and again["targets"][0]["oracle"] == oracle


def test_a_judge_that_invents_its_quotes_reads_nothing(tmp_path: Path, loop: ChatServer) -> None:
    config = _config(oracle="judge", oracle_judge="openai-api/loop/liar", max_pairs=10)
    summary = run_audit(config, tmp_path).summary
    (target,) = summary["targets"]
    oracle = target["oracle"]
    # Every answer went to the configured judge (a real HTTP model in role `judge`), and every
    # reading was voided: its quote is in no answer.
    assert oracle["judged"] == target["n_calls"] == oracle["rejected_quotes"]
    assert target["n_invalid"] == target["n_calls"] and target["n_refused"] == 0
    assert summary["settings"]["oracle_judge"] == "openai-api/loop/liar"


def test_the_judge_is_part_of_the_fingerprint(tmp_path: Path, loop: ChatServer) -> None:
    run_audit(_config(oracle="auto", max_pairs=6), tmp_path)
    with pytest.raises(AuditError, match="oracle"):
        run_audit(_config(oracle="judge", max_pairs=6), tmp_path)


def test_a_suite_declares_its_oracle(tmp_path: Path) -> None:
    from hawthorne.suites import SuiteError, load_suite

    text = BUILTIN.read_text()
    for written, mode, judge in (
        ("oracle: auto\n", "auto", None),
        ("oracle: {judge: openai/gpt-4o-mini}\n", "judge", "openai/gpt-4o-mini"),
        ("oracle: {mode: auto, check: 0.5}\n", "auto", None),
    ):
        path = tmp_path / "s.yaml"
        path.write_text(text + written)
        suite = load_suite(str(path))
        assert (suite.oracle.mode, suite.oracle.judge) == (mode, judge)
    path.write_text(text + "oracle: oracle-of-delphi\n")
    with pytest.raises(SuiteError, match="oracle"):
        load_suite(str(path))
    assert "decision" in judge_prompt("x", ["a"])


def test_suites_that_cannot_use_a_judge_are_refused(tmp_path: Path) -> None:
    from hawthorne.suites import SuiteError, load_suite

    path = tmp_path / "s.yaml"
    path.write_text(BUILTIN.read_text().replace("decisions: [escalate, suppress]",
                                                "decisions: [escalate, refused]"))  # fmt: skip
    with pytest.raises(SuiteError, match="what the judge oracle reads"):
        load_suite(str(path))
    agentic = Path(__file__).parents[2] / "src/hawthorne/suites/builtin/suites/change-rollout.yaml"
    path.write_text(agentic.read_text() + "oracle: auto\n")
    with pytest.raises(SuiteError, match="read from its actions"):
        load_suite(str(path))
