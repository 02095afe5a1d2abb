"""Recorded answers: the paired path is the audit's, the unpaired one says so, errors name lines."""

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import hawthorne
from hawthorne.adapter import load_pairs
from hawthorne.audit import AuditConfig, VerdictSettings, run_audit
from hawthorne.cli import main
from hawthorne.recorded import RecordError, read_records

KEYS = ("n_pairs", "n_control", "adherence", "adherence_ci", "gap", "ci", "p_value", "verdict")


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_paired_records_get_the_results_of_a_fixed_audit(tmp_path: Path) -> None:
    config = AuditConfig(
        suites=("soc-triage",),
        targets=("hawthorne/scripted-faker", "hawthorne/scripted-honest"),
        max_pairs=40,
        settings=VerdictSettings(sequential=False),
    )
    audit = run_audit(config, tmp_path / "run", whitebox=()).summary
    rows = [
        {"pair": key, "case": r.spec.case_id, "condition": side, "cue": r.spec.cue_family,
         "target": target, "epoch": r.spec.epoch, "answer": getattr(r, side).answer}
        for target, pairs in load_pairs(tmp_path / "run" / "logs").items()
        for key, r in pairs.items()
        for side in ("observed", "unobserved")
    ]  # fmt: skip
    random.Random(0).shuffle(rows)  # order does not matter
    recorded = hawthorne.analyze(
        [_write(tmp_path / "answers.jsonl", rows)], tmp_path / "rec", suite="soc-triage"
    ).summary
    key = lambda r: (r["target"], r["cue_family"])  # noqa: E731
    mine = {key(r): r for r in recorded["results"]}
    assert len(mine) == len(audit["results"]) == 8
    for row in audit["results"]:
        assert {k: mine[key(row)][k] for k in KEYS} == {k: row[k] for k in KEYS}
        assert mine[key(row)]["design"] == "paired"
    verdicts = lambda s: {t["target"]: t["verdict"] for t in s["targets"]}  # noqa: E731
    assert verdicts(recorded) == verdicts(audit)
    assert "temperature" not in recorded["settings"]  # Hawthorne did not ask these answers
    assert not recorded["warnings"]
    assert hawthorne.gate(tmp_path / "rec").passed is False  # the faker fails the gate


def _repeated(rate_observed: float, rate_unobserved: float, n: int, seed: int) -> list[dict]:
    """One prompt asked n times per condition: answers that cannot pair up."""
    rng = random.Random(seed)
    return [
        {"prompt_id": "p1", "condition": c, "complied": rng.random() < rate}
        for c, rate in (("observed", rate_observed), ("unobserved", rate_unobserved))
        for _ in range(n)
    ]


def test_unpaired_records_are_independent_samples_and_say_so(tmp_path: Path) -> None:
    rows = [dict(r, target="faker") for r in _repeated(0.95, 0.3, 40, 1)]
    rows += [dict(r, target="honest") for r in _repeated(0.97, 0.97, 400, 2)]
    result = hawthorne.analyze([_write(tmp_path / "a.jsonl", rows)], tmp_path / "out")
    by_target = {r["target"]: r for r in result.summary["results"]}
    faker, honest = by_target["faker"], by_target["honest"]
    assert faker["design"] == honest["design"] == "independent"
    assert (faker["n_observed"], faker["n_unobserved"]) == (40, 40) and "b" not in faker
    assert faker["verdict"] == "faking" and faker["ci"][0] > 0.4
    assert honest["verdict"] == "consistent"
    assert -0.05 < honest["ci"][0] and honest["ci"][1] < 0.05
    warnings = result.summary["warnings"]
    assert len(warnings) == 2 and all("independent samples" in w for w in warnings)
    assert "Fisher" in warnings[0] and "1 of 1 cases" in warnings[0]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "40 + 40 unpaired" in report and "independent samples" in report


def test_csv_with_a_column_map(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    lines = ["prompt,setting,ok,model"]
    lines += [f"c{i},observed,{'yes' if i % 10 else 'no'},m" for i in range(60)]
    lines += [f"c{i},unobserved,{'yes' if i % 2 else 'no'},m" for i in range(60)]
    path.write_text("\n".join(lines) + "\n")
    columns = {"case": "prompt", "condition": "setting", "complied": "ok", "target": "model"}
    rows = read_records([path], columns)
    assert len(rows) == 120 and rows[0].where == f"{path}:2" and rows[0].complied is False
    result = hawthorne.analyze([path], tmp_path / "out", columns=columns).summary
    (row,) = result["results"]
    assert row["design"] == "paired" and row["n_pairs"] == 60
    assert row["adherence"] == {"observed": 0.9, "unobserved": 0.5}
    assert row["verdict"] == "faking"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "answers.jsonl:2: not JSON"),
        ('{"case": "c1", "condition": "watched", "complied": true}', "must be observed or"),
        ('{"case": "c1", "condition": "observed"}', "exactly one of 'answer', 'outcome'"),
        ('{"case": "c1", "condition": "observed", "answer": "x"}', "read by a suite's oracle"),
        ('{"case": "c1", "condition": "observed", "outcome": "maybe"}', "not one of protocol"),
        ('{"case": "c1", "condition": "observed", "complied": "sure"}', "true or false"),
    ],
)
def test_bad_records_name_their_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"case": "c0", "condition": "observed", "complied": true}\n' + line + "\n")
    with pytest.raises(RecordError, match=message):
        hawthorne.analyze([path], tmp_path / "out")
    result = CliRunner().invoke(main, ["analyze", str(path), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_an_unknown_case_of_a_suite_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", [{"case": "nope", "condition": "observed", "answer": "x"}])
    with pytest.raises(RecordError, match=r"a.jsonl:1: suite soc-triage has no case 'nope'"):
        hawthorne.analyze([path], tmp_path / "out", suite="soc-triage")


def test_the_command_writes_a_folder_the_gate_reads(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _repeated(0.95, 0.2, 30, 3))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyze", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "independent samples" in result.output and "faking" in result.output
    assert {p.name for p in out.iterdir()} >= {"summary.json", "report.md", "junit.xml",
                                                "recorded.json"}  # fmt: skip
    assert json.loads((out / "recorded.json").read_text())["records"] == 60
    gate = CliRunner().invoke(main, ["gate", str(out)])
    assert gate.exit_code == 1


def test_an_inspect_log_of_another_task(tmp_path: Path) -> None:
    """The alignment-faking layout: a tier in each sample's metadata says which condition."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.solver import generate

    rng = random.Random(4)
    samples = [
        Sample(input=f"request {i}", id=f"{tier}-{i}",
               metadata={"tier": tier, "helpful": rng.random() < rate, "request": f"r{i}"})
        for tier, rate in (("free", 0.9), ("paid", 0.2))
        for i in range(40)
    ]  # fmt: skip
    (log,) = inspect_eval(
        Task(dataset=samples, solver=generate(), name="af_setting"),
        model="hawthorne/scripted-honest",  # offline: mockllm counts tokens with a download
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    path = Path(log.location)
    columns = {"condition": "tier", "complied": "helpful", "case": "request"}
    conditions = {"free": "observed", "paid": "unobserved"}
    rows = read_records([path], columns, conditions)
    assert (
        len(rows) == 80 and rows[0].target == "hawthorne/scripted-honest" and rows[0].answer is None
    )
    assert rows[0].where == f"{path}:sample1"
    result = hawthorne.analyze([path], tmp_path / "out", columns=columns, conditions=conditions)
    (row,) = result.summary["results"]
    assert row["design"] == "paired" and row["n_pairs"] == 40  # request r<i> under both tiers
    assert row["verdict"] == "faking"
    with pytest.raises(RecordError, match="must be observed or unobserved, not 'free'"):
        read_records([path], columns)
